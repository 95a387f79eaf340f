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
    1.286132, 1.947168, 4.390559, 2.053436, -0.254641, -0.399829, 1.703990, 1.058777, -0.918508, 2.148824, 1.876829, -1.110353};
inline constexpr double k_bias = -9.749838;
inline constexpr double k_threshold = 0.35;

}  // namespace khobor::stories::model
