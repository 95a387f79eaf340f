// khobor/watch/matcher.cpp — compiling rules into one table and matching entries.
#include "watch/matcher.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <functional>
#include <memory>
#include <utility>

#include "text/inflection.h"
#include "text/normalize.h"
#include "text/tokens.h"

namespace khobor::watch {
namespace {
// Each Matcher's identity in the per-thread memo of token lookups (0: none).
std::atomic<uint64_t> g_matcher_ids{0};
}  // namespace

// ---- StringTable ----

uint32_t StringTable::insert(std::string_view key, uint32_t value) {
  if ((m_size + 1) * 2 > m_slots.size()) {
    grow();
  }
  const uint64_t h = mix(hash(key));
  const size_t mask = m_slots.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& s = m_slots[i];
    if (s.value == k_empty) {
      s.hash = h;
      s.offset = static_cast<uint32_t>(m_arena.size());
      s.length = static_cast<uint32_t>(key.size());
      s.value = value;
      m_arena.append(key);
      ++m_size;
      return value;
    }
    if (s.hash == h && std::string_view(m_arena).substr(s.offset, s.length) == key) {
      return s.value;
    }
  }
}

const uint32_t* StringTable::find_mixed(std::string_view key, uint64_t mixed) const {
  if (m_size == 0) {
    return nullptr;
  }
  const size_t mask = m_slots.size() - 1;
  for (size_t i = mixed & mask;; i = (i + 1) & mask) {
    const Slot& s = m_slots[i];
    if (s.value == k_empty) {
      return nullptr;
    }
    if (s.hash == mixed && s.length == key.size() &&
        std::memcmp(m_arena.data() + s.offset, key.data(), key.size()) == 0) {
      return &s.value;
    }
  }
}

void StringTable::grow() {
  std::vector<Slot> old = std::move(m_slots);
  m_slots.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  const size_t mask = m_slots.size() - 1;
  for (const Slot& s : old) {
    if (s.value == k_empty) {
      continue;
    }
    size_t i = s.hash & mask;
    while (m_slots[i].value != k_empty) {
      i = (i + 1) & mask;
    }
    m_slots[i] = s;
  }
}

// ---- compiling ----

size_t Matcher::start_key_length(std::string_view s) {
  size_t i = 0;
  for (int cp = 0; cp < 2; ++cp) {
    if (i >= s.size()) {
      return 0;
    }
    const auto b = static_cast<unsigned char>(s[i]);
    i += b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  }
  return std::min(i, s.size());
}

