// khobor/store/store.cpp — the schema's migrations and every query of khobord's
// state, each a statement prepared once.
#include "store/store.h"

#include <array>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/log.h"

namespace khobor::store {
namespace {

// BLOBs hold numbers little-endian, so a store file reads the same on any
// machine: `v` appended to `blob`, and the T at byte `at` read back.
template <class T>
void append_le(std::string& blob, T v) {
  const auto u = static_cast<std::make_unsigned_t<T>>(v);
  for (size_t shift = 0; shift < 8 * sizeof(T); shift += 8) {
    blob.push_back(static_cast<char>((u >> shift) & 0xFFU));
  }
}
template <class T>
T read_le(const std::string& blob, size_t at) {
  std::make_unsigned_t<T> u = 0;
  for (size_t b = 0; b < sizeof(T); ++b) {
    u |= static_cast<std::make_unsigned_t<T>>(static_cast<unsigned char>(blob[at + b])) << (8 * b);
  }
  return static_cast<T>(u);
}

// Migration i takes the schema from version i to i+1 (newsboat's schemaPatches
// idea). Never edit a shipped step: append a new one. Documented in SCHEMA.md.
const std::array<const char*, Store::k_schema_version> k_migrations = {
    // 0 -> 1
    R"sql(
CREATE TABLE feeds (
  id                 TEXT PRIMARY KEY,
  url                TEXT NOT NULL,
  etag               TEXT NOT NULL DEFAULT '',
  last_modified      TEXT NOT NULL DEFAULT '',
  last_attempt       INTEGER NOT NULL DEFAULT 0,
  last_success       INTEGER NOT NULL DEFAULT 0,
  http_status        INTEGER NOT NULL DEFAULT 0,
  error              TEXT NOT NULL DEFAULT '',
  consecutive_errors INTEGER NOT NULL DEFAULT 0,
  next_due           INTEGER NOT NULL DEFAULT 0,
  bytes              INTEGER NOT NULL DEFAULT 0,
  entries            INTEGER NOT NULL DEFAULT 0,
  latency_ms         INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE entries_seen (
  feed_id    TEXT NOT NULL,
  entry_id   TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  PRIMARY KEY (feed_id, entry_id)
) WITHOUT ROWID;
CREATE TABLE alerts (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  created   INTEGER NOT NULL,
  topic     TEXT NOT NULL,
  watchlist TEXT NOT NULL,
  feed_id   TEXT NOT NULL,
  entry_id  TEXT NOT NULL,
  payload   TEXT NOT NULL,
  published INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alerts_unpublished ON alerts (seq) WHERE published = 0;
)sql",
    // 1 -> 2: the story index's window, and which stories were alerted per watch list
    R"sql(
CREATE TABLE story_entries (
  seq      INTEGER PRIMARY KEY,
  story    INTEGER NOT NULL,
  feed_id  TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  outlet   TEXT NOT NULL,
  time     INTEGER NOT NULL,
  simhash  INTEGER NOT NULL,
  features BLOB NOT NULL
);
CREATE INDEX story_entries_time ON story_entries (time);
CREATE TABLE story_alerts (
  story     INTEGER NOT NULL,
  watchlist TEXT NOT NULL,
  alert_seq INTEGER NOT NULL,
  PRIMARY KEY (story, watchlist)
) WITHOUT ROWID;
)sql",
    // 2 -> 3: feed health for the scheduler (issue 4)
    R"sql(
ALTER TABLE feeds ADD COLUMN interval_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN retired    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN moved_to   TEXT NOT NULL DEFAULT '';
ALTER TABLE feeds ADD COLUMN moved_from TEXT NOT NULL DEFAULT '';
)sql",
    // 3 -> 4: near-exact copies folded into their story, counted per (story, outlet)
    R"sql(
CREATE TABLE story_copies (
  story     INTEGER NOT NULL,
  outlet    TEXT NOT NULL,
  entries   INTEGER NOT NULL,
  last_time INTEGER NOT NULL,
  PRIMARY KEY (story, outlet)
);
CREATE INDEX story_copies_time ON story_copies (last_time);
)sql",
    // 4 -> 5: the interval before the server's hints (a 304 refreshes them), and
    // Retry-After holds of whole domains, kept across restarts (issue 4)
    R"sql(
ALTER TABLE feeds ADD COLUMN base_interval_s INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN ttl_s           INTEGER NOT NULL DEFAULT 0;
UPDATE feeds SET base_interval_s = interval_s;
CREATE TABLE domain_holds (
  domain TEXT PRIMARY KEY,
  until  INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 5 -> 6: entry identity across polls (feeds whose guids change on every poll, issue 3)
    R"sql(
CREATE TABLE feed_identity (
  feed_id  TEXT PRIMARY KEY,
  link_ids INTEGER NOT NULL DEFAULT 0,
  switched INTEGER NOT NULL DEFAULT 0,
  pairs    BLOB NOT NULL DEFAULT x''
) WITHOUT ROWID;
)sql",
    // 6 -> 7: the event level (issue 13): each saved entry's event and the size of
    // its fingerprint's title part; alerts and updates per (event, watch list), with
    // the coalesced update waiting for its group_interval; the canonical links seen
    R"sql(
ALTER TABLE story_entries ADD COLUMN event          INTEGER NOT NULL DEFAULT 0;
ALTER TABLE story_entries ADD COLUMN title_features INTEGER NOT NULL DEFAULT 0;
UPDATE story_entries SET event = story;
CREATE TABLE event_alerts (
  event     INTEGER NOT NULL,
  watchlist TEXT NOT NULL,
  alert_seq INTEGER NOT NULL,
  last_sent INTEGER NOT NULL,
  pending   TEXT NOT NULL DEFAULT '',
  due       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (event, watchlist)
) WITHOUT ROWID;
CREATE INDEX event_alerts_due ON event_alerts (due) WHERE due > 0;
INSERT INTO event_alerts (event, watchlist, alert_seq, last_sent)
  SELECT story, watchlist, alert_seq, 0 FROM story_alerts;
CREATE TABLE seen_links (
  link       INTEGER PRIMARY KEY,
  story      INTEGER NOT NULL,
  event      INTEGER NOT NULL,
  first_seen INTEGER NOT NULL
);
)sql",
    // 7 -> 8: bounded state (issue 14): when each seen entry and link was last
    // carried, and each feed's last body, so that what feeds no longer carry can be
    // forgotten; event_alerts pruned by last_sent; story_alerts (copied into
    // event_alerts by 7, no longer read) emptied. Existing rows count as seen now.
    R"sql(
