// The story index: a ring of entry slots in arrival order (the window leaves from the
// front), a multimap from feature hash to entry for candidate search, per-feature
// window counts for rarity, and story records for stories with more than one entry.
#include "stories/story_index.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace khobor::stories {
namespace {

constexpr std::size_t k_sample = 32;  // features of title and lede kept per entry
constexpr std::size_t k_keys = 3;     // rarest features posted for candidate search
constexpr uint32_t k_min_shared = 3;  // fewer shared features never make a story
constexpr std::size_t k_min_simhash_features = 8;

// A feature's 16-bit form in samples: 15 bits of its hash and the number bit.
uint16_t sample16(uint32_t feature) {
  return static_cast<uint16_t>(((feature >> 16) & 0xFFFEU) | (feature & 1U));
}

struct Slot {
  uint32_t story_back = 0;  // seq - story id
  uint32_t simhash_lo = 0;
  uint32_t simhash_hi = 0;
  uint32_t id_pos = 0;  // low 32 bits of the id's position in the id arena
  uint32_t id_len = 0;
  int32_t time = 0;  // seconds since Impl::m_time_base
  uint16_t outlet = 0;
  uint8_t n_sample = 0;
  uint8_t flags = 0;               // k_live, k_simhash_ok
  uint16_t sample[k_sample] = {};  // sorted
};
constexpr uint8_t k_live = 1;
constexpr uint8_t k_simhash_ok = 2;

struct StoryInfo {
  int64_t first_seen = 0;
  std::string first_entry;
  uint32_t entries = 0;
  uint64_t last_seq = 0;
  std::vector<uint16_t> outlets;  // distinct, in joining order
};

struct Posting {
  uint32_t key = 0;  // feature hash; 0 = empty
  uint32_t seq_lo = 0;
};

// The query side of a comparison: the new entry's features as 16-bit values.
struct Query {
  std::vector<uint16_t> all;   // sorted, every kept feature
  std::vector<uint16_t> lede;  // sorted, the first k_sample features
  uint32_t numbers = 0;        // number features in `all`
  uint64_t simhash = 0;
  bool simhash_ok = false;
};

Query make_query(const Fingerprint& fp) {
  Query q;
  q.all.reserve(fp.features.size());
  for (std::size_t i = 0; i < fp.features.size(); ++i) {
    const uint16_t v = sample16(fp.features[i]);
    q.all.push_back(v);
    if (i < k_sample) {
      q.lede.push_back(v);
    }
  }
  std::sort(q.all.begin(), q.all.end());
  q.all.erase(std::unique(q.all.begin(), q.all.end()), q.all.end());
  std::sort(q.lede.begin(), q.lede.end());
  q.lede.erase(std::unique(q.lede.begin(), q.lede.end()), q.lede.end());
  q.numbers = static_cast<uint32_t>(
      std::count_if(q.all.begin(), q.all.end(), [](uint16_t v) { return (v & 1U) != 0; }));
  q.simhash = fp.simhash;
  q.simhash_ok = fp.features.size() >= k_min_simhash_features;
  return q;
}

uint32_t key_of(uint32_t feature) {
  return feature == 0 ? 2U : feature;
}

}  // namespace

struct StoryIndex::Impl {
  StoryOptions options;

  // Entry slots: seq s lives at m_slots[s & m_mask] while m_first_seq <= s < m_next_seq.
  std::vector<Slot> slots = std::vector<Slot>(16);
  uint64_t mask = 15;
  uint64_t first_seq = 0;
  uint64_t next_seq = 0;
  std::size_t live = 0;
  bool time_base_set = false;
  int64_t time_base = 0;

  // Entry ids, appended in seq order; ids_base is the position of ids[0].
  std::string ids;
  uint64_t ids_base = 0;
  uint64_t ids_end = 0;  // position after the last id

  // Outlets by number.
  std::vector<std::string> outlet_names;
  std::unordered_map<std::string, uint16_t> outlet_numbers;

  // Stories with more than one entry; singletons are described by their slot.
  std::unordered_map<uint64_t, StoryInfo> stories;
  std::size_t story_count = 0;

  // How many live entries have each 16-bit feature in their sample.
  std::vector<uint32_t> df = std::vector<uint32_t>(65536, 0);

