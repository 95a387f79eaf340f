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
    1.813536,   // cos_title
    4.590256,   // cos_all
    3.302612,   // best_title
    1.278764,   // rare_shared
    -0.728277,  // title_unshared
    -0.422201,  // num_unshared
    1.189135,   // time_newest
    1.298735,   // time_first
    -1.237811,  // same_outlet
    1.590461,   // cos_title_all
    1.482803,   // contained
    -2.869982,  // short_title
};
inline constexpr double k_bias = -7.991959;
inline constexpr double k_threshold = 0.30;

}  // namespace khobor::stories::model