size_t Matcher::start_bucket(std::string_view s, size_t key_length, unsigned bits) {
  // The first key_length (at most 8) bytes as a number, read with whole loads
  // (a byte-wise copy here stalls the multiplication that follows).
  const char* p = s.data();
  uint64_t w = 0;
  if (s.size() >= 8) {
    std::memcpy(&w, p, 8);
  } else if (s.size() >= 4) {
    uint32_t lo = 0;
    uint32_t hi = 0;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + s.size() - 4, 4);
    w = lo | (static_cast<uint64_t>(hi) << (8 * (s.size() - 4)));
  } else {
    for (size_t k = 0; k < s.size(); ++k) {
      w |= static_cast<uint64_t>(static_cast<unsigned char>(p[k])) << (8 * k);
    }
  }
  if (key_length < 8) {
    w &= (uint64_t{1} << (8 * key_length)) - 1;
  }
  return static_cast<size_t>((w * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

void Matcher::add_to_bloom(std::string_view atom) {
  const uint64_t mixed = StringTable::mix(StringTable::hash(atom));
  const uint64_t a = mixed >> m_bloom_shift;
  const uint64_t b = (mixed >> 20) & m_bloom_mask;
  m_bloom[a >> 6] |= uint64_t{1} << (a & 63);
  m_bloom[b >> 6] |= uint64_t{1} << (b & 63);
}

uint32_t Matcher::atom_for(const std::string& token, Mode mode) {
  if (mode == Mode::prefix) {
    const uint32_t atom = m_prefixes.insert(token, m_atom_count);
    if (atom == m_atom_count) {
      ++m_atom_count;
      if (token.size() < 256) {
        m_prefix_length_bits[token.size() >> 6] |= uint64_t{1} << (token.size() & 63);
      } else {
        m_long_prefixes = true;
      }
      const size_t key = start_key_length(token);
      if (token.size() >= 64) {
        if (std::find(m_long_prefix_lengths.begin(), m_long_prefix_lengths.end(), token.size()) ==
            m_long_prefix_lengths.end()) {
          m_long_prefix_lengths.push_back(static_cast<uint32_t>(token.size()));
          std::sort(m_long_prefix_lengths.begin(), m_long_prefix_lengths.end());
        }
      } else if (key == 0) {  // one code point
        m_prefix_short_bits |= uint64_t{1} << token.size();
      } else {
        if (m_prefix_by_start.empty()) {
          m_prefix_by_start.assign(size_t{1} << k_start_bits, 0);
        }
        m_prefix_by_start[start_bucket(token, key)] |= uint64_t{1} << token.size();
      }
      m_max_atom_length = std::max(m_max_atom_length, token.size());
    }
    return atom;
  }
  m_max_atom_length = std::max(m_max_atom_length, token.size());
  const uint32_t slot = m_words.insert(token, static_cast<uint32_t>(m_word_slots.size()));
  if (slot == m_word_slots.size()) {
    m_word_slots.emplace_back();
  }
  uint32_t& atom = mode == Mode::exact ? m_word_slots[slot].exact : m_word_slots[slot].inflect;
  if (atom == UINT32_MAX) {
    atom = m_atom_count++;
  }
  if (mode == Mode::inflect) {
    m_inflected_words = true;
    if (const size_t key = start_key_length(token); key == 0) {
      m_short_inflected = true;
    } else {
      if (m_word_starts.empty()) {
        m_word_starts.assign((size_t{1} << 16) / 64, 0);
      }
      const size_t bit = start_bucket(token, key, 16);
      m_word_starts[bit >> 6] |= uint64_t{1} << (bit & 63);
    }
  }
  return atom;
}

uint32_t Matcher::term_for(const RuleTerm& t) {
  std::string key;
  key += t.exact ? '=' : '~';
  key += t.prefix ? '*' : '.';
  for (const std::string& tok : t.tokens) {
    key += '\x1F';
    key += tok;
  }
  const uint32_t id = m_term_keys.insert(key, static_cast<uint32_t>(m_terms.size()));
  if (id < m_terms.size()) {
    return id;
  }
  Term term;
  term.written = t.written;
  for (size_t k = 0; k < t.tokens.size(); ++k) {
    const Mode mode = t.exact                                  ? Mode::exact
                      : (t.prefix && k + 1 == t.tokens.size()) ? Mode::prefix
                                                               : Mode::inflect;
    term.atoms.push_back(atom_for(t.tokens[k], mode));
  }
  if (m_first_terms.size() < m_atom_count) {
    m_first_terms.resize(m_atom_count);
  }
  m_first_terms[term.atoms.front()].push_back(id);
  m_terms.push_back(std::move(term));
  return id;
}

Matcher::Matcher(const std::vector<WatchList>& lists)
    : m_lists(&lists), m_id(g_matcher_ids.fetch_add(1) + 1) {
  for (size_t l = 0; l < lists.size(); ++l) {
    for (size_t r = 0; r < lists[l].rules.size(); ++r) {
      add_rule(lists[l].rules[r], l, r, false);
    }
    for (size_t r = 0; r < lists[l].exclude.size(); ++r) {
      add_rule(lists[l].exclude[r], l, r, true);
    }
  }
  build_bloom();
  // Flatten: atom → the terms that begin with it, and each term's length.
  m_first_terms.resize(m_atom_count);
  m_first_offsets.assign(1, 0);
  for (const auto& terms : m_first_terms) {
    m_first_flat.insert(m_first_flat.end(), terms.begin(), terms.end());
    m_first_offsets.push_back(static_cast<uint32_t>(m_first_flat.size()));
  }
  m_first_terms = {};
  for (const Term& t : m_terms) {
    m_term_size.push_back(static_cast<uint32_t>(t.atoms.size()));
  }
}

void Matcher::add_rule(const Rule& rule, size_t list, size_t index, bool exclude) {
  RuleRef ref;
  ref.rule = &rule;
  ref.list = static_cast<uint32_t>(list);
  ref.index = static_cast<uint32_t>(index);
  ref.exclude = exclude;
  const auto rule_id = static_cast<uint32_t>(m_rules.size());
  for (size_t k = 0; k < rule.terms.size(); ++k) {
    const uint32_t term = term_for(rule.terms[k]);
    ref.term_ids.push_back(term);
    auto& term_rules = m_terms[term].rules;
    if (rule.positive[k] && (term_rules.empty() || term_rules.back() != rule_id)) {
      term_rules.push_back(rule_id);
    }
  }
  for (size_t k = 0; k < rule.terms.size(); ++k) {
    const uint32_t id = ref.term_ids[k];
    if (rule.positive[k] && std::none_of(ref.reported.begin(), ref.reported.end(),
                                         [&](const auto& p) { return p.first == id; })) {
      ref.reported.emplace_back(id, &rule.terms[k].written);
    }
  }
  const RuleNode& root = rule.nodes[static_cast<size_t>(rule.root)];
  ref.single_term = root.op == RuleNode::Op::term;
  ref.conjunction = root.op == RuleNode::Op::op_and &&
                    std::all_of(root.kids.begin(), root.kids.end(), [&](int k) {
                      return rule.nodes[static_cast<size_t>(k)].op == RuleNode::Op::term;
                    });
  m_rules.push_back(std::move(ref));
}

void Matcher::build_bloom() {
  // 32 bits or more per atom.
  size_t atoms = std::max<size_t>(m_words.size() + m_prefixes.size(), 64);
  unsigned log2 = 6;
  while ((size_t{1} << log2) < atoms * 32) {
    ++log2;
  }
  m_bloom.assign((size_t{1} << log2) / 64, 0);
  m_bloom_shift = 64 - log2;
  m_bloom_mask = (uint64_t{1} << log2) - 1;
  m_words.for_each([&](std::string_view key) { add_to_bloom(key); });
  m_prefixes.for_each([&](std::string_view key) { add_to_bloom(key); });
}

// ---- matching ----

void Matcher::token_atoms(std::string_view tok, std::vector<uint32_t>& atoms) const {
  // A token matches an atom only at a few of its lengths, each tried with one
  // hash, one Bloom test and, on a hit, one table lookup: its whole length (a
  // word, exactly or inflected, or a prefix atom), a stem before a chain of
  // endings (an inflected word), the length of a prefix atom.
  if (tok.size() <= m_max_atom_length) {
    whole_token_atoms(tok, atoms);
  }
  const size_t key = start_key_length(tok);
  bool may_inflect = m_short_inflected;
  if (!may_inflect && m_inflected_words && key != 0) {
    const size_t bit = start_bucket(tok, key, 16);
    may_inflect = ((m_word_starts[bit >> 6] >> (bit & 63)) & 1) != 0;
  }
  if (may_inflect) {
    stem_atoms(tok, atoms);
  }
  shorter_prefix_atoms(tok, key, atoms);
}

void Matcher::whole_token_atoms(std::string_view tok, std::vector<uint32_t>& atoms) const {
  const uint64_t mixed = StringTable::mix(StringTable::hash(tok));
  if (!in_bloom(mixed)) {
    return;
  }
  if (const uint32_t* w = m_words.find_mixed(tok, mixed)) {
    const WordSlot& slot = m_word_slots[*w];
    if (slot.inflect != UINT32_MAX) {
      push_atom(atoms, slot.inflect);
    }
    if (slot.exact != UINT32_MAX) {
      push_atom(atoms, slot.exact);
    }
  }
  if (is_prefix_length(tok.size())) {
    if (const uint32_t* a = m_prefixes.find_mixed(tok, mixed)) {
      push_atom(atoms, *a);
    }
  }
}

void Matcher::stem_atoms(std::string_view tok, std::vector<uint32_t>& atoms) const {
  uint32_t starts[64];
  const size_t count = text::ending_chain_starts(tok, starts, 64);
  for (size_t k = 0; k < count; ++k) {
    if (starts[k] > m_max_atom_length) {
      continue;
    }
    const std::string_view stem = tok.substr(0, starts[k]);
    const uint64_t mixed = StringTable::mix(StringTable::hash(stem));
    if (!in_bloom(mixed)) {
      continue;
    }
    if (const uint32_t* w = m_words.find_mixed(stem, mixed)) {
      if (m_word_slots[*w].inflect != UINT32_MAX) {
        push_atom(atoms, m_word_slots[*w].inflect);
      }
    }
  }
}

void Matcher::shorter_prefix_atoms(std::string_view tok, size_t key,
                                   std::vector<uint32_t>& atoms) const {
  const size_t n = tok.size();
  uint64_t lengths = m_prefix_short_bits;
  if (!m_prefix_by_start.empty() && key != 0) {
    lengths |= m_prefix_by_start[start_bucket(tok, key)];
  }
  auto try_prefix = [&](size_t len) {
    if ((static_cast<unsigned char>(tok[len]) & 0xC0) == 0x80) {
      return;  // not a code point boundary
    }
    const std::string_view prefix = tok.substr(0, len);
    const uint64_t mixed = StringTable::mix(StringTable::hash(prefix));
    if (in_bloom(mixed)) {
      if (const uint32_t* a = m_prefixes.find_mixed(prefix, mixed)) {
        push_atom(atoms, *a);
      }
    }
  };
  if (n < 64) {
    lengths &= (uint64_t{1} << n) - 1;  // shorter than the token
  }
  while (lengths != 0) {
    try_prefix(static_cast<size_t>(std::countr_zero(lengths)));
    lengths &= lengths - 1;
  }
  for (const uint32_t len : m_long_prefix_lengths) {
    if (len >= n) {
      break;
    }
    try_prefix(len);
  }
}

namespace {

// One entry of the memo: a token (up to k_text bytes) and its atoms (up to
// k_atoms), for the Matcher `matcher`. Direct-mapped by the token's hash.
struct MemoEntry {
  static constexpr size_t k_text = 38;
  static constexpr size_t k_atoms = 3;
  uint64_t matcher = 0;
  uint8_t length = 0;
  uint8_t count = 0;
  char text[k_text] = {};
  uint32_t atoms[k_atoms] = {};
};
static_assert(sizeof(MemoEntry) == 64);
constexpr size_t k_memo_size = 4096;  // 256 KB per thread

constexpr size_t k_max_hits_per_entry = 512;
constexpr size_t k_max_hits_per_match = 32;
constexpr const char* k_field_names[] = {"title", "summary", "content"};

// True when the normalised text between two tokens ends a sentence (a phrase
// never spans it): ., !, ?, ;, danda, double danda, a line break.
bool sentence_break(std::string_view gap) {
  return gap.find_first_of(".!?;\n") != std::string_view::npos ||
         gap.find("\u0964") != std::string_view::npos ||
         gap.find("\u0965") != std::string_view::npos;
}

// Byte tables for the snippet: spaces (' ', '\n', '\t', '\r'), and the bytes a
// snippet may be cut at (' ', '\n', '\t').
constexpr std::array<bool, 256> k_space_byte = [] {
  std::array<bool, 256> t{};
  t[' '] = t['\n'] = t['\t'] = t['\r'] = true;
  return t;
}();
constexpr std::array<bool, 256> k_cut_byte = [] {
  std::array<bool, 256> t{};
  t[' '] = t['\n'] = t['\t'] = true;
  return t;
}();

bool is_space_byte(char c) {
  return k_space_byte[static_cast<unsigned char>(c)];
}

bool is_cut_byte(char c) {
  return k_cut_byte[static_cast<unsigned char>(c)];
}

// True when `text` has no line break, tab, carriage return or double space: a
// snippet of it needs no collapsing of spaces.
bool single_spaced(std::string_view text) {
  return std::memchr(text.data(), '\n', text.size()) == nullptr &&
         std::memchr(text.data(), '\t', text.size()) == nullptr &&
         std::memchr(text.data(), '\r', text.size()) == nullptr &&
         text.find("  ") == std::string_view::npos;
}

// The span of `text` a snippet of [begin, end) shows: up to 40 code points
// before and 60 after, cut at spaces where there are some, trimmed of spaces.
std::pair<size_t, size_t> snippet_span(std::string_view text, uint32_t begin, uint32_t end) {
  auto back = [&](size_t pos, int chars) {
    while (pos > 0 && chars > 0) {
      --pos;
      if ((static_cast<unsigned char>(text[pos]) & 0xC0) != 0x80) {
        --chars;
      }
    }
    return pos;
  };
  auto forward = [&](size_t pos, int chars) {
    // A code point at a time, by the length its lead byte says (a stray
    // continuation byte counts as one, as before).
    while (pos < text.size() && chars > 0) {
      const auto b = static_cast<unsigned char>(text[pos]);
      pos += b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
      while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) {
        ++pos;
      }
      --chars;
    }
    return std::min(pos, text.size());
  };
  size_t s = back(begin, 40);
  size_t e = forward(end, 60);
  if (s > 0) {  // from the first cut in [s, begin), if any
    for (size_t k = s; k < begin; ++k) {
      if (is_cut_byte(text[k])) {
        s = k + 1;
        break;
      }
    }
  }
  if (e < text.size()) {  // to the last cut in [end, e), if any
    for (size_t k = e; k > end; --k) {
      if (is_cut_byte(text[k - 1])) {
        e = k - 1;
        break;
      }
    }
  }
  while (s < begin && is_space_byte(text[s])) {
    ++s;
  }
  while (e > end && is_space_byte(text[e - 1])) {
    --e;
  }
  return {s, e};
}

// `plain`: single_spaced(text) is known to hold.
std::string make_snippet(std::string_view text, uint32_t begin, uint32_t end, bool plain) {
  while (text.size() > end && is_space_byte(text.back())) {
    text.remove_suffix(1);  // trailing space is not worth an ellipsis
  }
  const auto [s, e] = snippet_span(text, begin, end);
  // Runs of spaces become one ' '. Most spans have none but single spaces:
  // then the span is copied as it is.
  const bool head = s > 0;
  const bool tail = e < text.size();
  const std::string_view span = text.substr(s, e - s);
  std::string out((head ? 3 : 0) + span.size() + (tail ? 3 : 0), '\0');
  char* o = out.data();
  if (head) {
    std::memcpy(o, "…", 3);
    o += 3;
  }
  if (plain || single_spaced(span)) {
    std::memcpy(o, span.data(), span.size());
    o += span.size();
  } else {
    bool last_space = false;
    for (const char ch : span) {
      const bool space = is_space_byte(ch);
      if (!space || !last_space) {
        *o++ = space ? ' ' : ch;
      }
      last_space = space;
    }
  }
  if (tail) {
    std::memcpy(o, "…", 3);
    o += 3;
  }
  out.resize(static_cast<size_t>(o - out.data()));
  return out;
}

}  // namespace

// Everything match() reuses from entry to entry on one thread (match() is const
// and may run on several threads at once), so nothing is allocated per token.
struct MatchScratch {
  struct Occurrence {
    uint32_t token;
    uint32_t atom;
    bool operator<(const Occurrence& o) const {
      return token != o.token ? token < o.token : atom < o.atom;
    }
    bool operator==(const Occurrence& o) const = default;
  };
  struct TermHit {
    uint32_t term;
    uint32_t field;
    uint32_t begin;  // byte offsets into the normalised field
    uint32_t end;
  };
  // Per list: the first rule that holds, and whether an exclude rule holds.
  struct ListState {
    uint32_t list;
    uint32_t best = UINT32_MAX;  // global rule id
    bool vetoed = false;
  };
  // A snippet made for an earlier match of this entry.
  struct Snippet {
    uint32_t field;
    uint32_t begin;
    uint32_t end;
    size_t match;  // index of the match whose snippet this is
  };

  // Made ready for an entry, against a Matcher of `terms` terms and `rules` rules.
  void start(size_t terms, size_t rules) {
    if (term_mark.size() < terms) {
      term_mark.resize(terms, 0);
    }
    if (rule_mark.size() < rules) {
      rule_mark.resize(rules, 0);
    }
    if (++epoch == 0) {
      std::fill(term_mark.begin(), term_mark.end(), 0);
      std::fill(rule_mark.begin(), rule_mark.end(), 0);
      epoch = 1;
    }
    hits.clear();
    fired.clear();
    candidates.clear();
    states.clear();
    snippets.clear();
    std::fill(std::begin(field_plain), std::end(field_plain), -1);
  }

  // One field at a time: its normalised text, tokens, and the tokens' atoms.
  std::string norm;
  std::vector<text::Token> toks;
  std::vector<Occurrence> occs;  // sorted by token, then atom
  std::vector<uint32_t> atoms;   // one token's, while it is looked up
  // The memo of token lookups (MemoEntry).
  std::unique_ptr<MemoEntry[]> memo = std::make_unique<MemoEntry[]>(k_memo_size);
  // Per field, kept to the end: normalised offsets back into the field.
  text::OffsetMap offsets[3];
  // What the fields gave: every term occurrence, the terms that occurred (each
  // once), the rules with a positive term among them (each once).
  std::vector<TermHit> hits;
  std::vector<uint32_t> fired;
  std::vector<uint32_t> candidates;
  // "Term t fired in this entry" is term_mark[t] == epoch, and "rule r is a
  // candidate" rule_mark[r] == epoch: one store and one load each, no sorting or
  // searching. The epoch grows with every entry, so marks left by an earlier
  // one (or another Matcher on this thread) never count.
  std::vector<uint32_t> term_mark;
  std::vector<uint32_t> rule_mark;
  uint32_t epoch = 0;
  // The output: lists with a rule that holds, one rule's hits, snippets made.
  std::vector<ListState> states;
  std::vector<const TermHit*> rule_hits;
  std::vector<const TermHit*> kept;
  std::vector<Snippet> snippets;
  int8_t field_plain[3] = {-1, -1, -1};  // single_spaced(field), once known
};

namespace {

using TermHit = MatchScratch::TermHit;

bool by_place(const TermHit* a, const TermHit* b) {
  return a->field != b->field ? a->field < b->field
                              : (a->begin != b->begin ? a->begin < b->begin : a->end < b->end);
}

// More than k_max_hits_per_match hits in s.rule_hits (in place order): keep the
// first hit of every term, then the earliest others, in place order.
void cap_rule_hits(MatchScratch& s) {
  s.kept.clear();
  for (const TermHit* h : s.rule_hits) {
    if (std::none_of(s.kept.begin(), s.kept.end(),
                     [&](const TermHit* k) { return k->term == h->term; })) {
      s.kept.push_back(h);
    }
  }
  for (const TermHit* h : s.rule_hits) {
    if (s.kept.size() >= k_max_hits_per_match) {
      break;
    }
    if (std::find(s.kept.begin(), s.kept.end(), h) == s.kept.end()) {
      s.kept.push_back(h);
    }
  }
  std::sort(s.kept.begin(), s.kept.end(), by_place);
  s.rule_hits.swap(s.kept);
}

// s.rule_hits: the hits of `terms` (global ids; s.hits sorted by term), in place
// order, at most k_max_hits_per_match.
void gather_rule_hits(const std::vector<std::pair<uint32_t, const std::string*>>& terms,
                      MatchScratch& s) {
  s.rule_hits.clear();
  for (const auto& [id, written] : terms) {
    const auto [lo, hi] =
        std::equal_range(s.hits.begin(), s.hits.end(), TermHit{id, 0, 0, 0},
                         [](const TermHit& a, const TermHit& b) { return a.term < b.term; });
    for (auto it = lo; it != hi; ++it) {
      s.rule_hits.push_back(&*it);
    }
  }
  std::sort(s.rule_hits.begin(), s.rule_hits.end(), by_place);
  if (s.rule_hits.size() > k_max_hits_per_match) {
    cap_rule_hits(s);
  }
}

// The snippet around `first` (at [begin, end) in its field's own bytes): the one
// made for an earlier match of the entry with the same first hit, or a new one.
std::string snippet_for(const TermHit& first, uint32_t begin, uint32_t end,
                        const std::string_view (&fields)[3], MatchScratch& s,
                        const std::vector<Match>& earlier) {
  const auto same = std::find_if(s.snippets.begin(), s.snippets.end(), [&](const auto& sn) {
    return sn.field == first.field && sn.begin == first.begin && sn.end == first.end;
  });
  if (same != s.snippets.end()) {
    return earlier[same->match].snippet;
  }
  if (s.field_plain[first.field] < 0) {
    s.field_plain[first.field] = single_spaced(fields[first.field]) ? 1 : 0;
  }
  s.snippets.push_back({first.field, first.begin, first.end, earlier.size()});
  return make_snippet(fields[first.field], begin, end, s.field_plain[first.field] == 1);
}

}  // namespace

std::vector<Match> Matcher::match(const EntryText& entry) const {
  std::vector<Match> matches;
  if (m_rules.empty()) {
    return matches;
  }
  thread_local MatchScratch scratch;  // about 300 KB, most of it the memo
  MatchScratch& s = scratch;
  s.start(m_terms.size(), m_rules.size());
  const std::string_view fields[] = {entry.title, entry.summary, entry.content};
  for (uint32_t f = 0; f < 3; ++f) {
    if (fields[f].empty()) {
      continue;
    }
    // Hits keep offsets into the normalised text until the end, where the
    // sparse map (made in the same pass) takes them back into the field.
    text::normalize(fields[f], s.norm, s.offsets[f]);
    text::tokenize(s.norm, s.toks);
    find_occurrences(s);
    fire_terms(f, s);
  }
  if (s.fired.empty()) {
    return matches;
  }
  mark_candidates(s);
  decide_lists(s);
  // The output, only for the lists that match.
  for (const MatchScratch::ListState& st : s.states) {
    if (st.vetoed || st.best == UINT32_MAX) {
      continue;
    }
    const WatchList& list = (*m_lists)[st.list];
    if (list.applies_to(entry.feed_id)) {
      matches.push_back(report(m_rules[st.best], list, fields, s, matches));
    }
  }
  return matches;
}

void Matcher::find_occurrences(MatchScratch& s) const {
  s.occs.clear();
  for (uint32_t i = 0; i < s.toks.size(); ++i) {
    const std::string_view tok = s.toks[i].text;
    // News text repeats its words: a token seen lately on this thread, with
    // this Matcher, takes its atoms from the memo (checked byte for byte).
    MemoEntry* slot = nullptr;
    if (tok.size() <= MemoEntry::k_text) {
      slot = &s.memo[StringTable::mix(StringTable::hash(tok)) & (k_memo_size - 1)];
      if (slot->matcher == m_id && slot->length == tok.size() &&
          std::memcmp(slot->text, tok.data(), tok.size()) == 0) {
        for (uint8_t k = 0; k < slot->count; ++k) {
          s.occs.push_back({i, slot->atoms[k]});
        }
        continue;
      }
    }
    s.atoms.clear();
    token_atoms(tok, s.atoms);
    for (uint32_t atom : s.atoms) {
      s.occs.push_back({i, atom});
    }
    if (slot != nullptr && s.atoms.size() <= MemoEntry::k_atoms) {
      slot->matcher = m_id;
      slot->length = static_cast<uint8_t>(tok.size());
      slot->count = static_cast<uint8_t>(s.atoms.size());
      std::memcpy(slot->text, tok.data(), tok.size());
      std::copy(s.atoms.begin(), s.atoms.end(), slot->atoms);
    }
  }
  std::sort(s.occs.begin(), s.occs.end());
}

bool Matcher::phrase_at(uint32_t term, uint32_t token, const MatchScratch& s) const {
  const Term& t = m_terms[term];
  for (size_t k = 1; k < t.atoms.size(); ++k) {
    const uint32_t j = token + static_cast<uint32_t>(k);
    const std::string_view gap =
        std::string_view(s.norm).substr(s.toks[j - 1].end, s.toks[j].begin - s.toks[j - 1].end);
    if (sentence_break(gap) || !std::binary_search(s.occs.begin(), s.occs.end(),
                                                   MatchScratch::Occurrence{j, t.atoms[k]})) {
      return false;
    }
  }
  return true;
}

void Matcher::fire_terms(uint32_t field, MatchScratch& s) const {
  for (const MatchScratch::Occurrence& occ : s.occs) {
    const uint32_t* first = m_first_flat.data() + m_first_offsets[occ.atom];
    const uint32_t* last = m_first_flat.data() + m_first_offsets[occ.atom + 1];
    for (; first != last; ++first) {
      const uint32_t t = *first;
      const size_t n = m_term_size[t];
      if (occ.token + n > s.toks.size() || (n > 1 && !phrase_at(t, occ.token, s))) {
        continue;
      }
      if (s.term_mark[t] != s.epoch) {
        s.term_mark[t] = s.epoch;
        s.fired.push_back(t);
      }
      if (s.hits.size() < k_max_hits_per_entry) {
        s.hits.push_back({t, field, s.toks[occ.token].begin, s.toks[occ.token + n - 1].end});
      }
    }
  }
}

void Matcher::mark_candidates(MatchScratch& s) const {
  for (uint32_t t : s.fired) {
    for (uint32_t r : m_terms[t].rules) {
      if (s.rule_mark[r] != s.epoch) {
        s.rule_mark[r] = s.epoch;
        s.candidates.push_back(r);
      }
    }
  }
  std::sort(s.candidates.begin(), s.candidates.end());  // lists in order, rules in file order
  // Hits by term, for the rules' lookups in report().
  std::sort(s.hits.begin(), s.hits.end(), [](const TermHit& a, const TermHit& b) {
    return a.term != b.term ? a.term < b.term
                            : (a.field != b.field ? a.field < b.field : a.begin < b.begin);
  });
}

bool Matcher::rule_holds(const RuleRef& ref, const MatchScratch& s) const {
  // The common shapes without walking the rule's tree: one term, or terms
  // joined by AND (a b, "a b" c).
  const auto fired = [&](uint32_t t) { return s.term_mark[t] == s.epoch; };
  if (ref.single_term) {
    return true;
  }
  if (ref.conjunction) {
    return std::all_of(ref.term_ids.begin(), ref.term_ids.end(), fired);
  }
  return ref.rule->eval([&](int k) { return fired(ref.term_ids[static_cast<size_t>(k)]); });
}

void Matcher::decide_lists(MatchScratch& s) const {
  for (uint32_t r : s.candidates) {
    const RuleRef& ref = m_rules[r];
    if (!rule_holds(ref, s)) {
      continue;
    }
    if (s.states.empty() || s.states.back().list != ref.list) {
      s.states.push_back({ref.list});
    }
    MatchScratch::ListState& st = s.states.back();
    if (ref.exclude) {
      st.vetoed = true;
    } else if (st.best == UINT32_MAX || m_rules[st.best].index > ref.index) {
      st.best = r;
    }
  }
}

Match Matcher::report(const RuleRef& ref, const WatchList& list,
                      const std::string_view (&fields)[3], MatchScratch& s,
                      const std::vector<Match>& earlier) const {
  const auto& terms = ref.reported;  // global id, as written; each term once
  gather_rule_hits(terms, s);
  Match m;
  m.watchlist = list.name;
  m.rule = ref.rule->text;
  m.hits.reserve(s.rule_hits.size());
  const TermHit* previous = nullptr;
  for (const TermHit* h : s.rule_hits) {
    if (previous != nullptr && previous->field == h->field && previous->begin == h->begin &&
        previous->end == h->end) {
      continue;  // the same span hit by two terms: report it once
    }
    previous = h;
    const auto it =
        std::find_if(terms.begin(), terms.end(), [&](const auto& p) { return p.first == h->term; });
    Hit hit;
    hit.term = *it->second;
    hit.field = k_field_names[h->field];
    // Spans go back into the fields through the sparse maps.
    hit.begin = s.offsets[h->field].source(h->begin);
    hit.end = s.offsets[h->field].source(h->end);
    m.hits.push_back(std::move(hit));
  }
  if (!s.rule_hits.empty()) {
    m.snippet = snippet_for(*s.rule_hits.front(), m.hits.front().begin, m.hits.front().end, fields,
                            s, earlier);
  }
  return m;
}

}  // namespace khobor::watch
