// The stable hash: its values are persisted, so these pins must never change.
#include "base/hash.h"

#include <catch2/catch.hpp>
#include <string>

using khobor::fnv1a64;

TEST_CASE("fnv1a64 gives the published FNV-1a 64 values", "[base][hash]") {
  CHECK(fnv1a64("") == 0xcbf29ce484222325ULL);
  CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("fnv1a64 keeps the values stored by earlier releases", "[base][hash]") {
  // Computed by the copies the tree had before base/hash.h (feeds/identity.cpp,
  // stories/fingerprint.cpp, feeds/feed_builder.cpp): feed_identity rows and
  // "hash:" entry ids hold such values.
  CHECK(fnv1a64("\xe0\xa6\xac\xe0\xa6\xbe\xe0\xa6\x82\xe0\xa6\xb2\xe0\xa6\xbe") ==
        0x0cebda7956e75c8dULL);  // বাংলা
  CHECK(fnv1a64("https://www.prothomalo.com/bangladesh/abc") == 0x00190862525549b0ULL);
  // Bytes are hashed unsigned: a high byte and NUL count.
  CHECK(fnv1a64(std::string("\xff\x00", 2)) != fnv1a64("\xff"));
}

TEST_CASE("fnv1a64 hashes a concatenation in pieces", "[base][hash]") {
  const std::string a = "Title";
  const std::string b = "2026-11-28T10:00:00Z";
  const uint64_t whole = fnv1a64(a + "\x1f" + b);
  CHECK(fnv1a64(b, fnv1a64("\x1f", fnv1a64(a))) == whole);
  CHECK(whole == 0x0101f2ea1883512fULL);  // feed_builder's id for this title and date
}

TEST_CASE("fnv1a64 is usable at compile time", "[base][hash]") {
  static_assert(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  SUCCEED();
}
