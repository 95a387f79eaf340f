// khobor/web/metrics.h — Prometheus's text exposition format (version 0.0.4) of
// khobord's status (its control socket's `status` reply), the store's counts and
// khobor web's own counters. Names follow Prometheus's conventions: the
// `khobor_` prefix, base units (seconds, bytes), `_total` for counters. Pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "web/desk.h"

namespace khobor::web {

struct WebCounters {
  int64_t messages = 0;    // alerts and updates khobor web received from khobord
  int64_t live_pages = 0;  // pages following the live stream now
  int64_t requests = 0;    // HTTP requests answered
};

// `status`: khobord's status reply, or null when it did not answer (khobor_up 0
// and none of its series). `desk`: null when the store could not be read.
std::string prometheus_text(const nlohmann::json& status, const DeskNumbers* desk,
                            const WebCounters& web);

}  // namespace khobor::web
