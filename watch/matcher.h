// khobor/watch/matcher.h — every watch list's rules compiled into one lookup.
//
// Compiling: each rule term is split into atoms (one normalised token and how it
// may match: inflected, exact or prefix). All atoms of all lists go into one hash
// table keyed by the token text, so matching an entry costs, per token, one
// lookup of the token and one per ending-stripped form of it (text::stripped_forms),
// plus one per distinct prefix length when prefix terms exist — independent of
// the number of rules. Phrases are checked from the occurrences of their first
// atom; rules are evaluated only when one of their positive terms occurred.
//
// Immutable after construction; match() is const and thread-safe.
#pragma once

#include <cstdint>
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
  // The value stored for `key`, inserting `value` if the key is new.
  uint32_t insert(std::string_view key, uint32_t value);
  // The value for `key`, or nullptr.
  const uint32_t* find(std::string_view key) const;
  size_t size() const { return m_size; }

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
  };

  uint32_t atom_for(const std::string& token, Mode mode);
  uint32_t term_for(const RuleTerm& t);

  const std::vector<WatchList>* m_lists = nullptr;
  StringTable m_words;  // token → index into m_word_slots
  std::vector<WordSlot> m_word_slots;
  StringTable m_prefixes;                  // prefix → atom
  std::vector<uint32_t> m_prefix_lengths;  // distinct prefix byte lengths, ascending
  StringTable m_term_keys;                 // term key → term id (deduplication)
  uint32_t m_atom_count = 0;
  std::vector<std::vector<uint32_t>> m_first_terms;  // atom → terms that begin with it
  std::vector<Term> m_terms;
  std::vector<RuleRef> m_rules;
};

}  // namespace khobor::watch
