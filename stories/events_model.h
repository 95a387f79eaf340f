// khobor/stories/events_model.h — the trained weights of the event decision.
//
// Written by tools/train-events (see docs/stories.md, "Events: training"); do not edit
// by hand: retrain and commit the file it prints. Feature order: k_event_feature_names.
#pragma once

#include <array>

namespace khobor::stories::model {

inline constexpr std::array<double, 10> k_weights = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
inline constexpr double k_bias = -10.0;

}  // namespace khobor::stories::model
