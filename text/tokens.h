// khobor/text/tokens.h — word tokens of normalised text.
//
// Word boundaries as ICU's word break iterator finds them (tests compare on the
// fixtures); punctuation, spaces and danda are not tokens. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace khobor::text {

struct Token {
  std::string_view text;  // a view into the tokenised string
  uint32_t begin = 0;     // byte offsets into the tokenised string
  uint32_t end = 0;
};

// The word tokens of `normalized` (call normalize() first), in order.
std::vector<Token> tokenize(std::string_view normalized);

// The same into `out` (cleared first), reusing its buffer.
void tokenize(std::string_view normalized, std::vector<Token>& out);

}  // namespace khobor::text
