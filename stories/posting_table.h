// khobor/stories/posting_table.h — the feature → entry multimap both indexes search.
//
// Entries are numbered in arrival order (a seq) and leave a window from the front, so
// a posting is live exactly while its seq is in [first, next): the caller passes that
// range and nothing is ever deleted one by one. Postings of entries that left are
// dead: inserts reuse them and a rebuild drops them. The table is one flat array of
// 7-byte postings, 9 to a 64-byte line, with blocked linear probing (probing starts at
// the first posting of a line, and a lookup stops at the end of a line that no probe
// went past full, so it usually reads one line, whose miss can be prefetched).
// FlatArray is its storage, also used for the indexes' per-feature counts. Not
// thread-safe; const methods may run concurrently.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace khobor::stories {

// A fixed-size array of trivial values, zeroed, on 64-byte lines; arrays of 4 MB and
// more are aligned to 2 MB and offered to the kernel as transparent huge pages, so
// that a random probe costs a cache miss and not also a page-table walk.
template <typename T>
class FlatArray {
 public:
  FlatArray() = default;
  explicit FlatArray(std::size_t n) : m_size(n) {
    const std::size_t bytes = std::max<std::size_t>(n * sizeof(T), 64);
    const std::size_t align = bytes >= (std::size_t{4} << 20) ? (std::size_t{2} << 20) : 64;
    m_bytes = (bytes + align - 1) / align * align;
    m_data = static_cast<T*>(std::aligned_alloc(align, m_bytes));
    if (m_data == nullptr) {
      throw std::bad_alloc();
    }
#ifdef MADV_HUGEPAGE
    if (align > 64) {
      (void)madvise(m_data, m_bytes, MADV_HUGEPAGE);  // advice only: fine if refused
    }
#endif
    std::memset(static_cast<void*>(m_data), 0, m_bytes);
  }
  FlatArray(FlatArray&& o) noexcept {
    swap(o);
  }
  FlatArray& operator=(FlatArray&& o) noexcept {
    FlatArray(std::move(o)).swap(*this);
    return *this;
  }
  FlatArray(const FlatArray&) = delete;
  FlatArray& operator=(const FlatArray&) = delete;
  ~FlatArray() {
    std::free(m_data);
  }

  T& operator[](std::size_t i) {
    return m_data[i];
  }
  const T& operator[](std::size_t i) const {
    return m_data[i];
  }
  std::size_t size() const {
    return m_size;
  }
  std::size_t bytes() const {
    return m_bytes;
  }
  T* begin() {
    return m_data;
  }
  T* end() {
    return m_data + m_size;
  }
  const T* begin() const {
    return m_data;
  }
  const T* end() const {
    return m_data + m_size;
  }

 private:
  void swap(FlatArray& o) noexcept {
    std::swap(m_data, o.m_data);
    std::swap(m_size, o.m_size);
    std::swap(m_bytes, o.m_bytes);
  }
  T* m_data = nullptr;
  std::size_t m_size = 0;
  std::size_t m_bytes = 0;
};

// The live range of seqs: [first, next). Postings keep a seq's low 24 bits, widened
// against `next`; a posting more than 2^23 seqs old is dead however large the window
// (PostingTable rebuilds at least every 2^23 seqs, so none is kept long enough to be
// widened wrong): at most 8.4 million entries of a window can be found.
struct SeqRange {
  static constexpr uint32_t k_bits = 24;
  static constexpr uint64_t k_mask = (uint64_t{1} << k_bits) - 1;
  uint64_t first = 0;
  uint64_t next = 0;
  uint64_t widen(uint32_t lo) const { return next - ((next - lo) & k_mask); }
  bool live(uint64_t seq) const { return seq >= first && seq < next && next - seq <= k_mask / 2; }
};

class PostingTable {
 public:
  // Feature hash → key (0 marks an empty posting).
  static uint32_t key_of(uint32_t feature) { return feature == 0 ? 2U : feature; }

  // Where the probe for `feature` starts; prefetch(home) before for_each to overlap
  // the misses of several lookups.
  std::size_t home(uint32_t feature) const { return home_of_key(key_of(feature)); }
  void prefetch(std::size_t home) const { __builtin_prefetch(&m_lines[home / k_line]); }

  // Posts `seq` (live: range.first <= seq < range.next) under `feature`.
  void post(uint32_t feature, uint64_t seq, const SeqRange& range) {
    // Rebuilt at load 0.88, and at least every 2^23 seqs: a dead posting is then
    // never so old that its 24 bits of seq would read as a live one.
    if ((m_filled + 1) * 25 > capacity() * 22 || m_inserts_since_rebuild > capacity() ||
        range.next - m_rebuilt_at > (SeqRange::k_mask >> 1)) {
      rebuild(range);
    }
    ++m_inserts_since_rebuild;
    place(make(key_of(feature), seq), range);
  }

