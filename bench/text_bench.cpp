// text_bench — the text path's speed on real Bengali feed entries.
//
//   text_bench [DATA_DIR] [--quick] [--runs N] [--rules 1000|10000] [--match-only]
//
// DATA_DIR defaults to ../shared/data (its feeds-bd/latest/*.xml are read). The
// entries' title, description/summary and content:encoded/content are taken
// with pugixml and stripped of HTML tags: that text is the input. Printed, each
// in MB/s of entry text per CPU second of the thread (best of 3 runs):
//   - ICU's bare word-break iterator over the same text (UTF-8 UText, every
//     boundary and its rule status): the peer, and the ceiling of any
//     ICU-based tokenizer;
//   - our normalize_mapped, tokenize, and the two together;
//   - WatchSet::match (normalise + tokens + match, per field as khobord runs it)
//     against 1,000 and 10,000 rules drawn from the corpus's own words;
// and the time to load and compile the 1,000 and 10,000 rules (100 and 1,000
// watch-list files of 10 rules each, TOML parsing included).
#include <time.h>
#include <unicode/brkiter.h>
#include <unicode/localpointer.h>
#include <unicode/utext.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <pugixml.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "text/normalize.h"
#include "text/tokens.h"
#include "watch/watchset.h"

namespace fs = std::filesystem;

namespace {

struct Entry {
  std::string title;
  std::string summary;
  std::string content;
};

// Drops HTML tags and decodes the few entities feeds put in escaped HTML.
std::string strip_html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_tag = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_tag) {
      if (c == '>') {
        in_tag = false;
        out += ' ';
      }
      continue;
    }
    if (c == '<') {
      in_tag = true;
      continue;
    }
    if (c == '&') {
      static const std::pair<std::string_view, std::string_view> k_entities[] = {
          {"&nbsp;", " "}, {"&amp;", "&"}, {"&quot;", "\""},
          {"&lt;", "<"},   {"&gt;", ">"},  {"&#39;", "'"}};
      bool done = false;
      for (const auto& [name, value] : k_entities) {
        if (s.substr(i, name.size()) == name) {
          out += value;
          i += name.size() - 1;
          done = true;
          break;
        }
      }
      if (done) {
        continue;
      }
    }
    out += c;
  }
  return out;
}

std::string child_text(const pugi::xml_node& item, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (pugi::xml_node n = item.child(name)) {
      return strip_html(n.text().get());
    }
  }
  return {};
}

std::vector<Entry> load_entries(const fs::path& dir) {
  std::vector<Entry> entries;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".xml") {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    pugi::xml_document doc;
    if (!doc.load_file(p.c_str())) {
      std::fprintf(stderr, "text_bench: cannot parse %s, skipped\n", p.c_str());
      continue;
    }
    for (const auto& x : doc.select_nodes("//item | //*[local-name()='entry']")) {
      const pugi::xml_node item = x.node();
      Entry e;
      e.title = child_text(item, {"title"});
      e.summary = child_text(item, {"description", "summary"});
      e.content = child_text(item, {"content:encoded", "content"});
      entries.push_back(std::move(e));
    }
  }
  return entries;
}

int g_runs = 3;

double seconds_of(const std::function<void()>& f, int runs = g_runs) {
  // The thread's CPU time, not the wall clock: the machine may be shared, and
  // the goal is per core.
  auto now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  double best = 1e30;
  for (int r = 0; r < runs; ++r) {
    const double t0 = now();
    f();
    best = std::min(best, now() - t0);
  }
  return best;
}

