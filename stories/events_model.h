// khobor/stories/events_model.h — the trained weights of the event decision.
//
// Written by bench/event_train (see docs/stories.md, "Events: training"); do not edit
// by hand: retrain and commit the file it writes. Trained on: events-w2 events-w3,
// paraphrase/BnPC_train.csv (each pair weighing 0.20).
// Feature order: k_event_feature_names (stories/events.cpp).
#pragma once

#include <array>

namespace khobor::stories::model {

inline constexpr std::array<double, 12> k_weights = {
    1.763702,   // cos_title
    5.550531,   // cos_all
    3.271848,   // best_title
    0.989334,   // rare_shared
    -0.646818,  // title_unshared
    -0.414546,  // num_unshared
    1.390042,   // time_newest
    1.013092,   // time_first
    -1.331308,  // same_outlet
    1.680454,   // cos_title_all
    1.445206,   // contained
    -3.196586,  // short_title
};
inline constexpr double k_bias = -7.670723;
inline constexpr double k_threshold = 0.30;

}  // namespace khobor::stories::model
