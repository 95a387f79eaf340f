// khobor/web/desk.cpp — the store's alerts and story entries, grouped into cards.
#include "web/desk.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "feeds/dates.h"
#include "store/sqlite.h"
#include "web/marks.h"

namespace khobor::web {
namespace {

using json = nlohmann::json;

constexpr size_t k_max_entries = 20;   // entries listed per card
constexpr size_t k_max_timeline = 64;  // outlets' points per card

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t integer(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// Only http(s) links are links out; anything else (javascript:, data:) is dropped.
std::string safe_link(const std::string& url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0 ? url : std::string();
}

json runs_json(const std::vector<Run>& runs) {
  json out = json::array();
  for (const auto& r : runs) {
    out.push_back(json::array({r.text, r.marked ? 1 : 0}));
  }
  return out;
}

// Seconds since the epoch of an RFC 3339 time in a message, 0 when absent.
int64_t seconds(const json& j, const char* key) {
  auto t = feeds::parse_date(str(j, key));
  return t ? *t : 0;
}

struct Message {
  int64_t seq = 0;
  int64_t created_ms = 0;
  std::string topic;
  json body;
};

// One event's card as it is assembled from its messages, oldest first.
class CardBuilder {
 public:
  void add(const Message& m) {
    const json& entry = m.body.value("entry", json::object());
    if (m.topic.rfind("alert.", 0) == 0) {
      add_alert(m, entry);
    } else {
      std::string list = str(m.body, "watchlist");
      if (!list.empty()) {
        m_lists[list];  // an update names its list; its terms came with the alert
      }
    }
    if (m.body.contains("event") && m.body["event"].is_object()) {
      m_event = m.body["event"];
    }
    const std::string key = str(m.body, "feed") + "\n" + str(entry, "id");
    if (m_seen.insert(key).second) {
      m_entries.push_back({m, entry});
    }
    m_last_seq = m.seq;
    m_last_ms = m.created_ms;
    if (m_first_seq == 0) {
      m_first_seq = m.seq;
      m_first = entry;
      m_first_feed = str(m.body, "feed");
    }
  }

  int64_t last_seq() const { return m_last_seq; }
  // The event's id (-1: the messages carry no event).
  int64_t event_id() const {
    return m_event.is_object() && m_event.contains("id") ? integer(m_event, "id") : -1;
  }

  json build(int64_t key, const std::vector<std::pair<std::string, int64_t>>& timeline) const {
    const json& head = m_headline.is_object() ? m_headline : m_first;
    json card = {
        {"key", key},
        {"event", event_id() >= 0 ? json(event_id()) : json()},
        {"headline", runs_json(mark_spans(str(head, "title"), m_title_spans))},
        {"link", safe_link(str(head, "link"))},
        {"feed", m_headline.is_object() ? m_headline_feed : m_first_feed},
        {"published", seconds(head, "published")},
        {"snippet", runs_json(mark_spans(m_snippet, find_all(m_snippet, needles())))},
        {"first_seen", m_event.is_object() ? seconds(m_event, "first_seen") : 0},
        {"outlet_count", integer(m_event, "outlet_count")},
        {"entry_count", integer(m_event, "entry_count")},
        {"sources", m_event.is_object() ? m_event.value("sources", json::array()) : json::array()},
        {"last_seq", m_last_seq},
        {"last_time", m_last_ms / 1000}};
    card["watchlists"] = lists_json();
    card["entries"] = entries_json();
    card["timeline"] = json::array();
    for (const auto& [outlet, time] : timeline) {
      card["timeline"].push_back({{"outlet", outlet}, {"time", time}});
    }
    return card;
  }

 private:
  struct Seen {
    Message m;
    json entry;
  };

  void add_alert(const Message& m, const json& entry) {
    auto& terms = m_lists[str(m.body, "watchlist")];
    const std::string title = str(entry, "title");
    const bool headline = !m_headline.is_object();
    for (const auto& h : m.body.value("hits", json::array())) {
      terms.insert(str(h, "term"));
      if (str(h, "field") == "title") {
        auto b = static_cast<size_t>(std::max<int64_t>(integer(h, "begin"), 0));
        auto e = static_cast<size_t>(std::max<int64_t>(integer(h, "end"), 0));
        if (b < e && e <= title.size()) {
          m_words.insert(title.substr(b, e - b));  // the words as the title wrote them
          if (headline) {
            m_title_spans.emplace_back(b, e);
          }
        }
      }
    }
    if (headline) {
      m_headline = entry;
      m_headline_feed = str(m.body, "feed");
      m_snippet = str(m.body, "snippet");
    }
  }

  std::vector<std::string> needles() const {
    std::vector<std::string> out(m_words.begin(), m_words.end());
    for (const auto& [list, terms] : m_lists) {
      out.insert(out.end(), terms.begin(), terms.end());
    }
    return out;
  }

  json lists_json() const {
    json out = json::array();
    for (const auto& [list, terms] : m_lists) {
      json t = json::array();
      for (const auto& term : terms) {
        if (!term.empty()) {
          t.push_back(term);
        }
      }
      out.push_back({{"name", list}, {"terms", t}});
    }
    return out;
  }

  json entries_json() const {
    json out = json::array();
    const auto marks = needles();
    for (auto it = m_entries.rbegin(); it != m_entries.rend() && out.size() < k_max_entries; ++it) {
      const std::string title = str(it->entry, "title");
      int64_t when = seconds(it->entry, "published");
      out.push_back({{"seq", it->m.seq},
                     {"kind", it->m.topic.rfind("alert.", 0) == 0 ? "alert" : "update"},
                     {"feed", str(it->m.body, "feed")},
                     {"title", runs_json(mark_spans(title, find_all(title, marks)))},
                     {"link", safe_link(str(it->entry, "link"))},
                     {"time", when != 0 ? when : it->m.created_ms / 1000}});
    }
    return out;
  }

  std::map<std::string, std::set<std::string>> m_lists;  // watch list → its terms
  std::set<std::string> m_words;                         // matched words, as written
  std::vector<Span> m_title_spans;                       // of the headline
  std::vector<Seen> m_entries;
  std::set<std::string> m_seen;
  json m_event;
  json m_headline;  // the first alert's entry
  std::string m_headline_feed;
  std::string m_snippet;
  json m_first;  // the first message's entry (an update, when the alert is older)
  std::string m_first_feed;
  int64_t m_first_seq = 0;
  int64_t m_last_seq = 0;
  int64_t m_last_ms = 0;
};

}  // namespace

int64_t Desk::card_key(const json& message) {
  // Ids start at 0, so presence decides, not the value; -seq never meets one.
  if (auto it = message.find("event"); it != message.end() && it->is_object()) {
    if (auto id = it->find("id"); id != it->end() && id->is_number_integer()) {
      return id->get<int64_t>();
    }
  }
  if (auto it = message.find("story"); it != message.end()) {
    if (it->is_object() && it->contains("id") && (*it)["id"].is_number_integer()) {
      return (*it)["id"].get<int64_t>();
    }
    if (it->is_number_integer()) {
      return it->get<int64_t>();
    }
  }
  return -integer(message, "seq");
}

struct Desk::Impl {
  store::Database db;
  store::Statement recent;
  store::Statement entries;
  store::Statement copies;

