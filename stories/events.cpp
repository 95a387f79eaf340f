// The event level: open events with their aggregates (title terms, all terms, number
// terms, times, outlets), a rolling document frequency of features for the IDF
// weights, a feature → event posting map for candidates, and the logistic decision.
#include "stories/events.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <new>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "stories/events_model.h"
#include "stories/posting_table.h"

namespace khobor::stories {

const std::array<const char*, k_event_feature_count> k_event_feature_names = {
    "cos_title",       // IDF cosine: the entry's headline against the event's headlines
    "cos_all",         // IDF cosine: all the entry's features against the event's
    "best_title",      // IDF cosine of the headline against the closest member's headline
    "rare_shared",     // log(1 + shared features found in few recent entries)
    "title_unshared",  // share of the headline's IDF mass that the event does not have
    "num_unshared",    // share of the entry's numbers (headline and lede) the event lacks
    "time_newest",     // exp(-dt²/2σ²), dt from the event's newest entry, σ = 6 h
    "time_first",      // the same from its first entry, σ = 24 h
    "same_outlet",     // the entry's outlet already carried the event
    "cos_title_all",   // IDF cosine: the entry's headline against all the event's features
    "contained",       // share of the entry's features the event has
    "short_title",     // 1 / (1 + the headline's features): short headlines say little
};

EventModel trained_event_model() {
  EventModel m;
  m.weights = model::k_weights;
  m.bias = model::k_bias;
  m.threshold = model::k_threshold;
  return m;
}

namespace {

constexpr std::size_t k_max_terms = 96;  // features kept in an event's aggregate
// An entry's first features (headline and lede) that go into its event's aggregate:
// cross-validated on the two weeks, 32 decide as 64 do (held-out F1 0.461 / 0.411
// against 0.460 / 0.414), 24 a little worse.
constexpr std::size_t k_entry_terms = 32;
// Features an entry posts for candidate search: its rarest headline features and
// rarest others (its names and numbers, most likely). Cross-validated, 6 + 4 find
// as much as 10 + 6 (held-out F1 0.457 / 0.411 against 0.461 / 0.411); 4 + 2 loses.
constexpr std::size_t k_posted_title = 6;
constexpr std::size_t k_posted = 4;
constexpr std::size_t k_member_title = 12;  // headline features kept per member
constexpr std::size_t k_max_members = 16;   // members whose headlines are kept
// A feature found in at most this many recent entries (plus the event's size) stands
// in for a name. Cross-validated: 3 against 4, held-out F1 w2 0.502 / 0.501, w3 0.470
// / 0.460; 2 and 1 gain a little more on w3 and lose on w2, 8 loses on both.
constexpr uint32_t k_rare_df = 3;
// Events scored per entry: cross-validated on the two weeks, 16 does as well as 64
// (F1 0.446 against 0.438 averaged over the held-out weeks) at a quarter of the work.
constexpr std::size_t k_max_candidates = 16;
// Postings read per entry (each costs a cache miss at a million entries): on the
// shared weeks 256 decides exactly as 1,024 does; the cap bounds the worst case.
constexpr std::size_t k_max_postings = 256;
// A feature in this many recent entries is common: never posted, never looked up.
constexpr uint32_t k_common = 256;
constexpr double k_prior_docs = 1000;    // see Impl::idf()
constexpr int k_df_shift = 12;           // df table: top 20 bits of a feature
constexpr std::size_t k_query_max = 64;  // a fingerprint's features (k_max_features)

bool is_number(uint32_t f) {
  return (f & 1U) != 0;
}

// An event keeps its features in 3 bytes each: the top 23 bits (the df table reads
// the top 20) and the number bit. Two features that agree there are one term to the
// event; on the shared weeks this decides exactly as the full 32 bits do.
constexpr uint32_t k_code_mask = 0xFFFFFE01U;
constexpr std::size_t k_code_bytes = 3;

void put_code(uint8_t* at, uint32_t f) {
  const uint32_t c = ((f >> 8) & 0xFFFFFEU) | (f & 1U);
  at[0] = static_cast<uint8_t>(c);
  at[1] = static_cast<uint8_t>(c >> 8);
  at[2] = static_cast<uint8_t>(c >> 16);
}
// The feature as the event knows it (f & k_code_mask).
uint32_t get_code(const uint8_t* at) {
  const uint32_t c = at[0] | (uint32_t{at[1]} << 8) | (uint32_t{at[2]} << 16);
  return ((c & 0xFFFFFEU) << 8) | (c & 1U);
}
// The same in one load: the byte after the code must belong to the same object.
uint32_t get_code4(const uint8_t* at) {
  uint32_t w = 0;
  std::memcpy(&w, at, sizeof(w));
  if constexpr (std::endian::native == std::endian::big) {
    w = __builtin_bswap32(w);
  }
  return ((w << 8) & 0xFFFFFE00U) | (w & 1U);
}

// log(df + 0.5) for every 16-bit df: the IDF of a feature without a log per lookup.
const std::array<float, 65536>& log_df_table() {
  static const std::array<float, 65536> table = [] {
    std::array<float, 65536> t{};
    for (std::size_t i = 0; i < t.size(); ++i) {
      t[i] = static_cast<float>(std::log(static_cast<double>(i) + 0.5));
    }
    return t;
  }();
  return table;
}

// One feature of an event's aggregate (its code): how many of its members had it, in
// all and in the headline (both saturate at 255). 5 bytes, unaligned.
struct Term {
  uint8_t code[k_code_bytes] = {};
  uint8_t all = 0;
  uint8_t title = 0;
  uint32_t f() const { return get_code4(code); }
};

// A vector of a trivially copyable T in 16 bytes where std::vector takes 24: an
// Aggregate holds three, and at a million entries there are about 80,000 of them.
// It grows as libstdc++'s vector does (to the size plus the larger of the size and
// what is added), so that the capacities, and the bytes counted, are the same.
template <typename T>
class CompactVec {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  CompactVec() = default;
  CompactVec(const CompactVec&) = delete;
  CompactVec& operator=(const CompactVec&) = delete;
  ~CompactVec() { std::free(m_data); }

