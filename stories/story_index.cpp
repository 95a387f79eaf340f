// The story index: a ring of entry slots in arrival order (the window leaves from the
// front), a multimap from feature hash to entry for candidate search, per-feature
// window counts for rarity, and story records for stories with more than one entry.
#include "stories/story_index.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "stories/posting_table.h"

namespace khobor::stories {
namespace {

constexpr std::size_t k_sample = 28;  // features of title and lede kept per entry
constexpr std::size_t k_keys = 3;     // rarest features posted for candidate search
constexpr std::size_t k_max_candidates = 512;
// A feature in this many recent entries is not rare: it is never posted as a key and
// never looked up (its posting list would be long and say little).
constexpr uint16_t k_common = 256;

// A feature's 12-bit form in samples: 11 bits of its hash and the number bit. Two
// different features agree by chance with probability 1/2048; docs/stories.md
// measures that this costs nothing against 16 bits and saves 16 bytes an entry.
uint16_t sample12(uint32_t feature) {
  return static_cast<uint16_t>(((feature >> 20) & 0xFFEU) | (feature & 1U));
}

struct Slot {
  uint32_t story_back = 0;  // seq - story id
  uint32_t id_pos = 0;      // low 32 bits of the id's position in the id arena
  int32_t time = 0;         // seconds since Impl::time_base
  uint16_t id_len = 0;      // ids longer than 65,535 bytes are cut there
  uint16_t outlet = 0;
  uint8_t n_sample = 0;
  uint8_t flags = 0;                       // k_live
  uint8_t packed[k_sample * 12 / 8] = {};  // the sample: sorted 12-bit values
};
constexpr uint8_t k_live = 1;
constexpr uint16_t k_no_outlet = 0xFFFF;  // lookups that name no outlet

void pack(Slot& s, const uint16_t* values, std::size_t n) {
  std::fill(std::begin(s.packed), std::end(s.packed), uint8_t{0});
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t bit = i * 12;
    const std::size_t byte = bit / 8;
    const uint32_t v = values[i] & 0xFFFU;
    if (bit % 8 == 0) {
      s.packed[byte] = static_cast<uint8_t>(v);
      s.packed[byte + 1] = static_cast<uint8_t>((s.packed[byte + 1] & 0xF0U) | (v >> 8));
    } else {
      s.packed[byte] = static_cast<uint8_t>((s.packed[byte] & 0x0FU) | ((v & 0xFU) << 4));
      s.packed[byte + 1] = static_cast<uint8_t>(v >> 4);
    }
  }
  s.n_sample = static_cast<uint8_t>(n);
}

std::size_t unpack(const Slot& s, uint16_t* out) {
  for (std::size_t i = 0; i < s.n_sample; ++i) {
    const std::size_t bit = i * 12;
    const std::size_t byte = bit / 8;
    if (bit % 8 == 0) {
      out[i] = static_cast<uint16_t>(s.packed[byte] | ((s.packed[byte + 1] & 0x0FU) << 8));
    } else {
      out[i] = static_cast<uint16_t>((s.packed[byte] >> 4) | (s.packed[byte + 1] << 4));
    }
  }
  return s.n_sample;
}

struct StoryInfo {
  int64_t first_seen = 0;
  std::string first_entry;
  uint32_t entries = 0;
  uint64_t last_seq = 0;
  // Outlet numbers, distinct, in joining order; a u16string keeps up to 7 without
  // a heap allocation.
  std::u16string outlets;
};

// The query side of a comparison: the new entry's features as 12-bit values in two
// bitmaps (every kept feature; the first k_sample), so that scoring a candidate is
// one bit test per sample value and nothing is sorted or allocated per lookup.
struct Query {
  uint64_t all[4096 / 64] = {};
  uint64_t lede[4096 / 64] = {};
  std::size_t n_lede = 0;  // distinct values in `lede`
  uint32_t numbers = 0;    // distinct number values in `all`

