// khobor/feeds/utf8_validate.cpp — is a buffer valid UTF-8 (and does it hold C0
// controls XML forbids)? The byte-wise reference, SSSE3 and AVX2 checks, and repair.
#include "feeds/utf8_validate.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "base/utf8.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace khobor::feeds::detail {

namespace {

// The length of the valid multi-byte sequence at `p` (lead byte >= 0x80), or 0
// when it is not one: a bad lead, a missing continuation, an overlong form, a
// surrogate or a code point past U+10FFFF.
size_t multibyte_length(const unsigned char* p, const unsigned char* end) {
  unsigned c = *p;
  if (c >= 0xE0 && c <= 0xEF) {
    if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
        (c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0)) {
      return 0;
    }
    return 3;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    return end - p < 2 || (p[1] & 0xC0) != 0x80 ? 0 : 2;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80 ||
        (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90)) {
      return 0;
    }
    return 4;
  }
  return 0;
}

// Past a run of Bengali characters (U+0980…U+09FF is E0 A6 xx / E0 A7 xx)
// starting at `p`, one masked compare each; `p` itself when none starts there.
const unsigned char* skip_bengali(const unsigned char* p, const unsigned char* end) {
  while (end - p >= 4) {
    uint32_t x;
    std::memcpy(&x, p, 4);
    if ((x & 0xC0FEFFu) != 0x80A6E0u) {
      break;
    }
    p += 3;
  }
  return p;
}

}  // namespace

bool is_valid_utf8_portable(std::string_view s, bool* has_control) {
  // 1 for the C0 controls XML forbids (all but tab, LF, CR).
  static constexpr auto k_bad = [] {
    std::array<unsigned char, 256> t{};
    for (size_t c = 0; c < 0x20; ++c) {
      t[c] = 1;
    }
    t['\t'] = t['\n'] = t['\r'] = 0;
    return t;
  }();
  auto p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* end = p + s.size();
  unsigned control = 0;
  while (p < end) {
    if (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if ((w & 0x8080808080808080ULL) == 0) {  // eight ASCII bytes, branch-free control check
        control |= k_bad[p[0]] | k_bad[p[1]] | k_bad[p[2]] | k_bad[p[3]] | k_bad[p[4]] |
                   k_bad[p[5]] | k_bad[p[6]] | k_bad[p[7]];
        p += 8;
        continue;
      }
      if ((static_cast<uint32_t>(w) & 0xC0FEFFu) == 0x80A6E0u) {
        p = skip_bengali(p + 3, end);
        continue;
      }
    }
    if (*p < 0x80) {
      control |= k_bad[*p];
      ++p;
      continue;
    }
    size_t n = multibyte_length(p, end);
    if (n == 0) {
      return false;
    }
    p += n;
  }
  if (has_control != nullptr) {
    *has_control = control != 0;
  }
  return true;
}

#if defined(__x86_64__) || defined(__i386__)

