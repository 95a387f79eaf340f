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
    1.177406, 1.753146, 4.382131, 2.076569, -0.283443, -0.397856, 1.694399, 1.091047, -0.867732, 2.146010, 1.919297, -0.975429};
inline constexpr double k_bias = -9.749684;
inline constexpr double k_threshold = 0.40;

}  // namespace khobor::stories::model
