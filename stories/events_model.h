// khobor/stories/events_model.h — the trained weights of the event decision.
//
// Written by bench/event_train (see docs/stories.md, "Events: training"); do not edit
// by hand: retrain and commit the file it writes. Trained on: events-w2 events-w3.
// Feature order: k_event_feature_names (stories/events.cpp).
#pragma once

#include <array>

namespace khobor::stories::model {

inline constexpr std::array<double, 12> k_weights = {
    1.460601,   // cos_title
    1.742342,   // cos_all
    4.149568,   // best_title
    2.092852,   // rare_shared
    -0.383901,  // title_unshared
    -0.505864,  // num_unshared
    1.660959,   // time_newest
    1.314336,   // time_first
    -1.022179,  // same_outlet
    2.243456,   // cos_title_all
    1.839711,   // contained
    -1.081347,  // short_title
};
inline constexpr double k_bias = -9.836368;
inline constexpr double k_threshold = 0.30;

}  // namespace khobor::stories::model