namespace {

// UTF-8 validation sixteen bytes at a time (SSSE3), after Keiser and Lemire,
// "Validating UTF-8 in less than one instruction per byte" (2021): each byte pair
// (previous byte, byte) is classified by three 16-entry table look-ups (high nibble
// of the previous byte, its low nibble, high nibble of the byte); a non-zero AND of
// the three names an error, except that two continuation bytes in a row are right
// exactly where the byte two or three back was a 3- or 4-byte lead.
constexpr uint8_t k_too_short = 1 << 0;       // lead or ASCII where a continuation must be
constexpr uint8_t k_too_long = 1 << 1;        // continuation after ASCII
constexpr uint8_t k_overlong_3 = 1 << 2;      // E0 80..9F
constexpr uint8_t k_too_large = 1 << 3;       // F4 90..BF, F5.. any
constexpr uint8_t k_surrogate = 1 << 4;       // ED A0..BF
constexpr uint8_t k_overlong_2 = 1 << 5;      // C0, C1
constexpr uint8_t k_too_large_1000 = 1 << 6;  // F5..FF 80..8F
constexpr uint8_t k_overlong_4 = 1 << 6;      // F0 80..8F
constexpr uint8_t k_two_conts = 1 << 7;       // continuation after continuation
constexpr uint8_t k_carry = k_too_short | k_too_long | k_two_conts;

// The three nibble tables of the check (Keiser and Lemire), shared by the SSSE3 and
// AVX2 paths: by the high nibble of the byte before, by its low nibble, and by the
// high nibble of the byte itself; each entry is the set of errors that nibble allows.
constexpr char k_c = static_cast<char>(k_carry);
constexpr char k_c_large = static_cast<char>(k_carry | k_too_large);
constexpr char k_c_larger = static_cast<char>(k_carry | k_too_large | k_too_large_1000);
constexpr char k_cont_8 = static_cast<char>(k_too_long | k_overlong_2 | k_two_conts | k_overlong_3 |
                                            k_too_large_1000 | k_overlong_4);
constexpr char k_cont_9 =
    static_cast<char>(k_too_long | k_overlong_2 | k_two_conts | k_overlong_3 | k_too_large);
constexpr char k_cont_ab =
    static_cast<char>(k_too_long | k_overlong_2 | k_two_conts | k_surrogate | k_too_large);
alignas(16) constexpr char k_byte_1_high[16] = {
    k_too_long,
    k_too_long,
    k_too_long,
    k_too_long,
    k_too_long,
    k_too_long,
    k_too_long,
    k_too_long,
    static_cast<char>(k_two_conts),
    static_cast<char>(k_two_conts),
    static_cast<char>(k_two_conts),
    static_cast<char>(k_two_conts),
    k_too_short | k_overlong_2,
    k_too_short,
    k_too_short | k_overlong_3 | k_surrogate,
    k_too_short | k_too_large | k_too_large_1000 | k_overlong_4};
alignas(16) constexpr char k_byte_1_low[16] = {
    static_cast<char>(k_carry | k_overlong_3 | k_overlong_2 | k_overlong_4),
    static_cast<char>(k_carry | k_overlong_2),
    k_c,
    k_c,
    k_c_large,
    k_c_larger,
    k_c_larger,
    k_c_larger,
    k_c_larger,
    k_c_larger,
    k_c_larger,
    k_c_larger,
    k_c_larger,
    static_cast<char>(k_carry | k_too_large | k_too_large_1000 | k_surrogate),
    k_c_larger,
    k_c_larger};
alignas(16) constexpr char k_byte_2_high[16] = {k_too_short, k_too_short, k_too_short, k_too_short,
                                                k_too_short, k_too_short, k_too_short, k_too_short,
                                                k_cont_8,    k_cont_9,    k_cont_ab,   k_cont_ab,
                                                k_too_short, k_too_short, k_too_short, k_too_short};

inline __m128i load_table(const char (&t)[16]) {
  return _mm_load_si128(reinterpret_cast<const __m128i*>(t));
}

struct Utf8State {
  __m128i error;
  __m128i prev;
  __m128i prev_incomplete;
  __m128i control;
};

__attribute__((target("ssse3"))) inline __m128i nibble_lookup(__m128i table, __m128i index) {
  return _mm_shuffle_epi8(table, index);
}

__attribute__((target("ssse3"))) inline void utf8_block(Utf8State& st, __m128i in,
                                                        bool want_control) {
  if (want_control) {
    // C0 controls other than tab, LF and CR.
    __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(in, _mm_set1_epi8(0x1F)), in);
    __m128i allowed = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(in, _mm_set1_epi8('\t')),
                                                _mm_cmpeq_epi8(in, _mm_set1_epi8('\n'))),
                                   _mm_cmpeq_epi8(in, _mm_set1_epi8('\r')));
    st.control = _mm_or_si128(st.control, _mm_andnot_si128(allowed, low));
  }
  if (_mm_movemask_epi8(in) == 0) {
    // All ASCII: only a sequence cut at the end of the previous block is wrong.
    st.error = _mm_or_si128(st.error, st.prev_incomplete);
    st.prev = in;
    st.prev_incomplete = _mm_setzero_si128();
    return;
  }
  const __m128i t1 = load_table(k_byte_1_high);
  const __m128i t2 = load_table(k_byte_1_low);
  const __m128i t3 = load_table(k_byte_2_high);
  const __m128i nibble = _mm_set1_epi8(0x0F);
  __m128i prev1 = _mm_alignr_epi8(in, st.prev, 15);
  __m128i special = _mm_and_si128(
      _mm_and_si128(nibble_lookup(t1, _mm_and_si128(_mm_srli_epi16(prev1, 4), nibble)),
                    nibble_lookup(t2, _mm_and_si128(prev1, nibble))),
      nibble_lookup(t3, _mm_and_si128(_mm_srli_epi16(in, 4), nibble)));
  __m128i prev2 = _mm_alignr_epi8(in, st.prev, 14);
  __m128i prev3 = _mm_alignr_epi8(in, st.prev, 13);
  // Bit 7 set where prev2 >= E0 or prev3 >= F0: a continuation must be here.
  __m128i must23 =
      _mm_or_si128(_mm_subs_epu8(prev2, _mm_set1_epi8(static_cast<char>(0xE0 - 0x80))),
                   _mm_subs_epu8(prev3, _mm_set1_epi8(static_cast<char>(0xF0 - 0x80))));
  __m128i must23_80 = _mm_and_si128(must23, _mm_set1_epi8(static_cast<char>(0x80)));
  st.error = _mm_or_si128(st.error, _mm_xor_si128(must23_80, special));
  // A lead byte in the last three positions that its sequence cannot fit behind.
  const __m128i k_max =
      _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, static_cast<char>(0xF0 - 1),
                    static_cast<char>(0xE0 - 1), static_cast<char>(0xC0 - 1));
  st.prev_incomplete = _mm_subs_epu8(in, k_max);
  st.prev = in;
}

