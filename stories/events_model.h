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
    1.813674,   // cos_title
    4.584170,   // cos_all
    3.234149,   // best_title
    1.275230,   // rare_shared
    -0.792793,  // title_unshared
    -0.414179,  // num_unshared
    1.207625,   // time_newest
    1.272995,   // time_first
    -1.261724,  // same_outlet
    1.581835,   // cos_title_all
    1.491033,   // contained
    -2.921041,  // short_title
};
inline constexpr double k_bias = -7.904388;
inline constexpr double k_threshold = 0.30;

}  // namespace khobor::stories::model
