// The event level: open events with their aggregates (title terms, all terms, number
// terms, times, outlets), a rolling document frequency of features for the IDF
// weights, a feature → event posting map for candidates, and the logistic decision.
#include "stories/events.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <deque>
#include <unordered_map>
#include <utility>

#include "stories/events_model.h"

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

constexpr std::size_t k_max_terms = 96;        // features kept in an event's aggregate
constexpr std::size_t k_max_title_terms = 32;  // headline features kept in it
constexpr std::size_t k_posted = 6;            // rarest body features of an entry posted
constexpr std::size_t k_posted_title = 10;     // rarest headline features posted
constexpr std::size_t k_member_title = 12;     // headline features kept per member
constexpr uint32_t k_rare_df = 4;              // a feature this rare stands in for a name
constexpr std::size_t k_max_candidates = 64;   // events scored per entry
// A feature in this many recent entries is common: never posted, never looked up.
constexpr uint32_t k_common = 256;
constexpr double k_prior_docs = 1000;  // see idf()
constexpr int k_df_shift = 12;         // df table: top 20 bits of a feature

bool is_number(uint32_t f) {
  return (f & 1U) != 0;
}

// A sparse bag: (feature, count), sorted by feature.
using Bag = std::vector<std::pair<uint32_t, uint16_t>>;

void add_to_bag(Bag& bag, const uint32_t* f, std::size_t n, std::size_t cap) {
  for (std::size_t i = 0; i < n; ++i) {
    auto it = std::lower_bound(bag.begin(), bag.end(), f[i],
                               [](const auto& p, uint32_t v) { return p.first < v; });
    if (it != bag.end() && it->first == f[i]) {
      it->second = static_cast<uint16_t>(std::min<int>(it->second + 1, 0xFFFF));
    } else if (bag.size() < cap) {
      bag.insert(it, {f[i], uint16_t{1}});
    }
  }
}

struct Event {
  uint64_t id = 0;
  int64_t first_seen = 0;
  int64_t newest = 0;
  uint32_t entries = 0;
  uint32_t stories = 0;
  std::u16string outlets;             // outlet numbers in joining order
  std::vector<int64_t> outlet_times;  // when each of them last added an entry
  Bag title;                          // headline features of its members
  Bag all;                            // every feature of its members
  // Each member's headline features (at most k_member_title), one after another, each
  // run preceded by its length.
  std::vector<uint32_t> member_titles;
};

}  // namespace

struct EventIndex::Impl {
  EventOptions options;
  std::unordered_map<uint64_t, Event> events;
  std::deque<std::pair<int64_t, uint64_t>> by_time;  // (time an event was touched, id)
  std::unordered_map<uint64_t, std::pair<uint64_t, int64_t>> story_event;  // story → (event, time)
  std::deque<std::pair<int64_t, uint64_t>> story_times;
  std::unordered_map<uint32_t, std::vector<uint64_t>> postings;  // feature → events
  std::vector<std::string> outlet_names;
  std::unordered_map<std::string, uint16_t> outlet_numbers;

  // Rolling document frequency: how many recent entries had each feature, halved
  // every quarter window; `docs` is the decayed count of entries.
  std::vector<uint16_t> df = std::vector<uint16_t>(std::size_t{1} << (32 - k_df_shift), 0);
  double docs = 0;
  int64_t df_clock = 0;
  bool df_clock_set = false;

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

  uint32_t df_of(uint32_t f) const { return df[f >> k_df_shift]; }
  // Smoothed as if k_prior_docs more entries had been seen, none of them with the
  // feature: a short stream (a few records given to `khobor cluster`, a daemon's first
  // minutes) does not make every feature look equally common.
  double idf(uint32_t f) const {
    return std::log((docs + k_prior_docs) / (static_cast<double>(df_of(f)) + 0.5));
  }

