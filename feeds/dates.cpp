// khobor/feeds/dates.cpp — date parsing. First the text is folded to ASCII tokens
// (Bengali digits to ASCII, Bengali month names to English abbreviations, other
// non-ASCII words to separators), then read as ISO 8601 or as a loose RFC 822.
#include "feeds/dates.h"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <array>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace khobor::feeds {

namespace {

constexpr int64_t k_unknown_zone = INT64_MIN;

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
[[gnu::always_inline]] inline int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int64_t y, int m) {
  static constexpr int k_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : k_days[m - 1];
}

struct Fields {
  int64_t year = -1;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int64_t offset = k_unknown_zone;  // seconds east of UTC
};

// The ICU time zone named `zone`, or null when ICU does not know it. Created once
// per thread and name (ICU time zones are costly to create); the zone asked last is
// remembered, so the common case (every date of a feed in its one default zone) is a
// string compare, not a map lookup.
const icu::TimeZone* time_zone(std::string_view zone) {
  thread_local std::map<std::string, std::unique_ptr<icu::TimeZone>, std::less<>> t_cache;
  thread_local std::string t_last_name;
  thread_local const icu::TimeZone* t_last = nullptr;
  thread_local bool t_have_last = false;
  if (t_have_last && zone == t_last_name) {
    return t_last;
  }
  auto it = t_cache.find(zone);
  if (it == t_cache.end()) {
    std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(
        icu::StringPiece(zone.data(), static_cast<int32_t>(zone.size())))));
    if (!tz || *tz == icu::TimeZone::getUnknown()) {
      tz.reset();
    }
    it = t_cache.emplace(std::string(zone), std::move(tz)).first;
  }
  // Map nodes are never erased: the pointer stays valid for the thread's life.
  t_last_name.assign(zone);
  t_last = it->second.get();
  t_have_last = true;
  return t_last;
}

// The offset of `zone` at the local wall time `local` (seconds since the epoch as
// if local were UTC).
std::optional<int64_t> zone_offset(std::string_view zone, int64_t local) {
  const icu::TimeZone* tz = time_zone(zone);
  if (tz == nullptr) {
    return std::nullopt;
  }
  UErrorCode status = U_ZERO_ERROR;
  int32_t raw = 0;
  int32_t dst = 0;
  tz->getOffset(static_cast<UDate>(local) * 1000.0, true, raw, dst, status);
  if (U_FAILURE(status)) {
    return std::nullopt;
  }
  return (static_cast<int64_t>(raw) + dst) / 1000;
}

// `f` as seconds since the epoch read as if its wall time were UTC, or nullopt when
// a field is out of range.
[[gnu::always_inline]] inline std::optional<int64_t> local_seconds(const Fields& f) {
  if (f.year < 0 || f.month < 1 || f.month > 12 || f.day < 1 ||
      f.day > days_in_month(f.year, f.month) || f.hour < 0 || f.hour > 24 || f.minute < 0 ||
      f.minute > 59 || f.second < 0 || f.second > 60) {
    return std::nullopt;
  }
  if (f.hour == 24 && (f.minute != 0 || f.second != 0)) {
    return std::nullopt;
  }
  return days_from_civil(f.year, static_cast<unsigned>(f.month), static_cast<unsigned>(f.day)) *
             86400 +
         f.hour * 3600 + f.minute * 60 + (f.second == 60 ? 59 : f.second);
}

std::optional<int64_t> to_epoch(const Fields& f, std::string_view default_timezone) {
  std::optional<int64_t> local = local_seconds(f);
  if (!local) {
    return std::nullopt;
  }
  if (f.offset != k_unknown_zone) {
    return *local - f.offset;
  }
  auto off = zone_offset(default_timezone.empty() ? "UTC" : default_timezone, *local);
  return *local - off.value_or(0);
}

// ---- Folding to ASCII ------------------------------------------------------------

// One character of fold_bengali: 0 for the nukta (dropped), য় to য, long vowels to
// short ones, ষ to স.
[[gnu::always_inline]] inline char32_t fold_bengali_char(char32_t c) {
  switch (c) {
    case 0x09BC:
      return 0;
    case 0x09DF:
      return 0x09AF;
    case 0x09C0:
      return 0x09BF;
    case 0x09C2:
      return 0x09C1;
    case 0x09B7:
      return 0x09B8;  // আগষ্ট / আগস্ট
    default:
      return c;
  }
}

