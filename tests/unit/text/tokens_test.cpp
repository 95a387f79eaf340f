// Tests of text/tokens.h and text/inflection.h: tokens equal to ICU's word breaks,
// and the ending-chain walk equal to its plain reference.
#include "text/tokens.h"

#include <unicode/brkiter.h>
#include <unicode/localpointer.h>
#include <unicode/rbbi.h>
#include <unicode/utext.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/utf8.h"
#include "text/inflection.h"
#include "text/normalize.h"

using khobor::text::normalize;
using khobor::text::tokenize;

namespace {

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& t : tokenize(text)) {
    out.emplace_back(t.text);
  }
  return out;
}

// The spans ICU's word break iterator tags as words (status not NONE).
std::vector<std::pair<uint32_t, uint32_t>> icu_word_spans(const std::string& text) {
  UErrorCode status = U_ZERO_ERROR;
  icu::LocalPointer<icu::BreakIterator> it(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  REQUIRE(U_SUCCESS(status));
  UText* ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
  REQUIRE(U_SUCCESS(status));
  it->setText(ut, status);
  std::vector<std::pair<uint32_t, uint32_t>> spans;
  int32_t start = it->first();
  for (int32_t end = it->next(); end != icu::BreakIterator::DONE; start = end, end = it->next()) {
    if (it->getRuleStatus() != UBRK_WORD_NONE) {
      spans.emplace_back(static_cast<uint32_t>(start), static_cast<uint32_t>(end));
    }
  }
  utext_close(ut);
  return spans;
}

std::vector<std::pair<uint32_t, uint32_t>> our_spans(const std::string& text) {
  std::vector<std::pair<uint32_t, uint32_t>> spans;
  for (const auto& t : tokenize(text)) {
    spans.emplace_back(t.begin, t.end);
  }
  return spans;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares line by line so a failure shows the line.
void check_agrees_with_icu(const std::string& normalized_text, const std::string& where) {
  std::istringstream lines(normalized_text);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    ++n;
    INFO(where << " line " << n << ": " << line);
    const auto ours = our_spans(line);
    const auto icu = icu_word_spans(line);
    if (ours != icu) {
      auto show = [&](const std::vector<std::pair<uint32_t, uint32_t>>& spans) {
        std::string s;
        for (const auto& [b, e] : spans) {
          s += "[" + line.substr(b, e - b) + "]";
        }
        return s;
      };
      FAIL_CHECK("ours: " << show(ours) << "\nICU:  " << show(icu));
    }
  }
}

}  // namespace

TEST_CASE("tokens are words, spaces, punctuation and dandas are not", "[text]") {
  CHECK(words(normalize("পুতিন ও কিম। বৈঠক॥ হলো!")) ==
        std::vector<std::string>{normalize("পুতিন"), "ও", "কিম", "বৈঠক", normalize("হলো")});
  CHECK(words("kim jong-un") == std::vector<std::string>{"kim", "jong", "un"});
  CHECK(words("putin's u.s. 1,000 3.5 10:30") ==
        std::vector<std::string>{"putin's", "u.s", "1,000", "3.5", "10", "30"});
  CHECK(words("").empty());
  CHECK(words(" \n\t ।").empty());
}

TEST_CASE("token offsets point into the tokenised string", "[text]") {
  const std::string s = normalize("ঢাকায় বৃষ্টি");
  for (const auto& t : tokenize(s)) {
    CHECK(s.substr(t.begin, t.end - t.begin) == t.text);
  }
}

TEST_CASE("tokens agree with ICU's word break iterator on the fixtures", "[text][icu]") {
  const std::string raw = read_file(std::filesystem::path(KHOBOR_FIXTURES) / "text" / "mixed.txt");
  REQUIRE(!raw.empty());
  check_agrees_with_icu(normalize(raw), "mixed.txt");
}

TEST_CASE("tokens agree with ICU's word break iterator on the shared feeds", "[text][icu]") {
  const char* env = std::getenv("KHOBOR_SHARED_DATA");
  const std::filesystem::path dir =
      std::filesystem::path(env != nullptr ? env : KHOBOR_SHARED_DATA) / "feeds-bd" / "latest";
  if (!std::filesystem::is_directory(dir)) {
    WARN("skipped: " << dir << " is absent");
    return;
  }
  // Markup and all: the feed files are text with every kind of punctuation.
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    check_agrees_with_icu(normalize(read_file(e.path())), e.path().filename().string());
  }
}

