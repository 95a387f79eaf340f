// Reads lines on stdin; prints per line the fingerprint's stems (as fingerprint()
// makes them: normalise, tokenise, light_stem, stop list; numbers kept as "#NUM").
#include <iostream>
#include <string>

#include "base/utf8.h"
#include "stories/fingerprint.h"
#include "text/normalize.h"
#include "text/tokens.h"
using namespace khobor;
int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    const std::string n = text::normalize(line);
    bool firstw = true;
    for (const text::Token& t : text::tokenize(n)) {
      bool number = false;
      for (char c : t.text) number = number || (c >= '0' && c <= '9');
      if (!number && utf8::count_code_points(t.text) < 2)
        continue;
      std::string_view stem = number ? t.text : stories::light_stem(t.text);
      if (!number && stories::is_stopword(stem))
        continue;
      if (!firstw)
        std::cout << ' ';
      firstw = false;
      if (number)
        std::cout << '#' << stem;
      else
        std::cout << stem;
    }
    std::cout << '\n';
  }
}