  std::size_t size() const { return m_size; }
  std::size_t capacity() const { return m_capacity; }
  bool empty() const { return m_size == 0; }
  T* data() { return m_data; }
  const T* data() const { return m_data; }
  T* begin() { return m_data; }
  T* end() { return m_data + m_size; }
  const T* begin() const { return m_data; }
  const T* end() const { return m_data + m_size; }
  T& operator[](std::size_t i) { return m_data[i]; }
  const T& operator[](std::size_t i) const { return m_data[i]; }

  void reserve(std::size_t n) {
    if (n > m_capacity) {
      reallocate(n);
    }
  }
  void shrink_to_fit() {
    if (m_capacity > m_size) {
      reallocate(m_size);
    }
  }
  // New elements are value-initialised (T{}).
  void resize(std::size_t n) {
    if (n > m_capacity) {
      reallocate(m_size + std::max<std::size_t>(m_size, n - m_size));
    }
    for (std::size_t i = m_size; i < n; ++i) {
      m_data[i] = T{};
    }
    m_size = static_cast<uint32_t>(n);
  }
  void push_back(const T& v) { insert(end(), v); }
  // Inserts v before `at`; returns where it went.
  T* insert(T* at, const T& v) {
    const std::size_t pos = static_cast<std::size_t>(at - m_data);
    if (m_size == m_capacity) {
      reallocate(m_size + std::max<std::size_t>(m_size, 1));
    }
    std::memmove(m_data + pos + 1, m_data + pos, (m_size - pos) * sizeof(T));
    m_data[pos] = v;
    ++m_size;
    return m_data + pos;
  }

 private:
  void reallocate(std::size_t n) {
    if (n == 0) {
      std::free(m_data);
      m_data = nullptr;
      m_capacity = 0;
      return;
    }
    void* p = std::realloc(m_data, n * sizeof(T));
    if (p == nullptr) {
      throw std::bad_alloc();
    }
    m_data = static_cast<T*>(p);
    m_capacity = static_cast<uint32_t>(n);
  }

  T* m_data = nullptr;
  uint32_t m_size = 0;
  uint32_t m_capacity = 0;
};

// The aggregate of an event of two or more members.
struct Aggregate {
  int64_t first_seen = 0;     // time of the first entry
  uint32_t stories = 0;       // stories in the event
  uint32_t live_members = 0;  // members in the window (Impl::members)
  // Outlet numbers in joining order, each with when it last added an entry.
  struct Outlet {
    uint16_t number = 0;
    int32_t newest = 0;
  };
  CompactVec<Outlet> outlets;
  CompactVec<Term> terms;  // sorted by feature code, at most k_max_terms
  // The first k_max_members members' headline features (at most k_member_title):
  // runs of [length, norm as 4 bytes of float, codes (put_code)...].
  CompactVec<uint8_t> member_titles;
  std::size_t find_outlet(uint16_t number) const {
    std::size_t i = 0;
    while (i < outlets.size() && outlets[i].number != number) {
      ++i;
    }
    return i;
  }
};

// An open event. Most events have one member (at a million entries, 93 %): such an
// event is described by its entry's first features, kept in the event itself (each
// a term counted once, in the headline when among the first `nt`), and gets an
// Aggregate when a second member joins (or a saved copy names a second outlet).
struct Event {
  // One member's codes (put_code); or, when multi, the address of its Aggregate
  // (owned; copied in and out, so that the record stays 4-byte aligned). First, so
  // that get_code4 may read the byte after the last code.
  uint8_t f[k_entry_terms * k_code_bytes] = {};
  // The id in two halves, so that the record is 4-byte aligned: 132 bytes.
  uint32_t id_lo = 0;
  uint32_t id_hi = 0;
  int32_t newest = 0;  // seconds since Impl::time_base, as every time inside
  uint32_t entries = 0;
  // The norms, cached: computed when the event changes and again at its first
  // scoring after a halving of the counts (so even a const lookup may refresh them).
  mutable float norm_title = 0;     // Σ (title count · idf)² over the terms
  mutable float norm_all = 0;       // Σ (count · idf)²
  mutable uint16_t norm_epoch = 0;  // Impl::df_epoch (its low 16 bits) at that time
  uint8_t numbers = 0;              // number features among the terms
  bool multi = false;               // `f` holds the Aggregate's address (else one member)
  // One member: its outlet, the first n of its features (headline first: nt of them)
  // and its headline's norm as it joined (best_title). Its entry's time is `newest`.
  uint8_t n = 0;
  uint8_t nt = 0;
  uint16_t outlet = 0;
  float title_norm = 0;

  uint64_t id() const { return (uint64_t{id_hi} << 32) | id_lo; }
  void set_id(uint64_t id) {
    id_lo = static_cast<uint32_t>(id);
    id_hi = static_cast<uint32_t>(id >> 32);
  }
  Aggregate* agg() const {
    Aggregate* a = nullptr;
    if (multi) {
      std::memcpy(&a, f, sizeof(a));
    }
    return a;
  }
  void make_aggregate() {
    Aggregate* a = new Aggregate();
    std::memcpy(f, &a, sizeof(a));
    multi = true;
  }
  int64_t first_seen() const { return multi ? agg()->first_seen : newest; }
  uint32_t stories() const { return multi ? agg()->stories : 1; }

  // fn(feature, count in all, count in headlines) for every term.
  template <typename Fn>
  void for_each_term(Fn&& fn) const {
    if (multi) {
      for (const Term& t : agg()->terms) {
        fn(t.f(), t.all, t.title);
      }
      return;
    }
    for (std::size_t i = 0; i < n; ++i) {
      fn(get_code4(&f[i * k_code_bytes]), 1U, i < nt ? 1U : 0U);
    }
  }
  std::size_t outlet_count() const { return multi ? agg()->outlets.size() : 1; }
  uint16_t outlet_at(std::size_t i) const { return multi ? agg()->outlets[i].number : outlet; }
};
static_assert(sizeof(Event) == 132);

// The entry being scored: its features' IDF weights computed once, and a small
// open-addressing table from feature (as events keep it: f & k_code_mask) to
// position, so that scoring an event is one probe per event term.
struct Query {
  std::size_t n = 0;
  std::size_t nt = 0;  // headline features (they come first)
  uint32_t f[k_query_max] = {};
  uint32_t code[k_query_max] = {};  // f & k_code_mask
  double w2[k_query_max] = {};      // idf²
  double en_title = 0;
  double en_all = 0;
  uint32_t numbers = 0;  // number features among the first 28
  static constexpr std::size_t k_slots = 256;
  uint8_t slot[k_slots] = {};  // position + 1; 0 = empty

