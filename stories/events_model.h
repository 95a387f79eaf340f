// khobor/stories/events_model.h — the trained weights of the event decision.
//
// Written by bench/event_train (see docs/stories.md, "Events: training"); do not edit
// by hand: retrain and commit the file it writes. Trained on: events-w2 events-w3.
// Feature order: k_event_feature_names (stories/events.cpp).
#pragma once

#include <array>

namespace khobor::stories::model {

inline constexpr std::array<double, 12> k_weights = {
    1.428231,   // cos_title
    2.304250,   // cos_all
    4.185725,   // best_title
    1.969218,   // rare_shared
    -0.674654,  // title_unshared
    -0.521748,  // num_unshared
    1.653304,   // time_newest
    0.005073,   // time_first
    -1.008445,  // same_outlet
    1.855050,   // cos_title_all
    1.491574,   // contained
    -1.147949,  // short_title
};
inline constexpr double k_bias = -8.400972;
inline constexpr double k_threshold = 0.30;

}  // namespace khobor::stories::model
