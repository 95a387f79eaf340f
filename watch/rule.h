// khobor/watch/rule.h — one watch rule, parsed (the language is in docs/rules.md).
//
//   পুতিন                 a word; matches its inflected forms (পুতিনের, পুতিনকে, পুতিনও)
//   "উত্তর কোরিয়া"        a phrase: consecutive tokens, each inflection-aware
//   =পুতিন                this exact form only (after normalisation)
//   ক্রিকেট*              any token that begins with it
//   a AND b, a OR b, NOT a, (…), and juxtaposition (a b) means a AND b.
//
// A Rule is a plain value (copyable, immutable once parsed, thread-compatible).
// Terms are normalised with text::normalize and split with text::tokenize, so a
// word such as জং-উন is a phrase of two tokens.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace khobor::watch {

struct RuleTerm {
  std::string written;  // as written in the rule: "\"উত্তর কোরিয়া\"", "=পুতিন", "ক্রিকেট*"
  std::vector<std::string> tokens;  // normalised tokens, at least one
  bool exact = false;               // =: each token exactly, no endings
  bool prefix = false;              // *: the last token is a prefix
  int column = 0;                   // 1-based, in characters (code points) of the rule
};

struct RuleNode {
  enum class Op : uint8_t { term, op_and, op_or, op_not };
  Op op = Op::term;
  int term = -1;          // index into Rule::terms when op == term
  std::vector<int> kids;  // indices into Rule::nodes
};

struct Rule {
  std::string text;  // the rule as written
  std::vector<RuleTerm> terms;
  std::vector<RuleNode> nodes;
  int root = -1;
  // For each term: true when it counts for a match (not under an odd number of NOTs).
  std::vector<bool> positive;

  // Evaluates the rule given which terms are present (fired[i] for terms[i]).
  template <typename Fired>
  bool eval(const Fired& fired) const {
    return eval_node(root, fired);
  }

 private:
  template <typename Fired>
  bool eval_node(int n, const Fired& fired) const {
    const RuleNode& node = nodes[static_cast<size_t>(n)];
    switch (node.op) {
      case RuleNode::Op::term:
        return fired(node.term);
      case RuleNode::Op::op_not:
        return !eval_node(node.kids.front(), fired);
      case RuleNode::Op::op_and:
        for (int k : node.kids) {
          if (!eval_node(k, fired)) {
            return false;
          }
        }
        return true;
      case RuleNode::Op::op_or:
        for (int k : node.kids) {
          if (eval_node(k, fired)) {
            return true;
          }
        }
        return false;
    }
    return false;
  }
};

// A rule that could not be parsed: the 1-based column (in characters) and what is wrong.
struct RuleError {
  int column = 0;
  std::string message;
};

// Parses `text`. On an error, returns nothing and fills `error`. A rule must be
// able to match only on some of its terms: "NOT x" alone is an error.
std::optional<Rule> parse_rule(std::string_view text, RuleError& error);

}  // namespace khobor::watch