// A Bengali word with the nukta removed, য় folded to য and long vowels to short
// ones, so that spelling variants compare equal.
std::u32string fold_bengali(std::u32string_view w) {
  std::u32string out;
  for (char32_t c : w) {
    if (char32_t f = fold_bengali_char(c); f != 0) {
      out.push_back(f);
    }
  }
  return out;
}

// The code point that starts at s[i] (the text is valid UTF-8: the parser checked
// it); `n` gets its length in bytes.
[[gnu::always_inline]] inline char32_t code_point_at(std::string_view s, size_t i, size_t& n) {
  auto b = static_cast<unsigned char>(s[i]);
  if ((b & 0xF0) == 0xE0 && i + 2 < s.size()) {
    // Three bytes, as every Bengali letter and digit is: what the loop below
    // computes, without the loop.
    n = 3;
    return (static_cast<char32_t>(b & 0x0F) << 12) |
           (static_cast<char32_t>(static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3F);
  }
  char32_t cp = 0;
  n = 1;
  if (b < 0x80) {
    cp = b;
  } else if ((b & 0xE0) == 0xC0) {
    cp = b & 0x1F;
    n = 2;
  } else if ((b & 0xF0) == 0xE0) {
    cp = b & 0x0F;
    n = 3;
  } else {
    cp = b & 0x07;
    n = 4;
  }
  for (size_t k = 1; k < n && i + k < s.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  return cp;
}

std::u32string from_utf8(std::string_view s) {
  std::u32string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t n = 1;
    out.push_back(code_point_at(s, i, n));
    i += n;
  }
  return out;
}

enum class WordKind { none, month, pm, night, noon };

struct BengaliWord {
  std::u32string folded;
  WordKind kind;
  int month;
};

const std::vector<BengaliWord>& bengali_words() {
  static const std::vector<BengaliWord> k_words = [] {
    struct Raw {
      const char* word;
      WordKind kind;
      int month;
    };
    static constexpr Raw k_raw[] = {
        {"জানুয়ারি", WordKind::month, 1},  {"জানুয়ারী", WordKind::month, 1},
        {"ফেব্রুয়ারি", WordKind::month, 2}, {"ফেব্রুয়ারী", WordKind::month, 2},
        {"ফেব্রুয়ারি", WordKind::month, 2}, {"মার্চ", WordKind::month, 3},
        {"এপ্রিল", WordKind::month, 4},    {"মে", WordKind::month, 5},
        {"জুন", WordKind::month, 6},       {"জুলাই", WordKind::month, 7},
        {"আগস্ট", WordKind::month, 8},     {"আগষ্ট", WordKind::month, 8},
        {"সেপ্টেম্বর", WordKind::month, 9}, {"সেপ্টেমবর", WordKind::month, 9},
        {"অক্টোবর", WordKind::month, 10},  {"অক্টোবর", WordKind::month, 10},
        {"নভেম্বর", WordKind::month, 11},  {"ডিসেম্বর", WordKind::month, 12},
        {"বিকাল", WordKind::pm, 0},       {"বিকেল", WordKind::pm, 0},
        {"সন্ধ্যা", WordKind::pm, 0},       {"অপরাহ্ন", WordKind::pm, 0},
        {"দুপুর", WordKind::noon, 0},       {"রাত", WordKind::night, 0},
    };
    std::vector<BengaliWord> words;
    for (const auto& r : k_raw) {
      words.push_back({fold_bengali(from_utf8(r.word)), r.kind, r.month});
    }
    return words;
  }();
  return k_words;
}

constexpr std::array<std::string_view, 12> k_month_abbr{"jan", "feb", "mar", "apr", "may", "jun",
                                                        "jul", "aug", "sep", "oct", "nov", "dec"};

// Where the folder writes: a caller's buffer of fixed size (the folded text is
// never longer than the text it comes from, so a buffer of text.size() bytes is
// enough; a write past the end is dropped, never made).
struct FoldOut {
  char* data;
  size_t capacity;
  size_t size = 0;

  // White space before the first other character is not written: parse_date trims
  // it anyway (Samakal puts a line break and 40 spaces after its prefix).
  [[gnu::always_inline]] inline void push_back(char c) {
    if (size == 0 && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      return;
    }
    if (size < capacity) {
      data[size++] = c;
    }
  }
  void append(std::string_view s) {
    for (char c : s) {
      push_back(c);
    }
  }
};

// Appends the ASCII stand-in for a non-ASCII word (already folded by
// fold_bengali's rules): a month abbreviation, a time-of-day marker, or a separator.
// A known word is at least two Bengali letters (6 bytes of UTF-8) for " may ", three
// (9 bytes) for the longer stand-ins: never longer than what it replaces.
void fold_word(std::u32string_view folded, FoldOut& out) {
  for (const auto& w : bengali_words()) {
    if (folded == w.folded) {
      out.push_back(' ');
      switch (w.kind) {
        case WordKind::month:
          out.append(k_month_abbr[static_cast<size_t>(w.month - 1)]);
          break;
        case WordKind::pm:
          out.append("pm");
          break;
        case WordKind::night:
          out.append("night");
          break;
        case WordKind::noon:
          out.append("noon");
          break;
        case WordKind::none:
          break;
      }
      out.push_back(' ');
      return;
    }
  }
  out.push_back(' ');
}

bool is_ascii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return true;
}

