// khobor/watch/rule.cpp — the rule parser: a small lexer and a recursive descent
// over this grammar (docs/rules.md):
//
//   rule    := or
//   or      := and ( "OR" and )*
//   and     := unary ( ["AND"] unary )*      juxtaposition is AND
//   unary   := "NOT" unary | primary
//   primary := "(" or ")" | term
//   term    := word | word"*" | "=" word | "\"" phrase "\"" | "=" "\"" phrase "\""
//
// Operators are the upper-case words AND, OR, NOT (lower-case "and" is a word).
#include "watch/rule.h"

#include <utility>

#include "text/normalize.h"
#include "text/tokens.h"

namespace khobor::watch {
namespace {

enum class Kind : uint8_t { term, lparen, rparen, op_and, op_or, op_not, end };

struct Lexeme {
  Kind kind = Kind::end;
  size_t offset = 0;  // byte offset in the rule
  RuleTerm term;      // for Kind::term
};

int column_of(std::string_view text, size_t offset) {
  int col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return col;
}

bool is_space(std::string_view s, size_t i, size_t& len) {
  const char c = s[i];
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
    len = 1;
    return true;
  }
  if (s.substr(i, 2) == "\xC2\xA0") {  // no-break space
    len = 2;
    return true;
  }
  return false;
}

bool is_word_end(std::string_view s, size_t i) {
  size_t len = 0;
  return i >= s.size() || is_space(s, i, len) || s[i] == '(' || s[i] == ')' || s[i] == '"';
}

class Parser {
 public:
  Parser(std::string_view text, RuleError& error) : m_text(text), m_error(error) {}

  std::optional<Rule> run() {
    m_rule.text = std::string(m_text);
    if (!lex()) {
      return std::nullopt;
    }
    if (m_lexemes.size() == 1) {
      return fail(0, "the rule is empty: write a word, a \"phrase\", =exact or prefix*");
    }
    const int root = parse_or();
    if (root < 0) {
      return std::nullopt;
    }
    if (peek().kind != Kind::end) {
      if (peek().kind == Kind::rparen) {
        return fail(peek().offset, "')' without a matching '('");
      }
      return fail(peek().offset, "unexpected text here");
    }
    m_rule.root = root;
    m_rule.positive.assign(m_rule.terms.size(), false);
    mark_positive(root, true);
    if (m_rule.eval([](int) { return false; })) {
      return fail(0,
                  "the rule matches text that has none of its words; NOT needs a word to go "
                  "with (a NOT b)");
    }
    return std::move(m_rule);
  }

 private:
  std::nullopt_t fail(size_t offset, std::string message) {
    m_error.column = column_of(m_text, offset);
    m_error.message = std::move(message);
    return std::nullopt;
  }

  // Splits the rule into lexemes; terms are normalised and tokenised here.
  bool lex() {
    size_t i = 0;
    const std::string_view s = m_text;
    while (i < s.size()) {
      size_t len = 0;
      if (is_space(s, i, len)) {
        i += len;
        continue;
      }
      Lexeme lx;
      lx.offset = i;
      if (s[i] == '(' || s[i] == ')') {
        lx.kind = s[i] == '(' ? Kind::lparen : Kind::rparen;
        ++i;
      } else if (!lex_word(i, lx)) {
        return false;
      }
      m_lexemes.push_back(std::move(lx));
    }
    Lexeme end;
    end.kind = Kind::end;
    end.offset = s.size();
    m_lexemes.push_back(std::move(end));
    return true;
  }

  // The operator, word, word*, =word or "phrase" at `i` into `lx`; `i` moves past it.
  bool lex_word(size_t& i, Lexeme& lx) {
    const std::string_view s = m_text;
    const size_t start = i;
    bool exact = false;
    if (s[i] == '=') {
      exact = true;
      ++i;
      if (is_word_end(s, i) && (i >= s.size() || s[i] != '"')) {
        fail(start, "'=' must be followed by a word or a \"phrase\" (=পুতিন)");
        return false;
      }
    }
    std::string_view body;
    bool quoted = false;
    if (s[i] == '"') {
      const size_t close = s.find('"', i + 1);
      if (close == std::string_view::npos) {
        fail(i, "this '\"' is never closed");
        return false;
      }
      body = s.substr(i + 1, close - i - 1);
      quoted = true;
      i = close + 1;
    } else {
      const size_t b = i;
      while (!is_word_end(s, i)) {
        ++i;
      }
      body = s.substr(b, i - b);
      if (!exact && (body == "AND" || body == "OR" || body == "NOT")) {
        lx.kind = body == "AND" ? Kind::op_and : body == "OR" ? Kind::op_or : Kind::op_not;
        return true;
      }
    }
    lx.kind = Kind::term;
    lx.term.written = std::string(s.substr(start, i - start));
    lx.term.exact = exact;
    lx.term.column = column_of(s, start);
    return make_term(start, body, quoted, lx.term);
  }

