#!/usr/bin/env bash
# tools/fuzz-parser.sh [SECONDS] — build the feed parser's libFuzzer target with clang
# (ASan + UBSan) and run it for SECONDS (default 600) on a corpus seeded from the test
# fixtures (tests/fixtures/conformance). Crashes land in build-fuzz/crashes/.
#   tools/fuzz-parser.sh 600
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
out=${FUZZ_DIR:-build-fuzz}
mkdir -p "$out/corpus" "$out/crashes"
sources=(feeds/dates.cpp feeds/encoding.cpp feeds/entities.cpp feeds/feed_builder.cpp feeds/identity.cpp
         feeds/html_text.cpp feeds/json_feed.cpp feeds/parser.cpp feeds/xml_names.cpp
         feeds/xml_text.cpp feeds/rss_reader.cpp feeds/atom_reader.cpp feeds/urls.cpp
         feeds/xml_repair.cpp tests/fuzz/parse_feed_fuzz.cpp)
if [ ! -x "$out/parse_feed_fuzz" ] || [ -n "$(find "${sources[@]}" feeds/*.h -newer "$out/parse_feed_fuzz")" ]; then
  echo "fuzz-parser: building $out/parse_feed_fuzz" >&2
  clang++ -std=c++20 -O1 -g -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I. "${sources[@]}" -o "$out/parse_feed_fuzz" \
    $(pkg-config --cflags --libs pugixml icu-uc icu-i18n libcurl)
fi
if [ -z "$(ls -A "$out/corpus")" ]; then
  # Seeds: every small feed fixture (the fuzzer's -max_len keeps inputs small).
  find tests/fixtures -type f \( -name '*.xml' -o -name '*.json' -o -name '*.rdf' \) -size -16k \
    -exec cp -t "$out/corpus" {} + 2>/dev/null || true
fi
exec "$out/parse_feed_fuzz" "$out/corpus" -max_total_time="$seconds" -max_len=16384 \
  -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/crashes/" -print_final_stats=1