// Bengali digits to ASCII, known Bengali words to their English stand-ins, every
// other non-ASCII word to a separator, written to `out` (room for text.size()
// bytes); returns the length written. One pass over the UTF-8, no allocation:
// words are folded into a fixed buffer as they are read (no month or time word is
// longer than it; a longer word is a separator anyway).
size_t fold_to_ascii(std::string_view text, char* out_data) {
  FoldOut out{out_data, text.size()};
  std::array<char32_t, 24> word{};
  size_t word_len = 0;
  bool long_word = false;
  auto flush = [&] {
    if (long_word) {
      out.push_back(' ');
    } else if (word_len > 0) {
      fold_word(std::u32string_view(word.data(), word_len), out);
    }
    word_len = 0;
    long_word = false;
  };
  const char* p = text.data();
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(p[i]) < 0x80) {
      // A run of ASCII bytes: most of a date's bytes (digits, spaces, punctuation).
      if (word_len != 0 || long_word) {
        flush();
      }
      do {
        out.push_back(p[i]);
        ++i;
      } while (i < text.size() && static_cast<unsigned char>(p[i]) < 0x80);
      continue;
    }
    size_t n = 1;
    char32_t c = code_point_at(text, i, n);
    i += n;
    if (c >= 0x09E6 && c <= 0x09EF) {
      flush();
      out.push_back(static_cast<char>('0' + (c - 0x09E6)));
    } else if (c < 0x80) {
      flush();
      out.push_back(static_cast<char>(c));
    } else if (c == 0x00A0 || c == 0x2013 || c == 0x2014 || c == 0x0964) {
      flush();
      out.push_back(' ');
    } else {
      c = fold_bengali_char(c);
      if (c == 0) {
        continue;
      }
      if (word_len < word.size()) {
        word[word_len++] = c;
      } else {
        long_word = true;
      }
    }
  }
  flush();
  return out.size;
}

// ---- ISO 8601 ------------------------------------------------------------------

bool digits(std::string_view s, size_t at, size_t n, int& value) {
  if (at + n > s.size()) {
    return false;
  }
  int v = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[at + k];
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  value = v;
  return true;
}

// Reads "Z", "+hh:mm", "+hhmm", "+hh" at s[i]; returns false when something else is there.
bool read_numeric_zone(std::string_view s, size_t& i, int64_t& offset) {
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    offset = 0;
    ++i;
    return true;
  }
  if (i >= s.size() || (s[i] != '+' && s[i] != '-')) {
    return false;
  }
  int sign = s[i] == '-' ? -1 : 1;
  int hh = 0;
  int mm = 0;
  size_t j = i + 1;
  if (!digits(s, j, 2, hh)) {
    return false;
  }
  j += 2;
  if (j < s.size() && s[j] == ':') {
    ++j;
  }
  if (digits(s, j, 2, mm)) {
    j += 2;
  }
  if (hh > 14 || mm > 59) {
    return false;
  }
  offset = sign * (hh * 3600 + mm * 60);
  i = j;
  return true;
}