  // Calls fn(seq) for every live posting of `feature`, starting at home(feature)
  // (always the first posting of a line).
  template <typename Fn>
  void for_each(std::size_t home, uint32_t feature, const SeqRange& range, Fn&& fn) const {
    const uint32_t key = key_of(feature);
    std::size_t line = home / k_line;
    for (std::size_t n = 0; n < m_lines.size(); ++n) {
      const Line& l = m_lines[line];
      for (const Posting& t : l.p) {
        const uint32_t k = t.key();
        if (k == 0) {
          return;
        }
        if (k == key) {
          const uint64_t seq = range.widen(t.seq_lo());
          if (range.live(seq)) {
            fn(seq);
          }
        }
      }
      if (!l.overflowed) {
        return;  // nothing probing through this line went past it
      }
      line = line + 1 == m_lines.size() ? 0 : line + 1;
    }
  }

  // Gives memory back when the live postings are few against the table's size
  // (expected at most `expected_live` of them).
  void shrink_if_sparse(std::size_t expected_live, const SeqRange& range) {
    if (capacity() > 1024 && expected_live * 8 < capacity()) {
      rebuild(range);
    }
  }

  std::size_t live_count(const SeqRange& range) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < capacity(); ++i) {
      const Posting& p = at(i);
      n += p.key() != 0 && range.live(range.widen(p.seq_lo())) ? 1 : 0;
    }
    return n;
  }
  std::size_t bytes() const { return m_lines.bytes(); }

 private:
  // 7 bytes: the key (key_of(feature); 0 = empty) and the seq's low 24 bits.
  struct Posting {
    uint8_t b[7] = {};
    uint32_t key() const {
      uint32_t k = 0;
      std::memcpy(&k, b, sizeof(k));
      return k;
    }
    uint32_t seq_lo() const { return b[4] | (uint32_t{b[5]} << 8) | (uint32_t{b[6]} << 16); }
  };
  static constexpr std::size_t k_line = 9;  // postings on a 64-byte line
  struct alignas(64) Line {
    Posting p[k_line];
    // A posting was placed past this line, full when its probe crossed it: a lookup
    // that finds this flag clear stops at the line's end (at this load it mostly
    // reads one line, where probing to an empty posting would read two or three).
    bool overflowed = false;
  };
  static_assert(sizeof(Line) == 64);

  static Posting make(uint32_t key, uint64_t seq) {
    Posting p;
    std::memcpy(p.b, &key, sizeof(key));
    p.b[4] = static_cast<uint8_t>(seq);
    p.b[5] = static_cast<uint8_t>(seq >> 8);
    p.b[6] = static_cast<uint8_t>(seq >> 16);
    return p;
  }
  std::size_t capacity() const { return m_lines.size() * k_line; }
  Posting& at(std::size_t i) { return m_lines[i / k_line].p[i % k_line]; }
  const Posting& at(std::size_t i) const { return m_lines[i / k_line].p[i % k_line]; }

  // A new table for the live postings at load 0.75 (it is rebuilt again at 0.88;
  // blocked probing keeps lookups at about one line there).
  void rebuild(const SeqRange& range) {
    const std::size_t live = live_count(range);
    const std::size_t lines = (std::max<std::size_t>(64, live * 4 / 3 + 64) + k_line - 1) / k_line;
    FlatArray<Line> old = std::move(m_lines);
    m_lines = FlatArray<Line>(lines);
    m_filled = 0;
    m_inserts_since_rebuild = 0;
    m_rebuilt_at = range.next;
    for (const Line& l : old) {
      for (const Posting& p : l.p) {
        if (p.key() != 0 && range.live(range.widen(p.seq_lo()))) {
          place(p, range);
        }
      }
    }
  }

  void place(const Posting& p, const SeqRange& range) {
    std::size_t i = home_of_key(p.key());
    for (;;) {
      Posting& t = at(i);
      if (t.key() == 0) {
        t = p;
        ++m_filled;
        return;
      }
      if (!range.live(range.widen(t.seq_lo()))) {
        t = p;  // reuse a dead posting
        return;
      }
      const std::size_t next = i + 1 == capacity() ? 0 : i + 1;
      if (next % k_line == 0) {
        m_lines[i / k_line].overflowed = true;
      }
      i = next;
    }
  }
  std::size_t home_of_key(uint32_t key) const {
    const uint32_t h = key * 0x9E3779B1U;
    return static_cast<std::size_t>((static_cast<uint64_t>(h) * m_lines.size()) >> 32) * k_line;
  }

  FlatArray<Line> m_lines = FlatArray<Line>(8);
  std::size_t m_filled = 0;  // non-empty postings, dead or alive
  std::size_t m_inserts_since_rebuild = 0;
  uint64_t m_rebuilt_at = 0;  // range.next at the last rebuild
};

}  // namespace khobor::stories