__attribute__((target("ssse3"))) bool valid_utf8_ssse3(std::string_view s, bool* has_control) {
  Utf8State st{_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
  const bool want_control = has_control != nullptr;
  const char* p = s.data();
  const size_t n = s.size();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    utf8_block(st, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), want_control);
    if ((i & 0xFFF) == 0 &&
        _mm_movemask_epi8(_mm_cmpeq_epi8(st.error, _mm_setzero_si128())) != 0xFFFF) {
      return false;  // stop early on a long invalid body
    }
  }
  // The tail, padded with spaces (ASCII, no control): a sequence cut by the end of
  // the text meets a space where its continuation should be.
  alignas(16) char tail[16];
  std::memset(tail, ' ', sizeof tail);
  if (n > i) {
    std::memcpy(tail, p + i, n - i);
  }
  utf8_block(st, _mm_load_si128(reinterpret_cast<const __m128i*>(tail)), want_control);
  st.error = _mm_or_si128(st.error, st.prev_incomplete);
  if (_mm_movemask_epi8(_mm_cmpeq_epi8(st.error, _mm_setzero_si128())) != 0xFFFF) {
    return false;
  }
  if (want_control) {
    *has_control = _mm_movemask_epi8(st.control) != 0;
  }
  return true;
}

// The same thirty-two bytes at a time (AVX2): the tables repeat in both 128-bit
// lanes, and the bytes before each lane come from the lane below (or `prev`).
struct Utf8State256 {
  __m256i error;
  __m256i prev;
  __m256i prev_incomplete;
  __m256i control;
};

__attribute__((target("avx2"))) inline __m256i lanes(__m128i t) {
  return _mm256_broadcastsi128_si256(t);
}

__attribute__((target("avx2"))) inline void utf8_block256(Utf8State256& st, __m256i in,
                                                          bool want_control) {
  if (want_control) {
    __m256i low = _mm256_cmpeq_epi8(_mm256_min_epu8(in, _mm256_set1_epi8(0x1F)), in);
    __m256i allowed =
        _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(in, _mm256_set1_epi8('\t')),
                                        _mm256_cmpeq_epi8(in, _mm256_set1_epi8('\n'))),
                        _mm256_cmpeq_epi8(in, _mm256_set1_epi8('\r')));
    st.control = _mm256_or_si256(st.control, _mm256_andnot_si256(allowed, low));
  }
  if (_mm256_movemask_epi8(in) == 0) {
    st.error = _mm256_or_si256(st.error, st.prev_incomplete);
    st.prev = in;
    st.prev_incomplete = _mm256_setzero_si256();
    return;
  }
  const __m128i t1 = load_table(k_byte_1_high);
  const __m128i t2 = load_table(k_byte_1_low);
  const __m128i t3 = load_table(k_byte_2_high);
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  // [prev's upper lane, in's lower lane]: what precedes each lane of `in`.
  __m256i before = _mm256_permute2x128_si256(st.prev, in, 0x21);
  __m256i prev1 = _mm256_alignr_epi8(in, before, 15);
  __m256i special = _mm256_and_si256(
      _mm256_and_si256(
          _mm256_shuffle_epi8(lanes(t1), _mm256_and_si256(_mm256_srli_epi16(prev1, 4), nibble)),
          _mm256_shuffle_epi8(lanes(t2), _mm256_and_si256(prev1, nibble))),
      _mm256_shuffle_epi8(lanes(t3), _mm256_and_si256(_mm256_srli_epi16(in, 4), nibble)));
  __m256i prev2 = _mm256_alignr_epi8(in, before, 14);
  __m256i prev3 = _mm256_alignr_epi8(in, before, 13);
  __m256i must23 =
      _mm256_or_si256(_mm256_subs_epu8(prev2, _mm256_set1_epi8(static_cast<char>(0xE0 - 0x80))),
                      _mm256_subs_epu8(prev3, _mm256_set1_epi8(static_cast<char>(0xF0 - 0x80))));
  __m256i must23_80 = _mm256_and_si256(must23, _mm256_set1_epi8(static_cast<char>(0x80)));
  st.error = _mm256_or_si256(st.error, _mm256_xor_si256(must23_80, special));
  const __m256i k_max =
      _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                       -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, static_cast<char>(0xF0 - 1),
                       static_cast<char>(0xE0 - 1), static_cast<char>(0xC0 - 1));
  st.prev_incomplete = _mm256_subs_epu8(in, k_max);
  st.prev = in;
}