// The date of an ISO 8601 text: "2026-08-22", "2026-08", "2026", compact
// "20260822" (`compact`). `i` ends past it.
bool read_iso_date(std::string_view s, size_t& i, Fields& f, bool& compact) {
  int v = 0;
  if (!digits(s, 0, 4, v)) {
    return false;
  }
  f.year = v;
  i = 4;
  f.month = 1;
  f.day = 1;
  compact = false;
  if (i < s.size() && s[i] == '-') {
    if (!digits(s, i + 1, 2, f.month)) {
      return false;
    }
    i += 3;
    if (i < s.size() && s[i] == '-') {
      if (!digits(s, i + 1, 2, f.day)) {
        return false;
      }
      i += 3;
    }
  } else if (digits(s, i, 2, f.month) && digits(s, i + 2, 2, f.day)) {
    compact = true;
    i += 4;
  } else if (i < s.size()) {
    return false;
  }
  return true;
}

// The time at s[i] (past the 'T' or space): hh:mm, seconds and a fraction optional,
// the colons too when `compact`.
bool read_iso_clock(std::string_view s, size_t& i, Fields& f, bool compact) {
  if (!digits(s, i, 2, f.hour)) {
    return false;
  }
  i += 2;
  if (i < s.size() && s[i] == ':') {
    ++i;
  }
  if (!digits(s, i, 2, f.minute)) {
    return false;
  }
  i += 2;
  if (i < s.size() && (s[i] == ':' || (compact && s[i] >= '0' && s[i] <= '9'))) {
    if (s[i] == ':') {
      ++i;
    }
    if (!digits(s, i, 2, f.second)) {
      return false;
    }
    i += 2;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        ++i;
      }
    }
  }
  return true;
}

// The time and its zone at s[i] (past the 'T' or space).
bool read_iso_time(std::string_view s, size_t& i, Fields& f, bool compact) {
  while (i < s.size() && s[i] == ' ') {
    ++i;
  }
  if (!read_iso_clock(s, i, f, compact)) {
    return false;
  }
  while (i < s.size() && s[i] == ' ') {
    ++i;
  }
  int64_t off = 0;
  if (read_numeric_zone(s, i, off)) {
    f.offset = off;
  } else if (i < s.size()) {
    // A named zone after an ISO time ("2003-12-31 10:14 GMT").
    std::string_view rest = s.substr(i);
    if (rest == "GMT" || rest == "UTC" || rest == "UT") {
      f.offset = 0;
      i = s.size();
    }
  }
  return true;
}

std::optional<Fields> parse_iso(std::string_view s) {
  Fields f;
  size_t i = 0;
  bool compact = false;
  if (!read_iso_date(s, i, f, compact)) {
    return std::nullopt;
  }
  if (i < s.size() && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
    ++i;
    if (!read_iso_time(s, i, f, compact)) {
      return std::nullopt;
    }
  } else if (i < s.size() && (s[i] == 'Z' || s[i] == '+' || (s[i] == '-' && !compact))) {
    int64_t off = 0;
    if (read_numeric_zone(s, i, off)) {
      f.offset = off;
    }
  }
  while (i < s.size() && s[i] == ' ') {
    ++i;
  }
  if (i != s.size()) {
    return std::nullopt;
  }
  return f;
}

// ---- Loose RFC 822 and friends --------------------------------------------------

[[gnu::always_inline]] inline char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::optional<int64_t> named_zone(std::string_view z) {
  struct Zone {
    std::string_view name;
    int minutes;
  };
  static constexpr Zone k_zones[] = {
      {"ut", 0},     {"utc", 0},    {"gmt", 0},    {"z", 0},      {"est", -300},  {"edt", -240},
      {"cst", -360}, {"cdt", -300}, {"mst", -420}, {"mdt", -360}, {"pst", -480},  {"pdt", -420},
      {"bdt", 360},  {"bst", 360},  {"ist", 330},  {"npt", 345},  {"pkt", 300},   {"cet", 60},
      {"cest", 120}, {"eet", 120},  {"eest", 180}, {"jst", 540},  {"akst", -540}, {"akdt", -480},
      {"hst", -600}, {"ast", -240}, {"adt", -180}, {"nzst", 720}, {"nzdt", 780},  {"aest", 600},
      {"aedt", 660}, {"wib", 420},  {"sgt", 480},  {"hkt", 480},  {"msk", 180},   {"etc/gmt", 0},
  };
  for (const auto& zone : k_zones) {
    if (zone.name == z) {
      return zone.minutes * 60;
    }
  }
  return std::nullopt;
}