  static bool test(const uint64_t* bits, uint16_t v) {
    return ((bits[v >> 6] >> (v & 63)) & 1U) != 0;
  }
  static bool set(uint64_t* bits, uint16_t v) {
    const bool was = test(bits, v);
    bits[v >> 6] |= uint64_t{1} << (v & 63);
    return !was;
  }
};

void make_query(const Fingerprint& fp, Query& q) {
  const std::size_t n = std::min(fp.features.size(), k_max_features);
  for (std::size_t i = 0; i < n; ++i) {
    const uint16_t v = sample12(fp.features[i]);
    if (Query::set(q.all, v) && (v & 1U) != 0) {
      ++q.numbers;
    }
    if (i < k_sample && Query::set(q.lede, v)) {
      ++q.n_lede;
    }
  }
}

std::size_t sort_unique(uint16_t* v, std::size_t n) {
  std::sort(v, v + n);
  return static_cast<std::size_t>(std::unique(v, v + n) - v);
}

// ---- scoring ----
// The verification score of candidate slot `s` for query `q`, in [0, 1].
// `copy` is set when the candidate's sample and the new entry's title+lede sample
// are the same set: a near-exact copy.
double score(const Query& q, const Slot& s, const StoryOptions& options, bool& copy) {
  copy = false;
  uint16_t sample[k_sample];
  const std::size_t n = unpack(s, sample);
  if (n == 0 || q.n_lede == 0) {
    return 0.0;
  }
  // Shared features between the candidate's sample and the new entry (all its
  // kept features, and its own title+lede sample); numbers counted apart.
  uint32_t shared_all = 0;
  uint32_t shared_numbers = 0;
  uint32_t numbers = 0;
  uint32_t shared_lede = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const uint16_t v = sample[i];
    const uint32_t number = v & 1U;
    numbers += number;
    if (Query::test(q.all, v)) {
      ++shared_all;
      shared_numbers += number;
    }
    shared_lede += Query::test(q.lede, v) ? 1 : 0;
  }
  if (shared_all < options.min_shared) {
    return 0.0;
  }
  if (options.min_overlap > 0 &&
      static_cast<double>(shared_lede) <
          options.min_overlap * static_cast<double>(std::max<std::size_t>(n, q.n_lede))) {
    return 0.0;
  }
  const double contained = static_cast<double>(shared_all) / static_cast<double>(n);
  const double lede =
      static_cast<double>(shared_lede) / static_cast<double>(std::min<std::size_t>(n, q.n_lede));
  double result = std::max(contained, lede);
  // Same template, other event ("13 dead" vs "15 dead"): when both sides carry
  // several numbers, most of them must agree.
  if (q.numbers >= 2 && numbers >= 2 && 3 * shared_numbers < std::min(q.numbers, numbers)) {
    result *= 0.5;
  } else if (options.any_number_disagrees && q.numbers >= 1 && numbers >= 1 &&
             shared_numbers == 0) {
    result *= 0.5;
  }
  copy = shared_lede == n && n == q.n_lede;
  return result;
}

}  // namespace

struct StoryIndex::Impl {
  StoryOptions options;

  // Entry slots in blocks of k_block: seq s lives in blocks[(s - blocks_seq) / k_block]
  // while first_seq <= s < next_seq. Blocks are added at the back and freed from the
  // front as the window moves, so memory follows the number of entries in the window.
  static constexpr uint64_t k_block = 4096;
  std::vector<std::unique_ptr<Slot[]>> blocks;
  uint64_t blocks_seq = 0;  // seq of blocks.front()[0]
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

  // How often each feature (by its top 20 bits: 2 MB) was in a recent entry's
  // sample, halved every quarter window: the rarity that chooses an entry's keys.
  static constexpr int k_rarity_shift = 12;
  FlatArray<uint16_t> rarity = FlatArray<uint16_t>(std::size_t{1} << (32 - k_rarity_shift));
  int64_t rarity_clock = 0;
  bool rarity_clock_set = false;

  // Feature → entry multimap (posting_table.h): the rarest features of each entry.
  PostingTable postings;

  explicit Impl(StoryOptions o) : options(o) {}

