// The live pages' broadcast: cursors, the resync of a page left behind, the limit
// of live pages, and closing wakes the waiters. Real threads, no sleeps.
#include "web/hub.h"

#include <catch2/catch.hpp>
#include <thread>

using khobor::web::Hub;
using namespace std::chrono_literals;

TEST_CASE("Each page gets the items pushed after it joined, in order", "[web][hub]") {
  Hub hub;
  hub.push("before");
  uint64_t cursor = hub.cursor();
  hub.push("a");
  hub.push("b");
  auto items = hub.wait(cursor, 0ms);
  REQUIRE(items);
  CHECK(*items == std::vector<std::string>{"a", "b"});
  CHECK(hub.wait(cursor, 0ms)->empty());  // nothing new: empty on timeout
}

TEST_CASE("A page further behind than the kept items is told to resync", "[web][hub]") {
  Hub hub;
  uint64_t cursor = hub.cursor();
  for (int i = 0; i < 100; ++i) {
    hub.push(std::to_string(i));
  }
  CHECK(*hub.wait(cursor, 0ms) == std::vector<std::string>{Hub::k_resync});
  hub.push("next");
  CHECK(*hub.wait(cursor, 0ms) == std::vector<std::string>{"next"});
}

TEST_CASE("A waiting page wakes on a push and ends on close", "[web][hub]") {
  Hub hub;
  uint64_t cursor = hub.cursor();
  std::optional<std::vector<std::string>> got;
  std::thread page([&] { got = hub.wait(cursor, 60s); });
  hub.push("x");
  page.join();
  REQUIRE(got);
  CHECK(*got == std::vector<std::string>{"x"});
  std::thread closing([&] { got = hub.wait(cursor, 60s); });
  hub.close();
  closing.join();
  CHECK_FALSE(got);
}

TEST_CASE("At most the limit of live pages join", "[web][hub]") {
  Hub hub;
  CHECK(hub.join(2));
  CHECK(hub.join(2));
  CHECK_FALSE(hub.join(2));
  hub.leave();
  CHECK(hub.join(2));
  CHECK(hub.pages() == 2);
}