  // Feature → entry multimap with linear probing; postings of entries that left are
  // dead (reused by inserts, dropped by rebuilds).
  std::vector<Posting> table = std::vector<Posting>(64);
  std::size_t table_filled = 0;  // non-empty postings, dead or alive
  std::size_t inserts_since_rebuild = 0;

  explicit Impl(StoryOptions o) : options(o) {}

  Slot& slot(uint64_t seq) { return slots[seq & mask]; }
  const Slot& slot(uint64_t seq) const { return slots[seq & mask]; }

  int64_t abs_time(const Slot& s) const { return time_base + s.time; }
  int32_t rel_time(int64_t t) {
    if (!time_base_set) {
      time_base = t;
      time_base_set = true;
    }
    const int64_t d = t - time_base;
    return static_cast<int32_t>(std::clamp<int64_t>(d, INT32_MIN, INT32_MAX));
  }

  uint64_t full_seq(uint32_t lo) const {
    return next_seq - static_cast<uint32_t>(static_cast<uint32_t>(next_seq) - lo);
  }
  bool is_live(uint64_t seq) const {
    return seq >= first_seq && seq < next_seq && (slot(seq).flags & k_live) != 0;
  }

  std::string_view id_of(const Slot& s) const {
    const uint64_t pos = ids_end - static_cast<uint32_t>(static_cast<uint32_t>(ids_end) - s.id_pos);
    return std::string_view(ids).substr(pos - ids_base, s.id_len);
  }

  uint16_t outlet_number(std::string_view name) {
    const auto it = outlet_numbers.find(std::string(name));
    if (it != outlet_numbers.end()) {
      return it->second;
    }
    if (outlet_names.size() >= 0xFFFF) {
      return 0xFFFF;  // documented limit: the 65,535th and later outlets share one number
    }
    const auto n = static_cast<uint16_t>(outlet_names.size());
    outlet_names.emplace_back(name);
    outlet_numbers.emplace(std::string(name), n);
    return n;
  }
  std::string outlet_name(uint16_t n) const {
    return n < outlet_names.size() ? outlet_names[n] : std::string("(other)");
  }

  // ---- the feature multimap ----
  std::size_t home(uint32_t key) const {
    const uint32_t h = key * 0x9E3779B1U;
    return static_cast<std::size_t>((static_cast<uint64_t>(h) * table.size()) >> 32);
  }

  // A new table for the live postings at load 0.5 (it is rebuilt again at 0.7).
  void rebuild_table() {
    std::size_t live_postings = 0;
    for (const Posting& p : table) {
      live_postings += p.key != 0 && is_live(full_seq(p.seq_lo)) ? 1 : 0;
    }
    const std::size_t cap = std::max<std::size_t>(64, 2 * live_postings + 64);
    std::vector<Posting> old = std::move(table);
    table.assign(cap, Posting{});
    table_filled = 0;
    inserts_since_rebuild = 0;
    for (const Posting& p : old) {
      if (p.key != 0 && is_live(full_seq(p.seq_lo))) {
        place(p);
      }
    }
  }

  void place(const Posting& p) {
    std::size_t i = home(p.key);
    for (;;) {
      Posting& t = table[i];
      if (t.key == 0) {
        t = p;
        ++table_filled;
        return;
      }
      if (!is_live(full_seq(t.seq_lo))) {
        t = p;  // reuse a dead posting
        return;
      }
      i = i + 1 == table.size() ? 0 : i + 1;
    }
  }

  void post(uint32_t key, uint64_t seq) {
    if ((table_filled + 1) * 10 > table.size() * 7 || inserts_since_rebuild > table.size()) {
      rebuild_table();
    }
    ++inserts_since_rebuild;
    place(Posting{key, static_cast<uint32_t>(seq)});
  }

  template <typename Fn>
  void postings_of(uint32_t key, Fn&& fn) const {
    std::size_t i = home(key);
    for (std::size_t n = 0; n < table.size(); ++n) {
      const Posting& t = table[i];
      if (t.key == 0) {
        return;
      }
      if (t.key == key) {
        const uint64_t seq = full_seq(t.seq_lo);
        if (is_live(seq)) {
          fn(seq);
        }
      }
      i = i + 1 == table.size() ? 0 : i + 1;
    }
  }

