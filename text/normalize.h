// khobor/text/normalize.h — the one normaliser for entries, rules and fingerprints.
//
// Pure functions over UTF-8, thread-safe. Steps (each documented with an example
// in normalize.cpp and docs/text.md): NFC; one canonical form for the nukta
// letters; khanda-ta; ZWJ/ZWNJ removed; Bengali digits to ASCII; Latin case-folded.
// Invalid UTF-8 is replaced with U+FFFD, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace khobor::text {

// The normalised form of `input`.
std::string normalize(std::string_view input);

// The same into `out`, reusing its buffer (for loops over many texts).
void normalize(std::string_view input, std::string& out);

// The normalised form plus, for each of its bytes, the byte offset in `input` of
// the code point it came from; `source_offset[text.size()]` == input.size(). Used
// to report match spans as offsets into the original text.
struct NormalizedText {
  std::string text;
  std::vector<uint32_t> source_offset;
};
NormalizedText normalize_mapped(std::string_view input);

// The same into `out`, reusing its buffers (for loops over many texts).
void normalize_mapped(std::string_view input, NormalizedText& out);

// Where the code points of a normalised text came from, kept sparsely. The
// difference between input and output offsets changes only where a step changed
// a length (a nukta letter 3 → 6 bytes, a Bengali digit 3 → 1, a joiner removed),
// so only those points are stored: a few per field instead of four bytes per
// byte. A plain value; filled by normalize(input, out, map).
class OffsetMap {
 public:
  // The byte offset in the input of the code point that begins at `pos` of the
  // normalised text (for pos == its size: the input's size). `pos` must be a code
  // point boundary of the normalised text; there it equals
  // normalize_mapped(input).source_offset[pos].
  uint32_t source(uint32_t pos) const;
  // How many points are stored (for tests and the curious).
  size_t size() const { return m_out.size(); }
  // Forgets every point: the identity map.
  void clear() {
    m_out.clear();
    m_src.clear();
    m_delta = 0;
  }
  // Records that the code point at output offset `out` came from input offset
  // `src`, when the offsets after the last point recorded do not say so already.
  // Offsets must come in ascending order.
  void note(uint32_t out, uint32_t src) {
    if (src - out != m_delta) {  // unsigned: the difference may be "negative"
      add(out, src);
    }
  }

 private:
  void add(uint32_t out, uint32_t src);
  std::vector<uint32_t> m_out;  // output offsets where the difference changes, ascending
  std::vector<uint32_t> m_src;  // the input offset there
  uint32_t m_delta = 0;         // src - out (mod 2^32) since the last point
};

// normalize(input, out) that also fills `map` (cleared first), in the same pass:
// the cheap way to report spans in the original text.
void normalize(std::string_view input, std::string& out, OffsetMap& map);

}  // namespace khobor::text
