// khobor/stories/events_model.h — the trained weights of the event decision.
//
// Written by bench/event_train (see docs/stories.md, "Events: training"); do not edit
// by hand: retrain and commit the file it writes. Trained on: events-w2 events-w3.
// Feature order: k_event_feature_names (stories/events.cpp).
#pragma once

#include <array>

namespace khobor::stories::model {

// cos_title, cos_all, best_title, rare_shared, title_unshared, num_unshared, time_newest, time_first, same_outlet, cos_title_all, contained, short_title
inline constexpr std::array<double, 12> k_weights = {
    1.563941, 1.926618, 4.300498, 2.139004, -0.247460, -0.393100, 1.737030, 1.393583, -0.950100, 2.372941, 1.906158, -1.086453};
inline constexpr double k_bias = -10.282568;
inline constexpr double k_threshold = 0.45;

}  // namespace khobor::stories::model