ALTER TABLE entries_seen ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;
UPDATE entries_seen SET last_seen = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
CREATE INDEX entries_seen_last ON entries_seen (last_seen);
ALTER TABLE seen_links ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;
UPDATE seen_links SET last_seen = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
CREATE INDEX seen_links_last ON seen_links (last_seen);
ALTER TABLE feeds ADD COLUMN last_body INTEGER NOT NULL DEFAULT 0;
UPDATE feeds SET last_body = last_success;
CREATE INDEX event_alerts_sent ON event_alerts (last_sent);
DELETE FROM story_alerts;
)sql",
    // 8 → 9: the budget planner's memory of each feed (issue 15).
    R"sql(
CREATE TABLE planner_memory (
  feed_id        TEXT PRIMARY KEY,
  as_of          INTEGER NOT NULL,
  observed_since INTEGER NOT NULL,
  feed_size      INTEGER NOT NULL,
  dated          INTEGER NOT NULL,
  times          BLOB NOT NULL
) WITHOUT ROWID;
)sql",
};

constexpr const char* k_feed_columns =
    "id, url, etag, last_modified, last_attempt, last_success, http_status, error, "
    "consecutive_errors, next_due, bytes, entries, latency_ms, interval_s, retired, moved_to, "
    "moved_from, base_interval_s, ttl_s, last_body";

FeedState read_feed(const Statement& s) {
  FeedState f;
  f.feed_id = s.column_text(0);
  f.url = s.column_text(1);
  f.etag = s.column_text(2);
  f.last_modified = s.column_text(3);
  f.last_attempt_ms = s.column_int(4);
  f.last_success_ms = s.column_int(5);
  f.http_status = static_cast<long>(s.column_int(6));
  f.error = s.column_text(7);
  f.consecutive_errors = static_cast<int>(s.column_int(8));
  f.next_due_ms = s.column_int(9);
  f.bytes = s.column_int(10);
  f.entries = s.column_int(11);
  f.latency_ms = s.column_int(12);
  f.interval_s = s.column_int(13);
  f.retired = s.column_int(14) != 0;
  f.moved_to = s.column_text(15);
  f.moved_from = s.column_text(16);
  f.base_interval_s = s.column_int(17);
  f.ttl_s = s.column_int(18);
  f.last_body_ms = s.column_int(19);
  return f;
}

