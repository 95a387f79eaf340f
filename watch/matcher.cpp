// khobor/watch/matcher.cpp — compiling rules into one table and matching entries.
#include "watch/matcher.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "text/inflection.h"
#include "text/normalize.h"
#include "text/tokens.h"

namespace khobor::watch {

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
      if (std::find(m_prefix_lengths.begin(), m_prefix_lengths.end(), token.size()) ==
          m_prefix_lengths.end()) {
        m_prefix_lengths.push_back(static_cast<uint32_t>(token.size()));
        std::sort(m_prefix_lengths.begin(), m_prefix_lengths.end());
      }
    }
    return atom;
  }
  const uint32_t slot = m_words.insert(token, static_cast<uint32_t>(m_word_slots.size()));
  if (slot == m_word_slots.size()) {
    m_word_slots.emplace_back();
  }
  uint32_t& atom = mode == Mode::exact ? m_word_slots[slot].exact : m_word_slots[slot].inflect;
  if (atom == UINT32_MAX) {
    atom = m_atom_count++;
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

Matcher::Matcher(const std::vector<WatchList>& lists) : m_lists(&lists) {
  for (size_t l = 0; l < lists.size(); ++l) {
    auto add = [&](const std::vector<Rule>& rules, bool exclude) {
      for (size_t r = 0; r < rules.size(); ++r) {
        RuleRef ref;
        ref.rule = &rules[r];
        ref.list = static_cast<uint32_t>(l);
        ref.index = static_cast<uint32_t>(r);
        ref.exclude = exclude;
        const auto rule_id = static_cast<uint32_t>(m_rules.size());
        for (size_t k = 0; k < rules[r].terms.size(); ++k) {
          const uint32_t term = term_for(rules[r].terms[k]);
          ref.term_ids.push_back(term);
          auto& term_rules = m_terms[term].rules;
          if (rules[r].positive[k] && (term_rules.empty() || term_rules.back() != rule_id)) {
            term_rules.push_back(rule_id);
          }
        }
        ref.single_term =
            rules[r].nodes[static_cast<size_t>(rules[r].root)].op == RuleNode::Op::term;
        m_rules.push_back(std::move(ref));
      }
    };
    add(lists[l].rules, false);
    add(lists[l].exclude, true);
  }
  // The Bloom filter over every atom's text: 32 bits or more per atom.
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

// ---- matching ----

void Matcher::token_atoms(std::string_view tok, std::vector<uint32_t>& atoms) const {
  // Every way a token matches an atom (equal, equal after stripping endings, or
  // beginning with a prefix atom) makes the atom's text a prefix of the token
  // at a code point boundary. One walk hashes each such prefix and tests it in
  // the Bloom filter; only a hit goes to the tables.
  uint64_t h = StringTable::k_seed;
  for (size_t i = 0; i < tok.size();) {
    const size_t n =
        std::min(StringTable::sequence_length(static_cast<unsigned char>(tok[i])), tok.size() - i);
    h = StringTable::hash_step(h, tok.data() + i, n);
    i += n;
    const uint64_t mixed = StringTable::mix(h);
    if (in_bloom(mixed)) {
      prefix_atoms(tok, i, mixed, atoms);
    }
  }
}

void Matcher::prefix_atoms(std::string_view tok, size_t len, uint64_t mixed,
                           std::vector<uint32_t>& atoms) const {
  auto push = [&](uint32_t atom) {
    if (std::find(atoms.begin(), atoms.end(), atom) == atoms.end()) {
      atoms.push_back(atom);
    }
  };
  const std::string_view prefix = tok.substr(0, len);
  if (const uint32_t* w = m_words.find_mixed(prefix, mixed)) {
    const WordSlot& slot = m_word_slots[*w];
    if (len == tok.size()) {
      if (slot.inflect != UINT32_MAX) {
        push(slot.inflect);
      }
      if (slot.exact != UINT32_MAX) {
        push(slot.exact);
      }
    } else if (slot.inflect != UINT32_MAX && text::is_ending_chain(tok.substr(len))) {
      push(slot.inflect);
    }
  }
  if (const uint32_t* a = m_prefixes.find_mixed(prefix, mixed)) {
    push(*a);
  }
}

namespace {

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
  uint32_t begin;  // source byte offsets
  uint32_t end;
};

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

bool is_space_byte(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

// About 40 characters before the hit and 60 after, cut at spaces, one line.
std::string make_snippet(std::string_view text, uint32_t begin, uint32_t end) {
  while (text.size() > end && is_space_byte(text.back())) {
    text.remove_suffix(1);  // trailing space is not worth an ellipsis
  }
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
    while (pos < text.size() && chars > 0) {
      ++pos;
      while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) {
        ++pos;
      }
      --chars;
    }
    return pos;
  };
  size_t s = back(begin, 40);
  size_t e = forward(end, 60);
  if (s > 0) {
    const size_t sp = text.substr(s, begin - s).find_first_of(" \n\t");
    if (sp != std::string_view::npos) {
      s += sp + 1;
    }
  }
  if (e < text.size()) {
    const size_t sp = text.substr(end, e - end).find_last_of(" \n\t");
    if (sp != std::string_view::npos) {
      e = end + sp;
    }
  }
  while (s < begin && is_space_byte(text[s])) {
    ++s;
  }
  while (e > end && is_space_byte(text[e - 1])) {
    --e;
  }
  std::string out = s > 0 ? "…" : "";
  out.reserve(out.size() + (e - s) + 3);
  bool last_space = false;
  for (size_t k = s; k < e; ++k) {
    const char c = text[k];
    if (is_space_byte(c)) {
      if (!last_space) {
        out += ' ';
      }
      last_space = true;
      continue;
    }
    size_t run = k + 1;
    while (run < e && !is_space_byte(text[run])) {
      ++run;
    }
    out.append(text.substr(k, run - k));
    k = run - 1;
    last_space = false;
  }
  if (e < text.size()) {
    out += "…";
  }
  return out;
}

// normalize_mapped of a prefix of `field` long enough to map normalised offsets
// up to `need`. Hits are mostly early in a field, and the map costs a pass that
// writes four bytes per byte, so the prefix is grown only as far as needed. It is
// cut at an ASCII space or line break: no step of normalize() looks across one
// (a starter that never composes), so the prefix's form is the whole's prefix.
void map_prefix(std::string_view field, uint32_t need, text::NormalizedText& mapped) {
  size_t cut = std::min(field.size(), size_t{need} + need / 2 + 64);
  for (;;) {
    while (cut < field.size() && field[cut] != ' ' && field[cut] != '\n') {
      ++cut;
    }
    text::normalize_mapped(field.substr(0, cut), mapped);
    if (cut == field.size() || mapped.text.size() > need) {
      return;
    }
    cut = std::min(field.size(), cut * 2 + 1);
  }
}

}  // namespace