  // The rest of term `t` written at `start`: `body` (without '=' and quotes)
  // normalised and tokenised, a trailing '*' made a prefix; false with the
  // problem when it cannot be a term.
  bool make_term(size_t start, std::string_view body, bool quoted, RuleTerm& t) {
    if (!quoted && body.ends_with('*')) {
      body.remove_suffix(1);
      t.prefix = true;
      if (t.exact) {
        fail(start, "'=' and '*' cannot go together: =word is one form, word* any ending");
        return false;
      }
    }
    if (!quoted && body.find('*') != std::string_view::npos) {
      fail(start + (t.exact ? 1 : 0) + body.find('*'), "'*' may only end a word (ক্রিকেট*)");
      return false;
    }
    const std::string norm = text::normalize(body);
    for (const auto& tok : text::tokenize(norm)) {
      t.tokens.emplace_back(tok.text);
    }
    if (t.tokens.empty()) {
      fail(start, quoted ? "the phrase has no letters or digits"
                         : "'" + std::string(body) + "' has no letters or digits");
      return false;
    }
    if (t.prefix && !norm.ends_with(t.tokens.back())) {
      fail(start, "'*' must follow a letter or digit");
      return false;
    }
    return true;
  }

  const Lexeme& peek() const { return m_lexemes[m_pos]; }

  int add(RuleNode node) {
    m_rule.nodes.push_back(std::move(node));
    return static_cast<int>(m_rule.nodes.size() - 1);
  }

  int parse_or() {
    int left = parse_and();
    if (left < 0) {
      return -1;
    }
    if (peek().kind != Kind::op_or) {
      return left;
    }
    RuleNode node;
    node.op = RuleNode::Op::op_or;
    node.kids.push_back(left);
    while (peek().kind == Kind::op_or) {
      ++m_pos;
      const int right = parse_and();
      if (right < 0) {
        return -1;
      }
      node.kids.push_back(right);
    }
    return add(std::move(node));
  }

  static bool starts_unary(Kind k) {
    return k == Kind::term || k == Kind::lparen || k == Kind::op_not;
  }

  int parse_and() {
    int left = parse_unary();
    if (left < 0) {
      return -1;
    }
    RuleNode node;
    node.op = RuleNode::Op::op_and;
    node.kids.push_back(left);
    while (peek().kind == Kind::op_and || starts_unary(peek().kind)) {
      if (peek().kind == Kind::op_and) {
        ++m_pos;
      }
      const int right = parse_unary();
      if (right < 0) {
        return -1;
      }
      node.kids.push_back(right);
    }
    return node.kids.size() == 1 ? left : add(std::move(node));
  }

  int parse_unary() {
    if (peek().kind == Kind::op_not) {
      ++m_pos;
      const int kid = parse_unary();
      if (kid < 0) {
        return -1;
      }
      RuleNode node;
      node.op = RuleNode::Op::op_not;
      node.kids.push_back(kid);
      return add(std::move(node));
    }
    return parse_primary();
  }

  int parse_primary() {
    const Lexeme& lx = peek();
    switch (lx.kind) {
      case Kind::term: {
        m_rule.terms.push_back(lx.term);
        ++m_pos;
        RuleNode node;
        node.op = RuleNode::Op::term;
        node.term = static_cast<int>(m_rule.terms.size() - 1);
        return add(std::move(node));
      }
      case Kind::lparen: {
        const size_t open = lx.offset;
        ++m_pos;
        if (peek().kind == Kind::rparen) {
          fail(peek().offset, "empty parentheses");
          return -1;
        }
        const int inner = parse_or();
        if (inner < 0) {
          return -1;
        }
        if (peek().kind != Kind::rparen) {
          fail(open, "this '(' is never closed");
          return -1;
        }
        ++m_pos;
        return inner;
      }
      case Kind::end:
        fail(lx.offset, m_pos == 0 ? "the rule is empty"
                                   : "the rule ends where a word was expected (after AND, OR, "
                                     "NOT or '(')");
        return -1;
      case Kind::rparen:
        fail(lx.offset, "a word was expected before this ')'");
        return -1;
      default:
        fail(lx.offset,
             "a word was expected here, not an operator (write \"AND\" in quotes "
             "to search for the word)");
        return -1;
    }
  }

  void mark_positive(int n, bool positive) {
    const RuleNode& node = m_rule.nodes[static_cast<size_t>(n)];
    if (node.op == RuleNode::Op::term) {
      if (positive) {
        m_rule.positive[static_cast<size_t>(node.term)] = true;
      }
      return;
    }
    for (int k : node.kids) {
      mark_positive(k, node.op == RuleNode::Op::op_not ? !positive : positive);
    }
  }

  std::string_view m_text;
  RuleError& m_error;
  Rule m_rule;
  std::vector<Lexeme> m_lexemes;
  size_t m_pos = 0;
};

}  // namespace

std::optional<Rule> parse_rule(std::string_view text, RuleError& error) {
  return Parser(text, error).run();
}

}  // namespace khobor::watch