  static std::size_t home(uint32_t f) { return (f * 0x9E3779B1U) >> 24; }
  void put(uint32_t feature, std::size_t i) {
    std::size_t h = home(feature);
    while (slot[h] != 0) {
      h = (h + 1) % k_slots;
    }
    slot[h] = static_cast<uint8_t>(i + 1);
  }
  // The feature's position, or -1.
  int find(uint32_t feature) const {
    for (std::size_t h = home(feature);; h = (h + 1) % k_slots) {
      if (slot[h] == 0) {
        return -1;
      }
      if (code[slot[h] - 1] == feature) {
        return slot[h] - 1;
      }
    }
  }
};

// An entry in the window: its event (a slot of Impl::events; an event outlives its
// members, see Impl::expire) and its time.
struct Member {
  uint32_t event = 0;
  int32_t time = 0;
};

// The open events: records in blocks that never move (a slot's address is stable,
// freed slots are reused) and an open-addressing map from id to slot that reads the
// id in the record (a lookup by id is rare: the hot path goes from a member to its
// slot). The blocks keep the peak number of events.
class EventSlab {
 public:
  EventSlab() = default;
  EventSlab(const EventSlab&) = delete;
  EventSlab& operator=(const EventSlab&) = delete;
  ~EventSlab() {
    for (uint32_t s = 0; s < m_slots; ++s) {
      delete at(s).agg();
    }
  }

  Event& at(uint32_t slot) { return m_blocks[slot / k_block][slot % k_block]; }
  const Event& at(uint32_t slot) const { return m_blocks[slot / k_block][slot % k_block]; }

  // The slot of event `id`, or k_none.
  uint32_t find(uint64_t id) const {
    for (std::size_t i = home(id);; i = (i + 1) & (m_map.size() - 1)) {
      const uint32_t s = m_map[i];
      if (s == 0 || at(s - 1).id() == id) {
        return s == 0 ? k_none : s - 1;
      }
    }
  }

  // The slot of event `id`, made (zeroed, with its id) when it is not open; and
  // whether it was made.
  std::pair<uint32_t, bool> open(uint64_t id) {
    const uint32_t found = find(id);
    if (found != k_none) {
      return {found, false};
    }
    if ((m_count + 1) * 4 > m_map.size() * 3) {
      rehash(m_map.size() * 2);
    }
    uint32_t slot = 0;
    if (!m_free.empty()) {
      slot = m_free.back();
      m_free.pop_back();
    } else {
      if (m_slots % k_block == 0) {
        m_blocks.push_back(std::make_unique<Event[]>(k_block));
      }
      slot = m_slots++;
    }
    at(slot).set_id(id);
    place(id, slot);
    ++m_count;
    return {slot, true};
  }

  void close(uint32_t slot) {
    Event& e = at(slot);
    std::size_t i = home(e.id());
    while (m_map[i] != slot + 1) {
      i = (i + 1) & (m_map.size() - 1);
    }
    erase_at(i);
    delete e.agg();
    e = Event{};
    m_free.push_back(slot);
    --m_count;
    if (m_map.size() > 1024 && m_count * 8 < m_map.size()) {
      rehash(m_map.size() / 2);
    }
  }

  std::size_t size() const { return m_count; }
  std::size_t bytes() const {
    return m_blocks.size() * k_block * sizeof(Event) + m_map.bytes() +
           m_free.capacity() * sizeof(uint32_t) + m_blocks.capacity() * sizeof(void*);
  }
  // fn(event) for every open event.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (uint32_t s = 0; s < m_slots; ++s) {
      if (at(s).entries > 0) {
        fn(at(s));
      }
    }
  }

  static constexpr uint32_t k_none = UINT32_MAX;

 private:
  static constexpr std::size_t k_block = 4096;
  std::size_t home(uint64_t id) const {
    return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ULL) >> 32) & (m_map.size() - 1);
  }
  void place(uint64_t id, uint32_t slot) {
    std::size_t i = home(id);
    while (m_map[i] != 0) {
      i = (i + 1) & (m_map.size() - 1);
    }
    m_map[i] = slot + 1;
  }
  // Linear probing's deletion: later entries of the run move back into the hole.
  void erase_at(std::size_t hole) {
    const std::size_t mask = m_map.size() - 1;
    m_map[hole] = 0;
    for (std::size_t i = (hole + 1) & mask; m_map[i] != 0; i = (i + 1) & mask) {
      const std::size_t h = home(at(m_map[i] - 1).id());
      // Moves when its home is not cyclically within (hole, i].
      if (((i - h) & mask) >= ((i - hole) & mask)) {
        m_map[hole] = m_map[i];
        m_map[i] = 0;
        hole = i;
      }
    }
  }
  void rehash(std::size_t size) {
    FlatArray<uint32_t> old = std::move(m_map);
    m_map = FlatArray<uint32_t>(size);
    for (const uint32_t s : old) {
      if (s != 0) {
        place(at(s - 1).id(), s - 1);
      }
    }
  }

  std::vector<std::unique_ptr<Event[]>> m_blocks;
  uint32_t m_slots = 0;  // slots handed out
  std::vector<uint32_t> m_free;
  FlatArray<uint32_t> m_map = FlatArray<uint32_t>(1024);  // slot + 1; 0 = empty
  std::size_t m_count = 0;
};

}  // namespace

