// Tests of bus/ endpoint security (local endpoints, CURVE keys) and the control
// socket on loopback and over CURVE.
#include "bus/control.h"

#include <poll.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "bus/security.h"
#include "tests/support/zmq_probe.h"

using namespace khobor::bus;
using nlohmann::json;

namespace {
// Serve requests on `server` from a thread until `stop`, as the loop would.
void serve(ControlServer& server, std::atomic<bool>& stop) {
  auto handler = [](std::string_view req) {
    auto j = json::parse(req);
    return json{{"ok", true}, {"echo", j.value("cmd", "")}}.dump();
  };
  while (!stop) {
    pollfd p{server.fd(), POLLIN, 0};
    ::poll(&p, 1, 50);
    server.process(handler);
  }
}
}  // namespace

TEST_CASE("Loopback and ipc endpoints are local, others are not", "[bus][security]") {
  CHECK(is_local_endpoint("tcp://127.0.0.1:7650"));
  CHECK(is_local_endpoint("tcp://127.1.2.3:*"));
  CHECK(is_local_endpoint("tcp://localhost:7650"));
  CHECK(is_local_endpoint("tcp://[::1]:7650"));
  CHECK(is_local_endpoint("ipc:///run/khobor/alerts"));
  CHECK(is_local_endpoint("inproc://x"));
  CHECK_FALSE(is_local_endpoint("tcp://0.0.0.0:7650"));
  CHECK_FALSE(is_local_endpoint("tcp://*:7650"));
  CHECK_FALSE(is_local_endpoint("tcp://192.168.1.5:7650"));
  CHECK_FALSE(is_local_endpoint("tcp://127.0.0.1.evil.example:7650"));
  CHECK_FALSE(is_local_endpoint("tcp://eth0:7650"));
}

TEST_CASE("A non-local endpoint without CURVE is refused with the reason", "[bus][security]") {
  auto refused = check_bind_allowed("tcp://0.0.0.0:7650", {}, "[publish] endpoint");
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("[publish] endpoint"));
  CHECK_THAT(refused.error().message, Catch::Contains("khobor keygen"));
  auto keys = generate_keypair();
  REQUIRE(keys);
  CHECK(check_bind_allowed("tcp://0.0.0.0:7650", ServerSecurity{keys->secret_key}, "x"));
  CHECK(check_bind_allowed("tcp://127.0.0.1:7650", {}, "x"));
}

TEST_CASE("A key pair's public key is derived from its secret key", "[bus][security]") {
  auto keys = generate_keypair();
  REQUIRE(keys);
  CHECK(keys->public_key.size() == 40);
  auto pub = public_key_of(keys->secret_key);
  REQUIRE(pub);
  CHECK(*pub == keys->public_key);
  CHECK_FALSE(public_key_of("short"));
}

TEST_CASE("The control socket answers JSON requests on loopback", "[bus][control]") {
  auto server = ControlServer::bind("tcp://127.0.0.1:*", {});
  REQUIRE(server);
  std::string ep = (*server)->endpoint();
  CHECK_THAT(ep, Catch::StartsWith("tcp://127.0.0.1:"));
  std::atomic<bool> stop{false};
  std::thread t(serve, std::ref(**server), std::ref(stop));
  for (int i = 0; i < 3; ++i) {
    auto reply = control_request(ep, R"({"cmd":"status"})", 5000);
    REQUIRE(reply);
    auto j = json::parse(*reply);
    CHECK(j["ok"] == true);
    CHECK(j["echo"] == "status");
  }
  stop = true;
  t.join();
}

TEST_CASE("The control socket works over CURVE on a non-local address", "[bus][control]") {
  auto keys = generate_keypair();
  REQUIRE(keys);
  // 127.0.0.1 is local, so the check is not needed, but CURVE must still work:
  // it is what protects a non-local endpoint.
  auto server = ControlServer::bind("tcp://127.0.0.1:*", ServerSecurity{keys->secret_key});
  REQUIRE(server);
  std::atomic<bool> stop{false};
  std::thread t(serve, std::ref(**server), std::ref(stop));
  ClientSecurity cs;
  cs.server_public_key = keys->public_key;
  auto reply = control_request((*server)->endpoint(), R"({"cmd":"feeds"})", 5000, cs);
  REQUIRE(reply);
  CHECK(json::parse(*reply)["echo"] == "feeds");
  // A client that does not speak CURVE gets no answer.
  auto plain = control_request((*server)->endpoint(), R"({"cmd":"feeds"})", 300);
  CHECK_FALSE(plain);
  stop = true;
  t.join();
}

TEST_CASE("A request to nobody fails with a message that says what to check", "[bus][control]") {
  auto reply = control_request("tcp://127.0.0.1:1", R"({"cmd":"status"})", 200);
  REQUIRE_FALSE(reply);
  CHECK_THAT(reply.error().message, Catch::Contains("is khobord running"));
}

TEST_CASE("A request over the size bound is dropped unread and the socket serves the next one",
          "[bus][control]") {
  auto server = ControlServer::bind("tcp://127.0.0.1:*", {});
  REQUIRE(server);
  const std::string ep = (*server)->endpoint();
  int handled = 0;
  auto pump = [&] {
    (*server)->process([&](std::string_view) {
      ++handled;
      return std::string(R"({"ok":true})");
    });
  };
  // Exactly at the bound: read and answered.
  std::string at_bound = R"({"cmd":"status","pad":")";
  at_bound += std::string(static_cast<size_t>(k_max_request_bytes) - at_bound.size() - 2, 'x');
  at_bound += "\"}";
  REQUIRE(at_bound.size() == static_cast<size_t>(k_max_request_bytes));
  auto ok = khobor::testing::probe_request(ep, at_bound, std::chrono::seconds(20), pump);
  CHECK(ok.replied);
  CHECK(handled == 1);
  // One byte over: the connection is closed when the size arrives, no reply.
  auto over = khobor::testing::probe_request(ep, at_bound + " ", std::chrono::seconds(20), pump);
  CHECK(over.disconnected);
  CHECK_FALSE(over.replied);
  CHECK(handled == 1);
  // The socket still serves a normal request.
  std::atomic<bool> stop{false};
  std::thread t(serve, std::ref(**server), std::ref(stop));
  auto reply = control_request(ep, R"({"cmd":"status"})", 5000);
  stop = true;
  t.join();
  REQUIRE(reply);
  CHECK(json::parse(*reply)["echo"] == "status");
}