  Slot& slot(uint64_t seq) {
    const uint64_t d = seq - blocks_seq;
    return blocks[d / k_block][d % k_block];
  }
  const Slot& slot(uint64_t seq) const {
    const uint64_t d = seq - blocks_seq;
    return blocks[d / k_block][d % k_block];
  }

  int64_t abs_time(const Slot& s) const { return time_base + s.time; }
  int32_t rel_time(int64_t t) {
    if (!time_base_set) {
      time_base = t;
      time_base_set = true;
    }
    const int64_t d = t - time_base;
    return static_cast<int32_t>(std::clamp<int64_t>(d, INT32_MIN, INT32_MAX));
  }

  // Entries leave only from the front, so a posting is live when its seq is in
  // [first_seq, next_seq): no need to touch the slot.
  SeqRange range() const { return SeqRange{first_seq, next_seq}; }
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

  std::optional<Match> best_match(const Fingerprint& fp, int64_t time,
                                  uint16_t outlet = k_no_outlet) const {
    if (live == 0 || fp.features.empty()) {
      return std::nullopt;
    }
    // Every feature of the entry is looked up among the posted keys; the table
    // lines are prefetched first so that the misses overlap.
    const std::size_t n_all = std::min(fp.features.size(), k_max_features);
    std::size_t homes[k_max_features];
    uint32_t keys[k_max_features];
    std::size_t n_features = 0;
    for (std::size_t i = 0; i < n_all; ++i) {
      if (rarity[fp.features[i] >> k_rarity_shift] >= k_common) {
        continue;  // common in the window: never posted, nothing to find
      }
      keys[n_features] = fp.features[i];
      homes[n_features] = postings.home(keys[n_features]);
      postings.prefetch(homes[n_features]);
      ++n_features;
    }
    uint64_t candidates[k_max_candidates];
    std::size_t n_candidates = 0;
    for (std::size_t i = 0; i < n_features && n_candidates < k_max_candidates; ++i) {
      postings.for_each(homes[i], keys[i], range(), [&](uint64_t seq) {
        if (n_candidates < k_max_candidates) {
          candidates[n_candidates++] = seq;
        }
      });
    }
    if (n_candidates == 0) {
      return std::nullopt;
    }
    std::sort(candidates, candidates + n_candidates);
    n_candidates =
        static_cast<std::size_t>(std::unique(candidates, candidates + n_candidates) - candidates);
    for (std::size_t i = 0; i < n_candidates; ++i) {
      __builtin_prefetch(&slot(candidates[i]));
    }
    Query q;
    make_query(fp, q);
    std::optional<Match> best;
    for (std::size_t i = 0; i < n_candidates; ++i) {
      const uint64_t seq = candidates[i];
      const Slot& s = slot(seq);
      if (std::llabs(abs_time(s) - time) > options.window_seconds) {
        continue;
      }
      if (outlet != k_no_outlet && s.outlet == outlet && options.same_outlet_gap_seconds > 0 &&
          time - abs_time(s) >= options.same_outlet_gap_seconds) {
        continue;  // the same outlet's template on another day
      }
      bool copy = false;
      const double sc = score(q, s, options, copy);
      if (sc >= options.threshold && (!best || sc > best->score || (copy && !best->copy))) {
        best = Match{seq - s.story_back, seq, sc, copy};
      }
    }
    return best;
  }

  // ---- adding and leaving ----
  // Makes room for the slot of next_seq.
  void grow_if_full() {
    if (blocks.empty()) {
      blocks_seq = next_seq - next_seq % k_block;
    }
    while (next_seq - blocks_seq >= blocks.size() * k_block) {
      blocks.push_back(std::make_unique<Slot[]>(k_block));
    }
  }

  // Frees the blocks whose entries have all left.
  void free_blocks() {
    while (!blocks.empty() && first_seq - blocks_seq >= k_block) {
      blocks.erase(blocks.begin());
      blocks_seq += k_block;
    }
  }

