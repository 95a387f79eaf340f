// Tests of bus/: alerts to and from their JSON, and the publisher and subscriber on
// real ZeroMQ sockets (frames, late joiners, size bounds, taken endpoints).
#include <chrono>
// Bus tests on real ZeroMQ sockets bound to loopback with the port read back.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "bus/alert.h"
#include "bus/publisher.h"
#include "bus/subscriber.h"
#include "tests/support/zmq_probe.h"

using namespace khobor::bus;

namespace {
// The next message within `timeout_ms` (receive() itself now waits through
// (re)connections, which it counts; this stays as a deadline-bounded helper).
[[maybe_unused]] std::optional<khobor::bus::Message> next_message(khobor::bus::Subscriber& sub,
                                                                  int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (auto m = sub.receive(static_cast<int>(std::max<int64_t>(left.count(), 1)))) {
      return m;
    }
  }
  return std::nullopt;
}

Alert sample_alert() {
  Alert a;
  a.seq = 42;
  a.time_ms = 1'790'000'000'000;
  a.watchlist = "summit";
  a.rule = "পুতিন কিম";
  a.feed = "dainik-alo";
  a.feed_title = "দৈনিক আলো";
  a.entry = {"tag:alo,1", "পুতিন ও কিমের বৈঠক", "http://127.0.0.1/1", 1'789'999'000};
  a.hits = {{"পুতিন", "title", 0, 15}};
  a.snippet = "পুতিন ও কিমের বৈঠক";
  return a;
}

Publisher bind_loopback() {
  auto p = Publisher::bind("tcp://127.0.0.1:*");
  if (!p) {
    FAIL(p.error().message);
  }
  return std::move(*p);
}

Subscriber connect_to(const std::string& endpoint, const std::string& topic) {
  auto s = Subscriber::connect(endpoint, topic);
  if (!s) {
    FAIL(s.error().message);
  }
  return std::move(*s);
}

}  // namespace

TEST_CASE("An alert's JSON carries every documented field", "[bus][alert]") {
  auto j = nlohmann::json::parse(to_json(sample_alert()));
  CHECK(j["v"] == k_alert_version);
  CHECK(j["seq"] == 42);
  CHECK(j["time"] == "2026-09-21T14:13:20Z");
  CHECK(j["watchlist"] == "summit");
  CHECK(j["rule"] == "পুতিন কিম");
  CHECK(j["feed"] == "dainik-alo");
  CHECK(j["entry"]["id"] == "tag:alo,1");
  CHECK(j["entry"]["title"] == "পুতিন ও কিমের বৈঠক");
  CHECK(j["entry"]["link"] == "http://127.0.0.1/1");
  CHECK(j["entry"]["published"] == "2026-09-21T13:56:40Z");
  REQUIRE(j["hits"].size() == 1);
  CHECK(j["hits"][0]["term"] == "পুতিন");
  CHECK(j["hits"][0]["field"] == "title");
  CHECK(j["hits"][0]["end"] == 15);
}

TEST_CASE("An alert reads back from its JSON unchanged", "[bus][alert]") {
  Alert a = sample_alert();
  auto back = alert_from_json(to_json(a));
  REQUIRE(back.ok());
  CHECK(back->seq == a.seq);
  CHECK(back->time_ms == a.time_ms);
  CHECK(back->entry.title == a.entry.title);
  CHECK(back->entry.published == a.entry.published);
  CHECK(back->hits.at(0).term == "পুতিন");
  CHECK(back->snippet == a.snippet);
}

TEST_CASE("An entry without a date is published as null", "[bus][alert]") {
  Alert a = sample_alert();
  a.entry.published.reset();
  auto j = nlohmann::json::parse(to_json(a));
  CHECK(j["entry"]["published"].is_null());
}

TEST_CASE("Reading an alert without a seq names the missing field", "[bus][alert]") {
  auto r = alert_from_json(R"({"v":1,"watchlist":"x"})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("\"seq\"") != std::string::npos);
  CHECK_FALSE(alert_from_json("not json").ok());
}

