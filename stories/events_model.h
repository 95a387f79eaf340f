// khobor/stories/events_model.h — the trained weights of the event decision.
//
// Written by bench/event_train (see docs/stories.md, "Events: training"); do not edit
// by hand: retrain and commit the file it writes. Trained on: events-w2 events-w3.
// Feature order: k_event_feature_names (stories/events.cpp).
#pragma once

#include <array>

namespace khobor::stories::model {

// cos_title, cos_all, best_title, rare_shared, title_unshared, num_unshared, time_newest,
// time_first, same_outlet, cos_title_all, contained, short_title
inline constexpr std::array<double, 12> k_weights = {1.651471,  1.924085,  4.408535, 2.209290,
                                                     -0.159226, -0.391858, 1.755888, 1.304041,
                                                     -0.957611, 2.477794,  2.045945, -0.875956};
inline constexpr double k_bias = -10.568304;
inline constexpr double k_threshold = 0.45;

}  // namespace khobor::stories::model
