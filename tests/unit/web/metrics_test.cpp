// /metrics in the exposition format: HELP and TYPE per family, escaped labels,
// khobor_up 0 and no daemon series when khobord does not answer. (promtool
// checks the real output in tests/integration/desk/web_test.py.)
#include "web/metrics.h"

#include <catch2/catch.hpp>

using khobor::web::prometheus_text;
using nlohmann::json;

TEST_CASE("khobord's status becomes metrics with labels escaped", "[web][metrics]") {
  json status = {{"ok", true},
                 {"uptime_s", 90},
                 {"watchlists", 2},
                 {"rules", 5},
                 {"alerts", {{"published", 7}, {"dropped", 1}, {"last_seq", 9}, {"stored", 9}}},
                 {"polls", {{"ok", 4}, {"not_modified", 10}, {"failed", 2}, {"repaired", 1}}},
                 {"loop", {{"rounds", 50}, {"busy_s", 0.5}, {"busy_max_s", 0.02}}},
                 {"feeds",
                  {{{"id", "a\"b"},
                    {"last_attempt", "2026-12-03T10:00:00Z"},
                    {"error", ""},
                    {"http_status", 200},
                    {"latency_ms", 250},
                    {"last_success", "2026-12-03T10:00:00Z"}},
                   {{"id", "gone"}, {"retired", true}, {"http_status", 410}},
                   {{"id", "bad"}, {"error", "timeout"}, {"consecutive_errors", 3}}}}};
  khobor::web::DeskNumbers desk{4, 3, 6, 4096, 7};
  std::string text = prometheus_text(status, &desk, {5, 1, 11});
  CHECK(text.find("# TYPE khobor_alerts_published_total counter\n"
                  "khobor_alerts_published_total 7\n") != std::string::npos);
  CHECK(text.find("khobor_up 1\n") != std::string::npos);
  CHECK(text.find("khobor_polls_total{outcome=\"304\"} 10\n") != std::string::npos);
  CHECK(text.find("khobor_parse_repairs_total 1\n") != std::string::npos);
  CHECK(text.find("khobor_loop_busy_max_seconds 0.02") != std::string::npos);
  CHECK(text.find("khobor_feeds{state=\"failing\"} 1\n") != std::string::npos);
  CHECK(text.find("khobor_feeds{state=\"retired\"} 1\n") != std::string::npos);
  CHECK(text.find("khobor_feed_latency_seconds{feed=\"a\\\"b\"} 0.25\n") != std::string::npos);
  CHECK(text.find("khobor_feed_last_success_timestamp_seconds{feed=\"a\\\"b\"} 1796292000\n") !=
        std::string::npos);
  CHECK(text.find("khobor_story_window_events 3\n") != std::string::npos);
  CHECK(text.find("khobor_store_size_bytes 4096\n") != std::string::npos);
  CHECK(text.find("khobor_web_messages_received_total 5\n") != std::string::npos);
}

TEST_CASE("Without khobord's answer only khobor_up 0 and the local series", "[web][metrics]") {
  std::string text = prometheus_text(json(), nullptr, {});
  CHECK(text.find("khobor_up 0\n") != std::string::npos);
  CHECK(text.find("khobor_alerts") == std::string::npos);
  CHECK(text.find("khobor_store_size_bytes") == std::string::npos);
  CHECK(text.find("# TYPE khobor_web_requests_total counter") != std::string::npos);
}