  explicit Impl(store::Database d)
      : db(std::move(d)),
        recent(db.prepare("SELECT seq, created, topic, payload FROM alerts ORDER BY seq DESC")),
        entries(db.prepare("SELECT event, outlet, time, story FROM story_entries WHERE time >= ?1 "
                           "ORDER BY time, seq")),
        copies(db.prepare("SELECT story, outlet, last_time FROM story_copies "
                          "WHERE last_time >= ?1")) {}

  // The messages of the window, oldest first (read from the newest back; seq and
  // time rise together, so the read stops at the first run of older messages —
  // a run, not one, in case the clock stepped back).
  std::vector<Message> window(int64_t since_ms) {
    std::vector<Message> out;
    recent.reset();
    for (int older = 0; older < 256 && recent.step();) {
      if (recent.column_int(1) < since_ms) {
        ++older;
        continue;
      }
      older = 0;
      json body = json::parse(recent.column_text(3), nullptr, false);
      if (body.is_object()) {
        out.push_back({recent.column_int(0), recent.column_int(1), recent.column_text(2), body});
      }
    }
    recent.reset();
    std::reverse(out.begin(), out.end());
    return out;
  }

  // Each wanted event's outlets and when khobord saw them (story_entries, and the
  // copies folded into their stories: story_copies), in time order.
  std::map<int64_t, std::vector<std::pair<std::string, int64_t>>> timelines(
      const std::set<int64_t>& events, int64_t since_s) {
    std::map<int64_t, std::vector<std::pair<std::string, int64_t>>> out;
    std::map<int64_t, int64_t> story_event;
    entries.reset();
    entries.bind(1, since_s);
    while (entries.step()) {
      int64_t event = entries.column_int(0);
      if (events.count(event) != 0) {
        story_event[entries.column_int(3)] = event;
        out[event].emplace_back(entries.column_text(1), entries.column_int(2));
      }
    }
    entries.reset();
    copies.reset();
    copies.bind(1, since_s);
    while (copies.step()) {
      if (auto it = story_event.find(copies.column_int(0)); it != story_event.end()) {
        out[it->second].emplace_back(copies.column_text(1), copies.column_int(2));
      }
    }
    copies.reset();
    for (auto& [event, points] : out) {
      std::stable_sort(points.begin(), points.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
      if (points.size() > k_max_timeline) {
        points.resize(k_max_timeline);
      }
    }
    return out;
  }

  std::map<int64_t, CardBuilder> builders(int64_t now_s, const DeskOptions& o) {
    std::map<int64_t, CardBuilder> cards;
    for (const auto& m : window((now_s - o.window_s) * 1000)) {
      cards[Desk::card_key(m.body)].add(m);
    }
    return cards;
  }

  json cards_json(const std::vector<std::pair<int64_t, const CardBuilder*>>& chosen, int64_t now_s,
                  const DeskOptions& o) {
    std::set<int64_t> events;
    for (const auto& [key, b] : chosen) {
      if (b->event_id() >= 0) {
        events.insert(b->event_id());
      }
    }
    auto lines = timelines(events, now_s - o.window_s - o.story_window_s);
    json out = json::array();
    for (const auto& [key, b] : chosen) {
      out.push_back(b->build(key, lines[b->event_id()]));
    }
    return out;
  }
};

Desk::Desk(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Desk::~Desk() = default;
Desk::Desk(Desk&&) noexcept = default;
Desk& Desk::operator=(Desk&&) noexcept = default;

Result<Desk> Desk::open(const std::string& path) {
  auto db = store::Database::open_readonly(path);
  if (!db) {
    return db.error();
  }
  try {
    int version = db->user_version();
    if (version < 7) {
      return make_error("store", path + ": schema version " + std::to_string(version) +
                                     ", the desk needs 7 or later (events); start khobord "
                                     "once to bring the store up to date");
    }
    return Desk(std::make_unique<Impl>(std::move(*db)));
  } catch (const store::StoreError& e) {
    return make_error("store", path + ": " + e.what());
  }
}

json Desk::events(int64_t now_s, const DeskOptions& o) {
  auto cards = m_impl->builders(now_s, o);
  std::vector<std::pair<int64_t, const CardBuilder*>> chosen;
  for (const auto& [key, b] : cards) {
    chosen.emplace_back(key, &b);
  }
  std::sort(chosen.begin(), chosen.end(), [](const auto& a, const auto& b) {
    return a.second->last_seq() > b.second->last_seq();
  });
  if (chosen.size() > o.max_events) {
    chosen.resize(o.max_events);
  }
  return {{"window_s", o.window_s}, {"events", m_impl->cards_json(chosen, now_s, o)}};
}

json Desk::card(int64_t key, int64_t now_s, const DeskOptions& o) {
  auto cards = m_impl->builders(now_s, o);
  auto it = cards.find(key);
  if (it == cards.end()) {
    return json();
  }
  return m_impl->cards_json({{key, &it->second}}, now_s, o).at(0);
}

DeskNumbers Desk::numbers(int64_t now_s, const DeskOptions& o) {
  DeskNumbers n;
  auto q = m_impl->db.prepare(
      "SELECT COUNT(*), COUNT(DISTINCT story), COUNT(DISTINCT event) FROM story_entries "
      "WHERE time >= ?1");
  q.bind(1, now_s - o.story_window_s);
  if (q.step()) {
    n.entries = q.column_int(0);
    n.stories = q.column_int(1);
    n.events = q.column_int(2);
  }
  std::error_code ec;
  for (const char* suffix : {"", "-wal"}) {
    auto size = std::filesystem::file_size(m_impl->db.path() + suffix, ec);
    n.store_bytes += ec ? 0 : static_cast<int64_t>(size);
  }
  n.schema = m_impl->db.user_version();
  return n;
}

}  // namespace khobor::web