  // Fills the slot for `seq` (== next_seq) and posts its keys; returns the slot.
  Slot& insert(uint64_t seq, uint64_t story, std::string_view id, uint16_t outlet,
               const Fingerprint& fp, int64_t time, uint64_t copy_of = UINT64_MAX) {
    grow_if_full();
    decay_rarity(time);
    Slot& s = slot(seq);
    s = Slot{};
    s.story_back = static_cast<uint32_t>(seq - story);
    if (id.size() > 0xFFFF) {
      id = id.substr(0, 0xFFFF);
    }
    s.id_pos = static_cast<uint32_t>(ids_end);
    s.id_len = static_cast<uint16_t>(id.size());
    ids.append(id);
    ids_end += id.size();
    s.time = rel_time(time);
    s.outlet = outlet;
    s.flags = k_live;
    // The sample: the first k_sample features (title and lede).
    uint16_t sample[k_sample];
    std::pair<uint16_t, uint32_t> by_rarity[k_sample];  // (recent count, feature)
    const std::size_t n = std::min(fp.features.size(), k_sample);
    for (std::size_t i = 0; i < n; ++i) {
      sample[i] = sample12(fp.features[i]);
      by_rarity[i] = {rarity[fp.features[i] >> k_rarity_shift], fp.features[i]};
    }
    pack(s, sample, sort_unique(sample, n));
    next_seq = seq + 1;
    ++live;
    // A near-exact copy (the same title+lede sample as `copy_of`, a live entry of
    // the same story: one article served by many feeds) is kept for its story's
    // counts but posts no keys and leaves the rarity alone: the candidate index
    // holds stories, not every copy, so its probe runs do not grow with copies.
    if (is_live(copy_of)) {
      const Slot& c = slot(copy_of);
      if (c.n_sample == s.n_sample &&
          std::equal(std::begin(c.packed), std::end(c.packed), std::begin(s.packed))) {
        return s;
      }
    }
    // Keys: the rarest features of recent entries (ties by hash, i.e. a MinHash
    // among the rarest), so common words never make long posting lists.
    std::sort(by_rarity, by_rarity + n);
    for (std::size_t k = 0; k < n && k < k_keys && by_rarity[k].first < k_common; ++k) {
      postings.post(by_rarity[k].second, seq, range());
    }
    for (std::size_t i = 0; i < n; ++i) {
      uint16_t& c = rarity[fp.features[i] >> k_rarity_shift];
      c = static_cast<uint16_t>(c + (c < UINT16_MAX ? 1 : 0));
    }
    return s;
  }

  // Halves the recent-feature counts every quarter window of (passed-in) time, so
  // they follow what the window holds without remembering each entry's features.
  void decay_rarity(int64_t time) {
    const int64_t period = std::max<int64_t>(1, options.window_seconds / 4);
    if (!rarity_clock_set) {
      rarity_clock = time;
      rarity_clock_set = true;
    }
    while (time - rarity_clock >= period) {
      for (uint16_t& c : rarity) {
        c = static_cast<uint16_t>(c / 2);
      }
      rarity_clock += period;
      if (time - rarity_clock > 64 * period) {
        rarity_clock = time;  // a long gap: everything has decayed anyway
        std::fill(rarity.begin(), rarity.end(), uint16_t{0});
      }
    }
  }