struct EventIndex::Impl {
  EventOptions options;
  EventSlab events;
  int64_t time_base = 0;  // the first time given: times inside are relative to it
  bool time_base_set = false;
  // story → (event, time), for the stories whose event is not their own (add() does
  // not remember a story that opened its event: its id is the event's id).
  std::unordered_map<uint64_t, std::pair<uint64_t, int64_t>> story_event;
  std::deque<std::pair<int64_t, uint64_t>> story_times;
  std::vector<std::string> outlet_names;
  std::unordered_map<std::string, uint16_t> outlet_numbers;

  // Every entry added, in order (seq), while it is in the window: what a posting
  // points to. Postings of entries that left are dead (posting_table.h).
  std::deque<Member> members;
  SeqRange range;
  PostingTable postings;
  // A lookup's scratch (kept to spare the allocations; the index is not thread-safe).
  struct Ranked {
    uint32_t unshared = 0;  // UINT32_MAX - shared features
    uint64_t newness = 0;   // UINT64_MAX - event id
    const Event* event = nullptr;
    bool operator<(const Ranked& o) const {
      return unshared != o.unshared ? unshared < o.unshared : newness < o.newness;
    }
  };
  mutable std::vector<std::pair<uint64_t, uint32_t>> seqs;
  mutable std::vector<std::pair<const Event*, uint32_t>> hits;
  mutable std::vector<Ranked> ranked;

  // Rolling document frequency: how many recent entries had each feature, halved
  // every quarter window (df_epoch counts the halvings); `docs` is the decayed
  // count of entries.
  FlatArray<uint16_t> df = FlatArray<uint16_t>(std::size_t{1} << (32 - k_df_shift));
  double docs = 0;
  int64_t df_clock = 0;
  bool df_clock_set = false;
  uint32_t df_epoch = 1;
  const std::array<float, 65536>& log_df = log_df_table();

  explicit Impl(EventOptions o) : options(o) {}

  uint16_t outlet_number(std::string_view name) {
    const auto it = outlet_numbers.find(std::string(name));
    if (it != outlet_numbers.end()) {
      return it->second;
    }
    const auto n = static_cast<uint16_t>(std::min<std::size_t>(outlet_names.size(), 0xFFFF));
    if (outlet_names.size() < 0xFFFF) {
      outlet_names.emplace_back(name);
      outlet_numbers.emplace(std::string(name), n);
    }
    return n;
  }

  // A time given from outside, relative to the first one (events keep 32-bit times).
  int64_t relative(int64_t time) {
    if (!time_base_set) {
      time_base = time;
      time_base_set = true;
    }
    return time - time_base;
  }

  uint16_t df_of(uint32_t f) const { return df[f >> k_df_shift]; }
  // Smoothed as if k_prior_docs more entries had been seen, none of them with the
  // feature: a short stream (a few records given to `khobor cluster`, a daemon's first
  // minutes) does not make every feature look equally common.
  double log_docs() const { return std::log(docs + k_prior_docs); }
  double idf(uint32_t f, double log_docs) const { return log_docs - log_df[df_of(f)]; }

  void decay(int64_t time) {
    const int64_t period = std::max<int64_t>(1, options.window_seconds / 4);
    if (!df_clock_set) {
      df_clock = time;
      df_clock_set = true;
    }
    int rounds = 0;
    while (time - df_clock >= period) {
      ++df_epoch;
      if (++rounds > 16) {
        std::fill(df.begin(), df.end(), uint16_t{0});
        docs = 0;
        df_clock = time;
        break;
      }
      for (uint16_t& c : df) {
        c = static_cast<uint16_t>(c / 2);
      }
      docs /= 2;
      df_clock += period;
    }
  }

  void count(const Fingerprint& fp) {
    for (const uint32_t f : fp.features) {
      uint16_t& c = df[f >> k_df_shift];
      c = static_cast<uint16_t>(c + (c < 0xFFFF ? 1 : 0));
    }
    docs += 1;
  }

  void expire(int64_t time) {
    const int64_t cutoff = time - options.window_seconds;
    // An event closes when its last member leaves: its newest entry is then older than
    // the window (times do not decrease), and no live member points to it.
    while (!members.empty() && members.front().time < cutoff) {
      const uint32_t slot = members.front().event;
      members.pop_front();
      ++range.first;
      Aggregate* a = events.at(slot).agg();
      if (a == nullptr || --a->live_members == 0) {
        events.close(slot);
      }
    }
    postings.shrink_if_sparse(members.size() * (k_posted + k_posted_title), range);
    // A story is remembered twice the event window (the story index keeps stories
    // 48 h by default: a late member of an old story still finds its event id).
    const int64_t story_cutoff = time - 2 * options.window_seconds;
    while (!story_times.empty() && story_times.front().first < story_cutoff) {
      const auto [t, story] = story_times.front();
      story_times.pop_front();
      const auto it = story_event.find(story);
      if (it != story_event.end() && it->second.second == t) {
        story_event.erase(it);
      }
    }
  }

  // ---- scoring ----
  void make_query(const Fingerprint& fp, Query& q) const {
    const double ld = log_docs();
    q.n = std::min(fp.features.size(), k_query_max);
    q.nt = std::min<std::size_t>(fp.title_features, q.n);
    for (std::size_t i = 0; i < q.n; ++i) {
      const uint32_t f = fp.features[i];
      const double w = idf(f, ld);
      q.f[i] = f;
      q.code[i] = f & k_code_mask;
      q.w2[i] = w * w;
      q.en_all += w * w;
      q.en_title += i < q.nt ? w * w : 0.0;
      q.numbers += is_number(f) && i < 28 ? 1 : 0;
      q.put(q.code[i], i);
    }
  }

  bool stale(const Event& e) const { return e.norm_epoch != static_cast<uint16_t>(df_epoch); }