// The month a name starts with (its first three letters, lower case): English, and
// the German/French/Spanish abbreviations seen in the wild ("mai", "mayo", "okt",
// "dez", "dic"); 0 for none.
[[gnu::always_inline]] inline int month_from_abbr(char a, char b, char c) {
  switch ((static_cast<uint32_t>(static_cast<unsigned char>(a)) << 16) |
          (static_cast<uint32_t>(static_cast<unsigned char>(b)) << 8) |
          static_cast<unsigned char>(c)) {
    case 'j' << 16 | 'a' << 8 | 'n':
      return 1;
    case 'f' << 16 | 'e' << 8 | 'b':
      return 2;
    case 'm' << 16 | 'a' << 8 | 'r':
      return 3;
    case 'a' << 16 | 'p' << 8 | 'r':
      return 4;
    case 'm' << 16 | 'a' << 8 | 'y':
    case 'm' << 16 | 'a' << 8 | 'i':
      return 5;
    case 'j' << 16 | 'u' << 8 | 'n':
      return 6;
    case 'j' << 16 | 'u' << 8 | 'l':
      return 7;
    case 'a' << 16 | 'u' << 8 | 'g':
      return 8;
    case 's' << 16 | 'e' << 8 | 'p':
      return 9;
    case 'o' << 16 | 'c' << 8 | 't':
    case 'o' << 16 | 'k' << 8 | 't':
      return 10;
    case 'n' << 16 | 'o' << 8 | 'v':
      return 11;
    case 'd' << 16 | 'e' << 8 | 'c':
    case 'd' << 16 | 'e' << 8 | 'z':
    case 'd' << 16 | 'i' << 8 | 'c':
      return 12;
    default:
      return 0;
  }
}

int month_from_name(std::string_view w) {
  return w.size() < 3 ? 0 : month_from_abbr(w[0], w[1], w[2]);
}

bool is_weekday(std::string_view w) {
  static constexpr std::string_view k_days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  if (w.size() < 3) {
    return false;
  }
  for (auto d : k_days) {
    if (w.substr(0, 3) == d) {
      return true;
    }
  }
  return false;
}

bool all_digits(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

bool read_time(std::string_view t, Fields& f) {
  int parts[3] = {0, 0, 0};
  int count = 0;
  size_t i = 0;
  while (i < t.size() && count < 3) {
    size_t j = i;
    int v = 0;
    while (j < t.size() && t[j] >= '0' && t[j] <= '9' && j - i < 3) {
      v = v * 10 + (t[j] - '0');
      ++j;
    }
    if (j == i) {
      return false;
    }
    parts[count++] = v;
    i = j;
    if (i < t.size() && (t[i] == ':' || t[i] == '.') && count < 3) {
      ++i;
      continue;
    }
    break;
  }
  // Fractional seconds.
  if (i < t.size() && t[i] == '.' && count == 3) {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      ++i;
    }
  }
  if (count < 2) {
    return false;
  }
  f.hour = parts[0];
  f.minute = parts[1];
  f.second = parts[2];
  if (i < t.size()) {
    // A zone glued to the time: "10:00:00+0600", "10:00Z".
    int64_t off = 0;
    if (read_numeric_zone(t, i, off) && i == t.size()) {
      f.offset = off;
      return true;
    }
    auto named = named_zone(t.substr(i));
    if (!named) {
      return false;
    }
    f.offset = *named;
  }
  return true;
}

// The state parse_loose keeps while it reads tokens.
struct LooseState {
  Fields f;
  bool have_time = false;
  bool pm = false;
  bool am = false;
  bool night = false;
  bool noon = false;
  std::array<std::string_view, 3> numbers;  // the first three; more is an error
  size_t number_count = 0;

