// khobor/store/sqlite.h — small move-only wrappers over SQLite's C API.
//
// Database owns one connection; Statement owns one prepared statement, bound by
// index (1-based, as SQLite counts), never built from strings; Transaction runs
// BEGIN IMMEDIATE and rolls back in its destructor unless commit() was called.
// A failing SQLite call throws StoreError (a broken invariant or a disk problem:
// caught at the per-feed boundary and in main). Not thread-safe: one connection
// per thread. No <sqlite3.h> here: the handles are opaque.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace khobor::store {

class StoreError : public std::runtime_error {
 public:
  // `code` is SQLite's (extended) result code, 0 when there is none.
  explicit StoreError(const std::string& what, int code = 0)
      : std::runtime_error(what), m_code(code) {}

  int code() const { return m_code; }
  // What went wrong in a few words, without the SQL ("database or disk is full",
  // "database is locked", "attempt to write a readonly database"): for the one
  // log line and the status of a store fault.
  std::string reason() const;
  // The file is no SQLite database, or a corrupt one (SQLITE_NOTADB, SQLITE_CORRUPT).
  bool not_a_database() const;
  // Writing is refused (SQLITE_READONLY): a connection opened on a file this user
  // cannot write stays so until it is opened again.
  bool read_only() const;
  // Another connection holds the lock (SQLITE_BUSY, after the busy timeout).
  bool busy() const;
  // The error of a connection that SQLite opened read-only (the file is not
  // writable for this user).
  static StoreError read_only_file(const std::string& path);

 private:
  int m_code = 0;
};

// Bytes to bind as a BLOB in Statement::start/execute (a string binds as TEXT).
struct Blob {
  std::string_view bytes;
};

class Statement {
 public:
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Bind parameter `index` (1-based). Text is copied by SQLite.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind_null(int index);
  // Bind bytes as a BLOB (copied by SQLite).
  Statement& bind_blob(int index, std::string_view bytes);

  // Reset, then bind `args` to parameters 1, 2, … by type: integers (bool as 0
  // or 1) as INTEGER, strings as TEXT, Blob as BLOB. For a query to step through;
  // reset() it after the last row.
  template <class... Args>
  Statement& start(const Args&... args) {
    reset();
    int index = 0;
    (bind_arg(++index, args), ...);
    return *this;
  }
  // start(args…), run to the end and reset; the rows the statement changed.
  template <class... Args>
  int execute(const Args&... args) {
    start(args...);
    run();
    const int n = changes();
    reset();
    return n;
  }

  // Advance: true when a row is ready to read, false when the statement is done.
  bool step();
  // Step to the end (for statements that return no rows).
  void run();
  // Reset for another execution and clear the bindings.
  void reset();

  // Column `index` (0-based) of the current row.
  int64_t column_int(int index) const;
  std::string column_text(int index) const;
  // Column `index` as bytes (a BLOB, or any value's bytes).
  std::string column_blob(int index) const;
  bool column_is_null(int index) const;

 private:
  friend class Database;
  // Rows changed by the last statement run on this connection.
  int changes() const;
  template <class T>
  void bind_arg(int index, const T& value) {
    if constexpr (std::is_same_v<T, Blob>) {
      bind_blob(index, value.bytes);
    } else if constexpr (std::is_integral_v<T>) {
      bind(index, static_cast<int64_t>(value));
    } else {
      bind(index, std::string_view(value));
    }
  }
  Statement(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}
  sqlite3* m_db = nullptr;
  sqlite3_stmt* m_stmt = nullptr;
};

class Database {
 public:
  // Open (creating when missing) the database at `path` (":memory:" for a
  // private in-memory one) in WAL mode with synchronous=NORMAL and a busy timeout.
  // `check`, when given, looks at the file before anything is written to it (WAL
  // mode rewrites the header); its Error is returned as it is.
  static Result<Database> open(const std::string& path,
                               const std::function<Status(Database&)>& check = {});
  // Open an existing database for reading only (SQLITE_OPEN_READONLY), beside
  // khobord's writer: WAL lets it read while khobord writes; a statement that
  // meets a lock waits up to the busy timeout, then throws StoreError.
  static Result<Database> open_readonly(const std::string& path);

  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Prepare one statement; throws StoreError naming the SQL on failure.
  Statement prepare(std::string_view sql);
  // Run a script of fixed SQL (schema migrations only; no parameters).
  void exec(const std::string& sql);
  int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;
  // PRAGMA user_version: the schema version.
  int user_version();
  void set_user_version(int version);
  // The journal mode in effect ("wal" for files, "memory" for :memory:).
  std::string journal_mode();
  // SQLite opened the file read-only (it is not writable for this user).
  bool read_only() const;
  // How long a statement waits for another connection's lock before SQLITE_BUSY.
  void set_busy_timeout(int ms);
  // Pages this connection looked up in its cache (hits and misses) since the last
  // call: the work its statements did, whatever the machine's speed.
  int64_t take_page_lookups();
  const std::string& path() const { return m_path; }

 private:
  Database(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}
  sqlite3* m_db = nullptr;
  std::string m_path;
};

class Transaction {
 public:
  // BEGIN IMMEDIATE on `db`, which must outlive the Transaction.
  explicit Transaction(Database& db);
  // Rolls back unless commit() succeeded.
  ~Transaction();
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // COMMIT; throws StoreError (and the destructor rolls back) on failure.
  void commit();

 private:
  Database* m_db;
  bool m_done = false;
};

}  // namespace khobor::store