  // The event's norms with the IDF of the current halving period (cached on the
  // event: computed when it changes and once per period when it is scored).
  std::pair<double, double> norms(const Event& e) const {
    if (stale(e)) {
      const double ld = log_docs();
      double title = 0;
      double all = 0;
      e.for_each_term([&](uint32_t f, uint32_t n_all, uint32_t n_title) {
        const double w = idf(f, ld);
        title += (w * n_title) * (w * n_title);
        all += (w * n_all) * (w * n_all);
      });
      e.norm_title = static_cast<float>(title);
      e.norm_all = static_cast<float>(all);
      e.norm_epoch = static_cast<uint16_t>(df_epoch);
    }
    return {e.norm_title, e.norm_all};
  }

  // A member's headline (n feature codes, its norm) against the entry's (binary IDF
  // weights).
  static double title_cosine(const Query& q, const uint8_t* codes, std::size_t n, double norm) {
    double dot = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const int i = q.find(get_code(&codes[k * k_code_bytes]));
      dot += i >= 0 && static_cast<std::size_t>(i) < q.nt ? q.w2[i] : 0.0;
    }
    return q.en_title > 0 && norm > 0 ? dot / std::sqrt(q.en_title * norm) : 0.0;
  }

  // The closest member's headline against the entry's.
  static double best_title(const Query& q, const Event& e) {
    if (!e.multi) {
      return title_cosine(q, e.f, std::min<std::size_t>(e.nt, k_member_title), e.title_norm);
    }
    const CompactVec<uint8_t>& titles = e.agg()->member_titles;
    double best = 0;
    for (std::size_t pos = 0; pos < titles.size();) {
      const std::size_t n = titles[pos];
      float norm = 0;
      std::memcpy(&norm, &titles[pos + 1], sizeof(norm));
      best = std::max(best, title_cosine(q, &titles[pos + 5], n, norm));
      pos += 5 + n * k_code_bytes;
    }
    return best;
  }

  std::array<double, k_event_feature_count> features(const Query& q, const Event& e,
                                                     uint16_t outlet, int64_t time) const {
    double dot_title = 0;
    double dot_all = 0;
    double dot_title_all = 0;
    double title_shared = 0;
    uint32_t rare_shared = 0;
    uint32_t shared_all = 0;
    uint32_t shared_numbers = 0;
    e.for_each_term([&](uint32_t f, uint32_t n_all, uint32_t n_title) {
      const int i = q.find(f);
      if (i < 0) {
        return;
      }
      const auto u = static_cast<std::size_t>(i);
      const double w2 = q.w2[u];
      ++shared_all;
      dot_all += w2 * n_all;
      if (u < q.nt) {
        dot_title_all += w2 * n_all;
        dot_title += w2 * n_title;
        title_shared += w2;
      }
      rare_shared += df_of(f) <= k_rare_df + e.entries ? 1 : 0;
      shared_numbers += is_number(f) && u < 28 ? 1 : 0;
    });
    const auto [ev_title, ev_all] = norms(e);
    const auto cosine = [](double dot, double a, double b) {
      return a > 0 && b > 0 ? dot / std::sqrt(a * b) : 0.0;
    };
    std::array<double, k_event_feature_count> x{};
    x[0] = cosine(dot_title, q.en_title, ev_title);
    x[1] = cosine(dot_all, q.en_all, ev_all);
    x[2] = best_title(q, e);
    x[3] = std::log1p(rare_shared);
    x[4] = q.en_title > 0 ? std::max(0.0, q.en_title - title_shared) / q.en_title : 1.0;
    x[5] = q.numbers > 0 && e.numbers > 0
               ? static_cast<double>(q.numbers - shared_numbers) / static_cast<double>(q.numbers)
               : 0.0;
    const double dt_newest = static_cast<double>(std::llabs(time - e.newest)) / 3600.0;
    const double dt_first = static_cast<double>(std::llabs(time - e.first_seen())) / 3600.0;
    x[6] = std::exp(-dt_newest * dt_newest / (2 * 6.0 * 6.0));
    x[7] = std::exp(-dt_first * dt_first / (2 * 24.0 * 24.0));
    x[8] = outlet_newest(e, outlet) != INT64_MIN ? 1.0 : 0.0;
    x[9] = cosine(dot_title_all, q.en_title, ev_all);
    x[10] = q.n == 0 ? 0.0 : static_cast<double>(shared_all) / static_cast<double>(q.n);
    x[11] = 1.0 / (1.0 + static_cast<double>(q.nt));
    return x;
  }

  double probability(const std::array<double, k_event_feature_count>& x) const {
    double z = options.model.bias;
    for (std::size_t i = 0; i < k_event_feature_count; ++i) {
      z += options.model.weights[i] * x[i];
    }
    return 1.0 / (1.0 + std::exp(-z));
  }

  // The probability an entry needs to join event `id`: the model's threshold for an
  // event of one story, rising towards 1 as the event grows (halfway at 11 stories
  // with the default size_rise),
  // so that a large event does not keep absorbing look-alikes (chaining; tgcontest
  // tightens its threshold with the cluster's size the same way).
  double required(uint64_t id) const {
    const uint32_t slot = events.find(id);
    const double n =
        slot == EventSlab::k_none ? 1.0 : static_cast<double>(events.at(slot).stories());
    const double t = options.model.threshold;
    return t + (1.0 - t) * (1.0 - 1.0 / (1.0 + options.size_rise * std::max(0.0, n - 1.0)));
  }

  // When `outlet` last added to the event (INT64_MIN: never).
  static int64_t outlet_newest(const Event& e, uint16_t outlet) {
    if (!e.multi) {
      return e.outlet == outlet ? e.newest : INT64_MIN;
    }
    const Aggregate& a = *e.agg();
    const std::size_t pos = a.find_outlet(outlet);
    return pos == a.outlets.size() ? INT64_MIN : a.outlets[pos].newest;
  }

  // The entry's features that can have been posted (not common), rarest first: when
  // the postings read reach k_max_postings, the longest lists are the ones cut.
  std::size_t looked_features(const Query& q, std::pair<uint16_t, uint8_t>* by_df) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < q.n; ++i) {
      const uint16_t d = df_of(q.f[i]);
      if (d < k_common) {
        by_df[n++] = {d, static_cast<uint8_t>(i)};
      }
    }
    std::sort(by_df, by_df + n);
    return n;
  }

  // (event, feature position) pairs of the postings read, sorted, each once: an event
  // counts each shared feature once, however many of its members posted it. The
  // seqs are gathered first and their members prefetched together: each is a cache
  // miss at a million entries, and they overlap.
  void gather_hits(const Query& q) const {
    std::pair<uint16_t, uint8_t> by_df[k_query_max];
    const std::size_t looked = looked_features(q, by_df);
    std::size_t homes[k_query_max];
    for (std::size_t k = 0; k < looked; ++k) {
      homes[k] = postings.home(q.f[by_df[k].second]);
      postings.prefetch(homes[k]);
    }
    seqs.clear();
    for (std::size_t k = 0; k < looked && seqs.size() < k_max_postings; ++k) {
      const std::size_t i = by_df[k].second;
      postings.for_each(homes[k], q.f[i], range, [&](uint64_t seq) {
        __builtin_prefetch(&members[seq - range.first]);
        seqs.emplace_back(seq, static_cast<uint32_t>(i));
      });
    }
    hits.clear();
    for (const auto& [seq, i] : seqs) {
      hits.emplace_back(&events.at(members[seq - range.first].event), i);
    }
    std::sort(hits.begin(), hits.end());
    hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  }

  // The open events with a posted feature of the entry, those sharing the most
  // features first (at most k_max_candidates), into `out`; each prefetched.
  std::size_t candidate_events(const Query& q, const Event** out) const {
    gather_hits(q);
    // (UINT32_MAX - count, UINT64_MAX - id, event): the most shared first, and among
    // equals the newest event (ids grow with time), the likelier one to be reported
    // again.
    ranked.clear();
    for (std::size_t i = 0; i < hits.size();) {
      std::size_t j = i;
      while (j < hits.size() && hits[j].first == hits[i].first) {
        ++j;
      }
      ranked.push_back(Ranked{static_cast<uint32_t>(UINT32_MAX - (j - i)),
                              UINT64_MAX - hits[i].first->id(), hits[i].first});
      i = j;
    }
    const std::size_t keep = std::min(ranked.size(), k_max_candidates);
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                      ranked.end());
    for (std::size_t i = 0; i < keep; ++i) {
      out[i] = ranked[i].event;
    }
    return keep;
  }

  // Starts the loads of the candidates' aggregates (each a chain of misses at a
  // million entries) so that they overlap instead of following one another.
  static void prefetch(const Event* const* events, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto* p = reinterpret_cast<const char*>(events[i]);
      for (std::size_t b = 0; b < sizeof(Event); b += 64) {
        __builtin_prefetch(p + b);
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      __builtin_prefetch(events[i]->agg());
    }
    for (std::size_t i = 0; i < n; ++i) {
      const Aggregate* a = events[i]->agg();
      if (a == nullptr) {
        continue;
      }
      const auto* t = reinterpret_cast<const char*>(a->terms.data());
      for (std::size_t b = 0; b < a->terms.size() * sizeof(Term); b += 64) {
        __builtin_prefetch(t + b);
      }
      __builtin_prefetch(a->member_titles.data());
    }
  }

  // An event scored for the first time since the counts were halved recomputes its
  // norms from the counts of all its terms: start those loads together.
  void prefetch_counts(const Event* const* found, std::size_t n) const {
    for (std::size_t i = 0; i < n; ++i) {
      const Event& e = *found[i];
      if (stale(e)) {
        e.for_each_term(
            [&](uint32_t f, uint32_t, uint32_t) { __builtin_prefetch(&df[f >> k_df_shift]); });
      }
    }
  }

  // The candidate events scored, best first.
  std::vector<EventCandidate> candidates(const Fingerprint& fp, uint16_t outlet,
                                         int64_t time) const {
    Query q;
    make_query(fp, q);
    const Event* found[k_max_candidates];
    const std::size_t n = candidate_events(q, found);
    prefetch(found, n);
    prefetch_counts(found, n);
    std::vector<EventCandidate> out;
    out.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
      const Event& e = *found[k];
      if (time - e.newest > options.window_seconds) {
        continue;
      }
      const int64_t own = outlet_newest(e, outlet);
      if (options.same_outlet_gap_seconds > 0 && own != INT64_MIN &&
          time - own >= options.same_outlet_gap_seconds) {
        continue;
      }
      EventCandidate c;
      c.event = e.id();
      c.features = features(q, e, outlet, time);
      c.probability = probability(c.features);
      out.push_back(c);
    }
    std::sort(out.begin(), out.end(), [](const EventCandidate& a, const EventCandidate& b) {
      return a.probability != b.probability ? a.probability > b.probability : a.event < b.event;
    });
    return out;
  }

  // ---- adding ----
  static std::size_t entry_terms(const Fingerprint& fp) {
    return std::min(k_entry_terms, fp.features.size());
  }

  static bool distinct(const uint32_t* f, std::size_t n) {
    uint32_t sorted[k_entry_terms];
    std::copy(f, f + n, sorted);
    std::sort(sorted, sorted + n);
    return std::adjacent_find(sorted, sorted + n) == sorted + n;
  }

  // Counts features f[0, n) (codes) into the aggregate's terms (the first nt in
  // headlines).
  static void add_terms(Aggregate& a, uint8_t& numbers, const uint32_t* f, std::size_t n,
                        std::size_t nt) {
    if (a.terms.empty()) {
      a.terms.reserve(n);
    }
    for (std::size_t i = 0; i < n; ++i) {
      auto it = std::lower_bound(a.terms.begin(), a.terms.end(), f[i],
                                 [](const Term& t, uint32_t v) { return t.f() < v; });
      if (it == a.terms.end() || it->f() != f[i]) {
        if (a.terms.size() >= k_max_terms) {
          continue;
        }
        it = a.terms.insert(it, Term{});
        put_code(it->code, f[i]);
        numbers = static_cast<uint8_t>(numbers + (is_number(f[i]) ? 1 : 0));
      }
      it->all = static_cast<uint8_t>(std::min(it->all + 1, 255));
      it->title = static_cast<uint8_t>(std::min(it->title + (i < nt ? 1 : 0), 255));
    }
  }

  // Σ idf² of a headline's features, as the member joins (best_title's norm).
  double title_norm(const uint32_t* f, std::size_t n) const {
    const double ld = log_docs();
    double norm = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const double w = idf(f[k], ld);
      norm += w * w;
    }
    return norm;
  }

  static void add_title_run(Aggregate& a, const uint32_t* f, std::size_t n, float norm) {
    const std::size_t pos = a.member_titles.size();
    a.member_titles.resize(pos + 5 + n * k_code_bytes);
    a.member_titles[pos] = static_cast<uint8_t>(n);
    std::memcpy(&a.member_titles[pos + 1], &norm, sizeof(norm));
    for (std::size_t k = 0; k < n; ++k) {
      put_code(&a.member_titles[pos + 5 + k * k_code_bytes], f[k]);
    }
  }

  // A new event described by its one member (its first n feature codes).
  void make_single(Event& e, uint16_t outlet, const uint32_t* codes, std::size_t n,
                   std::size_t nt) const {
    e.n = static_cast<uint8_t>(n);
    e.nt = static_cast<uint8_t>(std::min(nt, n));
    e.outlet = outlet;
    for (std::size_t i = 0; i < n; ++i) {
      put_code(&e.f[i * k_code_bytes], codes[i]);
    }
    e.numbers = static_cast<uint8_t>(std::count_if(codes, codes + n, is_number));
    e.title_norm =
        static_cast<float>(title_norm(codes, std::min<std::size_t>(e.nt, k_member_title)));
  }

  // Gives a one-member event the Aggregate it would have had from the start.
  static void promote(Event& e) {
    uint32_t codes[k_entry_terms];
    for (std::size_t i = 0; i < e.n; ++i) {
      codes[i] = get_code(&e.f[i * k_code_bytes]);
    }
    e.make_aggregate();
    Aggregate& a = *e.agg();
    a.first_seen = e.newest;
    a.stories = 1;
    a.live_members = 1;
    a.outlets.push_back({e.outlet, e.newest});
    e.numbers = 0;
    add_terms(a, e.numbers, codes, e.n, e.nt);
    add_title_run(a, codes, std::min<std::size_t>(e.nt, k_member_title), e.title_norm);
  }

  // Counts a member (its first n feature codes) into its event's Aggregate.
  void add_member(Event& e, uint16_t outlet, const uint32_t* codes, std::size_t n, std::size_t nt,
                  int64_t time) const {
    Aggregate& a = *e.agg();
    const std::size_t at = a.find_outlet(outlet);
    if (at == a.outlets.size()) {
      a.outlets.push_back({outlet, static_cast<int32_t>(time)});
    } else {
      a.outlets[at].newest = std::max(a.outlets[at].newest, static_cast<int32_t>(time));
    }
    add_terms(a, e.numbers, codes, n, nt);
    if (e.entries <= k_max_members) {
      const std::size_t nt_kept = std::min(nt, k_member_title);
      add_title_run(a, codes, nt_kept, static_cast<float>(title_norm(codes, nt_kept)));
    }
    // Most events stop growing at two or three members: the vectors' doubling slack
    // (a third of their bytes) is given back.
    a.terms.shrink_to_fit();
    a.member_titles.shrink_to_fit();
  }

  void refresh_norms(const Event& e) const {
    e.norm_epoch = static_cast<uint16_t>(df_epoch + 1);
    (void)norms(e);
  }

  // Adds the entry's features to event `id` (opening it when it is not open), gives
  // the entry its seq and posts its rarest features.
  Event& join(uint64_t id, bool new_story, uint16_t outlet, const Fingerprint& fp, int64_t time) {
    const auto [slot, opened] = events.open(id);
    Event& e = events.at(slot);
    if (opened) {
      e.newest = static_cast<int32_t>(time);
    } else if (!e.multi) {
      promote(e);  // before newest moves: it is the first member's outlet time
    }
    e.newest = std::max(e.newest, static_cast<int32_t>(time));
    ++e.entries;
    const std::size_t nt = std::min<std::size_t>(fp.title_features, fp.features.size());
    uint32_t codes[k_entry_terms];
    const std::size_t n = entry_terms(fp);
    for (std::size_t i = 0; i < n; ++i) {
      codes[i] = fp.features[i] & k_code_mask;
    }
    if (opened && options.compact_singletons && distinct(codes, n)) {
      make_single(e, outlet, codes, n, nt);
    } else {
      if (opened) {
        e.make_aggregate();
        e.agg()->first_seen = time;
      }
      Aggregate& a = *e.agg();
      a.stories += new_story || opened ? 1 : 0;
      ++a.live_members;
      add_member(e, outlet, codes, n, nt, time);
    }
    refresh_norms(e);
    members.push_back(Member{slot, static_cast<int32_t>(time)});
    const uint64_t seq = range.next++;
    // Post the entry's rarest headline features and rarest other features (its
    // names and numbers, most likely).
    post_rarest(seq, fp.features.data(), nt, k_posted_title);
    post_rarest(seq, fp.features.data() + nt, fp.features.size() - nt, k_posted);
    return e;
  }

  void post_rarest(uint64_t seq, const uint32_t* f, std::size_t n, std::size_t keep) {
    std::pair<uint32_t, uint32_t> by_df[k_query_max];
    n = std::min(n, k_query_max);
    for (std::size_t i = 0; i < n; ++i) {
      by_df[i] = {df_of(f[i]), f[i]};
    }
    std::sort(by_df, by_df + n);
    for (std::size_t k = 0; k < n && k < keep && by_df[k].first < k_common; ++k) {
      postings.post(by_df[k].second, seq, range);
    }
  }

  void remember_story(uint64_t story, uint64_t event, int64_t time) {
    story_event[story] = {event, time};
    story_times.emplace_back(time, story);
  }

  void describe(const Event& e, EventAssignment& a) const {
    a.event = e.id();
    a.first_seen = e.first_seen() + time_base;
    a.entry_count = e.entries;
    a.outlet_count = static_cast<uint32_t>(e.outlet_count());
    a.story_count = e.stories();
    a.sources.clear();
    for (std::size_t i = 0; i < e.outlet_count() && i < k_max_sources; ++i) {
      const auto n = static_cast<std::size_t>(e.outlet_at(i));
      a.sources.push_back(n < outlet_names.size() ? outlet_names[n] : std::string("(other)"));
    }
  }
};