  // ---- scoring ----
  double score(const Query& q, const Slot& s) const {
    if (q.simhash_ok && (s.flags & k_simhash_ok) != 0 &&
        hamming(q.simhash, (static_cast<uint64_t>(s.simhash_hi) << 32) | s.simhash_lo) <=
            options.near_copy_bits) {
      return 1.0;
    }
    const std::size_t n = s.n_sample;
    if (n == 0 || q.lede.empty()) {
      return 0.0;
    }
    // Shared features between the candidate's sample and the new entry (all its
    // kept features, and its own title+lede sample); numbers counted apart.
    uint32_t shared_all = 0;
    uint32_t shared_numbers = 0;
    uint32_t numbers = 0;
    {
      std::size_t i = 0;
      std::size_t j = 0;
      while (i < n) {
        const uint16_t v = s.sample[i];
        numbers += v & 1U;
        while (j < q.all.size() && q.all[j] < v) {
          ++j;
        }
        if (j < q.all.size() && q.all[j] == v) {
          ++shared_all;
          shared_numbers += v & 1U;
        }
        ++i;
      }
    }
    if (shared_all < k_min_shared) {
      return 0.0;
    }
    uint32_t shared_lede = 0;
    {
      std::size_t i = 0;
      std::size_t j = 0;
      while (i < n && j < q.lede.size()) {
        if (s.sample[i] < q.lede[j]) {
          ++i;
        } else if (q.lede[j] < s.sample[i]) {
          ++j;
        } else {
          ++shared_lede;
          ++i;
          ++j;
        }
      }
    }
    const double contained = static_cast<double>(shared_all) / static_cast<double>(n);
    const double lede = static_cast<double>(shared_lede) /
                        static_cast<double>(std::min<std::size_t>(n, q.lede.size()));
    double result = std::max(contained, lede);
    // Same template, other event ("13 dead" vs "15 dead"): when both sides carry
    // several numbers, most of them must agree.
    if (q.numbers >= 2 && numbers >= 2 &&
        static_cast<double>(shared_numbers) < 0.34 * std::min(q.numbers, numbers)) {
      result *= 0.5;
    }
    return result;
  }

