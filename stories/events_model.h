// khobor/stories/events_model.h — the trained weights of the event decision.
//
// Written by bench/event_train (see docs/stories.md, "Events: training"); do not edit
// by hand: retrain and commit the file it writes. Trained on: events-w2 events-w3.
// Feature order: k_event_feature_names (stories/events.cpp).
#pragma once

#include <array>

namespace khobor::stories::model {

inline constexpr std::array<double, 12> k_weights = {
    1.216122,   // cos_title
    1.764973,   // cos_all
    4.371753,   // best_title
    2.074918,   // rare_shared
    -0.293409,  // title_unshared
    -0.396818,  // num_unshared
    1.664594,   // time_newest
    1.106545,   // time_first
    -0.866010,  // same_outlet
    2.141347,   // cos_title_all
    1.918866,   // contained
    -0.982865,  // short_title
};
inline constexpr double k_bias = -9.732524;
inline constexpr double k_threshold = 0.40;

}  // namespace khobor::stories::model
