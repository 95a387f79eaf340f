// khobor/stories/posting_table.h — the feature → entry multimap both indexes search.
//
// Entries are numbered in arrival order (a seq) and leave a window from the front, so
// a posting is live exactly while its seq is in [first, next): the caller passes that
// range and nothing is ever deleted one by one. Postings of entries that left are
// dead: inserts reuse them and a rebuild drops them. The table is one flat array of
// 8-byte postings with blocked linear probing (probing starts at the first posting of
// a 64-byte line, so a lookup usually reads one line, whose miss can be prefetched).
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

// The live range of seqs: [first, next). Seqs are stored as their low 32 bits and
// widened against `next`, so at most 2^32 entries may be in the window.
struct SeqRange {
  uint64_t first = 0;
  uint64_t next = 0;
  uint64_t widen(uint32_t lo) const {
    return next - static_cast<uint32_t>(static_cast<uint32_t>(next) - lo);
  }
  bool live(uint64_t seq) const { return seq >= first && seq < next; }
};

class PostingTable {
 public:
  // Feature hash → key (0 marks an empty posting).
  static uint32_t key_of(uint32_t feature) { return feature == 0 ? 2U : feature; }

  // Where the probe for `feature` starts; prefetch(home) before for_each to overlap
  // the misses of several lookups.
  std::size_t home(uint32_t feature) const { return home_of_key(key_of(feature)); }
  void prefetch(std::size_t home) const { __builtin_prefetch(&m_table[home]); }

  // Posts `seq` (live: range.first <= seq < range.next) under `feature`.
  void post(uint32_t feature, uint64_t seq, const SeqRange& range) {
    if ((m_filled + 1) * 20 > m_table.size() * 17 || m_inserts_since_rebuild > m_table.size()) {
      rebuild(range);
    }
    ++m_inserts_since_rebuild;
    place(Posting{key_of(feature), static_cast<uint32_t>(seq)}, range);
  }

  // Calls fn(seq) for every live posting of `feature`, starting at home(feature).
  template <typename Fn>
  void for_each(std::size_t i, uint32_t feature, const SeqRange& range, Fn&& fn) const {
    const uint32_t key = key_of(feature);
    for (std::size_t n = 0; n < m_table.size(); ++n) {
      const Posting& t = m_table[i];
      if (t.key == 0) {
        return;
      }
      if (t.key == key) {
        const uint64_t seq = range.widen(t.seq_lo);
        if (range.live(seq)) {
          fn(seq);
        }
      }
      i = i + 1 == m_table.size() ? 0 : i + 1;
    }
  }

  // Gives memory back when the live postings are few against the table's size
  // (expected at most `expected_live` of them).
  void shrink_if_sparse(std::size_t expected_live, const SeqRange& range) {
    if (m_table.size() > 1024 && expected_live * 8 < m_table.size()) {
      rebuild(range);
    }
  }

  std::size_t live_count(const SeqRange& range) const {
    std::size_t n = 0;
    for (const Posting& p : m_table) {
      n += p.key != 0 && range.live(range.widen(p.seq_lo)) ? 1 : 0;
    }
    return n;
  }
  std::size_t bytes() const { return m_table.bytes(); }

 private:
  struct Posting {
    uint32_t key = 0;  // key_of(feature); 0 = empty
    uint32_t seq_lo = 0;
  };
  static constexpr std::size_t k_line = 64 / sizeof(Posting);

  // A new table for the live postings at load 0.7 (it is rebuilt again at 0.85;
  // blocked probing keeps lookups at about one line there).
  void rebuild(const SeqRange& range) {
    const std::size_t live = live_count(range);
    const std::size_t cap =
        (std::max<std::size_t>(64, live * 10 / 7 + 64) + k_line - 1) / k_line * k_line;
    FlatArray<Posting> old = std::move(m_table);
    m_table = FlatArray<Posting>(cap);
    m_filled = 0;
    m_inserts_since_rebuild = 0;
    for (const Posting& p : old) {
      if (p.key != 0 && range.live(range.widen(p.seq_lo))) {
        place(p, range);
      }
    }
  }

  void place(const Posting& p, const SeqRange& range) {
    std::size_t i = home_of_key(p.key);
    for (;;) {
      Posting& t = m_table[i];
      if (t.key == 0) {
        t = p;
        ++m_filled;
        return;
      }
      if (!range.live(range.widen(t.seq_lo))) {
        t = p;  // reuse a dead posting
        return;
      }
      i = i + 1 == m_table.size() ? 0 : i + 1;
    }
  }
  std::size_t home_of_key(uint32_t key) const {
    const uint32_t h = key * 0x9E3779B1U;
    const std::size_t lines = m_table.size() / k_line;
    return static_cast<std::size_t>((static_cast<uint64_t>(h) * lines) >> 32) * k_line;
  }

  FlatArray<Posting> m_table = FlatArray<Posting>(64);
  std::size_t m_filled = 0;  // non-empty postings, dead or alive
  std::size_t m_inserts_since_rebuild = 0;
};

}  // namespace khobor::stories