StoredAlert read_alert(const Statement& s) {
  StoredAlert a;
  a.seq = s.column_int(0);
  a.created_ms = s.column_int(1);
  a.topic = s.column_text(2);
  a.payload = s.column_text(3);
  a.published = s.column_int(4) != 0;
  return a;
}

// What the scheduler keeps: domain holds and the budget planner's memory.
struct ScheduleStatements {
  Statement put_hold;
  Statement select_holds;
  Statement delete_holds;
  Statement put_planner;
  Statement select_planner;
  Statement delete_planner;

  // A domain held twice keeps the later end.
  explicit ScheduleStatements(Database& db)
      : put_hold(db.prepare("INSERT INTO domain_holds (domain, until) VALUES (?1, ?2) ON "
                            "CONFLICT (domain) DO UPDATE SET until = MAX(until, excluded.until)")),
        select_holds(db.prepare("SELECT domain, until FROM domain_holds ORDER BY domain")),
        delete_holds(db.prepare("DELETE FROM domain_holds WHERE until <= ?1")),
        put_planner(db.prepare("INSERT OR REPLACE INTO planner_memory (feed_id, as_of, "
                               "observed_since, feed_size, dated, times) VALUES (?1, ?2, ?3, "
                               "?4, ?5, ?6)")),
        select_planner(db.prepare("SELECT feed_id, as_of, observed_since, feed_size, dated, "
                                  "times FROM planner_memory ORDER BY feed_id")),
        delete_planner(db.prepare("DELETE FROM planner_memory WHERE feed_id = ?1")) {}
};

// An event's alert per watch list and its pending update (group_interval).
struct EventAlertStatements {
  Statement insert_event_alert;
  Statement select_event_alerts;
  Statement put_pending;
  Statement mark_sent;
  Statement select_due;
  Statement select_next_due;

  explicit EventAlertStatements(Database& db)
      : insert_event_alert(
            db.prepare("INSERT OR IGNORE INTO event_alerts (event, watchlist, alert_seq, "
                       "last_sent) VALUES (?1, ?2, ?3, ?4)")),
        select_event_alerts(
            db.prepare("SELECT event, watchlist, alert_seq, last_sent, pending, "
                       "due FROM event_alerts WHERE event = ?1 ORDER BY watchlist")),
        put_pending(db.prepare(
            "UPDATE event_alerts SET pending = ?3, due = ?4 WHERE event = ?1 AND watchlist = ?2")),
        mark_sent(db.prepare("UPDATE event_alerts SET last_sent = ?3, pending = '', due = 0 WHERE "
                             "event = ?1 AND watchlist = ?2")),
        select_due(db.prepare("SELECT event, watchlist, alert_seq, last_sent, pending, due FROM "
                              "event_alerts WHERE due > 0 AND due <= ?1 ORDER BY due, event, "
                              "watchlist LIMIT ?2")),
        select_next_due(
            db.prepare("SELECT COALESCE(MIN(due), 0) FROM event_alerts WHERE due > 0")) {}
};

}  // namespace

struct Store::Impl {
  Database db;
  Statement get_feed;
  Statement all_feeds;
  Statement put_feed;
  Statement revive_feed;
  Statement insert_seen;
  Statement touch_seen;
  Statement touch_link;
  Statement prune_seen;
  Statement prune_links;
  Statement prune_event_alerts;
  Statement select_seen;
  Statement insert_alert;
  Statement set_payload;
  Statement select_unpublished;
  Statement set_published;
  Statement select_after;
  Statement select_last_seq;
  Statement count_alerts;
  Statement put_story_entry;
  Statement select_story_entries;
  Statement delete_story_entries;
  Statement put_story_copy;
  Statement select_story_copies;
  Statement delete_story_copies;
  Statement insert_story_alert;
  Statement select_story_alerts;
  Statement select_first_seq;
  Statement prune;
  ScheduleStatements schedule;
  Statement get_identity;
  Statement put_identity;
  EventAlertStatements event_alerts;
  Statement select_link;
  Statement insert_link;