  void leave_front() {
    const uint64_t seq = first_seq;
    Slot& s = slot(seq);
    if ((s.flags & k_live) != 0) {
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
    free_blocks();
    // Give the posting table back when most of it belongs to entries that left.
    postings.shrink_if_sparse(live * k_keys, range());
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
      const std::size_t shown = std::min(info.outlets.size(), k_max_sources);
      a.sources.reserve(shown);
      for (std::size_t i = 0; i < shown; ++i) {
        a.sources.push_back(outlet_name(info.outlets[i]));
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

  // Records that entry `seq` (outlet) joined `story`, or, when `indexed` is false,
  // `count` copies that have no slot (the story's last entry stays as it was).
  void join(uint64_t story, uint64_t seq, uint16_t outlet, bool indexed = true,
            uint32_t count = 1) {
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
      info.outlets.push_back(static_cast<char16_t>(first.outlet));
      it = stories.emplace(story, std::move(info)).first;
    }
    StoryInfo& info = it->second;
    info.entries += count;
    if (indexed) {
      info.last_seq = seq;
    }
    if (info.outlets.find(static_cast<char16_t>(outlet)) == std::u16string::npos) {
      info.outlets.push_back(static_cast<char16_t>(outlet));
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
  const uint16_t outlet_no = m.outlet_number(outlet);
  const std::optional<Match> match = m.best_match(fp, time, outlet_no);
  const uint64_t seq = m.next_seq;
  Assignment a;
  a.seq = seq;
  if (match && match->copy &&
      time - m.abs_time(m.slot(match->seq)) < m.options.window_seconds / 2) {
    // A near-exact copy of an entry indexed less than half a window ago: counted in
    // its story (entries, outlets), but no slot, no postings, no id kept. A copy
    // after that is indexed, so that a text that keeps arriving keeps its story.
    m.join(match->story, match->seq, outlet_no, false);
    m.describe(match->story, a);
    a.seq = match->seq;
    a.copy = true;
    a.is_new = false;
    a.score = match->score;
    a.matched_entry = std::string(m.id_of(m.slot(match->seq)));
    return a;
  }
  if (match) {
    const std::string matched(m.id_of(m.slot(match->seq)));
    m.insert(seq, match->story, id, outlet_no, fp, time, match->seq);
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
    m.free_blocks();
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
  m.insert(saved.seq, saved.story, saved.id, outlet_no, saved.fingerprint, saved.time,
           saved.story == saved.seq ? UINT64_MAX : saved.story);
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
    info.outlets.push_back(static_cast<char16_t>(outlet_no));
    m.stories.emplace(saved.story, std::move(info));
    ++m.story_count;
  }
}

bool StoryIndex::restore_copies(uint64_t story, std::string_view outlet, uint32_t count) {
  Impl& m = *m_impl;
  if (count == 0 || (!m.is_live(story) && m.stories.count(story) == 0)) {
    return false;
  }
  if (m.stories.count(story) == 0 && m.slot(story).story_back != 0) {
    return false;  // a live slot that is not the first entry of its story
  }
  const uint16_t outlet_no = m.outlet_number(outlet);
  m.join(story, story, outlet_no, false, count);
  return true;
}

void StoryIndex::expire(int64_t time) {
  m_impl->expire(time);
}

std::size_t StoryIndex::posting_count() const {
  const Impl& m = *m_impl;
  return m.postings.live_count(m.range());
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
  bytes += m.blocks.size() * (Impl::k_block * sizeof(Slot) + sizeof(void*));
  bytes += m.postings.bytes();
  bytes += m.rarity.bytes();
  bytes += m.ids.capacity();
  for (const std::string& name : m.outlet_names) {
    bytes += sizeof(std::string) + name.capacity() + 32;  // name and its map node
  }
  // unordered_map: one node per story (key, value, next pointer, hash) plus buckets.
  bytes += m.stories.bucket_count() * sizeof(void*);
  for (const auto& [story, info] : m.stories) {
    bytes += sizeof(std::pair<const uint64_t, StoryInfo>) + 2 * sizeof(void*);
    bytes += info.first_entry.capacity() > 15 ? info.first_entry.capacity() : 0;
    bytes += info.outlets.capacity() > 7 ? info.outlets.capacity() * sizeof(char16_t) : 0;
  }
  return bytes;
}

double similarity(const Fingerprint& candidate, const Fingerprint& entry) {
  Slot s;
  uint16_t sample[k_sample];
  const std::size_t n = std::min(candidate.features.size(), k_sample);
  for (std::size_t i = 0; i < n; ++i) {
    sample[i] = sample12(candidate.features[i]);
  }
  pack(s, sample, sort_unique(sample, n));
  Query q;
  make_query(entry, q);
  bool copy = false;
  return score(q, s, StoryOptions{}, copy);
}

const StoryOptions& StoryIndex::options() const {
  return m_impl->options;
}

}  // namespace khobor::stories