EventIndex::EventIndex(EventOptions options) : m_impl(std::make_unique<Impl>(options)) {}
EventIndex::~EventIndex() = default;
EventIndex::EventIndex(EventIndex&&) noexcept = default;
EventIndex& EventIndex::operator=(EventIndex&&) noexcept = default;

EventAssignment EventIndex::add(const Assignment& story, std::string_view outlet,
                                const Fingerprint& fp, int64_t time, EventExplanation* why) {
  Impl& m = *m_impl;
  time = m.relative(time);
  m.expire(time);
  m.decay(time);
  const uint16_t outlet_no = m.outlet_number(outlet);
  EventAssignment a;
  if (!story.is_new) {
    // The entry joined a story: it reports what its story reports.
    const auto known = m.story_event.find(story.story);
    const uint64_t event = known != m.story_event.end() ? known->second.first : story.story;
    const bool open = m.events.find(event) != EventSlab::k_none;
    if (!story.copy) {
      m.count(fp);
    }
    Event& e = m.join(event, false, outlet_no, fp, time);
    if (event != story.story) {
      m.remember_story(story.story, event, time);
    }
    m.describe(e, a);
    a.is_new = false;
    if (!open) {
      a.entry_count = std::max(a.entry_count, story.entry_count);
    }
    if (why != nullptr) {
      why->via_story = true;
    }
    return a;
  }
  std::vector<EventCandidate> cands = m.candidates(fp, outlet_no, time);
  if (why != nullptr) {
    why->candidates.assign(cands.begin(), cands.begin() + std::min<std::size_t>(cands.size(), 3));
  }
  m.count(fp);
  if (!cands.empty() && cands.front().probability >= m.required(cands.front().event)) {
    Event& e = m.join(cands.front().event, true, outlet_no, fp, time);
    if (e.id() != story.story) {
      m.remember_story(story.story, e.id(), time);
    }
    m.describe(e, a);
    a.is_new = false;
    a.probability = cands.front().probability;
    return a;
  }
  Event& e = m.join(story.story, true, outlet_no, fp, time);
  m.describe(e, a);
  return a;
}

