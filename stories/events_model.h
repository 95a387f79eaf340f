// khobor/stories/events_model.h — the trained weights of the event decision.
//
// Written by bench/event_train (see docs/stories.md, "Events: training"); do not edit
// by hand: retrain and commit the file it writes. Trained on: events-w2 events-w3.
// Feature order: k_event_feature_names (stories/events.cpp).
#pragma once

#include <array>

namespace khobor::stories::model {

inline constexpr std::array<double, 12> k_weights = {
    1.177406,   // cos_title
    1.753146,   // cos_all
    4.382131,   // best_title
    2.076569,   // rare_shared
    -0.283443,  // title_unshared
    -0.397856,  // num_unshared
    1.694399,   // time_newest
    1.091047,   // time_first
    -0.867732,  // same_outlet
    2.146010,   // cos_title_all
    1.919297,   // contained
    -0.975429,  // short_title
};
inline constexpr double k_bias = -9.749684;
inline constexpr double k_threshold = 0.40;

}  // namespace khobor::stories::model
