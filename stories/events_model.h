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
    1.242664, 1.936296, 4.677391, 2.134281, -0.151558, -0.378843, 1.874453, 1.378135, -0.943865, 2.331593, 2.025786, -1.053304};
inline constexpr double k_bias = -10.543198;
inline constexpr double k_threshold = 0.45;

}  // namespace khobor::stories::model