void EventIndex::restore(const SavedEventEntry& saved) {
  Impl& m = *m_impl;
  const int64_t time = m.relative(saved.time);
  m.decay(time);
  const uint16_t outlet_no = m.outlet_number(saved.outlet);
  const bool new_story = m.story_event.count(saved.story) == 0;
  m.count(saved.fingerprint);
  m.join(saved.event, new_story, outlet_no, saved.fingerprint, time);
  m.remember_story(saved.story, saved.event, time);
}

bool EventIndex::restore_copies(uint64_t story, std::string_view outlet, uint32_t count) {
  Impl& m = *m_impl;
  if (count == 0) {
    return false;
  }
  // A story not remembered is the first of its event (add() remembers only stories
  // that joined another story's event).
  const auto known = m.story_event.find(story);
  const uint32_t slot = m.events.find(known != m.story_event.end() ? known->second.first : story);
  if (slot == EventSlab::k_none) {
    return false;
  }
  Event& e = m.events.at(slot);
  e.entries += count;
  const uint16_t outlet_no = m.outlet_number(outlet);
  if (Impl::outlet_newest(e, outlet_no) == INT64_MIN) {
    if (!e.multi) {
      Impl::promote(e);
    }
    e.agg()->outlets.push_back({outlet_no, e.newest});
  }
  return true;
}

