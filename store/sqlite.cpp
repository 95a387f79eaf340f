// khobor/store/sqlite.cpp — the SQLite wrappers: errors as StoreError, statements
// bound by index, transactions that roll back unless committed.
#include "store/sqlite.h"

#include <sqlite3.h>

#include <utility>

namespace khobor::store {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  std::string msg = what + ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  throw StoreError(msg, db != nullptr ? sqlite3_extended_errcode(db) : SQLITE_NOMEM);
}

}  // namespace

bool StoreError::not_a_database() const {
  return (m_code & 0xFF) == SQLITE_NOTADB || (m_code & 0xFF) == SQLITE_CORRUPT;
}

bool StoreError::busy() const {
  return (m_code & 0xFF) == SQLITE_BUSY;
}

bool StoreError::read_only() const {
  return (m_code & 0xFF) == SQLITE_READONLY;
}

StoreError StoreError::read_only_file(const std::string& path) {
  return StoreError(path +
                        " is read-only for this user (give it back to the user khobord runs "
                        "as, with its -wal and -shm files)",
                    SQLITE_READONLY);
}

std::string StoreError::reason() const {
  if (m_code == 0) {
    return what();
  }
  std::string r = sqlite3_errstr(m_code);
  if ((m_code & 0xFF) == SQLITE_IOERR || (m_code & 0xFF) == SQLITE_READONLY) {
    r += " (SQLite code " + std::to_string(m_code) + ")";  // the extended code names the step
  }
  return r;
}

// --- Statement ---

Statement::~Statement() {
  sqlite3_finalize(m_stmt);
}

Statement::Statement(Statement&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_stmt(std::exchange(other.m_stmt, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(m_stmt);
    m_db = std::exchange(other.m_db, nullptr);
    m_stmt = std::exchange(other.m_stmt, nullptr);
  }
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(m_stmt, index, value) != SQLITE_OK) {
    fail(m_db, "binding parameter " + std::to_string(index));
  }
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    fail(m_db, "binding parameter " + std::to_string(index));
  }
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  if (sqlite3_bind_blob64(m_stmt, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT) !=
      SQLITE_OK) {
    fail(m_db, "binding parameter " + std::to_string(index));
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(m_stmt, index) != SQLITE_OK) {
    fail(m_db, "binding parameter " + std::to_string(index));
  }
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  std::string sql = sqlite3_sql(m_stmt) != nullptr ? sqlite3_sql(m_stmt) : "";
  sqlite3_reset(m_stmt);
  fail(m_db, "running \"" + sql + "\"");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(m_stmt, index);
}

std::string Statement::column_text(int index) const {
  const auto* p = sqlite3_column_text(m_stmt, index);
  int n = sqlite3_column_bytes(m_stmt, index);
  return p == nullptr ? std::string{} : std::string(reinterpret_cast<const char*>(p), n);
}

std::string Statement::column_blob(int index) const {
  const auto* p = sqlite3_column_blob(m_stmt, index);
  int n = sqlite3_column_bytes(m_stmt, index);
  return p == nullptr ? std::string{} : std::string(static_cast<const char*>(p), n);
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(m_stmt, index) == SQLITE_NULL;
}

// --- Database ---

Result<Database> Database::open(const std::string& path,
                                const std::function<Status(Database&)>& check) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open the store " + path + ": " +
                      (db != nullptr ? sqlite3_errmsg(db) : "out of memory") +
                      " (check that its directory exists and is writable)";
    sqlite3_close(db);
    return make_error("store", msg);
  }
  Database out(db, path);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  try {
    // Only read before `check` has had its say: journal_mode=WAL rewrites the
    // file's header, and a file that is not ours is never written.
    out.exec("PRAGMA schema_version;");
    if (check) {
      if (auto st = check(out); !st) {
        return st.error();
      }
    }
    Statement empty = out.prepare("SELECT COUNT(*) = 0 FROM sqlite_master");
    empty.step();
    const bool is_new = empty.column_int(0) == 1;
    empty.reset();
    if (is_new) {
      out.exec("PRAGMA auto_vacuum=INCREMENTAL;");  // a new file only (a write)
    }
    // journal_size_limit: a WAL grown by a burst is cut back to 64 MiB after a
    // checkpoint instead of keeping its largest size.
    out.exec(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA journal_size_limit=67108864;");
  } catch (const StoreError& e) {
    if (e.not_a_database()) {
      // Never overwritten: the operator decides what the file is.
      return make_error("store_refused",
                        "the store " + path + " is not an SQLite database or is corrupt (" +
                            e.reason() +
                            "); khobord leaves it as it is: restore a backup, or move it away "
                            "to start with an empty store");
    }
    return make_error("store", "cannot set up the store " + path + ": " + e.what());
  }
  return out;
}

Result<Database> Database::open_readonly(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open the store " + path +
                      " for reading: " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory") +
                      " (does it exist, and may this user read it?)";
    sqlite3_close(db);
    return make_error("store", msg);
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  return Database(db, path);
}

Database::~Database() {
  sqlite3_close_v2(m_db);
}

Database::Database(Database&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_path(std::move(other.m_path)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(m_db);
    m_db = std::exchange(other.m_db, nullptr);
    m_path = std::move(other.m_path);
  }
  return *this;
}

Statement Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    fail(m_db, "preparing \"" + std::string(sql) + "\"");
  }
  return Statement(m_db, stmt);
}

void Database::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError("running \"" + sql + "\": " + msg, sqlite3_extended_errcode(m_db));
  }
}

int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const {
  return sqlite3_changes(m_db);
}

int Database::user_version() {
  Statement s = prepare("PRAGMA user_version");
  s.step();
  return static_cast<int>(s.column_int(0));
}

void Database::set_user_version(int version) {
  // PRAGMA takes no parameters; the value is an int we format, not user text.
  exec("PRAGMA user_version = " + std::to_string(version));
}

int64_t Database::take_page_lookups() {
  int64_t total = 0;
  for (const int op : {SQLITE_DBSTATUS_CACHE_HIT, SQLITE_DBSTATUS_CACHE_MISS}) {
    int current = 0;
    int high = 0;
    sqlite3_db_status(m_db, op, &current, &high, 1);  // 1: reset after reading
    total += current;
  }
  return total;
}

void Database::set_busy_timeout(int ms) {
  sqlite3_busy_timeout(m_db, ms);
}

bool Database::read_only() const {
  return sqlite3_db_readonly(m_db, "main") == 1;
}

std::string Database::journal_mode() {
  Statement s = prepare("PRAGMA journal_mode");
  s.step();
  return s.column_text(0);
}

// --- Transaction ---

Transaction::Transaction(Database& db) : m_db(&db) {
  m_db->exec("BEGIN IMMEDIATE");
}

Transaction::Transaction(Transaction&& other) noexcept
    : m_db(other.m_db), m_done(std::exchange(other.m_done, true)) {}

Transaction::~Transaction() {
  if (!m_done) {
    try {
      m_db->exec("ROLLBACK");
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing more to do in a destructor
    }
  }
}

void Transaction::commit() {
  m_db->exec("COMMIT");
  m_done = true;
}

}  // namespace khobor::store