  void add_number(std::string_view t) {
    if (number_count < numbers.size()) {
      numbers[number_count] = t;
    }
    ++number_count;
  }

  // Takes a token that is no time, zone offset or plain number: am/pm and other
  // times of day, a month, a weekday, a named zone, an ordinal day; other words are
  // ignored. False when it makes the text no date.
  bool take_word(std::string_view t) {
    if (t == "pm" || t == "p.m.") {
      pm = true;
      return true;
    }
    if (t == "am" || t == "a.m.") {
      am = true;
      return true;
    }
    if (t == "night") {
      night = true;
      return true;
    }
    if (t == "noon") {
      noon = true;
      return true;
    }
    if (int m = month_from_name(t); m != 0 && f.month == 0) {
      f.month = m;
      return true;
    }
    if (is_weekday(t)) {
      return true;
    }
    if (auto z = named_zone(t)) {
      f.offset = *z;
      return true;
    }
    // A day with an ordinal suffix: "1st", "22nd".
    if (t.size() >= 3 && t[0] >= '0' && t[0] <= '9' &&
        (t.ends_with("st") || t.ends_with("nd") || t.ends_with("rd") || t.ends_with("th")) &&
        all_digits(t.substr(0, t.size() - 2))) {
      add_number(t.substr(0, t.size() - 2));
      return true;
    }
    // Single military letters and other words: ignored, like feedparser does for
    // words it does not know ("Updated", "at").
    if (t.size() == 1 && t[0] >= 'a' && t[0] <= 'z') {
      return true;
    }
    for (char c : t) {
      if (!((c >= 'a' && c <= 'z') || c == '.')) {
        return false;
      }
    }
    return true;
  }

  // Takes one token; false when it makes the text no date.
  bool take(std::string_view t) {
    bool has_alnum = false;
    for (char c : t) {
      if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
        has_alnum = true;
        break;
      }
    }
    if (!has_alnum) {
      return true;  // punctuation left over from a prefix ("প্রকাশ:")
    }
    if (t.find(':') != std::string::npos && t[0] >= '0' && t[0] <= '9') {
      if (have_time || !read_time(t, f)) {
        return false;
      }
      have_time = true;
      return true;
    }
    if ((t[0] == '+' || t[0] == '-') && t.size() >= 3) {
      size_t i = 0;
      int64_t off = 0;
      if (read_numeric_zone(t, i, off) && i == t.size()) {
        f.offset = off;
        return true;
      }
      return false;
    }
    if (all_digits(t)) {
      // "0710" glued time after a date, e.g. "06 Jun 2026 0707"? Treat only 1–4 digits.
      if (t.size() > 4) {
        return false;
      }
      add_number(t);
      return true;
    }
    return take_word(t);
  }
};

// `s` is at most k_max_date bytes (parse_date checks).
constexpr size_t k_max_date = 200;

// Splits `low` (lower-cased) into tokens and hands each to st.take() as soon as it
// ends: runs separated by white space, ',', '|', '/', and '-' or '.' between letters
// and digits of a date ("06-Nov-94", "2025/12/06"), keeping signs of zones. False
// when a token makes the text no date.
bool take_tokens(std::string_view low, LooseState& st) {
  size_t cur_start = 0;
  size_t cur_len = 0;
  bool cur_has_colon = false;  // the current token holds a ':' (a time)
  bool ok = true;
  auto flush = [&] {
    if (cur_len != 0) {
      ok = ok && st.take(low.substr(cur_start, cur_len));
      cur_len = 0;
      cur_has_colon = false;
    }
  };
  auto push = [&](size_t i) {
    if (cur_len == 0) {
      cur_start = i;
    }
    ++cur_len;
    cur_has_colon = cur_has_colon || low[i] == ':';
  };
  static constexpr auto k_separator = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : std::string_view(" ,|\t\n\r/;()\"[]")) {
      t[c] = true;
    }
    return t;
  }();
  for (size_t i = 0; i < low.size() && ok; ++i) {
    char c = low[i];
    if (k_separator[static_cast<unsigned char>(c)]) {
      flush();
    } else if ((c == '-' || c == '+') && !cur_has_colon) {
      // A sign starts a zone when followed by digits and preceded by a space or a time.
      bool zone_like = i + 1 < low.size() && low[i + 1] >= '0' && low[i + 1] <= '9' && cur_len == 0;
      if (zone_like || c == '+') {
        push(i);
      } else {
        flush();
      }
    } else if (c == '.' && cur_len != 0 && !cur_has_colon) {
      // "06.12.2025" or "Dec." — a dot outside a time separates.
      flush();
    } else {
      push(i);
    }
  }
  flush();
  return ok;
}

