// Fingerprints: normalised words, light-stemmed, function words dropped, hashed.
// The choices (64 features in reading order, stems, stop list, SimHash) are measured
// in docs/stories.md.
#include "stories/fingerprint.h"

#include <algorithm>
#include <array>
#include <bit>
#include <string>
#include <unordered_set>

#include "base/hash.h"
#include "base/utf8.h"
#include "text/normalize.h"
#include "text/tokens.h"

namespace khobor::stories {
namespace {

bool has_ascii_digit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The endings stripped by light_stem(), normalised like the text they are cut from
// (so য় is য + nukta, as text::normalize writes it) and sorted longest first. The
// Bengali list is the inflection list of the text room (issue 5: case endings, plural
// and classifier endings, clitics, সহ), with a few chains spelt out; fingerprints
// only need every version of a word to reach the same stem, not a linguistic stem.
const std::vector<std::string>& endings() {
  static const std::vector<std::string> list = [] {
    const char* raw[] = {"কে",    "রে",   "র",   "এর",  "ের",   "য়ের",  "দের",  "তে",
                         "এ",     "ে",    "য়",   "রা",  "েরা",  "গুলো",  "গুলি",  "গুলোর",
                         "গুলোকে", "টি",   "টা",  "টির", "টিকে", "খানা", "খানি", "ই",
                         "ও",     "সহ",   "কেও", "কেই", "েই",   "েও",   "রও",   "রই",
                         "দেরকে", "দেরও", "টিও", "তেও", "তেই",  "য়ও",   "য়েই"};
    std::vector<std::string> out;
    for (const char* e : raw) {
      out.push_back(text::normalize(e));
    }
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() > b.size() : a < b;
    });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }();
  return list;
}

// Function words and reporting boilerplate: they occur in every story, so sharing
// them says nothing. Written for this project (not taken from a corpus); stemmed at
// start-up the same way as the text.
const std::unordered_set<std::string>& stopwords() {
  static const std::unordered_set<std::string> set = [] {
    const char* raw =
        "এ এই ও এবং করে করা করেন করবে করতে হয় হয়েছে হবে হচ্ছে থেকে জন্য তিনি তাঁর তার তাঁরা তারা "
        "তাদের তাঁদের বলেন বলে বলেছেন জানান জানিয়েছেন জানিয়েছে জানা একটি এক দিকে পর আগে সঙ্গে সাথে "
        "মধ্যে নিয়ে দিয়ে না নয় কোনো সব বা আর যে যা সেই সে এর ছিল ছিলেন আছে রয়েছে রয়েছেন পারে "
        "হলে হলো হল করেছে করেছেন দেওয়া দেয়া নেওয়া গত আজ বৃহস্পতিবার শুক্রবার শনিবার রোববার রবিবার "
        "সোমবার মঙ্গলবার বুধবার সকালে বিকেলে রাতে দুপুরে সন্ধ্যায় সময় বিষয়ে এখন এরই এমন প্রতিবেদক নিজস্ব "
        "সূত্র ওই কথা দিন বছর মাস কাছে মতো হিসেবে অন্য আরও প্রায় অনেক কিছু তবে কিন্তু যদি ফলে "
        "উপর ওপর মাধ্যমে পক্ষ থেকেই বিস্তারিত আসছে সংবাদদাতা ডেস্ক "
        "the a an of in on at to for and or is are was were be by with from that this it as "
        "has have had said says will";
    std::unordered_set<std::string> out;
    std::string_view rest(raw);
    while (!rest.empty()) {
      const auto space = rest.find(' ');
      const std::string_view word = rest.substr(0, space);
      if (!word.empty()) {
        const std::string normalised = text::normalize(word);
        out.emplace(light_stem(normalised));
      }
      rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    }
    return out;
  }();
  return set;
}

uint64_t mix64(uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::string_view light_stem(std::string_view token) {
  if (utf8::is_ascii(token)) {
    // Latin: possessive 's, then a plural s (Trump's → trump, outlets → outlet).
    for (const std::string_view suffix : {std::string_view("'s"), std::string_view("s")}) {
      if (token.size() >= suffix.size() + 3 && token.ends_with(suffix)) {
        token.remove_suffix(suffix.size());
      }
    }
    return token;
  }
  for (int round = 0; round < 2; ++round) {
    bool stripped = false;
    for (const std::string& ending : endings()) {
      if (token.size() > ending.size() && token.ends_with(ending) &&
          utf8::count_code_points(token.substr(0, token.size() - ending.size())) >= 2) {
        token.remove_suffix(ending.size());
        stripped = true;
        break;
      }
    }
    if (!stripped) {
      break;
    }
  }
  return token;
}

bool is_stopword(std::string_view stem) {
  return stopwords().count(std::string(stem)) != 0;
}

uint32_t feature_hash(std::string_view stem, bool is_number) {
  const uint64_t h = mix64(fnv1a64(stem));
  const auto folded = static_cast<uint32_t>(h ^ (h >> 32));
  return (folded & ~1U) | (is_number ? 1U : 0U);
}

uint64_t simhash(const std::vector<uint32_t>& features) {
  std::array<int, 64> votes{};
  for (const uint32_t f : features) {
    const uint64_t h = mix64(f);
    for (int bit = 0; bit < 64; ++bit) {
      votes[static_cast<std::size_t>(bit)] += ((h >> bit) & 1U) != 0 ? 1 : -1;
    }
  }
  uint64_t out = 0;
  for (int bit = 0; bit < 64; ++bit) {
    if (votes[static_cast<std::size_t>(bit)] > 0) {
      out |= uint64_t{1} << bit;
    }
  }
  return out;
}

int hamming(uint64_t a, uint64_t b) {
  return std::popcount(a ^ b);
}

Fingerprint fingerprint(std::string_view title, std::string_view summary,
                        std::string_view content) {
  Fingerprint fp;
  std::vector<uint32_t> all;  // every distinct feature, for the SimHash
  std::unordered_set<uint32_t> seen;
  bool in_title = true;
  for (const std::string_view part : {title, summary, content}) {
    if (part.empty()) {
      in_title = false;
      continue;
    }
    const std::string normalised = text::normalize(part);
    for (const text::Token& token : text::tokenize(normalised)) {
      const bool number = has_ascii_digit(token.text);
      if (!number && utf8::count_code_points(token.text) < 2) {
        continue;
      }
      const std::string_view stem = number ? token.text : light_stem(token.text);
      if (!number && is_stopword(stem)) {
        continue;
      }
      const uint32_t h = feature_hash(stem, number);
      if (seen.insert(h).second) {
        all.push_back(h);
        if (fp.features.size() < k_max_features) {
          fp.features.push_back(h);
          fp.title_features += in_title ? 1 : 0;
        }
      }
    }
    in_title = false;
  }
  fp.simhash = simhash(all);
  return fp;
}

}  // namespace khobor::stories
