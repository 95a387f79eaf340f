// khobor/web/desk.h — what the desk page shows, read from khobord's store.
//
// The store is opened read-only beside khobord's writer (SQLite's WAL lets both
// work at once). The page's unit is the event (store/SCHEMA.md, version 7): every
// alert and story.update of the window, grouped by their event, becomes one card
// with its headline (the watch lists' words marked), the outlets on a timeline
// (story_entries and story_copies: when khobord first saw each outlet's entry,
// which for a polled feed is minutes after it published) and the entries with
// links out. Cards are
// JSON; the page renders them as text, never as markup. Not thread-safe: one Desk
// per thread (opening one is cheap).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"

namespace khobor::web {

struct DeskOptions {
  int64_t window_s = 24 * 3600;        // cards of events with a message this recent
  int64_t story_window_s = 48 * 3600;  // how far back an event's entries may reach
  size_t max_events = 200;             // at most this many cards, the liveliest first
};

// Counts for /metrics.
struct DeskNumbers {
  int64_t stories = 0;  // distinct stories of the entries in the story window
  int64_t events = 0;   // distinct events of those entries
  int64_t entries = 0;  // entries in the story window
  int64_t store_bytes = 0;
  int64_t schema = 0;
};

class Desk {
 public:
  // Open the store at `path` read-only; an Error when it cannot be read or its
  // schema is older than 7 (no events yet: start khobord once to migrate it).
  static Result<Desk> open(const std::string& path);
  ~Desk();
  Desk(Desk&&) noexcept;
  Desk& operator=(Desk&&) noexcept;

  // {"window_s", "events": [card, …]}: the events with a message in the window,
  // the one with the newest message first. Throws store::StoreError when the
  // store stays locked past the busy timeout.
  nlohmann::json events(int64_t now_s, const DeskOptions& options);

  // The card of the event a message belongs to (see card_key), or null.
  nlohmann::json card(int64_t key, int64_t now_s, const DeskOptions& options);

  DeskNumbers numbers(int64_t now_s, const DeskOptions& options);

  // Which card a message (an alert's or update's JSON) belongs to: its event's
  // id, else its story's id (both from 0 up), else minus its seq (a card of its own).
  static int64_t card_key(const nlohmann::json& message);

 private:
  struct Impl;
  explicit Desk(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace khobor::web
