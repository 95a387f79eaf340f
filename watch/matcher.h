// khobor/watch/matcher.h — every watch list's rules compiled into one lookup.
//
// Compiling: each rule term is split into atoms (one normalised token and how it
// may match: inflected, exact or prefix). All atoms of all lists go into two hash
// tables keyed by the token text (words, prefixes), behind one Bloom filter. A
// token can match an atom only at a few of its lengths: its whole length, where a
// chain of endings begins (text::ending_chain_starts: one walk back from its end),
// and the lengths of prefix atoms. Matching hashes the token once, code point by
// code point, and at those lengths only tests the Bloom filter and, on a hit,
// the tables: the cost per token does not grow with the number of rules. Phrases
// are checked from the occurrences of their first atom; rules are evaluated only
// when one of their positive terms occurred, and output (hits, snippets) is
// made only for the lists that match.
//
// Immutable after construction; match() is const and thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "watch/watchlist.h"
#include "watch/watchset.h"

namespace khobor::watch {

// An open-addressing hash table from strings to uint32 values, the strings kept
// in one arena. Keys are hashed one code point at a time (hash_step), so a
// caller walking a token hashes every prefix of it in one pass and looks each up
// with find_hashed. Built once, then read-only.
class StringTable {
 public:
  static constexpr uint64_t k_seed = 0xCBF29CE484222325ULL;
  // Bytes in the UTF-8 sequence that starts with `lead` (1 for a stray byte).
  static size_t sequence_length(unsigned char lead) {
    return lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  }
  // Folds the code point of `n` bytes at `p` into `h`.
  static uint64_t hash_step(uint64_t h, const char* p, size_t n) {
    uint32_t raw = 0;
    for (size_t k = 0; k < n; ++k) {
      raw |= static_cast<uint32_t>(static_cast<unsigned char>(p[k])) << (8 * k);
    }
    return (h ^ raw) * 0x100000001B3ULL;
  }
  static uint64_t hash(std::string_view key) {
    uint64_t h = k_seed;
    for (size_t i = 0; i < key.size();) {
      const size_t n =
          std::min(sequence_length(static_cast<unsigned char>(key[i])), key.size() - i);
      h = hash_step(h, key.data() + i, n);
      i += n;
    }
    return h;
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

class Matcher {
 public:
  Matcher() = default;
  // Compiles the rules of `lists` (which must outlive the Matcher, unchanged).
  explicit Matcher(const std::vector<WatchList>& lists);

  // Matches of one entry: at most one per list (its first matching rule, unless
  // an exclude rule matched or the list does not apply to the feed), in the
  // order of `lists`.
  std::vector<Match> match(const EntryText& entry) const;

  size_t atom_count() const { return m_atom_count; }
  size_t term_count() const { return m_terms.size(); }

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
    bool single_term = false;        // the rule is one term: it holds when that term fired
  };

  uint32_t atom_for(const std::string& token, Mode mode);
  uint32_t term_for(const RuleTerm& t);

  // Looks up a token's atoms (word, inflected, prefix) and appends them to
  // `atoms` (without duplicates).
  void token_atoms(std::string_view tok, std::vector<uint32_t>& atoms) const;
  void add_to_bloom(std::string_view atom);
  bool in_bloom(uint64_t mixed) const {
    const uint64_t a = mixed >> m_bloom_shift;
    const uint64_t b = (mixed >> 20) & m_bloom_mask;
    return ((m_bloom[a >> 6] >> (a & 63)) & (m_bloom[b >> 6] >> (b & 63)) & 1) != 0;
  }
  // True when some prefix atom is `len` bytes long.
  bool is_prefix_length(size_t len) const {
    return len < 256 ? ((m_prefix_length_bits[len >> 6] >> (len & 63)) & 1) != 0 : m_long_prefixes;
  }

  const std::vector<WatchList>* m_lists = nullptr;
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
  StringTable m_term_keys;                          // term key → term id (deduplication)
  uint32_t m_atom_count = 0;
  std::vector<std::vector<uint32_t>> m_first_terms;  // while compiling: atom → terms it begins
  std::vector<uint32_t> m_first_offsets;  // atom a's terms: m_first_flat[offsets[a], offsets[a+1])
  std::vector<uint32_t> m_first_flat;
  std::vector<uint32_t> m_term_size;  // atoms per term
  std::vector<Term> m_terms;
  std::vector<RuleRef> m_rules;
};

}  // namespace khobor::watch
