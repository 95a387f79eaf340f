// khobor/watch/matcher.h — every watch list's rules compiled into one lookup.
//
// Compiling: each rule term is split into atoms (one normalised token and how it
// may match: inflected, exact or prefix). All atoms of all lists go into two hash
// tables keyed by the token text (words, prefixes), behind one Bloom filter. A
// token can match an atom only at a few of its lengths: its whole length, where a
// chain of endings begins (text::ending_chain_starts: one walk back from its end),
// and the lengths of prefix atoms that begin with the token's first two code
// points. Each such length costs one hash, one Bloom test and, on a hit, one
// table lookup; a per-thread memo gives recently seen tokens their atoms at once.
// The cost per token does not grow with the number of rules. Phrases are checked
// from the occurrences of their first atom; rules are evaluated only when one of
// their positive terms occurred, and output (hits, snippets) is made only for
// the lists that match. docs/rules.md has the steps and the benchmark.
//
// Per-thread state (buffers, marks, the memo of token lookups) lives in one
// thread_local MatchScratch of match(): about 300 KB per thread that matches.
// Immutable after construction; match() is const and thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "watch/watchlist.h"
#include "watch/watchset.h"

namespace khobor::watch {

// An open-addressing hash table from strings to uint32 values, the strings kept
// in one arena. Built once, then read-only.
class StringTable {
 public:
  // A fast hash of `key`, eight bytes at a time (a token of Bengali is 10–30
  // bytes: two to four multiplications).
  static uint64_t hash(std::string_view key) {
    constexpr uint64_t k_mul = 0x9FB21C651E98DF25ULL;
    const char* p = key.data();
    size_t n = key.size();
    uint64_t h = 0xCBF29CE484222325ULL ^ (n * 0x9E3779B97F4A7C15ULL);
    while (n > 8) {
      h = (h ^ load(p, 8)) * k_mul;
      h ^= h >> 29;
      p += 8;
      n -= 8;
    }
    // The last 1 to 8 bytes (overlapping the ones before when there are any).
    const uint64_t tail = key.size() >= 8 ? load(key.data() + key.size() - 8, 8) : load(p, n);
    return (h ^ tail) * k_mul;
  }
  // The final mixing of a hash (table slots and Bloom bits use it).
  static uint64_t mix(uint64_t h) {
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ULL;
    h ^= h >> 32;
    return h;
  }

  // The value stored for `key`, inserting `value` if the key is new.
  uint32_t insert(std::string_view key, uint32_t value);
  // The value for `key`, or nullptr.
  const uint32_t* find(std::string_view key) const { return find_mixed(key, mix(hash(key))); }
  // The same, given mix(hash(key)).
  const uint32_t* find_mixed(std::string_view key, uint64_t mixed) const;
  size_t size() const { return m_size; }
  // Calls f(key) for every key.
  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : m_slots) {
      if (s.value != k_empty) {
        f(std::string_view(m_arena).substr(s.offset, s.length));
      }
    }
  }

 private:
  // The n (at most 8) bytes at p as a little-endian number.
  static uint64_t load(const char* p, size_t n) {
    uint64_t w = 0;
    if (n == 8) {
      std::memcpy(&w, p, 8);
    } else {
      for (size_t k = 0; k < n; ++k) {
        w |= static_cast<uint64_t>(static_cast<unsigned char>(p[k])) << (8 * k);
      }
    }
    return w;
  }
  struct Slot {
    uint64_t hash = 0;
    uint32_t offset = 0;
    uint32_t length = 0;
    uint32_t value = k_empty;
  };
  static constexpr uint32_t k_empty = UINT32_MAX;
  void grow();
  std::vector<Slot> m_slots;
  std::string m_arena;
  size_t m_size = 0;
};

struct MatchScratch;  // match()'s per-thread buffers (matcher.cpp)

class Matcher {
 public:
  Matcher() = default;
  // Compiles the rules of `lists` (which must outlive the Matcher, unchanged).
  explicit Matcher(const std::vector<WatchList>& lists);

  // Matches of one entry: at most one per list (its first matching rule, unless
  // an exclude rule matched or the list does not apply to the feed), in the
  // order of `lists`.
  std::vector<Match> match(const EntryText& entry) const;

 private:
  enum class Mode : uint8_t { inflect, exact, prefix };
  struct WordSlot {
    uint32_t inflect = UINT32_MAX;  // atom that matches this word or its inflected forms
    uint32_t exact = UINT32_MAX;    // atom that matches this exact word
  };
  struct Term {
    std::vector<uint32_t> atoms;  // in order
    std::string written;          // for hits
    std::vector<uint32_t> rules;  // global rule ids where the term is positive
  };
  struct RuleRef {
    const Rule* rule = nullptr;
    uint32_t list = 0;
    uint32_t index = 0;  // position in its list's rules (or excludes)
    bool exclude = false;
    std::vector<uint32_t> term_ids;  // global term id of each of the rule's terms
    // The positive terms, each once: global id and the term as written (for hits).
    std::vector<std::pair<uint32_t, const std::string*>> reported;
    bool single_term = false;  // the rule is one term: it holds when that term fired
    bool conjunction = false;  // the rule is t1 AND t2 …: it holds when all term_ids fired
  };

  uint32_t atom_for(const std::string& token, Mode mode);
  uint32_t term_for(const RuleTerm& t);
  // Compiles `rule`, rule `index` of list `list` (of its excludes with `exclude`).
  void add_rule(const Rule& rule, size_t list, size_t index, bool exclude);
  // The Bloom filter over every atom's text, once all rules are in.
  void build_bloom();