// With `out`, every block is also stored there (validation and copy in one pass).
__attribute__((target("avx2"))) bool valid_utf8_avx2(std::string_view s, bool* has_control,
                                                     char* out = nullptr) {
  Utf8State256 st{_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                  _mm256_setzero_si256()};
  const bool want_control = has_control != nullptr;
  const char* p = s.data();
  const size_t n = s.size();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i in = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    if (out != nullptr) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), in);
    }
    utf8_block256(st, in, want_control);
    if ((i & 0xFFF) == 0 && !_mm256_testz_si256(st.error, st.error)) {
      return false;
    }
  }
  alignas(32) char tail[32];
  std::memset(tail, ' ', sizeof tail);
  if (n > i) {
    std::memcpy(tail, p + i, n - i);
    if (out != nullptr) {
      std::memcpy(out + i, p + i, n - i);
    }
  }
  utf8_block256(st, _mm256_load_si256(reinterpret_cast<const __m256i*>(tail)), want_control);
  st.error = _mm256_or_si256(st.error, st.prev_incomplete);
  if (!_mm256_testz_si256(st.error, st.error)) {
    return false;
  }
  if (want_control) {
    *has_control = _mm256_movemask_epi8(st.control) != 0;
  }
  return true;
}

}  // namespace

bool is_valid_utf8_using(Utf8Impl impl, std::string_view s, bool* has_control) {
  static const bool k_avx2 = __builtin_cpu_supports("avx2");
  static const bool k_ssse3 = __builtin_cpu_supports("ssse3");
  if (impl == Utf8Impl::avx2 && k_avx2) {
    return valid_utf8_avx2(s, has_control);
  }
  if (impl != Utf8Impl::portable && k_ssse3) {
    return valid_utf8_ssse3(s, has_control);
  }
  return is_valid_utf8_portable(s, has_control);
}

bool is_valid_utf8(std::string_view s, bool* has_control) {
  return is_valid_utf8_using(Utf8Impl::avx2, s, has_control);
}

bool is_valid_utf8_copy(std::string_view s, char* out, bool* has_control) {
  static const bool k_avx2 = __builtin_cpu_supports("avx2");
  if (k_avx2) {
    return valid_utf8_avx2(s, has_control, out);
  }
  if (!is_valid_utf8(s, has_control)) {
    return false;
  }
  if (!s.empty()) {
    std::memcpy(out, s.data(), s.size());
  }
  return true;
}

#else

bool is_valid_utf8_using(Utf8Impl, std::string_view s, bool* has_control) {
  return is_valid_utf8_portable(s, has_control);
}

bool is_valid_utf8(std::string_view s, bool* has_control) {
  return is_valid_utf8_portable(s, has_control);
}

bool is_valid_utf8_copy(std::string_view s, char* out, bool* has_control) {
  if (!is_valid_utf8_portable(s, has_control)) {
    return false;
  }
  if (!s.empty()) {
    std::memcpy(out, s.data(), s.size());
  }
  return true;
}

#endif

std::string repair_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t n = utf8::valid_sequence_length(s, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace khobor::feeds::detail