TEST_CASE("stripped forms are the stem chains of the endings list", "[text]") {
  auto forms = [](const std::string& word) {
    std::vector<std::string_view> out;
    static std::string keep;
    keep = normalize(word);
    khobor::text::stripped_forms(keep, out);
    std::vector<std::string> s(out.begin(), out.end());
    return s;
  };
  auto has = [](const std::vector<std::string>& v, const std::string& w) {
    return std::find(v.begin(), v.end(), normalize(w)) != v.end();
  };
  CHECK(has(forms("পুতিনের"), "পুতিন"));
  CHECK(has(forms("পুতিনকে"), "পুতিন"));
  CHECK(has(forms("পুতিনও"), "পুতিন"));
  CHECK(has(forms("রাশিয়ার"), "রাশিয়া"));
  CHECK(has(forms("ঢাকায়"), "ঢাকা"));
  CHECK(has(forms("ছাত্রদেরকেও"), "ছাত্র"));
  CHECK(has(forms("বইগুলোর"), "বই"));
  CHECK(has(forms("putin's"), "putin"));
  CHECK_FALSE(has(forms("কিমা"), "কিম"));
  CHECK(forms("র").empty());  // never an empty stem
  CHECK(forms("কে") == std::vector<std::string>{normalize("ক")});
}

namespace {

// The slow form: every code point boundary p of `token` whose rest is a chain.
std::vector<uint32_t> chain_starts_slow(std::string_view token, int max_chain = 3) {
  std::vector<uint32_t> out;
  for (size_t p = 1; p < token.size(); ++p) {
    if (!khobor::utf8::is_continuation(token[p]) &&
        khobor::text::is_ending_chain(token.substr(p), max_chain)) {
      out.push_back(static_cast<uint32_t>(p));
    }
  }
  return out;
}

std::vector<uint32_t> chain_starts_fast(std::string_view token, int max_chain = 3) {
  uint32_t buf[64];
  const size_t n = khobor::text::ending_chain_starts(token, buf, 64, max_chain);
  std::vector<uint32_t> out(buf, buf + n);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("the ending-chain walk finds the same stems as is_ending_chain", "[text][property]") {
  // Words with chains of endings, every ending and every chain of two or three
  // of them, after a consonant, a vowel sign and a Latin word.
  const auto& endings = khobor::text::inflection_endings();
  std::vector<std::string> tokens;
  for (const std::string stem : {"পুতিন", "রাশিয়া", "ছাত্র", "কিম", "putin", "ঢাকা", "বই"}) {
    const std::string s = normalize(stem);
    tokens.push_back(s);
    for (const auto& a : endings) {
      tokens.push_back(s + a);
      for (const auto& b : endings) {
        tokens.push_back(s + a + b);
        tokens.push_back(s + a + b + endings[(a.size() + b.size()) % endings.size()]);
      }
    }
  }
  for (const std::string& t : tokens) {
    INFO(t);
    for (int max_chain = 1; max_chain <= 5; ++max_chain) {  // 5: the trie walk, not the DFA
      INFO("max_chain " << max_chain);
      REQUIRE(chain_starts_fast(t, max_chain) == chain_starts_slow(t, max_chain));
    }
  }
  // Every token of the fixture (and of the shared feeds, when present).
  std::vector<std::string> texts = {
      normalize(read_file(std::filesystem::path(KHOBOR_FIXTURES) / "text" / "mixed.txt"))};
  const char* env = std::getenv("KHOBOR_SHARED_DATA");
  const std::filesystem::path dir =
      std::filesystem::path(env != nullptr ? env : KHOBOR_SHARED_DATA) / "feeds-bd" / "latest";
  if (std::filesystem::is_directory(dir)) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      texts.push_back(normalize(read_file(e.path())));
    }
  } else {
    WARN("the shared feeds are absent: the fixture only");
  }
  size_t checked = 0;
  for (const std::string& text : texts) {
    for (const auto& tok : tokenize(text)) {
      INFO(std::string(tok.text));
      REQUIRE(chain_starts_fast(tok.text) == chain_starts_slow(tok.text));
      ++checked;
    }
  }
  CHECK(checked > 100);
}
