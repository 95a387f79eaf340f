// khobor/text/inflection.cpp — the list of endings and the stripping of chains.
#include "text/inflection.h"

#include <algorithm>
#include <array>

#include "text/normalize.h"

namespace khobor::text {
namespace {

// Where the list comes from: issue 5 of this project, which takes the nominal
// inflections that grammars of Bengali describe (e.g. Hanne-Ruth Thompson,
// "Bengali: A Comprehensive Grammar", Routledge 2010: the case endings, the
// plural markers and classifiers, and the emphatic particles ই and ও). Written
// here in their surface forms, both after a consonant (ের) and after a vowel
// (র, য়, য়ের). Chains cover the combinations: ছাত্রদেরকেও = ছাত্র + দের + কে + ও.
// clang-format off
constexpr std::array<std::string_view, 27> k_raw_endings = {
    // case endings: objective/dative, genitive, locative/instrumental
    "কে", "রে", "র", "এর", "ের", "য়ের", "দের", "তে", "এ", "ে", "য়",
    // plural markers and classifiers (definite article)
    "রা", "েরা", "গুলো", "গুলি", "গুলোর", "টি", "টা", "টির", "খানা", "খানি",
    // emphatic clitics, "with"
    "ই", "ও", "সহ",
    // Latin script: English possessive and plural (’s is folded to 's by
    // normalize); "es" (matches → match) is our addition to the list
    "'s", "s", "es",
};
// clang-format on

struct Endings {
  std::vector<std::string> list;                                // normalised, longest first
  std::array<std::vector<std::string_view>, 256> by_last_byte;  // views into list
};

const Endings& endings() {
  static const Endings k_endings = [] {
    Endings e;
    for (std::string_view raw : k_raw_endings) {
      std::string n = normalize(raw);
      if (std::find(e.list.begin(), e.list.end(), n) == e.list.end()) {
        e.list.push_back(std::move(n));
      }
    }
    std::stable_sort(e.list.begin(), e.list.end(), [](const std::string& a, const std::string& b) {
      return a.size() > b.size();
    });
    for (const std::string& s : e.list) {
      e.by_last_byte[static_cast<unsigned char>(s.back())].push_back(s);
    }
    return e;
  }();
  return k_endings;
}

void strip(std::string_view word, std::vector<std::string_view>& out, int depth, const Endings& e) {
  if (word.empty() || depth == 0) {
    return;
  }
  for (std::string_view ending : e.by_last_byte[static_cast<unsigned char>(word.back())]) {
    if (ending.size() >= word.size() || !word.ends_with(ending)) {
      continue;
    }
    // Both are valid UTF-8 and the ending starts a code point, so the stem ends
    // at a code point boundary.
    std::string_view stem = word.substr(0, word.size() - ending.size());
    if (std::find(out.begin(), out.end(), stem) == out.end()) {
      out.push_back(stem);
    }
    strip(stem, out, depth - 1, e);
  }
}

bool chain(std::string_view rest, int depth, const Endings& e) {
  if (rest.empty() || depth == 0) {
    return false;
  }
  for (const std::string& ending : e.list) {
    if (rest.starts_with(ending) &&
        (rest.size() == ending.size() || chain(rest.substr(ending.size()), depth - 1, e))) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool is_ending_chain(std::string_view rest, int max_chain) {
  return chain(rest, max_chain, endings());
}

const std::vector<std::string>& inflection_endings() {
  return endings().list;
}

void stripped_forms(std::string_view token, std::vector<std::string_view>& out, int max_chain) {
  strip(token, out, max_chain, endings());
}

}  // namespace khobor::text