  std::optional<Match> best_match(const Fingerprint& fp, int64_t time) const {
    if (live == 0 || fp.features.empty()) {
      return std::nullopt;
    }
    const Query q = make_query(fp);
    std::vector<uint64_t> candidates;
    candidates.reserve(32);
    for (const uint32_t f : fp.features) {
      postings_of(key_of(f), [&](uint64_t seq) { candidates.push_back(seq); });
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    std::optional<Match> best;
    for (const uint64_t seq : candidates) {
      const Slot& s = slot(seq);
      if (std::llabs(abs_time(s) - time) > options.window_seconds) {
        continue;
      }
      const double sc = score(q, s);
      if (sc >= options.threshold && (!best || sc > best->score)) {
        best = Match{seq - s.story_back, seq, sc};
      }
    }
    return best;
  }

  // ---- adding and leaving ----
  void grow_if_full() {
    if (next_seq - first_seq < slots.size()) {
      return;
    }
    std::vector<Slot> bigger(slots.size() * 2);
    const uint64_t bigger_mask = bigger.size() - 1;
    for (uint64_t s = first_seq; s < next_seq; ++s) {
      bigger[s & bigger_mask] = slots[s & mask];
    }
    slots = std::move(bigger);
    mask = bigger_mask;
  }

  // Fills the slot for `seq` (== next_seq) and posts its keys; returns the slot.
  Slot& insert(uint64_t seq, uint64_t story, std::string_view id, uint16_t outlet,
               const Fingerprint& fp, int64_t time) {
    grow_if_full();
    Slot& s = slot(seq);
    s = Slot{};
    s.story_back = static_cast<uint32_t>(seq - story);
    s.simhash_lo = static_cast<uint32_t>(fp.simhash);
    s.simhash_hi = static_cast<uint32_t>(fp.simhash >> 32);
    s.id_pos = static_cast<uint32_t>(ids_end);
    s.id_len = static_cast<uint32_t>(id.size());
    ids.append(id);
    ids_end += id.size();
    s.time = rel_time(time);
    s.outlet = outlet;
    s.flags = k_live | (fp.features.size() >= k_min_simhash_features ? k_simhash_ok : 0);
    // The sample: the first k_sample features (title and lede), sorted.
    std::vector<std::pair<uint32_t, uint32_t>> by_rarity;  // (window count, feature)
    std::size_t n = 0;
    for (std::size_t i = 0; i < fp.features.size() && n < k_sample; ++i) {
      const uint16_t v = sample16(fp.features[i]);
      if (std::find(s.sample, s.sample + n, v) != s.sample + n) {
        continue;
      }
      s.sample[n++] = v;
      by_rarity.emplace_back(df[v], fp.features[i]);
    }
    s.n_sample = static_cast<uint8_t>(n);
    std::sort(s.sample, s.sample + n);
    next_seq = seq + 1;
    ++live;
    // Keys: the rarest features in the window now (ties by hash, i.e. a MinHash
    // among the rarest), so common words never make long posting lists.
    std::sort(by_rarity.begin(), by_rarity.end());
    for (std::size_t k = 0; k < by_rarity.size() && k < k_keys; ++k) {
      post(key_of(by_rarity[k].second), seq);
    }
    for (std::size_t i = 0; i < n; ++i) {
      ++df[s.sample[i]];
    }
    return s;
  }

  void leave_front() {
    const uint64_t seq = first_seq;
    Slot& s = slot(seq);
    if ((s.flags & k_live) != 0) {
      for (std::size_t i = 0; i < s.n_sample; ++i) {
        --df[s.sample[i]];
      }
      const uint64_t story = seq - s.story_back;
      const auto it = stories.find(story);
      if (it == stories.end()) {
        --story_count;  // a singleton leaves
      } else if (it->second.last_seq == seq) {
        stories.erase(it);
        --story_count;
      }
      s.flags = 0;
      --live;
    }
    ++first_seq;
  }

  void expire(int64_t time) {
    const int64_t cutoff = time - options.window_seconds;
    while (first_seq < next_seq) {
      const Slot& s = slot(first_seq);
      if ((s.flags & k_live) != 0 && abs_time(s) >= cutoff) {
        break;
      }
      leave_front();
    }
    // Drop the ids of entries that left once they are half of the arena.
    uint64_t keep_from = ids_end;
    if (first_seq < next_seq) {
      const Slot& s = slot(first_seq);
      keep_from = ids_end - static_cast<uint32_t>(static_cast<uint32_t>(ids_end) - s.id_pos);
    }
    const uint64_t dead = keep_from - ids_base;
    if (dead > 4096 && dead * 2 > ids.size()) {
      ids.erase(0, dead);
      ids_base = keep_from;
      if (ids.capacity() > 4 * ids.size() + 4096) {
        ids.shrink_to_fit();
      }
    }
  }

  void describe(uint64_t story, Assignment& a) const {
    a.story = story;
    const auto it = stories.find(story);
    if (it != stories.end()) {
      const StoryInfo& info = it->second;
      a.first_entry = info.first_entry;
      a.first_seen = info.first_seen;
      a.entry_count = info.entries;
      a.outlet_count = static_cast<uint32_t>(info.outlets.size());
      a.sources.clear();
      for (const uint16_t o : info.outlets) {
        a.sources.push_back(outlet_name(o));
      }
      return;
    }
    const Slot& s = slot(story);
    a.first_entry = std::string(id_of(s));
    a.first_seen = abs_time(s);
    a.entry_count = 1;
    a.outlet_count = 1;
    a.sources = {outlet_name(s.outlet)};
  }

  // Records that entry `seq` (outlet, time) joined `story`.
  void join(uint64_t story, uint64_t seq, uint16_t outlet) {
    auto it = stories.find(story);
    if (it == stories.end()) {
      // The story was a singleton: its first entry is still in the window (the
      // story would have left with it otherwise).
      const Slot& first = slot(story);
      StoryInfo info;
      info.first_seen = abs_time(first);
      info.first_entry = std::string(id_of(first));
      info.entries = 1;
      info.last_seq = story;
      info.outlets.push_back(first.outlet);
      it = stories.emplace(story, std::move(info)).first;
    }
    StoryInfo& info = it->second;
    ++info.entries;
    info.last_seq = seq;
    if (std::find(info.outlets.begin(), info.outlets.end(), outlet) == info.outlets.end()) {
      info.outlets.push_back(outlet);
    }
  }
};

StoryIndex::StoryIndex(StoryOptions options) : m_impl(std::make_unique<Impl>(options)) {}
StoryIndex::~StoryIndex() = default;
StoryIndex::StoryIndex(StoryIndex&&) noexcept = default;
StoryIndex& StoryIndex::operator=(StoryIndex&&) noexcept = default;

Assignment StoryIndex::add(std::string_view id, std::string_view outlet, const Fingerprint& fp,
                           int64_t time) {
  Impl& m = *m_impl;
  m.expire(time);
  const std::optional<Match> match = m.best_match(fp, time);
  const uint64_t seq = m.next_seq;
  const uint16_t outlet_no = m.outlet_number(outlet);
  Assignment a;
  a.seq = seq;
  if (match) {
    const std::string matched(m.id_of(m.slot(match->seq)));
    m.insert(seq, match->story, id, outlet_no, fp, time);
    m.join(match->story, seq, outlet_no);
    m.describe(match->story, a);
    a.is_new = false;
    a.score = match->score;
    a.matched_entry = matched;
  } else {
    m.insert(seq, seq, id, outlet_no, fp, time);
    ++m.story_count;
    m.describe(seq, a);
  }
  return a;
}

std::optional<Match> StoryIndex::lookup(const Fingerprint& fp, int64_t time) const {
  return m_impl->best_match(fp, time);
}

void StoryIndex::restore(const SavedEntry& saved) {
  Impl& m = *m_impl;
  if (saved.seq < m.next_seq || saved.story > saved.seq) {
    throw std::invalid_argument("StoryIndex::restore: entry " + saved.id + " has seq " +
                                std::to_string(saved.seq) + " and story " +
                                std::to_string(saved.story) +
                                "; rows must come in increasing seq order, story <= seq");
  }
  if (m.live == 0) {
    m.first_seq = saved.seq;
    m.next_seq = saved.seq;
  }
  // Seqs missing from the saved rows become empty slots.
  while (m.next_seq < saved.seq) {
    m.grow_if_full();
    m.slot(m.next_seq) = Slot{};
    ++m.next_seq;
  }
  const uint16_t outlet_no = m.outlet_number(saved.outlet);
  const bool story_here =
      saved.story == saved.seq || m.is_live(saved.story) || m.stories.count(saved.story) != 0;
  m.insert(saved.seq, saved.story, saved.id, outlet_no, saved.fingerprint, saved.time);
  if (saved.story == saved.seq) {
    ++m.story_count;
  } else if (story_here) {
    m.join(saved.story, saved.seq, outlet_no);
  } else {
    // The story's first entry left the window before the restart: this entry is the
    // oldest we know of, so it stands for the story's start.
    StoryInfo info;
    info.first_seen = saved.time;
    info.first_entry = saved.id;
    info.entries = 1;
    info.last_seq = saved.seq;
    info.outlets.push_back(outlet_no);
    m.stories.emplace(saved.story, std::move(info));
    ++m.story_count;
  }
}

void StoryIndex::expire(int64_t time) {
  m_impl->expire(time);
}

std::size_t StoryIndex::entry_count() const {
  return m_impl->live;
}

std::size_t StoryIndex::story_count() const {
  return m_impl->story_count;
}

uint64_t StoryIndex::next_seq() const {
  return m_impl->next_seq;
}

std::size_t StoryIndex::memory_bytes() const {
  const Impl& m = *m_impl;
  std::size_t bytes = sizeof(Impl);
  bytes += m.slots.capacity() * sizeof(Slot);
  bytes += m.table.capacity() * sizeof(Posting);
  bytes += m.df.capacity() * sizeof(uint32_t);
  bytes += m.ids.capacity();
  for (const std::string& name : m.outlet_names) {
    bytes += sizeof(std::string) + name.capacity() + 32;  // name and its map node
  }
  // unordered_map: one node per story (key, value, next pointer, hash) plus buckets.
  bytes += m.stories.bucket_count() * sizeof(void*);
  for (const auto& [story, info] : m.stories) {
    bytes += sizeof(std::pair<const uint64_t, StoryInfo>) + 2 * sizeof(void*);
    bytes += info.first_entry.capacity() > 15 ? info.first_entry.capacity() : 0;
    bytes += info.outlets.capacity() * sizeof(uint16_t);
  }
  return bytes;
}

const StoryOptions& StoryIndex::options() const {
  return m_impl->options;
}

}  // namespace khobor::stories