TEST_CASE("The topic of an alert is alert. and the watch list's name", "[bus][alert]") {
  CHECK(alert_topic("summit") == "alert.summit");
}

TEST_CASE("A published alert reaches a subscriber as two frames, topic first", "[bus][zmq]") {
  Publisher pub = bind_loopback();
  REQUIRE(pub.endpoint().rfind("tcp://127.0.0.1:", 0) == 0);
  Subscriber sub = connect_to(pub.endpoint(), "alert.");
  REQUIRE(pub.wait_for_subscriber(5000));
  const std::string payload = to_json(sample_alert());
  REQUIRE(pub.publish("alert.summit", payload));
  auto m = next_message(sub, 5000);
  REQUIRE(m.has_value());
  CHECK(m->topic == "alert.summit");
  CHECK(m->payload == payload);
  CHECK(pub.sent() == 1);
  CHECK(pub.dropped() == 0);
}

TEST_CASE("A subscriber to one watch list's topic gets only that list's alerts", "[bus][zmq]") {
  Publisher pub = bind_loopback();
  Subscriber sub = connect_to(pub.endpoint(), "alert.summit");
  REQUIRE(pub.wait_for_subscriber(5000));
  REQUIRE(pub.publish("alert.cricket", "{\"n\":1}"));
  REQUIRE(pub.publish("alert.summit", "{\"n\":2}"));
  auto m = next_message(sub, 5000);
  REQUIRE(m.has_value());
  CHECK(m->topic == "alert.summit");
  CHECK(m->payload == "{\"n\":2}");
}

TEST_CASE("Without a subscriber, waiting for one gives up at its deadline", "[bus][zmq]") {
  Publisher pub = bind_loopback();
  CHECK_FALSE(pub.wait_for_subscriber(50));
  CHECK(pub.poll_subscriptions(0) == 0);
}

TEST_CASE("Binding an endpoint that is taken is an error naming the endpoint", "[bus][zmq]") {
  Publisher first = bind_loopback();
  auto second = Publisher::bind(first.endpoint());
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message.find(first.endpoint()) != std::string::npos);
}

TEST_CASE("A subscriber started before the publisher still gets the alerts", "[bus][zmq]") {
  // An ipc path in a private directory: no port to race for.
  char tmpl[] = "/tmp/khobor-bus-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  std::string ipc = std::string("ipc://") + tmpl + "/alerts.sock";
  Subscriber sub = connect_to(ipc, "");
  auto pub = Publisher::bind(ipc);
  REQUIRE(pub.ok());
  REQUIRE(pub->wait_for_subscriber(5000));
  REQUIRE(pub->publish("alert.x", "{}"));
  auto m = next_message(sub, 5000);
  REQUIRE(m.has_value());
  CHECK(m->topic == "alert.x");
  std::remove((std::string(tmpl) + "/alerts.sock").c_str());
  ::rmdir(tmpl);
}

TEST_CASE("A subscription over the size bound closes that subscriber, the others are served",
          "[bus][zmq]") {
  Publisher pub = bind_loopback();
  auto pump = [&] { pub.poll_subscriptions(0); };
  const std::string long_topic(static_cast<size_t>(k_max_subscription_bytes), 'a');
  auto over = khobor::testing::probe_subscription(pub.endpoint(), long_topic,
                                                  std::chrono::seconds(20), pump);
  CHECK(over.disconnected);
  CHECK(pub.poll_subscriptions(0) == 0);  // never read, so never counted
  Subscriber sub = connect_to(pub.endpoint(), "alert.");
  REQUIRE(pub.wait_for_subscriber(5000));
  REQUIRE(pub.publish("alert.summit", "{\"n\":1}"));
  auto m = next_message(sub, 5000);
  REQUIRE(m.has_value());
  CHECK(m->payload == "{\"n\":1}");
}