std::vector<Match> Matcher::match(const EntryText& entry) const {
  std::vector<Match> matches;
  if (m_rules.empty()) {
    return matches;
  }
  const std::string_view fields[] = {entry.title, entry.summary, entry.content};
  thread_local std::vector<TermHit> hits;
  thread_local std::vector<uint32_t> fired;
  thread_local std::vector<uint32_t> candidates;
  hits.clear();
  fired.clear();
  candidates.clear();
  // Per-thread buffers, reused from entry to entry (match() is const and may run
  // on several threads at once).
  thread_local std::string norm;
  thread_local text::NormalizedText mapped;
  thread_local std::vector<text::Token> toks;
  thread_local std::vector<Occurrence> occs;
  thread_local std::vector<uint32_t> atoms;

  for (uint32_t f = 0; f < 3; ++f) {
    if (fields[f].empty()) {
      continue;
    }
    // Hits keep offsets into the normalised text until the end: only the fields
    // of reported hits are normalised again with the map back to the field.
    text::normalize(fields[f], norm);
    text::tokenize(norm, toks);
    occs.clear();
    for (uint32_t i = 0; i < toks.size(); ++i) {
      const std::string_view tok = toks[i].text;
      atoms.clear();
      token_atoms(tok, atoms);
      for (uint32_t atom : atoms) {
        occs.push_back(Occurrence{i, atom});
      }
    }
    if (occs.empty()) {
      continue;
    }
    std::sort(occs.begin(), occs.end());
    for (const Occurrence& occ : occs) {
      const uint32_t* first = m_first_flat.data() + m_first_offsets[occ.atom];
      const uint32_t* last = m_first_flat.data() + m_first_offsets[occ.atom + 1];
      for (; first != last; ++first) {
        const uint32_t t = *first;
        const size_t n = m_term_size[t];
        if (occ.token + n > toks.size()) {
          continue;
        }
        bool ok = true;
        for (size_t k = 1; k < n && ok; ++k) {
          const Term& term = m_terms[t];
          const uint32_t j = occ.token + static_cast<uint32_t>(k);
          const std::string_view gap =
              std::string_view(norm).substr(toks[j - 1].end, toks[j].begin - toks[j - 1].end);
          ok = !sentence_break(gap) &&
               std::binary_search(occs.begin(), occs.end(), Occurrence{j, term.atoms[k]});
        }
        if (!ok) {
          continue;
        }
        fired.push_back(t);
        if (hits.size() < k_max_hits_per_entry) {
          hits.push_back(TermHit{t, f, toks[occ.token].begin, toks[occ.token + n - 1].end});
        }
      }
    }
  }
  if (fired.empty()) {
    return matches;
  }
  std::sort(fired.begin(), fired.end());
  fired.erase(std::unique(fired.begin(), fired.end()), fired.end());

  for (uint32_t t : fired) {
    candidates.insert(candidates.end(), m_terms[t].rules.begin(), m_terms[t].rules.end());
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

  // Hits by term, for the rules' lookups below.
  std::sort(hits.begin(), hits.end(), [](const TermHit& a, const TermHit& b) {
    return a.term != b.term ? a.term < b.term
                            : (a.field != b.field ? a.field < b.field : a.begin < b.begin);
  });

  // Per list: the first rule that holds, and whether an exclude rule holds.
  struct ListState {
    uint32_t list;
    uint32_t best = UINT32_MAX;  // global rule id
    bool vetoed = false;
  };
  std::vector<ListState> states;
  for (uint32_t r : candidates) {
    const RuleRef& ref = m_rules[r];
    const bool holds = ref.single_term || ref.rule->eval([&](int k) {
      return std::binary_search(fired.begin(), fired.end(), ref.term_ids[static_cast<size_t>(k)]);
    });
    if (!holds) {
      continue;
    }
    if (states.empty() || states.back().list != ref.list) {
      states.push_back(ListState{ref.list});
    }
    ListState& st = states.back();
    if (ref.exclude) {
      st.vetoed = true;
    } else if (st.best == UINT32_MAX || m_rules[st.best].index > ref.index) {
      st.best = r;
    }
  }

  for (const ListState& st : states) {
    if (st.vetoed || st.best == UINT32_MAX) {
      continue;
    }
    const WatchList& list = (*m_lists)[st.list];
    if (!list.applies_to(entry.feed_id)) {
      continue;
    }
    const RuleRef& ref = m_rules[st.best];
    Match m;
    m.watchlist = list.name;
    m.rule = ref.rule->text;
    std::vector<std::pair<uint32_t, const std::string*>> terms;  // global id, as written
    for (size_t k = 0; k < ref.term_ids.size(); ++k) {
      if (ref.rule->positive[k]) {
        terms.emplace_back(ref.term_ids[k], &ref.rule->terms[k].written);
      }
    }
    std::vector<const TermHit*> rule_hits;
    for (size_t k = 0; k < terms.size(); ++k) {
      const uint32_t id = terms[k].first;
      bool dup = false;
      for (size_t j = 0; j < k; ++j) {
        dup = dup || terms[j].first == id;
      }
      if (dup) {
        continue;  // the same term twice in the rule
      }
      const auto [lo, hi] =
          std::equal_range(hits.begin(), hits.end(), TermHit{id, 0, 0, 0},
                           [](const TermHit& a, const TermHit& b) { return a.term < b.term; });
      for (auto it = lo; it != hi; ++it) {
        rule_hits.push_back(&*it);
      }
    }
    std::sort(rule_hits.begin(), rule_hits.end(), [](const TermHit* a, const TermHit* b) {
      return a->field != b->field ? a->field < b->field
                                  : (a->begin != b->begin ? a->begin < b->begin : a->end < b->end);
    });
    if (rule_hits.size() > k_max_hits_per_match) {
      // Keep the first hit of every term, then the earliest others, in order.
      std::vector<const TermHit*> kept;
      std::vector<uint32_t> seen;
      for (const TermHit* h : rule_hits) {
        if (std::find(seen.begin(), seen.end(), h->term) == seen.end()) {
          seen.push_back(h->term);
          kept.push_back(h);
        }
      }
      for (const TermHit* h : rule_hits) {
        if (kept.size() >= k_max_hits_per_match) {
          break;
        }
        if (std::find(kept.begin(), kept.end(), h) == kept.end()) {
          kept.push_back(h);
        }
      }
      std::sort(kept.begin(), kept.end(), [](const TermHit* a, const TermHit* b) {
        return a->field != b->field
                   ? a->field < b->field
                   : (a->begin != b->begin ? a->begin < b->begin : a->end < b->end);
      });
      rule_hits = std::move(kept);
    }
    for (const TermHit* h : rule_hits) {
      const auto it = std::find_if(terms.begin(), terms.end(),
                                   [&](const auto& p) { return p.first == h->term; });
      Hit hit;
      hit.term = *it->second;
      hit.field = k_field_names[h->field];
      hit.begin = h->begin;
      hit.end = h->end;
      if (!m.hits.empty() && m.hits.back().field == hit.field && m.hits.back().begin == hit.begin &&
          m.hits.back().end == hit.end) {
        continue;  // the same span hit by two terms: report it once
      }
      m.hits.push_back(std::move(hit));
    }
    matches.push_back(std::move(m));
  }

  // Offsets into the normalised fields → into the fields (the map is monotonic,
  // so the order and the deduplication above hold), then the snippets.
  auto field_index = [](const std::string& name) {
    return name == "title" ? 0 : name == "summary" ? 1 : 2;
  };
  bool needed[3] = {false, false, false};
  for (const Match& m : matches) {
    for (const Hit& h : m.hits) {
      needed[field_index(h.field)] = true;
    }
  }
  for (int f = 0; f < 3; ++f) {
    if (!needed[f]) {
      continue;
    }
    uint32_t need = 0;  // the furthest normalised offset to map
    for (const Match& m : matches) {
      for (const Hit& h : m.hits) {
        if (field_index(h.field) == f) {
          need = std::max(need, h.end);
        }
      }
    }
    map_prefix(fields[f], need, mapped);
    for (Match& m : matches) {
      for (Hit& h : m.hits) {
        if (field_index(h.field) == f) {
          h.begin = mapped.source_offset[h.begin];
          h.end = mapped.source_offset[h.end];
        }
      }
    }
  }
  for (Match& m : matches) {
    if (!m.hits.empty()) {
      const Hit& first = m.hits.front();
      m.snippet = make_snippet(fields[field_index(first.field)], first.begin, first.end);
    }
  }
  return matches;
}

}  // namespace khobor::watch
