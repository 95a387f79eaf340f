// khobor/text/inflection.cpp — the list of endings and the stripping of chains.
#include "text/inflection.h"

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>

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

// The endings reversed, byte by byte, as a trie walked by a dense table: the
// bytes that occur in endings are numbered (byte_class; 0 for the others), and
// next[node * classes + class] is the child (0: none; node 0 is the root).
// `terminal[node]` when the bytes from the root to it, read backwards, are a
// whole ending. A few KB: one or two loads per byte walked.
struct ReverseTrie {
  std::array<uint8_t, 256> byte_class{};
  size_t classes = 1;
  std::vector<uint16_t> next;
  std::vector<uint8_t> terminal;
};

// The trie made deterministic for chains: a DFA over the reversed token whose
// state after reading token[p:] backwards is "accepting" exactly when token[p:]
// is a chain of 1 to max_chain endings (subset construction over (trie node,
// endings completed) pairs). State 0 is dead, 1 the start; next[state * classes
// + class] as in the trie, stored premultiplied (state * classes), and so is
// accept's index. Two loads per byte, no recursion, each offset once.
struct ChainDfa {
  std::vector<uint16_t> next;
  std::vector<uint8_t> accept;
};

constexpr int k_dfa_chains = 4;  // DFAs are built for max_chain 1..4

struct Endings {
  std::vector<std::string> list;                                // normalised, longest first
  std::array<std::vector<std::string_view>, 256> by_last_byte;  // views into list
  ReverseTrie trie;
  std::array<ChainDfa, k_dfa_chains> dfa;  // dfa[k]: chains of 1 to k + 1 endings
};

ReverseTrie build_trie(const std::vector<std::string>& list) {
  ReverseTrie t;
  for (const std::string& e : list) {
    for (char ch : e) {
      auto& cls = t.byte_class[static_cast<unsigned char>(ch)];
      if (cls == 0) {
        cls = static_cast<uint8_t>(t.classes++);
      }
    }
  }
  t.next.assign(t.classes, 0);
  t.terminal.assign(1, 0);
  for (const std::string& e : list) {
    size_t node = 0;
    for (size_t k = e.size(); k-- > 0;) {
      const size_t slot = node * t.classes + t.byte_class[static_cast<unsigned char>(e[k])];
      if (t.next[slot] == 0) {
        t.next[slot] = static_cast<uint16_t>(t.terminal.size());
        t.terminal.push_back(0);
        t.next.resize(t.terminal.size() * t.classes, 0);
      }
      node = t.next[slot];
    }
    t.terminal[node] = 1;
  }
  return t;
}

ChainDfa build_dfa(const ReverseTrie& t, int max_chain) {
  using Set = std::vector<uint32_t>;  // sorted (node * 8 + endings completed)
  std::map<Set, uint16_t> ids;
  std::vector<Set> sets = {{}, {0}};
  ids[sets[0]] = 0;
  ids[sets[1]] = 1;
  ChainDfa d;
  d.accept = {0, 0};
  d.next.assign(2 * t.classes, 0);
  for (size_t s = 1; s < sets.size(); ++s) {
    for (size_t c = 1; c < t.classes; ++c) {
      Set to;
      bool accept = false;
      for (uint32_t x : sets[s]) {
        const uint32_t depth = x % 8;
        const uint16_t child = t.next[(x / 8) * t.classes + c];
        if (child == 0) {
          continue;
        }
        to.push_back(child * 8u + depth);
        if (t.terminal[child] != 0) {
          accept = true;
          if (static_cast<int>(depth) + 1 < max_chain) {
            to.push_back(depth + 1);  // the root, one more ending completed
          }
        }
      }
      if (to.empty()) {
        continue;  // dead
      }
      std::sort(to.begin(), to.end());
      to.erase(std::unique(to.begin(), to.end()), to.end());
      const auto [it, inserted] = ids.emplace(to, static_cast<uint16_t>(sets.size()));
      if (inserted) {
        sets.push_back(to);
        d.accept.push_back(accept ? 1 : 0);
        d.next.resize(sets.size() * t.classes, 0);
      }
      d.next[s * t.classes + c] = it->second;
    }
  }
  // Premultiplied: next holds state * classes, so the walk needs no multiplication.
  if (sets.size() * t.classes > UINT16_MAX) {
    throw std::logic_error("inflection: the endings' DFA outgrew 16-bit states");
  }
  for (uint16_t& x : d.next) {
    x = static_cast<uint16_t>(x * t.classes);
  }
  std::vector<uint8_t> accept(d.next.size(), 0);
  for (size_t s = 0; s < d.accept.size(); ++s) {
    accept[s * t.classes] = d.accept[s];
  }
  d.accept = std::move(accept);
  return d;
}

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
    e.trie = build_trie(e.list);
    for (int k = 0; k < k_dfa_chains; ++k) {
      e.dfa[static_cast<size_t>(k)] = build_dfa(e.trie, k + 1);
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

// Walks back from `end` through the reversed endings; at each whole ending that
// leaves a non-empty stem, records its start and goes on from there.
void chain_starts(std::string_view token, size_t end, int depth, const ReverseTrie& t,
                  uint32_t* out, size_t cap, size_t& count) {
  size_t node = 0;
  for (size_t pos = end; pos > 0;) {
    node = t.next[node * t.classes + t.byte_class[static_cast<unsigned char>(token[pos - 1])]];
    if (node == 0) {
      return;
    }
    --pos;
    if (t.terminal[node] == 0 || pos == 0) {
      continue;
    }
    const auto p = static_cast<uint32_t>(pos);
    bool seen = false;
    for (size_t k = 0; k < count && !seen; ++k) {
      seen = out[k] == p;
    }
    if (!seen && count < cap) {
      out[count++] = p;
    }
    if (depth > 1) {
      chain_starts(token, pos, depth - 1, t, out, cap, count);
    }
  }
}

}  // namespace

size_t ending_chain_starts(std::string_view token, uint32_t* out, size_t cap, int max_chain) {
  size_t count = 0;
  if (max_chain <= 0) {
    return 0;
  }
  const Endings& e = endings();
  if (max_chain > k_dfa_chains) {
    chain_starts(token, token.size(), max_chain, e.trie, out, cap, count);
    return count;
  }
  const ChainDfa& d = e.dfa[static_cast<size_t>(max_chain - 1)];
  const uint16_t* next = d.next.data();
  const uint8_t* byte_class = e.trie.byte_class.data();
  size_t state = e.trie.classes;  // the start state, premultiplied
  for (size_t pos = token.size(); pos > 0;) {
    state = next[state + byte_class[static_cast<unsigned char>(token[pos - 1])]];
    if (state == 0) {
      break;
    }
    --pos;
    if (d.accept[state] != 0 && pos > 0 && count < cap) {
      out[count++] = static_cast<uint32_t>(pos);
    }
  }
  return count;
}

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
