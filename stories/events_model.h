// khobor/stories/events_model.h — the trained weights of the event decision.
//
// Written by bench/event_train (see docs/stories.md, "Events: training"); do not edit
// by hand: retrain and commit the file it writes. Trained on: events-w2 events-w3,
// paraphrase/BnPC_train.csv (each pair weighing 0.10).
// Feature order: k_event_feature_names (stories/events.cpp).
#pragma once

#include <array>

namespace khobor::stories::model {

inline constexpr std::array<double, 12> k_weights = {
    1.808326,   // cos_title
    5.054759,   // cos_all
    3.241141,   // best_title
    1.142443,   // rare_shared
    -0.756809,  // title_unshared
    -0.392420,  // num_unshared
    1.291517,   // time_newest
    1.141871,   // time_first
    -1.283517,  // same_outlet
    1.580255,   // cos_title_all
    1.466500,   // contained
    -3.069017,  // short_title
};
inline constexpr double k_bias = -7.764554;
inline constexpr double k_threshold = 0.30;

}  // namespace khobor::stories::model