// A token's digits as a number. An ordinal ("4040440401st") may have any number of
// digits: past INT_MAX the value stays INT_MAX (it was a signed overflow).
int token_number(std::string_view t) {
  int64_t v = 0;
  for (char c : t) {
    v = v * 10 + (c - '0');
    if (v > std::numeric_limits<int>::max()) {
      return std::numeric_limits<int>::max();
    }
  }
  return static_cast<int>(v);
}

// A year token: two digits are 19xx from 70, else 20xx; three are RFC 2822's
// obsolete years after 1900.
int64_t year_of(std::string_view t) {
  int64_t y = token_number(t);
  if (t.size() <= 2) {
    y += y < 70 ? 2000 : 1900;
  } else if (t.size() == 3) {
    y += 1900;
  }
  return y;
}

// Day, month and year from the numbers st.take() kept; false when they are not
// a date's.
bool assign_numbers(LooseState& st) {
  Fields& f = st.f;
  if (f.month != 0) {
    // Day and year around a month name: "06 Dec 2025", "Dec 06 2025", "2025 Dec 06".
    if (st.number_count != 2) {
      return false;
    }
    if (st.numbers[0].size() >= 3 || token_number(st.numbers[0]) > 31) {
      f.year = year_of(st.numbers[0]);
      f.day = token_number(st.numbers[1]);
    } else {
      f.day = token_number(st.numbers[0]);
      f.year = year_of(st.numbers[1]);
    }
    return true;
  }
  if (st.number_count != 3) {
    return false;
  }
  if (st.numbers[0].size() == 4) {
    f.year = token_number(st.numbers[0]);
    f.month = token_number(st.numbers[1]);
    f.day = token_number(st.numbers[2]);
  } else {
    // Day first, as Bangladesh and Britain write it.
    f.day = token_number(st.numbers[0]);
    f.month = token_number(st.numbers[1]);
    f.year = year_of(st.numbers[2]);
  }
  return true;
}

// The hour on a 24-hour clock, given the am/pm and time-of-day words read.
void apply_time_of_day(LooseState& st) {
  Fields& f = st.f;
  if (st.pm && f.hour < 12) {
    f.hour += 12;
  } else if (st.am && f.hour == 12) {
    f.hour = 0;
  } else if (st.night && f.hour >= 6 && f.hour < 12) {
    f.hour += 12;
  } else if (st.night && f.hour == 12) {
    f.hour = 0;
  } else if (st.noon && f.hour < 5) {
    f.hour += 12;
  }
}

std::optional<Fields> parse_loose(std::string_view s) {
  // Tokens are views into one lower-cased copy on the stack: no allocation.
  std::array<char, k_max_date> low_buf;
  if (s.size() > low_buf.size()) {
    return std::nullopt;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    low_buf[i] = lower(s[i]);
  }
  LooseState st;
  if (!take_tokens(std::string_view(low_buf.data(), s.size()), st) || !assign_numbers(st)) {
    return std::nullopt;
  }
  apply_time_of_day(st);
  return st.f;
}

[[gnu::always_inline]] inline std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Two ASCII digits at p as a number, or -1.
[[gnu::always_inline]] inline int two_digits(const char* p) {
  const unsigned a = static_cast<unsigned>(static_cast<unsigned char>(p[0])) - '0';
  const unsigned b = static_cast<unsigned>(static_cast<unsigned char>(p[1])) - '0';
  return (a > 9 || b > 9) ? -1 : static_cast<int>(a * 10 + b);
}