  // Looks up a token's atoms (word, inflected, prefix) and appends them to
  // `atoms` (without duplicates).
  void token_atoms(std::string_view tok, std::vector<uint32_t>& atoms) const;
  // Its steps: the atoms of the token's whole length (a word, exact or inflected,
  // or a prefix atom); of the stems before its chains of endings (inflected
  // words); of the prefix atoms shorter than it that its start (`key` bytes,
  // start_key_length) allows.
  void whole_token_atoms(std::string_view tok, std::vector<uint32_t>& atoms) const;
  void stem_atoms(std::string_view tok, std::vector<uint32_t>& atoms) const;
  void shorter_prefix_atoms(std::string_view tok, size_t key, std::vector<uint32_t>& atoms) const;

  // The steps of match() on one field's tokens (in the scratch), then on the
  // whole entry. find_occurrences: each token's atoms, sorted. fire_terms: the
  // terms (single atoms, and phrases checked by phrase_at) that occur: marked
  // fired, their hits kept. mark_candidates: the rules with a fired positive
  // term. decide_lists: per list, the first rule that holds (rule_holds) and
  // whether an exclude rule holds. report: one list's Match.
  void find_occurrences(MatchScratch& s) const;
  void fire_terms(uint32_t field, MatchScratch& s) const;
  bool phrase_at(uint32_t term, uint32_t token, const MatchScratch& s) const;
  void mark_candidates(MatchScratch& s) const;
  bool rule_holds(const RuleRef& ref, const MatchScratch& s) const;
  void decide_lists(MatchScratch& s) const;
  Match report(const RuleRef& ref, const WatchList& list, const std::string_view (&fields)[3],
               MatchScratch& s, const std::vector<Match>& earlier) const;
  void add_to_bloom(std::string_view atom);
  bool in_bloom(uint64_t mixed) const {
    const uint64_t a = mixed >> m_bloom_shift;
    const uint64_t b = (mixed >> 20) & m_bloom_mask;
    return ((m_bloom[a >> 6] >> (a & 63)) & (m_bloom[b >> 6] >> (b & 63)) & 1) != 0;
  }
  // Adds `atom` to `atoms` unless it is there.
  static void push_atom(std::vector<uint32_t>& atoms, uint32_t atom) {
    if (std::find(atoms.begin(), atoms.end(), atom) == atoms.end()) {
      atoms.push_back(atom);
    }
  }
  // True when some prefix atom is `len` bytes long.
  bool is_prefix_length(size_t len) const {
    return len < 256 ? ((m_prefix_length_bits[len >> 6] >> (len & 63)) & 1) != 0 : m_long_prefixes;
  }

  const std::vector<WatchList>* m_lists = nullptr;
  // This Matcher's key in the per-thread memo of token lookups: unique in the
  // process, so a memo entry made for another Matcher (an earlier reload, or a
  // freed one whose address was reused) never counts.
  uint64_t m_id = 0;
  // A Bloom filter (two bits per atom, about 32 bits per atom) over the text of
  // every atom, word and prefix alike: the walk along a token tests each of its
  // prefixes here and goes to the tables only on a hit.
  std::vector<uint64_t> m_bloom;
  unsigned m_bloom_shift = 64;
  uint64_t m_bloom_mask = 0;
  StringTable m_words;  // token → index into m_word_slots
  std::vector<WordSlot> m_word_slots;
  StringTable m_prefixes;                           // prefix → atom
  uint64_t m_prefix_length_bits[4] = {0, 0, 0, 0};  // bit n: a prefix atom has n bytes
  bool m_long_prefixes = false;                     // a prefix atom has 256 bytes or more
  size_t m_max_atom_length = 0;                     // bytes of the longest word or prefix atom
  // Prefix atoms shorter than a token are looked for only at the lengths that
  // prefix atoms beginning with the token's first two code points have: bit n of
  // m_prefix_by_start[start_bucket(token)] says one of n bytes exists (n < 64);
  // m_prefix_short_bits has the lengths of one-code-point prefix atoms, tried
  // for every token, and m_long_prefix_lengths the lengths of 64 or more.
  static constexpr unsigned k_start_bits = 10;
  static size_t start_key_length(std::string_view s);  // bytes of its first two code points
  static size_t start_bucket(std::string_view s, size_t key_length, unsigned bits = k_start_bits);
  std::vector<uint64_t> m_prefix_by_start;
  uint64_t m_prefix_short_bits = 0;
  std::vector<uint32_t> m_long_prefix_lengths;
  // A token can be an inflected form of a word atom only if the word begins with
  // the token's first two code points: bit start_bucket(word, key, 16) of
  // m_word_starts is set for every word atom that takes endings (one of one code
  // point sets m_short_inflected instead). Tokens whose start has no bit skip the
  // walk for endings and its lookups.
  std::vector<uint64_t> m_word_starts;  // 2^16 bits
  bool m_short_inflected = false;
  bool m_inflected_words = false;  // some word atom takes endings
  StringTable m_term_keys;         // term key → term id (deduplication)
  uint32_t m_atom_count = 0;
  std::vector<std::vector<uint32_t>> m_first_terms;  // while compiling: atom → terms it begins
  std::vector<uint32_t> m_first_offsets;  // atom a's terms: m_first_flat[offsets[a], offsets[a+1])
  std::vector<uint32_t> m_first_flat;
  std::vector<uint32_t> m_term_size;  // atoms per term
  std::vector<Term> m_terms;
  std::vector<RuleRef> m_rules;
};

}  // namespace khobor::watch