  // Longer than a function should be, on purpose: it is a list (one prepared
  // statement per member above, in their order), and SQL read in one place beside
  // SCHEMA.md is easier to check than SQL scattered over helpers.
  explicit Impl(Database d)
      : db(std::move(d)),
        get_feed(db.prepare(std::string("SELECT ") + k_feed_columns + " FROM feeds WHERE id = ?1")),
        all_feeds(db.prepare(std::string("SELECT ") + k_feed_columns + " FROM feeds ORDER BY id")),
        put_feed(db.prepare(
            std::string("INSERT OR REPLACE INTO feeds (") + k_feed_columns +
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
            "?17, ?18, ?19, ?20)")),
        revive_feed(db.prepare("UPDATE feeds SET retired = 0, next_due = 0, consecutive_errors = 0 "
                               "WHERE id = ?1")),
        insert_seen(db.prepare("INSERT OR IGNORE INTO entries_seen (feed_id, entry_id, first_seen, "
                               "last_seen) VALUES (?1, ?2, ?3, ?3)")),
        // Day granularity: a feed that repeats itself costs a read per entry, not a write.
        touch_seen(db.prepare("UPDATE entries_seen SET last_seen = ?3 WHERE feed_id = ?1 AND "
                              "entry_id = ?2 AND last_seen < ?3 - 86400000")),
        touch_link(db.prepare(
            "UPDATE seen_links SET last_seen = ?2 WHERE link = ?1 AND last_seen < ?2 - 86400000")),
        // An entry is forgotten once its feed's bodies have gone without it for
        // forget_after (?2), counted up to the feed's last body, not to now: a feed
        // answering 304 for months still carries what it carried. ?3 caps that: a
        // feed with no new body for a year (or gone from the config) lets go.
        prune_seen(db.prepare(
            "DELETE FROM entries_seen WHERE (feed_id, entry_id) IN (SELECT s.feed_id, s.entry_id "
            "FROM entries_seen s LEFT JOIN feeds f ON f.id = s.feed_id WHERE s.last_seen < ?1 - "
            "?2 AND (f.id IS NULL OR s.last_seen < f.last_body - ?2 OR s.last_seen < ?3) LIMIT "
            "?4)")),
        prune_links(db.prepare("DELETE FROM seen_links WHERE link IN (SELECT link FROM seen_links "
                               "WHERE last_seen < ?1 LIMIT ?2)")),
        prune_event_alerts(db.prepare(
            "DELETE FROM event_alerts WHERE (event, watchlist) IN (SELECT event, watchlist FROM "
            "event_alerts WHERE last_sent < ?1 AND due = 0 LIMIT ?2)")),
        select_seen(db.prepare("SELECT 1 FROM entries_seen WHERE feed_id = ?1 AND entry_id = ?2")),
        insert_alert(
            db.prepare("INSERT INTO alerts (created, topic, watchlist, feed_id, entry_id, payload) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, '')")),
        set_payload(db.prepare("UPDATE alerts SET payload = ?2 WHERE seq = ?1")),
        select_unpublished(db.prepare(
            "SELECT seq, created, topic, payload, published FROM alerts WHERE published = 0 "
            "ORDER BY seq LIMIT ?1")),
        set_published(db.prepare("UPDATE alerts SET published = 1 WHERE seq = ?1")),
        select_after(
            db.prepare("SELECT seq, created, topic, payload, published FROM alerts WHERE seq > ?1 "
                       "ORDER BY seq LIMIT ?2")),
        select_last_seq(db.prepare(
            "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'alerts'), 0)")),
        count_alerts(db.prepare("SELECT COUNT(*) FROM alerts")),
        put_story_entry(db.prepare(
            "INSERT OR REPLACE INTO story_entries (seq, story, feed_id, entry_id, outlet, time, "
            "simhash, features, event, title_features) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
            "?9, ?10)")),
        select_story_entries(
            db.prepare("SELECT seq, story, feed_id, entry_id, outlet, time, simhash, features, "
                       "event, title_features FROM story_entries WHERE time >= ?1 ORDER BY seq")),
        delete_story_entries(db.prepare("DELETE FROM story_entries WHERE time < ?1")),
        put_story_copy(db.prepare(
            "INSERT INTO story_copies (story, outlet, entries, last_time) VALUES (?1, ?2, 1, ?3) "
            "ON CONFLICT (story, outlet) DO UPDATE SET entries = entries + 1, last_time = "
            "MAX(last_time, excluded.last_time)")),
        select_story_copies(db.prepare("SELECT story, outlet, entries FROM story_copies WHERE "
                                       "last_time >= ?1 ORDER BY rowid")),
        delete_story_copies(db.prepare("DELETE FROM story_copies WHERE last_time < ?1")),
        insert_story_alert(db.prepare("INSERT OR IGNORE INTO story_alerts (story, watchlist, "
                                      "alert_seq) VALUES (?1, ?2, ?3)")),
        select_story_alerts(
            db.prepare("SELECT watchlist FROM story_alerts WHERE story = ?1 ORDER BY watchlist")),
        select_first_seq(db.prepare("SELECT COALESCE(MIN(seq), 0) FROM alerts")),
        // Only the `limit` oldest rows are read (seq order is creation order),
        // so a prune that finds nothing old costs a few page reads, not a scan.
        prune(db.prepare(
            "DELETE FROM alerts WHERE seq IN (SELECT seq FROM (SELECT seq, created, published "
            "FROM alerts ORDER BY seq LIMIT ?2) WHERE created < ?1 AND published = 1)")),
        schedule(db),
        get_identity(
            db.prepare("SELECT link_ids, switched, pairs FROM feed_identity WHERE feed_id = ?1")),
        put_identity(db.prepare("INSERT OR REPLACE INTO feed_identity (feed_id, link_ids, "
                                "switched, pairs) VALUES (?1, ?2, ?3, ?4)")),
        event_alerts(db),
        select_link(db.prepare("SELECT story, event FROM seen_links WHERE link = ?1")),
        insert_link(db.prepare("INSERT OR IGNORE INTO seen_links (link, story, event, first_seen, "
                               "last_seen) VALUES (?1, ?2, ?3, ?4, ?4)")) {}
};

