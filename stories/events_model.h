// khobor/stories/events_model.h — the trained weights of the event decision.
//
// Written by bench/event_train (see docs/stories.md, "Events: training"); do not edit
// by hand: retrain and commit the file it writes. Trained on: events-w2 events-w3.
// Feature order: k_event_feature_names (stories/events.cpp).
#pragma once

#include <array>

namespace khobor::stories::model {

// cos_title, cos_all, best_title, rare_shared, title_unshared, num_unshared, time_newest, time_first, same_outlet, cos_title_all, contained, short_title
inline constexpr std::array<double, 12> k_weights = {
    1.168930, 1.831898, 4.267311, 1.990768, -0.398242, -0.385902, 1.823992, 1.406470, -0.910929, 2.004454, 1.683353, -1.222180};
inline constexpr double k_bias = -9.686706;
inline constexpr double k_threshold = 0.60;

}  // namespace khobor::stories::model
