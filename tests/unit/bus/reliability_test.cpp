// The publisher never blocks and counts what it drops; endpoints off loopback
// need CURVE; the subscriber notices (re)connections. Real ZeroMQ on loopback.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "bus/control.h"
#include "bus/publisher.h"
#include "bus/security.h"
#include "bus/subscriber.h"

using namespace khobor::bus;
using namespace std::chrono_literals;

namespace {
// Receive until `cond()` holds or 5 s passed (polling with a deadline).
template <typename Cond>
bool receive_until(Subscriber& sub, Cond cond) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    (void)sub.receive(50);
  }
  return true;
}

}  // namespace

TEST_CASE("The publisher refuses an endpoint off loopback without CURVE, naming the key",
          "[bus][security]") {
  auto p = Publisher::bind("tcp://0.0.0.0:*");
  REQUIRE_FALSE(p);
  CHECK(p.error().code == "config");
  CHECK_THAT(p.error().message, Catch::Contains("[publish] endpoint"));
  CHECK_THAT(p.error().message, Catch::Contains("curve_secret_key"));
}

TEST_CASE("A full subscriber makes sends fail at once, and the drops are counted", "[bus]") {
  PublisherOptions o;
  o.send_hwm = 10;
  auto p = Publisher::bind("tcp://127.0.0.1:*", o);
  REQUIRE(p);
  auto s = Subscriber::connect(p->endpoint(), "alert.");
  REQUIRE(s);
  REQUIRE(p->wait_for_subscriber(5000));
  // The subscriber reads nothing: once its queues are full, sends fail at once
  // (the loop never blocks) and each failure is counted.
  const std::string payload(64 * 1024, 'x');
  int tries = 0;
  auto start = std::chrono::steady_clock::now();
  while (p->dropped() == 0 && tries < 100'000) {
    p->publish("alert.x", payload);
    ++tries;
  }
  CHECK(p->dropped() > 0);
  CHECK(p->sent() + p->dropped() == static_cast<uint64_t>(tries));
  CHECK(std::chrono::steady_clock::now() - start < 30s);  // a bound, not a timing claim
}

TEST_CASE("The subscriber counts each connection, also after the publisher restarts", "[bus]") {
  std::string endpoint;
  auto p = Publisher::bind("tcp://127.0.0.1:*");
  REQUIRE(p);
  endpoint = p->endpoint();
  auto s = Subscriber::connect(endpoint, "alert.");
  REQUIRE(s);
  REQUIRE(receive_until(*s, [&] { return s->connections() >= 1; }));
  { Publisher gone = std::move(*p); }      // the publisher goes away …
  auto again = Publisher::bind(endpoint);  // … and comes back at the same endpoint
  REQUIRE(again);
  CHECK(receive_until(*s, [&] { return s->connections() >= 2; }));
}

TEST_CASE("Alerts and control requests travel over CURVE with the server's public key",
          "[bus][security]") {
  auto keys = generate_keypair();
  REQUIRE(keys);
  PublisherOptions o;
  o.security.curve_secret_key = keys->secret_key;
  auto p = Publisher::bind("tcp://127.0.0.1:*", o);
  REQUIRE(p);
  ClientSecurity client;
  client.server_public_key = keys->public_key;
  auto s = Subscriber::connect(p->endpoint(), "alert.", client);
  REQUIRE(s);
  REQUIRE(p->wait_for_subscriber(5000));
  p->publish("alert.x", "{\"seq\":1}");
  auto m = s->receive(5000);
  REQUIRE(m);
  CHECK(m->payload == "{\"seq\":1}");

  // A client with the wrong server key never gets through.
  auto other = generate_keypair();
  REQUIRE(other);
  ClientSecurity wrong;
  wrong.server_public_key = other->public_key;
  auto w = Subscriber::connect(p->endpoint(), "alert.", wrong);
  REQUIRE(w);
  p->publish("alert.x", "{\"seq\":2}");
  CHECK(s->receive(5000));
  CHECK_FALSE(w->receive(300));
}