namespace {

// Refuses a file that is not khobor's (khobord never writes into another
// program's database; a new store is empty, a khobor store at version >= 1 has
// its three first tables) and one written by a newer khobor. Reads only.
Status check_ours(Database& db) {
  const int version = db.user_version();
  if (version > Store::k_schema_version) {
    return make_error("store", "the store " + db.path() + " has schema version " +
                                   std::to_string(version) + ", newer than this khobor knows (" +
                                   std::to_string(Store::k_schema_version) +
                                   "): run a newer khobor or point [store] path elsewhere");
  }
  Statement tables = db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "ORDER BY name");
  std::string names;
  int ours = 0;
  while (tables.step()) {
    const std::string name = tables.column_text(0);
    names += (names.empty() ? "" : ", ") + name;
    ours += name == "feeds" || name == "entries_seen" || name == "alerts" ? 1 : 0;
  }
  if ((version == 0 && !names.empty()) || (version > 0 && ours < 3)) {
    return make_error("store_refused",
                      "the store " + db.path() + " is not a khobor store (schema version " +
                          std::to_string(version) +
                          ", tables: " + (names.empty() ? "none" : names) +
                          "); khobord does not write into another program's database: point "
                          "[store] path at a new file, or move this one away");
  }
  return Ok{};
}

// Bring the schema up to date, one step per transaction.
Status migrate(Database& db) {
  int version = db.user_version();
  for (int v = version; v < Store::k_schema_version; ++v) {
    Transaction tx(db);
    db.exec(k_migrations[static_cast<size_t>(v)]);
    db.set_user_version(v + 1);
    tx.commit();
  }
  return Ok{};
}

// A store made before schema 8 has no auto_vacuum: one VACUUM rewrites it with
// auto_vacuum=INCREMENTAL, so that pruned pages can go back to the file system.
// It needs free disk space about the store's size, and runs once.
void use_incremental_vacuum(Database& db) {
  constexpr int64_t k_incremental = 2;
  Statement mode = db.prepare("PRAGMA auto_vacuum");
  mode.step();
  const int64_t now = mode.column_int(0);
  mode.reset();  // VACUUM refuses to run beside an unfinished statement
  if (now == k_incremental || db.path() == ":memory:") {
    return;
  }
  KHOBOR_LOG(notice, "the store " + db.path() +
                         ": rewriting it once with auto_vacuum=INCREMENTAL (VACUUM), so that "
                         "pruned space goes back to the file system");
  // The mode must be asked for first: a VACUUM alone rewrites the file in the mode
  // it already has (NONE).
  db.exec("PRAGMA auto_vacuum=INCREMENTAL");
  db.exec("VACUUM");
}

}  // namespace

Result<Store> Store::open(const std::string& path) {
  auto db = Database::open(path, check_ours);
  if (!db) {
    return db.error();
  }
  try {
    if (auto st = migrate(*db); !st) {
      return st.error();
    }
    use_incremental_vacuum(*db);
    return Store(std::make_unique<Impl>(std::move(*db)));
  } catch (const StoreError& e) {
    if (e.not_a_database()) {
      return make_error("store_refused", "the store " + path + " is corrupt (" + e.reason() +
                                             "); khobord leaves it as it is: restore a backup, "
                                             "or move it away to start with an empty store");
    }
    return make_error("store", "cannot prepare the store " + path + ": " + e.what());
  }
}

