// khobor/stories/events_model.h — the trained weights of the event decision.
//
// Written by bench/event_train (see docs/stories.md, "Events: training"); do not edit
// by hand: retrain and commit the file it writes. Trained on: events-w2 events-w3.
// Feature order: k_event_feature_names (stories/events.cpp).
#pragma once

#include <array>

namespace khobor::stories::model {

inline constexpr std::array<double, 12> k_weights = {
    1.501257,   // cos_title
    2.216474,   // cos_all
    4.132220,   // best_title
    1.985393,   // rare_shared
    -0.706901,  // title_unshared
    -0.510967,  // num_unshared
    1.668593,   // time_newest
    0.164937,   // time_first
    -0.995391,  // same_outlet
    1.851761,   // cos_title_all
    1.577345,   // contained
    -1.254468,  // short_title
};
inline constexpr double k_bias = -8.456930;
inline constexpr double k_threshold = 0.30;

}  // namespace khobor::stories::model
