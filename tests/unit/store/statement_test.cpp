// Statement::start and execute: arguments bound in order by type, run, reset.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "store/sqlite.h"

using khobor::store::Blob;
using khobor::store::Database;
using khobor::store::Statement;

namespace {

Database memory_db() {
  auto db = Database::open(":memory:");
  REQUIRE(db.ok());
  db->exec("CREATE TABLE t (i INTEGER, s TEXT, b BLOB, f INTEGER)");
  return std::move(*db);
}

}  // namespace

TEST_CASE("execute binds integers, text, blobs and bools by type and order", "[store]") {
  Database db = memory_db();
  Statement ins = db.prepare("INSERT INTO t (i, s, b, f) VALUES (?1, ?2, ?3, ?4)");
  const uint64_t high = 0xF00D'0000'0000'BEEFULL;  // stored as a negative integer
  const std::string bytes("a\0b", 3);
  CHECK(ins.execute(high, std::string("পুতিন"), Blob{bytes}, true) == 1);
  CHECK(ins.execute(size_t{7}, "plain", Blob{""}, false) == 1);

  Statement sel = db.prepare("SELECT i, s, b, f, typeof(s), typeof(b) FROM t WHERE f = ?1");
  sel.start(true);
  REQUIRE(sel.step());
  CHECK(static_cast<uint64_t>(sel.column_int(0)) == high);
  CHECK(sel.column_text(1) == "পুতিন");
  CHECK(sel.column_blob(2) == bytes);
  CHECK(sel.column_int(3) == 1);
  CHECK(sel.column_text(4) == "text");
  CHECK(sel.column_text(5) == "blob");
  CHECK(!sel.step());
  sel.reset();

  // start() resets first: a statement left mid-way is taken again from the top.
  sel.start(false);
  REQUIRE(sel.step());
  CHECK(sel.column_int(0) == 7);
  sel.start(false);
  REQUIRE(sel.step());
  CHECK(sel.column_text(1) == "plain");
  sel.reset();
}

TEST_CASE("execute returns the rows it changed and leaves the statement reusable", "[store]") {
  Database db = memory_db();
  Statement ins = db.prepare("INSERT INTO t (i) VALUES (?1)");
  for (int64_t i = 0; i < 5; ++i) {
    ins.execute(i);
  }
  Statement del = db.prepare("DELETE FROM t WHERE i < ?1");
  CHECK(del.execute(3) == 3);
  CHECK(del.execute(3) == 0);
  CHECK(del.execute(int64_t{10}) == 2);
}