// The shape nearly every RSS feed writes, "Sat, 06 Dec 2025 05:20:10 +0000" (or GMT,
// UTC, -0000, +06:00), read without allocating and without the general readers'
// tokens; nullopt sends the text to the general readers. The first three characters
// (the weekday) are not looked at, as before; with a weekday there, the general
// readers read every text this accepts to the same time (dates_test.cpp checks it).
std::optional<int64_t> parse_rfc1123_fast(std::string_view s) {
  if (s.size() < 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s[25] != ' ') {
    return std::nullopt;
  }
  const char* p = s.data();
  Fields f;
  const int century = two_digits(p + 12);
  const int year = two_digits(p + 14);
  f.day = two_digits(p + 5);
  f.hour = two_digits(p + 17);
  f.minute = two_digits(p + 20);
  f.second = two_digits(p + 23);
  if (century < 0 || year < 0 || f.day < 0 || f.hour < 0 || f.minute < 0 || f.second < 0) {
    return std::nullopt;
  }
  f.year = century * 100 + year;
  f.month = month_from_abbr(lower(p[8]), lower(p[9]), lower(p[10]));
  if (f.month == 0) {
    return std::nullopt;
  }
  const std::string_view zone = s.substr(26);
  if (zone.size() == 3 && (zone == "GMT" || zone == "UTC")) {
    f.offset = 0;
  } else if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    const int hh = two_digits(p + 27);
    const int mm = two_digits(p + 29);
    if (hh < 0 || mm < 0 || hh > 14 || mm > 59) {
      return std::nullopt;
    }
    f.offset = (zone[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
  } else {
    size_t i = 0;
    int64_t off = 0;
    if (!read_numeric_zone(zone, i, off) || i != zone.size()) {
      return std::nullopt;
    }
    f.offset = off;
  }
  std::optional<int64_t> local = local_seconds(f);
  if (!local) {
    return std::nullopt;
  }
  return *local - f.offset;
}

}  // namespace

namespace detail {

std::optional<int64_t> parse_date_general(std::string_view text,
                                          std::string_view default_timezone) {
  // Non-ASCII text is folded into a buffer on the stack (the folded text is never
  // longer than the text); only a text longer than any date goes to the heap.
  std::array<char, 256> buf;
  std::string long_buf;
  std::string_view folded = text;
  if (!is_ascii(text)) {
    char* out = buf.data();
    if (text.size() > buf.size()) {
      long_buf.resize(text.size());
      out = long_buf.data();
    }
    folded = std::string_view(out, fold_to_ascii(text, out));
  }
  std::string_view s = trim(folded);
  if (s.empty() || s.size() > k_max_date) {
    return std::nullopt;
  }
  if (s.size() >= 4 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
      s[2] <= '9' && s[3] >= '0' && s[3] <= '9') {
    if (auto f = parse_iso(s)) {
      return to_epoch(*f, default_timezone);
    }
  }
  if (auto f = parse_loose(s)) {
    return to_epoch(*f, default_timezone);
  }
  return std::nullopt;
}

}  // namespace detail

std::optional<int64_t> parse_date(std::string_view text, std::string_view default_timezone) {
  if (auto fast = parse_rfc1123_fast(trim(text))) {
    return fast;
  }
  return detail::parse_date_general(text, default_timezone);
}

std::optional<std::string> format_local_minute(int64_t t, std::string_view zone) {
  const icu::TimeZone* tz = time_zone(zone);
  if (tz == nullptr) {
    return std::nullopt;
  }
  UErrorCode status = U_ZERO_ERROR;
  int32_t raw = 0;
  int32_t dst = 0;
  tz->getOffset(static_cast<UDate>(t) * 1000.0, false, raw, dst, status);
  if (U_FAILURE(status)) {
    return std::nullopt;
  }
  const int64_t offset = (static_cast<int64_t>(raw) + dst) / 1000;
  const std::string local = format_rfc3339(t + offset);  // "2023-09-13T15:55:00Z"
  const int64_t minutes = (offset < 0 ? -offset : offset) / 60;
  char zone_text[32];
  std::snprintf(zone_text, sizeof zone_text, " %c%02d:%02d", offset < 0 ? '-' : '+',
                static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
  return local.substr(0, 10) + " " + local.substr(11, 5) + zone_text;
}

std::string format_rfc3339(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  // civil_from_days (Hinnant).
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m,
                d, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

}  // namespace khobor::feeds