// Writes `n` rules as n/10 watch-list files into `dir`, drawn from `words`.
void write_rules(const fs::path& dir, size_t n, const std::vector<std::string>& words,
                 uint32_t seed) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, words.size() - 1);
  std::uniform_int_distribution<int> kind(0, 99);
  auto w = [&] { return words[pick(rng)]; };
  auto quote = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') {
        q += '\\';
      }
      q += c;
    }
    return q + "\"";
  };
  for (size_t f = 0; f < n / 10; ++f) {
    std::ofstream out(dir / ("list" + std::to_string(f) + ".toml"));
    out << "rules = [\n";
    for (int r = 0; r < 10; ++r) {
      const int k = kind(rng);
      std::string rule;
      if (k < 40) {
        rule = w();  // one word, inflection-aware
      } else if (k < 60) {
        rule = w() + " " + w();  // two words (AND)
      } else if (k < 75) {
        rule = "\"" + w() + " " + w() + "\"";  // phrase
      } else if (k < 83) {
        rule = "(" + w() + " OR " + w() + ") AND " + w();
      } else if (k < 90) {
        rule = w() + " NOT " + w();
      } else if (k < 95) {
        rule = "=" + w();
      } else {
        // a prefix as analysts write them: a stem of 4+ letters (ক্রিকেট*)
        std::string p = w();
        while (khobor::text::tokenize(p).empty() || p.size() < 12) {
          p = w();
        }
        rule = p + "*";
      }
      out << "  " << quote(rule) << ",\n";
    }
    out << "]\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  fs::path data = fs::path(KHOBOR_SOURCE_DIR) / ".." / "shared" / "data";
  bool quick = false;
  size_t only_rules = 0;    // 0: both 1,000 and 10,000
  bool match_only = false;  // skip the ICU and text-only passes (for profiling)
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--match-only") == 0) {
      match_only = true;
    } else if (std::strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
      only_rules = static_cast<size_t>(std::atol(argv[++i]));
    } else if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      g_runs = std::max(1, std::atoi(argv[++i]));
    } else {
      data = argv[i];
    }
  }
  const fs::path dir = data / "feeds-bd" / "latest";
  if (!fs::is_directory(dir)) {
    std::printf("text_bench: no %s (the shared data directory); nothing measured\n", dir.c_str());
    return 0;
  }
  std::vector<Entry> entries = load_entries(dir);
  if (quick && entries.size() > 200) {
    entries.resize(200);
  }
  size_t bytes = 0;
  std::string all;  // every field, one per line, for the bare passes
  for (const Entry& e : entries) {
    bytes += e.title.size() + e.summary.size() + e.content.size();
    all += e.title + "\n" + e.summary + "\n" + e.content + "\n";
  }
  const double mb = static_cast<double>(bytes) / 1e6;
  std::printf("input: %zu entries, %.2f MB of entry text (title + summary + content) from %s\n",
              entries.size(), mb, dir.c_str());
  auto rate = [&](const char* what, double s) {
    std::printf("  %-52s %8.1f MB/s  (%.3f s)\n", what, mb / s, s);
  };

  // The peer: ICU's word break iterator, bare.
  const int text_runs = match_only ? 1 : g_runs;
  size_t icu_words = 0;
  const double icu_s = seconds_of(
      [&] {
        icu_words = 0;
        UErrorCode status = U_ZERO_ERROR;
        icu::LocalPointer<icu::BreakIterator> it(
            icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
        for (const Entry& e : entries) {
          for (const std::string* f : {&e.title, &e.summary, &e.content}) {
            UText* ut =
                utext_openUTF8(nullptr, f->data(), static_cast<int64_t>(f->size()), &status);
            it->setText(ut, status);
            for (int32_t b = it->next(); b != icu::BreakIterator::DONE; b = it->next()) {
              icu_words += it->getRuleStatus() != UBRK_WORD_NONE ? 1 : 0;
            }
            utext_close(ut);
          }
        }
        if (U_FAILURE(status)) {
          std::fprintf(stderr, "ICU: %s\n", u_errorName(status));
        }
      },
      text_runs);

  size_t our_tokens = 0;
  const double norm_s = seconds_of(
      [&] {
        for (const Entry& e : entries) {
          for (const std::string* f : {&e.title, &e.summary, &e.content}) {
            auto n = khobor::text::normalize_mapped(*f);
            our_tokens += n.text.size() & 1;
          }
        }
      },
      text_runs);
  std::vector<std::string> normalized;
  for (const Entry& e : entries) {
    for (const std::string* f : {&e.title, &e.summary, &e.content}) {
      normalized.push_back(khobor::text::normalize(*f));
    }
  }
  const double tok_s = seconds_of(
      [&] {
        our_tokens = 0;
        for (const std::string& s : normalized) {
          our_tokens += khobor::text::tokenize(s).size();
        }
      },
      text_runs);
  const double both_s = seconds_of(
      [&] {
        for (const Entry& e : entries) {
          for (const std::string* f : {&e.title, &e.summary, &e.content}) {
            auto n = khobor::text::normalize_mapped(*f);
            our_tokens += khobor::text::tokenize(n.text).size() & 1;
          }
        }
      },
      text_runs);
  size_t token_count = 0;
  for (const std::string& n : normalized) {
    token_count += khobor::text::tokenize(n).size();
  }
  std::printf("text (one core; ICU %zu words, ours %zu tokens after normalising):\n", icu_words,
              token_count);
  rate("ICU word-break iterator, bare (the peer)", icu_s);
  rate("khobor normalize_mapped", norm_s);
  rate("khobor tokenize (of normalised text)", tok_s);
  rate("khobor normalize_mapped + tokenize", both_s);

  // Rule words: distinct corpus tokens of 2+ characters, as the analyst would
  // type them (the rule parser normalises them again).
  std::map<std::string, int> freq;
  for (const std::string& s : normalized) {
    for (const auto& t : khobor::text::tokenize(s)) {
      if (t.text.size() >= 4) {
        ++freq[std::string(t.text)];
      }
    }
  }
  // The 300 most frequent words (এবং, করে, the, …) are left out: no analyst
  // watches for them, and every entry would match.
  std::vector<std::pair<int, std::string>> by_freq;
  for (const auto& [w, n] : freq) {
    by_freq.emplace_back(-n, w);
  }
  std::sort(by_freq.begin(), by_freq.end());
  std::vector<std::string> words;
  for (size_t k = std::min<size_t>(300, by_freq.size()); k < by_freq.size(); ++k) {
    const std::string& w = by_freq[k].second;
    if (w.find_first_of("\"\\*=()") == std::string::npos && w != "and" && w != "or" && w != "not") {
      words.push_back(w);
    }
  }
  std::sort(words.begin(), words.end());
  std::printf("rule vocabulary: %zu distinct corpus words (all but the 300 most frequent)\n",
              words.size());

  const fs::path tmp =
      fs::temp_directory_path() / ("khobor-text-bench-" + std::to_string(getpid()));
  for (size_t n : {size_t{1000}, size_t{10000}}) {
    if (only_rules != 0 && n != only_rules) {
      continue;
    }
    write_rules(tmp, n, words, static_cast<uint32_t>(n));
    std::vector<khobor::watch::LoadProblem> problems;
    khobor::watch::WatchSet set;
    const double compile_s = seconds_of(
        [&] {
          problems.clear();
          set = khobor::watch::WatchSet::load_dir(tmp.string(), problems);
        },
        3);
    for (const auto& p : problems) {
      std::fprintf(stderr, "  problem: %s\n", p.to_string().c_str());
    }
    size_t matched = 0;
    size_t hits = 0;
    const double match_s = seconds_of([&] {
      matched = 0;
      hits = 0;
      for (const Entry& e : entries) {
        khobor::watch::EntryText t{"feed", e.title, e.summary, e.content};
        for (const auto& m : set.match(t)) {
          ++matched;
          hits += m.hits.size();
        }
      }
    });
    std::printf("%zu rules in %zu lists: loaded and compiled in %.3f s; %zu matches, %zu hits\n",
                set.rule_count(), set.list_count(), compile_s, matched, hits);
    char label[96];
    std::snprintf(label, sizeof label, "khobor normalise + tokens + match, %zu rules", n);
    rate(label, match_s);
  }
  fs::remove_all(tmp);
  return 0;
}
