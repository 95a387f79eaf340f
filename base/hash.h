// khobor/base/hash.h — the one stable hash: 64-bit FNV-1a.
//
// Its values are persisted (store table feed_identity, the "hash:" entry ids of
// entries without a guid) and decide the start-up spread of polls and the story
// fingerprints, so they must be the same on every machine, build and release:
// never change the constants or the byte order. tests/unit/base/hash_test.cpp pins
// them. Not for hash tables that face untrusted keys (it is not keyed).
#pragma once

#include <cstdint>
#include <string_view>

namespace khobor {

inline constexpr uint64_t k_fnv1a64_offset = 0xcbf29ce484222325ULL;
inline constexpr uint64_t k_fnv1a64_prime = 0x100000001b3ULL;

// FNV-1a 64 of the bytes of `s`. Pass a previous result as `h` to hash a
// concatenation in pieces: fnv1a64(b, fnv1a64(a)) == fnv1a64(a + b).
constexpr uint64_t fnv1a64(std::string_view s, uint64_t h = k_fnv1a64_offset) {
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= k_fnv1a64_prime;
  }
  return h;
}

}  // namespace khobor
