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
    1.533100,   // cos_title
    4.184502,   // cos_all
    4.107306,   // best_title
    1.384392,   // rare_shared
    -0.377704,  // title_unshared
    -0.490314,  // num_unshared
    2.043394,   // time_newest
    -0.233784,  // time_first
    -1.128537,  // same_outlet
    2.378645,   // cos_title_all
    1.569368,   // contained
    -1.790387,  // short_title
};
inline constexpr double k_bias = -8.193268;
inline constexpr double k_threshold = 0.30;

}  // namespace khobor::stories::model