std::vector<EventCandidate> EventIndex::candidates(std::string_view outlet, const Fingerprint& fp,
                                                   int64_t time) const {
  const Impl& m = *m_impl;
  const auto it = m.outlet_numbers.find(std::string(outlet));
  const uint16_t outlet_no = it != m.outlet_numbers.end() ? it->second : uint16_t{0xFFFF};
  return m.candidates(fp, outlet_no, time - m.time_base);
}

void EventIndex::add_labelled(uint64_t event, uint64_t story, std::string_view outlet,
                              const Fingerprint& fp, int64_t time) {
  Impl& m = *m_impl;
  time = m.relative(time);
  m.expire(time);
  m.decay(time);
  const uint16_t outlet_no = m.outlet_number(outlet);
  const bool new_story = m.story_event.count(story) == 0;
  m.count(fp);
  m.join(event, new_story, outlet_no, fp, time);
  m.remember_story(story, event, time);
}

void EventIndex::count_background(const Fingerprint& fp, int64_t time) {
  Impl& m = *m_impl;
  time = m.relative(time);
  m.expire(time);
  m.decay(time);
  m.count(fp);
}

void EventIndex::expire(int64_t time) {
  m_impl->expire(m_impl->relative(time));
}

std::size_t EventIndex::event_count() const {
  return m_impl->events.size();
}

std::size_t EventIndex::memory_bytes() const {
  const Impl& m = *m_impl;
  std::size_t bytes = sizeof(Impl) + m.df.bytes() + m.postings.bytes();
  bytes += m.events.bytes();
  m.events.for_each([&](const Event& e) {
    if (const Aggregate* a = e.agg()) {
      bytes += sizeof(Aggregate) + a->terms.capacity() * sizeof(Term);
      bytes += a->member_titles.capacity();
      bytes += a->outlets.capacity() * sizeof(Aggregate::Outlet);
    }
  });
  bytes += m.members.size() * sizeof(Member);
  bytes += m.story_times.size() * sizeof(std::pair<int64_t, uint64_t>);
  bytes += m.story_event.size() *
           (sizeof(std::pair<uint64_t, std::pair<uint64_t, int64_t>>) + 2 * sizeof(void*));
  return bytes;
}

const EventOptions& EventIndex::options() const {
  return m_impl->options;
}

}  // namespace khobor::stories