Store::Store(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

int Store::schema_version() {
  return m_impl->db.user_version();
}
Database& Store::database() {
  return m_impl->db;
}
Transaction Store::begin() {
  return Transaction(m_impl->db);
}

std::optional<FeedState> Store::feed_state(const std::string& feed_id) {
  Statement& s = m_impl->get_feed;
  s.start(feed_id);
  std::optional<FeedState> out;
  if (s.step()) {
    out = read_feed(s);
  }
  s.reset();
  return out;
}

std::vector<FeedState> Store::feed_states() {
  Statement& s = m_impl->all_feeds;
  s.reset();
  std::vector<FeedState> out;
  while (s.step()) {
    out.push_back(read_feed(s));
  }
  s.reset();
  return out;
}

void Store::save_feed_state(const FeedState& f) {
  m_impl->put_feed.execute(f.feed_id, f.url, f.etag, f.last_modified, f.last_attempt_ms,
                           f.last_success_ms, f.http_status, f.error, f.consecutive_errors,
                           f.next_due_ms, f.bytes, f.entries, f.latency_ms, f.interval_s, f.retired,
                           f.moved_to, f.moved_from, f.base_interval_s, f.ttl_s, f.last_body_ms);
}

bool Store::enable_feed(const std::string& feed_id) {
  return m_impl->revive_feed.execute(feed_id) == 1;
}

bool Store::mark_seen(const std::string& feed_id, const std::string& entry_id, int64_t now_ms) {
  const bool inserted = m_impl->insert_seen.execute(feed_id, entry_id, now_ms) == 1;
  if (!inserted) {
    m_impl->touch_seen.execute(feed_id, entry_id, now_ms);
  }
  return inserted;
}

bool Store::seen(const std::string& feed_id, const std::string& entry_id) {
  Statement& s = m_impl->select_seen;
  s.start(feed_id, entry_id);
  bool found = s.step();
  s.reset();
  return found;
}

int64_t Store::append_alert(const NewAlert& alert, int64_t now_ms,
                            const std::function<std::string(int64_t seq)>& make_payload) {
  m_impl->insert_alert.execute(now_ms, alert.topic, alert.watchlist, alert.feed_id, alert.entry_id);
  int64_t seq = m_impl->db.last_insert_rowid();
  m_impl->set_payload.execute(seq, make_payload(seq));
  return seq;
}

std::vector<StoredAlert> Store::unpublished(size_t limit) {
  Statement& s = m_impl->select_unpublished;
  s.start(limit);
  std::vector<StoredAlert> out;
  while (s.step()) {
    out.push_back(read_alert(s));
  }
  s.reset();
  return out;
}

void Store::mark_published(int64_t seq) {
  m_impl->set_published.execute(seq);
}

std::vector<StoredAlert> Store::alerts_after(int64_t after, size_t limit) {
  Statement& s = m_impl->select_after;
  s.start(after, limit);
  std::vector<StoredAlert> out;
  while (s.step()) {
    out.push_back(read_alert(s));
  }
  s.reset();
  return out;
}

namespace {

// The one integer a statement without parameters returns (COUNT, MAX, MIN).
int64_t single_int(Statement& s) {
  s.reset();
  s.step();
  const int64_t v = s.column_int(0);
  s.reset();
  return v;
}

}  // namespace

int64_t Store::last_seq() {
  return single_int(m_impl->select_last_seq);
}

int64_t Store::alert_count() {
  return single_int(m_impl->count_alerts);
}

void Store::save_story_entry(const StoryEntryRow& row) {
  std::string blob;
  blob.reserve(row.features.size() * 4);
  for (const uint32_t f : row.features) {
    append_le(blob, f);
  }
  m_impl->put_story_entry.execute(row.seq, row.story, row.feed_id, row.entry_id, row.outlet,
                                  row.time, row.simhash, Blob{blob}, row.event, row.title_features);
}

std::vector<StoryEntryRow> Store::story_entries_since(int64_t since) {
  std::vector<StoryEntryRow> out;
  for_each_story_entry_since(since, [&out](StoryEntryRow& row) { out.push_back(std::move(row)); });
  return out;
}

size_t Store::for_each_story_entry_since(int64_t since,
                                         const std::function<void(StoryEntryRow&)>& fn) {
  Statement& s = m_impl->select_story_entries;
  s.start(since);
  size_t n = 0;
  StoryEntryRow row;
  while (s.step()) {
    row.features.clear();
    row.seq = s.column_int(0);
    row.story = s.column_int(1);
    row.feed_id = s.column_text(2);
    row.entry_id = s.column_text(3);
    row.outlet = s.column_text(4);
    row.time = s.column_int(5);
    row.simhash = static_cast<uint64_t>(s.column_int(6));
    const std::string blob = s.column_blob(7);
    for (std::size_t i = 0; i + 4 <= blob.size(); i += 4) {
      row.features.push_back(read_le<uint32_t>(blob, i));
    }
    row.event = s.column_int(8);
    row.title_features = static_cast<int>(s.column_int(9));
    fn(row);
    ++n;
  }
  s.reset();
  return n;
}

void Store::prune_story_entries(int64_t before) {
  for (Statement* s : {&m_impl->delete_story_entries, &m_impl->delete_story_copies}) {
    s->execute(before);
  }
}

void Store::save_story_copy(int64_t story, const std::string& outlet, int64_t time) {
  m_impl->put_story_copy.execute(story, outlet, time);
}

size_t Store::story_copies_since(
    int64_t since, const std::function<void(int64_t, const std::string&, int64_t)>& fn) {
  Statement& s = m_impl->select_story_copies;
  s.start(since);
  size_t rows = 0;
  while (s.step()) {
    fn(s.column_int(0), s.column_text(1), s.column_int(2));
    ++rows;
  }
  s.reset();
  return rows;
}

bool Store::mark_story_alerted(int64_t story, const std::string& watchlist, int64_t alert_seq) {
  return m_impl->insert_story_alert.execute(story, watchlist, alert_seq) == 1;
}

std::vector<std::string> Store::story_alert_lists(int64_t story) {
  Statement& s = m_impl->select_story_alerts;
  s.start(story);
  std::vector<std::string> out;
  while (s.step()) {
    out.push_back(s.column_text(0));
  }
  s.reset();
  return out;
}

bool Store::mark_event_alerted(int64_t event, const std::string& watchlist, int64_t alert_seq,
                               int64_t now_ms) {
  return m_impl->event_alerts.insert_event_alert.execute(event, watchlist, alert_seq, now_ms) == 1;
}

namespace {

EventAlertRow read_event_alert(const Statement& s) {
  EventAlertRow r;
  r.event = s.column_int(0);
  r.watchlist = s.column_text(1);
  r.alert_seq = s.column_int(2);
  r.last_sent_ms = s.column_int(3);
  r.pending = s.column_text(4);
  r.due_ms = s.column_int(5);
  return r;
}

}  // namespace

std::vector<EventAlertRow> Store::event_alerts(int64_t event) {
  Statement& s = m_impl->event_alerts.select_event_alerts;
  s.start(event);
  std::vector<EventAlertRow> out;
  while (s.step()) {
    out.push_back(read_event_alert(s));
  }
  s.reset();
  return out;
}

void Store::save_pending_update(int64_t event, const std::string& watchlist,
                                const std::string& pending, int64_t due_ms) {
  m_impl->event_alerts.put_pending.execute(event, watchlist, pending, due_ms);
}

void Store::mark_update_sent(int64_t event, const std::string& watchlist, int64_t now_ms) {
  m_impl->event_alerts.mark_sent.execute(event, watchlist, now_ms);
}

std::vector<EventAlertRow> Store::due_updates(int64_t now_ms, size_t limit) {
  Statement& s = m_impl->event_alerts.select_due;
  s.start(now_ms, limit);
  std::vector<EventAlertRow> out;
  while (s.step()) {
    out.push_back(read_event_alert(s));
  }
  s.reset();
  return out;
}

int64_t Store::next_update_due() {
  return single_int(m_impl->event_alerts.select_next_due);
}

std::optional<SeenLink> Store::seen_link(uint64_t link) {
  Statement& s = m_impl->select_link;
  s.start(link);
  std::optional<SeenLink> out;
  if (s.step()) {
    out = SeenLink{s.column_int(0), s.column_int(1)};
  }
  s.reset();
  return out;
}

bool Store::save_seen_link(uint64_t link, int64_t story, int64_t event, int64_t now_ms) {
  return m_impl->insert_link.execute(link, story, event, now_ms) == 1;
}

int64_t Store::first_seq() {
  return single_int(m_impl->select_first_seq);
}

void Store::save_domain_hold(const std::string& domain, int64_t until_ms) {
  m_impl->schedule.put_hold.execute(domain, until_ms);
}

// The entry dates as 8-byte little-endian integers, ascending.
void Store::save_planner_memory(const PlannerMemoryRow& row) {
  std::string bytes;
  bytes.reserve(row.times.size() * 8);
  for (int64_t t : row.times) {
    append_le(bytes, t);
  }
  m_impl->schedule.put_planner.execute(row.feed_id, row.as_of_s, row.observed_since_s,
                                       row.feed_size, row.dated, Blob{bytes});
}

namespace {

std::vector<int64_t> times_of(const std::string& bytes) {
  std::vector<int64_t> out;
  out.reserve(bytes.size() / 8);
  for (size_t k = 0; k + 8 <= bytes.size(); k += 8) {
    out.push_back(read_le<int64_t>(bytes, k));
  }
  return out;
}

}  // namespace

std::vector<PlannerMemoryRow> Store::planner_memories() {
  Statement& s = m_impl->schedule.select_planner;
  s.reset();
  std::vector<PlannerMemoryRow> out;
  while (s.step()) {
    out.push_back({s.column_text(0), s.column_int(1), s.column_int(2), s.column_int(3),
                   s.column_int(4) != 0, times_of(s.column_blob(5))});
  }
  s.reset();
  return out;
}

void Store::forget_planner_memory(const std::string& feed_id) {
  m_impl->schedule.delete_planner.execute(feed_id);
}

std::vector<DomainHold> Store::domain_holds(int64_t now_ms) {
  m_impl->schedule.delete_holds.execute(now_ms);
  Statement& s = m_impl->schedule.select_holds;
  s.reset();
  std::vector<DomainHold> out;
  while (s.step()) {
    out.push_back({s.column_text(0), s.column_int(1)});
  }
  s.reset();
  return out;
}

size_t Store::prune_alerts(int64_t before_ms, size_t limit) {
  return static_cast<size_t>(m_impl->prune.execute(before_ms, limit));
}

std::optional<FeedIdentity> Store::feed_identity(const std::string& feed_id) {
  Statement& s = m_impl->get_identity;
  s.start(feed_id);
  if (!s.step()) {
    s.reset();
    return std::nullopt;
  }
  FeedIdentity id;
  id.feed_id = feed_id;
  id.link_ids = s.column_int(0) != 0;
  id.switched_ms = s.column_int(1);
  // Pairs as little-endian uint64 values, link hash then id hash, 16 bytes a pair.
  const std::string blob = s.column_blob(2);
  s.reset();
  id.pairs.reserve(blob.size() / 16);
  for (size_t i = 0; i + 16 <= blob.size(); i += 16) {
    id.pairs.emplace_back(read_le<uint64_t>(blob, i), read_le<uint64_t>(blob, i + 8));
  }
  return id;
}

void Store::save_feed_identity(const FeedIdentity& identity) {
  std::string blob;
  blob.reserve(identity.pairs.size() * 16);
  for (const auto& [link, id] : identity.pairs) {
    append_le(blob, link);
    append_le(blob, id);
  }
  m_impl->put_identity.execute(identity.feed_id, identity.link_ids, identity.switched_ms,
                               Blob{blob});
}

void Store::touch_seen_link(uint64_t link, int64_t now_ms) {
  m_impl->touch_link.execute(link, now_ms);
}

size_t Store::prune_seen(int64_t now_ms, int64_t forget_after_ms, int64_t cap_ms, size_t limit) {
  return static_cast<size_t>(
      m_impl->prune_seen.execute(now_ms, forget_after_ms, now_ms - cap_ms, limit));
}

size_t Store::prune_seen_links(int64_t before_ms, size_t limit) {
  return static_cast<size_t>(m_impl->prune_links.execute(before_ms, limit));
}

size_t Store::prune_event_alerts(int64_t before_ms, size_t limit) {
  return static_cast<size_t>(m_impl->prune_event_alerts.execute(before_ms, limit));
}

void Store::incremental_vacuum(int pages) {
  // PRAGMA takes no parameters; `pages` is an int we format, not user text.
  m_impl->db.exec("PRAGMA incremental_vacuum(" + std::to_string(pages) + ")");
}

void Store::checkpoint() {
  m_impl->db.exec("PRAGMA wal_checkpoint(PASSIVE)");
}

StoreSize Store::size() {
  StoreSize out;
  for (auto [pragma, target] : {std::pair{"PRAGMA page_count", &out.pages},
                                std::pair{"PRAGMA freelist_count", &out.free_pages},
                                std::pair{"PRAGMA page_size", &out.page_size}}) {
    Statement s = m_impl->db.prepare(pragma);
    s.step();
    *target = s.column_int(0);
  }
  return out;
}

}  // namespace khobor::store