  void decay(int64_t time) {
    const int64_t period = std::max<int64_t>(1, options.window_seconds / 4);
    if (!df_clock_set) {
      df_clock = time;
      df_clock_set = true;
    }
    int rounds = 0;
    while (time - df_clock >= period) {
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
    while (!by_time.empty() && by_time.front().first < cutoff) {
      const auto [t, id] = by_time.front();
      by_time.pop_front();
      const auto it = events.find(id);
      if (it != events.end() && it->second.newest == t) {
        events.erase(it);
      }
    }
    // A story is remembered twice the event window (the story index keeps stories
    // 72 h by default: a late member of an old story still finds its event id).
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

  // ---- features ----
  struct Side {
    double norm_title = 0;
    double norm_all = 0;
  };

  std::array<double, k_event_feature_count> features(const Fingerprint& fp, const Event& e,
                                                     uint16_t outlet, int64_t time) const {
    std::array<double, k_event_feature_count> x{};
    const std::size_t nt = std::min<std::size_t>(fp.title_features, fp.features.size());
    // The entry's weights are binary × IDF; the event's are count × IDF.
    double en_title = 0;
    double en_all = 0;
    double dot_title = 0;
    double dot_all = 0;
    double dot_title_all = 0;
    double title_missing = 0;
    uint32_t rare_shared = 0;
    uint32_t shared_all = 0;
    uint32_t q_numbers = 0;
    uint32_t shared_numbers = 0;
    const auto find = [](const Bag& bag, uint32_t f) -> uint16_t {
      auto it = std::lower_bound(bag.begin(), bag.end(), f,
                                 [](const auto& p, uint32_t v) { return p.first < v; });
      return it != bag.end() && it->first == f ? it->second : 0;
    };
    for (std::size_t i = 0; i < fp.features.size(); ++i) {
      const uint32_t f = fp.features[i];
      const double w = idf(f);
      const bool title = i < nt;
      en_all += w * w;
      if (title) {
        en_title += w * w;
      }
      const uint16_t c_all = find(e.all, f);
      if (c_all != 0) {
        ++shared_all;
        dot_all += w * w * c_all;
        if (title) {
          dot_title_all += w * w * c_all;
        }
        if (df_of(f) <= k_rare_df + e.entries) {
          ++rare_shared;
        }
      } else if (title) {
        title_missing += w * w;
      }
      if (title) {
        const uint16_t c_title = find(e.title, f);
        dot_title += w * w * c_title;
      }
      if (is_number(f) && i < 28) {
        ++q_numbers;
        shared_numbers += c_all != 0 ? 1 : 0;
      }
    }
    double ev_title = 0;
    double ev_all = 0;
    uint32_t e_numbers = 0;
    for (const auto& [f, c] : e.title) {
      const double w = idf(f) * c;
      ev_title += w * w;
    }
    for (const auto& [f, c] : e.all) {
      const double w = idf(f) * c;
      ev_all += w * w;
      e_numbers += is_number(f) ? 1 : 0;
    }
    const auto cosine = [](double dot, double a, double b) {
      return a > 0 && b > 0 ? dot / std::sqrt(a * b) : 0.0;
    };
    // The closest member's headline (binary IDF weights on both sides).
    double best_title = 0;
    for (std::size_t pos = 0; pos < e.member_titles.size();) {
      const std::size_t n = e.member_titles[pos++];
      double dot = 0;
      double norm = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const uint32_t f = e.member_titles[pos + k];
        const double w = idf(f);
        norm += w * w;
        if (std::find(fp.features.begin(), fp.features.begin() + static_cast<std::ptrdiff_t>(nt),
                      f) != fp.features.begin() + static_cast<std::ptrdiff_t>(nt)) {
          dot += w * w;
        }
      }
      best_title = std::max(best_title, cosine(dot, en_title, norm));
      pos += n;
    }
    x[0] = cosine(dot_title, en_title, ev_title);
    x[1] = cosine(dot_all, en_all, ev_all);
    x[2] = best_title;
    x[3] = std::log1p(rare_shared);
    x[4] = en_title > 0 ? title_missing / en_title : 1.0;
    x[5] = q_numbers > 0 && e_numbers > 0
               ? static_cast<double>(q_numbers - shared_numbers) / static_cast<double>(q_numbers)
               : 0.0;
    const double dt_newest = static_cast<double>(std::llabs(time - e.newest)) / 3600.0;
    const double dt_first = static_cast<double>(std::llabs(time - e.first_seen)) / 3600.0;
    x[6] = std::exp(-dt_newest * dt_newest / (2 * 6.0 * 6.0));
    x[7] = std::exp(-dt_first * dt_first / (2 * 24.0 * 24.0));
    x[8] = e.outlets.find(static_cast<char16_t>(outlet)) != std::u16string::npos ? 1.0 : 0.0;
    x[9] = cosine(dot_title_all, en_title, ev_all);
    x[10] = fp.features.empty()
                ? 0.0
                : static_cast<double>(shared_all) / static_cast<double>(fp.features.size());
    x[11] = 1.0 / (1.0 + static_cast<double>(nt));
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
  // event of one story, rising towards 1 as the event grows (halfway at 11 stories),
  // so that a large event does not keep absorbing look-alikes (chaining; tgcontest
  // tightens its threshold with the cluster's size the same way).
  double required(uint64_t id) const {
    const auto it = events.find(id);
    const double n = it == events.end() ? 1.0 : static_cast<double>(it->second.stories);
    const double t = options.model.threshold;
    return t + (1.0 - t) * (1.0 - 1.0 / (1.0 + 0.1 * std::max(0.0, n - 1.0)));
  }

  // When `outlet` last added to the event (INT64_MIN: never).
  static int64_t outlet_newest(const Event& e, uint16_t outlet) {
    const std::size_t pos = e.outlets.find(static_cast<char16_t>(outlet));
    return pos == std::u16string::npos ? INT64_MIN : e.outlet_times[pos];
  }

  // The open events sharing a rare-enough feature with the entry, scored, best first.
  std::vector<EventCandidate> candidates(const Fingerprint& fp, uint16_t outlet,
                                         int64_t time) const {
    std::vector<uint64_t> ids;
    for (const uint32_t f : fp.features) {
      if (df_of(f) >= k_common) {
        continue;  // never posted
      }
      const auto it = postings.find(f);
      if (it == postings.end()) {
        continue;
      }
      for (const uint64_t id : it->second) {
        ids.push_back(id);
      }
    }
    // The events that share the most posted features first; at most k_max_candidates
    // are scored.
    std::sort(ids.begin(), ids.end());
    std::vector<std::pair<uint32_t, uint64_t>> by_shared;  // (-count, id)
    for (std::size_t i = 0; i < ids.size();) {
      std::size_t j = i;
      while (j < ids.size() && ids[j] == ids[i]) {
        ++j;
      }
      by_shared.emplace_back(static_cast<uint32_t>(UINT32_MAX - (j - i)), ids[i]);
      i = j;
    }
    if (by_shared.size() > k_max_candidates) {
      std::partial_sort(by_shared.begin(),
                        by_shared.begin() + static_cast<std::ptrdiff_t>(k_max_candidates),
                        by_shared.end());
      by_shared.resize(k_max_candidates);
    }
    ids.clear();
    for (const auto& [count, id] : by_shared) {
      ids.push_back(id);
    }
    std::vector<EventCandidate> out;
    for (const uint64_t id : ids) {
      const auto it = events.find(id);
      if (it == events.end() || time - it->second.newest > options.window_seconds) {
        continue;
      }
      if (options.same_outlet_gap_seconds > 0 && outlet_newest(it->second, outlet) != INT64_MIN &&
          time - outlet_newest(it->second, outlet) >= options.same_outlet_gap_seconds) {
        continue;
      }
      EventCandidate c;
      c.event = id;
      c.features = features(fp, it->second, outlet, time);
      c.probability = probability(c.features);
      out.push_back(c);
    }
    std::sort(out.begin(), out.end(), [](const EventCandidate& a, const EventCandidate& b) {
      return a.probability != b.probability ? a.probability > b.probability : a.event < b.event;
    });
    if (out.size() > k_max_candidates) {
      out.resize(k_max_candidates);
    }
    return out;
  }

  // Adds the entry's features to event `id` (opening it when it is not open) and
  // posts its rarest features.
  Event& join(uint64_t id, bool new_story, uint16_t outlet, const Fingerprint& fp, int64_t time) {
    auto [it, opened] = events.try_emplace(id);
    Event& e = it->second;
    if (opened) {
      e.id = id;
      e.first_seen = time;
    }
    e.newest = std::max(e.newest, time);
    ++e.entries;
    e.stories += new_story || opened ? 1 : 0;
    const std::size_t at = e.outlets.find(static_cast<char16_t>(outlet));
    if (at == std::u16string::npos) {
      e.outlets.push_back(static_cast<char16_t>(outlet));
      e.outlet_times.push_back(time);
    } else {
      e.outlet_times[at] = std::max(e.outlet_times[at], time);
    }
    const std::size_t nt = std::min<std::size_t>(fp.title_features, fp.features.size());
    add_to_bag(e.title, fp.features.data(), nt, k_max_title_terms);
    add_to_bag(e.all, fp.features.data(), fp.features.size(), k_max_terms);
    by_time.emplace_back(e.newest, id);
    {
      const std::size_t n = std::min(nt, k_member_title);
      e.member_titles.push_back(static_cast<uint32_t>(n));
      e.member_titles.insert(e.member_titles.end(), fp.features.begin(),
                             fp.features.begin() + static_cast<std::ptrdiff_t>(n));
    }
    // Post the entry's rarest headline features and rarest other features (its
    // names and numbers, most likely).
    post_rarest(id, fp.features.data(), nt, k_posted_title);
    post_rarest(id, fp.features.data() + nt, fp.features.size() - nt, k_posted);
    return e;
  }

  void post_rarest(uint64_t id, const uint32_t* f, std::size_t n, std::size_t keep) {
    std::vector<std::pair<uint32_t, uint32_t>> by_df;
    by_df.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      by_df.emplace_back(df_of(f[i]), f[i]);
    }
    std::sort(by_df.begin(), by_df.end());
    for (std::size_t k = 0; k < by_df.size() && k < keep && by_df[k].first < k_common; ++k) {
      std::vector<uint64_t>& list = postings[by_df[k].second];
      if (std::find(list.begin(), list.end(), id) == list.end()) {
        // Drop closed events from the list while here.
        std::erase_if(list, [this](uint64_t ev) { return events.count(ev) == 0; });
        list.push_back(id);
      }
    }
  }

  void remember_story(uint64_t story, uint64_t event, int64_t time) {
    story_event[story] = {event, time};
    story_times.emplace_back(time, story);
  }

  void describe(const Event& e, EventAssignment& a) const {
    a.event = e.id;
    a.first_seen = e.first_seen;
    a.entry_count = e.entries;
    a.outlet_count = static_cast<uint32_t>(e.outlets.size());
    a.story_count = e.stories;
    a.sources.clear();
    for (std::size_t i = 0; i < e.outlets.size() && i < k_max_sources; ++i) {
      const auto n = static_cast<std::size_t>(e.outlets[i]);
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
  m.expire(time);
  m.decay(time);
  const uint16_t outlet_no = m.outlet_number(outlet);
  EventAssignment a;
  if (!story.is_new) {
    // The entry joined a story: it reports what its story reports.
    const auto known = m.story_event.find(story.story);
    const uint64_t event = known != m.story_event.end() ? known->second.first : story.story;
    const bool open = m.events.count(event) != 0;
    if (!story.copy) {
      m.count(fp);
    }
    Event& e = m.join(event, false, outlet_no, fp, time);
    m.remember_story(story.story, event, time);
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
    m.remember_story(story.story, e.id, time);
    m.describe(e, a);
    a.is_new = false;
    a.probability = cands.front().probability;
    return a;
  }
  Event& e = m.join(story.story, true, outlet_no, fp, time);
  m.remember_story(story.story, e.id, time);
  m.describe(e, a);
  return a;
}

void EventIndex::restore(const SavedEventEntry& saved) {
  Impl& m = *m_impl;
  m.decay(saved.time);
  const uint16_t outlet_no = m.outlet_number(saved.outlet);
  const bool new_story = m.story_event.count(saved.story) == 0;
  m.count(saved.fingerprint);
  m.join(saved.event, new_story, outlet_no, saved.fingerprint, saved.time);
  m.remember_story(saved.story, saved.event, saved.time);
}

std::vector<EventCandidate> EventIndex::candidates(std::string_view outlet, const Fingerprint& fp,
                                                   int64_t time) const {
  const Impl& m = *m_impl;
  const auto it = m.outlet_numbers.find(std::string(outlet));
  const uint16_t outlet_no = it != m.outlet_numbers.end() ? it->second : uint16_t{0xFFFF};
  return m.candidates(fp, outlet_no, time);
}

void EventIndex::add_labelled(uint64_t event, uint64_t story, std::string_view outlet,
                              const Fingerprint& fp, int64_t time) {
  Impl& m = *m_impl;
  m.expire(time);
  m.decay(time);
  const uint16_t outlet_no = m.outlet_number(outlet);
  const bool new_story = m.story_event.count(story) == 0;
  m.count(fp);
  m.join(event, new_story, outlet_no, fp, time);
  m.remember_story(story, event, time);
}

void EventIndex::expire(int64_t time) {
  m_impl->expire(time);
}

std::size_t EventIndex::event_count() const {
  return m_impl->events.size();
}

std::size_t EventIndex::memory_bytes() const {
  const Impl& m = *m_impl;
  std::size_t bytes = sizeof(Impl) + m.df.capacity() * sizeof(uint16_t);
  bytes += m.events.bucket_count() * sizeof(void*);
  for (const auto& [id, e] : m.events) {
    bytes += sizeof(std::pair<const uint64_t, Event>) + 2 * sizeof(void*);
    bytes += (e.title.capacity() + e.all.capacity()) * sizeof(std::pair<uint32_t, uint16_t>);
    bytes += e.outlets.capacity() > 7 ? e.outlets.capacity() * sizeof(char16_t) : 0;
  }
  bytes += m.by_time.size() * sizeof(std::pair<int64_t, uint64_t>);
  bytes += m.story_times.size() * sizeof(std::pair<int64_t, uint64_t>);
  bytes += m.story_event.size() *
           (sizeof(std::pair<uint64_t, std::pair<uint64_t, int64_t>>) + 2 * sizeof(void*));
  bytes += m.postings.bucket_count() * sizeof(void*);
  for (const auto& [f, list] : m.postings) {
    bytes += 48 + list.capacity() * sizeof(uint64_t);
  }
  return bytes;
}

const EventOptions& EventIndex::options() const {
  return m_impl->options;
}

}  // namespace khobor::stories
