// khobor/feeds/feed_builder.cpp — identity rules and grouped warnings.
#include "feeds/feed_builder.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>

#include "base/hash.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "feeds/dates.h"
#include "feeds/urls.h"
#include "feeds/utf8_validate.h"

namespace khobor::feeds::detail {

namespace {

// A guid that can identify an entry: not empty, not a placeholder, not huge.
bool is_sane_guid(std::string_view g) {
  if (g.size() > 9) {
    return g.size() <= 2048;  // longer than any placeholder
  }
  if (g.empty()) {
    return false;
  }
  static constexpr std::string_view k_placeholders[] = {"0",   "null", "undefined", "none",
                                                        "nil", "-",    "false"};
  for (auto p : k_placeholders) {
    if (g == p) {
      return false;
    }
  }
  return true;
}

bool is_http_url(std::string_view s) {
  return s.starts_with("http://") || s.starts_with("https://");
}

// The stable hash of a and b joined by a unit separator, as 16 hex digits: the id
// of an entry without a usable guid (stored, so it must not change).
std::string fnv1a_hex(std::string_view a, std::string_view b) {
  const uint64_t h = fnv1a64(b, fnv1a64("\x1f", fnv1a64(a)));
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string shorten(std::string_view s) {
  if (s.size() <= 60) {
    return std::string(s);
  }
  size_t cut = 60;
  while (cut > 0 && utf8::is_continuation(s[cut])) {
    --cut;
  }
  return std::string(s.substr(0, cut)) + "…";
}

// A 64-bit key of a guid from its length and three 8-byte samples (start, middle,
// end): a few instructions whatever the guid's length, and for the guids feeds write
// (URLs, UUIDs, numbers, tag: URIs) nearly always different for different guids.
// Equal keys are told apart by comparing the strings.
uint64_t sample_key(std::string_view g) {
  auto mix = [](uint64_t h, uint64_t v) {
    h = (h ^ v) * 0xff51afd7ed558ccdULL;
    return h ^ (h >> 32);
  };
  const size_t n = g.size();
  uint64_t h = mix(0x9E3779B97F4A7C15ULL, n);
  if (n >= 8) {
    uint64_t first = 0;
    uint64_t middle = 0;
    uint64_t last = 0;
    std::memcpy(&first, g.data(), 8);
    std::memcpy(&middle, g.data() + (n - 8) / 2, 8);
    std::memcpy(&last, g.data() + n - 8, 8);
    h = mix(mix(mix(h, first), middle), last);
  } else {
    uint64_t all = 0;
    std::memcpy(&all, g.data(), n);
    h = mix(h, all);
  }
  return h;
}

}  // namespace

void FeedBuilder::commit_entry(std::string guid, bool guid_is_link) {
  if (std::string_view t = trim_c0_and_space(guid); t.size() != guid.size()) {
    guid = std::string(t);
  }
  Entry& entry = m_feed.entries.back();
  if (entry.link.empty() && guid_is_link && is_http_url(guid)) {
    entry.link = guid;
  }
  const bool sane = is_sane_guid(guid);
  m_drafts.push_back({std::move(guid), guid_is_link, sane});
}

std::optional<int64_t> FeedBuilder::date(std::string_view text, size_t entry_index,
                                         std::string_view element) {
  text = trim_c0_and_space(text);
  if (text.empty()) {
    return std::nullopt;
  }
  auto t = parse_date(text, m_options.default_timezone);
  if (!t) {
    warn("date: unreadable date", "'" + shorten(text) + "' in entry " +
                                      std::to_string(entry_index + 1) + " <" +
                                      std::string(element) + ">");
  }
  return t;
}

void FeedBuilder::warn(const std::string& kind, const std::string& first_detail) {
  auto& g = m_grouped[kind];
  if (g.count++ == 0) {
    g.first = first_detail;
    m_grouped_order.push_back(kind);
  }
}

FeedBuilder::Repeated FeedBuilder::count_repeated_guids() const {
  // Sorted by std::hash (no string comparison unless two hashes are equal).
  std::vector<std::pair<size_t, std::string_view>> guids;
  guids.reserve(m_drafts.size());
  const std::hash<std::string_view> hash;
  for (const auto& d : m_drafts) {
    if (d.sane) {
      guids.emplace_back(hash(d.guid), d.guid);
    }
  }
  std::sort(guids.begin(), guids.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Repeated r;
  for (size_t i = 0; i < guids.size();) {
    size_t j = i + 1;
    while (j < guids.size() && guids[j].first == guids[i].first) {
      ++j;
    }
    // Equal hashes: count each distinct guid among them (a collision is rare).
    for (size_t k = i; k < j; ++k) {
      size_t same = 0;
      for (size_t m = i; m < j; ++m) {
        same += guids[m].second == guids[k].second ? 1 : 0;
      }
      if (same > 1) {
        r.any = true;
        if (same > r.times) {
          r.guid = std::string(guids[k].second);
          r.times = same;
        }
      }
    }
    i = j;
  }
  return r;
}

FeedBuilder::Repeated FeedBuilder::repeated_guids() const {
  // Open addressing over sample keys, at most half full. A slot holds a draft's
  // index + 1 (0: empty) and its key. Equal keys compare the guids: equal guids
  // send the feed to the exact count (it names the guid for the warning); too many
  // different guids under equal keys (guids alike in every sampled byte) do too,
  // so the worst case stays the sort's.
  size_t sane = 0;
  for (const auto& d : m_drafts) {
    sane += d.sane ? 1 : 0;
  }
  if (sane < 2) {
    return {};
  }
  size_t capacity = 16;
  while (capacity < sane * 2) {
    capacity *= 2;
  }
  struct Slot {
    uint64_t key;
    size_t index;  // draft index + 1; 0 when empty
  };
  std::vector<Slot> slots(capacity, Slot{0, 0});
  const size_t mask = capacity - 1;
  size_t alike = 0;  // different guids with equal keys
  for (size_t i = 0; i < m_drafts.size(); ++i) {
    const Draft& d = m_drafts[i];
    if (!d.sane) {
      continue;
    }
    const uint64_t key = sample_key(d.guid);
    size_t at = static_cast<size_t>(key >> 40) & mask;
    while (slots[at].index != 0) {
      if (slots[at].key == key) {
        if (m_drafts[slots[at].index - 1].guid == d.guid) {
          return count_repeated_guids();
        }
        if (++alike > 64) {
          return count_repeated_guids();
        }
      }
      at = (at + 1) & mask;
    }
    slots[at] = Slot{key, i + 1};
  }
  return {};
}

ParsedFeed FeedBuilder::finish() {
  auto& entries = m_feed.entries;
  // Guids that repeat within the document cannot identify entries.
  const Repeated repeated = repeated_guids();
  const bool guids_repeat = repeated.any;
  if (guids_repeat) {
    m_feed.warnings.push_back("identity: guid '" + shorten(repeated.guid) + "' repeats " +
                              std::to_string(repeated.times) +
                              " times in this document; entry ids use the links instead");
  }
  size_t insane = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& e = entries[i];
    Draft& d = m_drafts[i];
    if (!guids_repeat && d.sane) {
      e.id = std::move(d.guid);
    } else {
      if (!d.guid.empty() && !d.sane) {
        ++insane;
      }
      if (!e.link.empty()) {
        e.id = canonical_url(e.link);
      } else if (guids_repeat && d.sane) {
        e.id = d.guid;
      } else {
        std::string when = e.published ? std::to_string(*e.published)
                                       : (e.updated ? std::to_string(*e.updated) : "");
        e.id = "hash:" + fnv1a_hex(e.title.empty() ? e.summary : e.title, when);
      }
    }
    if (e.summary.empty() && !e.content.empty()) {
      e.summary = e.content;
      if (e.summary_html.empty()) {
        e.summary_html = e.content_html;
      }
    }
  }
  if (insane > 0) {
    m_feed.warnings.push_back("identity: " + std::to_string(insane) +
                              " entries have a placeholder guid; their ids use the links");
  }
  // Warnings quote the input: keep them valid UTF-8 whatever the input was.
  for (auto& w : m_feed.warnings) {
    if (!is_valid_utf8(w)) {
      w = repair_utf8(w);
    }
  }
  for (const auto& kind : m_grouped_order) {
    const auto& g = m_grouped[kind];
    std::string w = kind + " " + g.first;
    if (g.count > 1) {
      w += " (and " + std::to_string(g.count - 1) + " more)";
    }
    m_feed.warnings.push_back(std::move(w));
  }
  return std::move(m_feed);
}

}  // namespace khobor::feeds::detail
