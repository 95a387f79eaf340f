// khobor/feeds/encoding.cpp — encoding sniffing and conversion on ICU (ucnv, ucsdet).
#include "feeds/encoding.h"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "base/strings.h"
#include "base/utf8.h"
#include "feeds/utf8_validate.h"

namespace khobor::feeds::detail {

namespace {

// A charset label as it may be shown and looked up: printable ASCII only (other
// bytes become '?', which no charset name contains), at most 40 characters.
std::string printable_label(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    out.push_back(c > ' ' && c < 0x7F ? c : '?');
  }
  return out;
}

// A charset value without the spaces, tabs and quotes around it, in any mix
// (charset="utf-8", charset='utf-8', charset= utf-8 ).
std::string_view unquote_charset(std::string_view s) {
  return trim_if(s, [](char c) { return c == ' ' || c == '\t' || c == '"' || c == '\''; });
}

bool is_utf8_name(std::string_view n) {
  return n == "utf-8" || n == "utf8";
}

bool is_utf16_or_32(std::string_view n) {
  return n.starts_with("utf-16") || n.starts_with("utf16") || n.starts_with("utf-32") ||
         n.starts_with("ucs-2") || n.starts_with("iso-10646-ucs-2");
}

// The encoding a byte order mark gives, and its length.
std::optional<std::pair<std::string, size_t>> sniff_bom(std::string_view b) {
  auto at = [&](size_t i) { return i < b.size() ? static_cast<unsigned char>(b[i]) : 0x100u; };
  if (at(0) == 0xEF && at(1) == 0xBB && at(2) == 0xBF) {
    return std::pair{std::string("utf-8"), size_t{3}};
  }
  if (at(0) == 0x00 && at(1) == 0x00 && at(2) == 0xFE && at(3) == 0xFF) {
    return std::pair{std::string("utf-32be"), size_t{4}};
  }
  if (at(0) == 0xFF && at(1) == 0xFE && at(2) == 0x00 && at(3) == 0x00) {
    return std::pair{std::string("utf-32le"), size_t{4}};
  }
  if (at(0) == 0xFE && at(1) == 0xFF) {
    return std::pair{std::string("utf-16be"), size_t{2}};
  }
  if (at(0) == 0xFF && at(1) == 0xFE) {
    return std::pair{std::string("utf-16le"), size_t{2}};
  }
  // No BOM, but "<?" in UTF-16/32 (XML 1.0 appendix F).
  if (at(0) == 0x3C && at(1) == 0x00 && at(2) == 0x3F && at(3) == 0x00) {
    return std::pair{std::string("utf-16le"), size_t{0}};
  }
  if (at(0) == 0x00 && at(1) == 0x3C && at(2) == 0x00 && at(3) == 0x3F) {
    return std::pair{std::string("utf-16be"), size_t{0}};
  }
  if (at(0) == 0x3C && at(1) == 0x00 && at(2) == 0x00 && at(3) == 0x00) {
    return std::pair{std::string("utf-32le"), size_t{0}};
  }
  if (at(0) == 0x00 && at(1) == 0x00 && at(2) == 0x00 && at(3) == 0x3C) {
    return std::pair{std::string("utf-32be"), size_t{0}};
  }
  return std::nullopt;
}

// encoding="…" of an XML declaration at the start of an ASCII-compatible body.
std::string declared_encoding(std::string_view b) {
  size_t start = 0;
  while (start < b.size() && start < 64 &&
         (b[start] == ' ' || b[start] == '\n' || b[start] == '\r' || b[start] == '\t')) {
    ++start;
  }
  if (b.substr(start, 5) != "<?xml") {
    return {};
  }
  size_t end = b.find("?>", start);
  if (end == std::string_view::npos || end > start + 512) {
    return {};
  }
  std::string_view decl = b.substr(start, end - start);
  size_t at = decl.find("encoding");
  if (at == std::string_view::npos) {
    return {};
  }
  size_t eq = decl.find('=', at);
  if (eq == std::string_view::npos) {
    return {};
  }
  size_t q = eq + 1;
  while (q < decl.size() && decl[q] == ' ') {
    ++q;
  }
  if (q >= decl.size() || (decl[q] != '"' && decl[q] != '\'')) {
    return {};
  }
  size_t close = decl.find(decl[q], q + 1);
  if (close == std::string_view::npos) {
    return {};
  }
  return ascii_lowered(printable_label(decl.substr(q + 1, close - q - 1)));
}

// True when the bytes hold at least one multi-byte UTF-8 sequence and are valid
// UTF-8: text in a legacy 8-bit charset practically never looks like that.
bool looks_like_utf8(std::string_view b) {
  return !utf8::is_ascii(b) && is_valid_utf8(b);
}

// The name ICU should use: Latin-1 and ASCII labels mean windows-1252 on the web.
std::string web_name(std::string_view n) {
  if (n == "iso-8859-1" || n == "latin1" || n == "latin-1" || n == "us-ascii" || n == "ascii" ||
      n == "iso8859-1" || n == "l1" || n == "cp819" || n == "iso_8859-1") {
    return "windows-1252";
  }
  if (n == "x-user-defined") {
    return "windows-1252";
  }
  if (n == "gb2312" || n == "gbk" || n == "x-gbk" || n == "gb_2312-80" || n == "chinese") {
    return "gb18030";  // a superset, as browsers read them
  }
  return std::string(n);
}

// Converts with ICU; nullopt when ICU does not know the charset.
std::optional<std::string> convert(std::string_view bytes, const std::string& from) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* conv = ucnv_open(from.c_str(), &status);
  if (U_FAILURE(status) || conv == nullptr) {
    return std::nullopt;
  }
  std::unique_ptr<UConverter, decltype(&ucnv_close)> owned(conv, &ucnv_close);
  status = U_ZERO_ERROR;
  UConverter* utf8 = ucnv_open("UTF-8", &status);
  if (U_FAILURE(status) || utf8 == nullptr) {
    return std::nullopt;
  }
  std::unique_ptr<UConverter, decltype(&ucnv_close)> owned8(utf8, &ucnv_close);
  std::string out;
  out.resize(bytes.size() * 3 + 16);
  char* target = out.data();
  const char* source = bytes.data();
  status = U_ZERO_ERROR;
  ucnv_convertEx(utf8, conv, &target, out.data() + out.size(), &source, bytes.data() + bytes.size(),
                 nullptr, nullptr, nullptr, nullptr, true, true, &status);
  if (U_FAILURE(status)) {
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(target - out.data()));
  return out;
}

bool charset_known(const std::string& name) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* conv = ucnv_open(name.c_str(), &status);
  if (conv != nullptr) {
    ucnv_close(conv);
  }
  return U_SUCCESS(status) && conv != nullptr;
}

struct Detection {
  std::string name;
  int confidence = 0;
};

std::optional<Detection> detect(std::string_view bytes) {
  UErrorCode status = U_ZERO_ERROR;
  UCharsetDetector* det = ucsdet_open(&status);
  if (U_FAILURE(status)) {
    return std::nullopt;
  }
  std::unique_ptr<UCharsetDetector, decltype(&ucsdet_close)> owned(det, &ucsdet_close);
  // The detector looks at text, not markup.
  ucsdet_enableInputFilter(det, true);
  auto len = static_cast<int32_t>(std::min<size_t>(bytes.size(), 1 << 20));
  ucsdet_setText(det, bytes.data(), len, &status);
  const UCharsetMatch* match = ucsdet_detect(det, &status);
  if (U_FAILURE(status) || match == nullptr) {
    return std::nullopt;
  }
  Detection d;
  const char* name = ucsdet_getName(match, &status);
  d.confidence = ucsdet_getConfidence(match, &status);
  if (U_FAILURE(status) || name == nullptr) {
    return std::nullopt;
  }
  d.name = ascii_lowered(name);
  return d;
}

}  // namespace

std::string charset_of_content_type(std::string_view content_type) {
  std::string ct = ascii_lowered(content_type);
  size_t at = ct.find("charset");
  if (at == std::string::npos) {
    return {};
  }
  size_t eq = ct.find('=', at);
  if (eq == std::string::npos) {
    return {};
  }
  std::string_view v = std::string_view(ct).substr(eq + 1);
  v = v.substr(0, v.find(';'));
  return printable_label(unquote_charset(v));
}

namespace {

// is_valid_utf8, and the bytes copied to `copy_to` in the same pass when given.
bool valid_utf8_maybe_copy(std::string_view s, char* copy_to, bool* has_control, Decoded& d) {
  if (copy_to == nullptr) {
    return is_valid_utf8(s, has_control);
  }
  d.copied = is_valid_utf8_copy(s, copy_to, has_control);
  return d.copied;
}

// A charset the HTTP header or the XML declaration names, and which of them.
struct Declared {
  std::string name;
  const char* source;
};

// Adds one reason a declared charset was not used to the "; "-separated list.
void reject(std::string& rejected, const std::string& why) {
  if (!rejected.empty()) {
    rejected += "; ";
  }
  rejected += why;
}

// A declaration read after others were rejected overrides them, with a warning.
void note_override(Decoded& d, const std::string& rejected, const std::string& read_as) {
  d.overridden = !rejected.empty();
  if (d.overridden) {
    d.warnings.push_back("encoding: " + rejected + "; read as " + read_as);
  }
}

std::string rejected_or_none(const std::string& rejected) {
  return rejected.empty() ? std::string("none declared") : rejected;
}

// Step 1: a byte order mark decides. False when there is none, or it names a
// charset ICU cannot convert (then the declarations are tried).
bool read_by_bom(std::string_view body, char* copy_to, Decoded& d) {
  auto bom = sniff_bom(body);
  if (!bom) {
    return false;
  }
  std::string_view rest = body.substr(bom->second);
  d.encoding = bom->first;
  if (is_utf8_name(bom->first)) {
    if (valid_utf8_maybe_copy(rest, copy_to, nullptr, d)) {
      d.borrowed = true;
      d.offset = bom->second;
    } else {
      d.utf8 = repair_utf8(rest);
      d.overridden = true;
      d.warnings.push_back("encoding: invalid UTF-8 bytes replaced by U+FFFD");
    }
    return true;
  }
  if (auto converted = convert(rest, bom->first)) {
    d.utf8 = std::move(*converted);
    return true;
  }
  return false;
}

// The HTTP charset, then the XML declaration's: the order they are tried in.
std::vector<Declared> declared_charsets(std::string_view body, std::string_view content_type) {
  std::string http = charset_of_content_type(content_type);
  std::string xml = declared_encoding(body);
  std::vector<Declared> out;
  if (!http.empty()) {
    out.push_back({http, "the HTTP Content-Type"});
  }
  if (!xml.empty()) {
    out.push_back({xml, "the XML declaration"});
  }
  return out;
}

// The body borrowed as UTF-8 when it is valid UTF-8.
bool borrow_if_utf8(std::string_view body, char* copy_to, const std::string& rejected, Decoded& d) {
  bool control = true;
  if (!valid_utf8_maybe_copy(body, copy_to, &control, d)) {
    return false;
  }
  d.control_free = !control;
  d.encoding = "utf-8";
  d.borrowed = true;
  note_override(d, rejected, "utf-8");
  return true;
}

// Steps 2–4: the body read as `c` names, unless the bytes contradict it (then
// why goes to `rejected` and the next candidate is tried).
bool read_as_declared(std::string_view body, const Declared& c, char* copy_to,
                      std::string& rejected, Decoded& d) {
  if (is_utf16_or_32(c.name)) {
    // Declared UTF-16 but read as ASCII: the declaration is wrong (appendix F).
    reject(rejected, c.name + " from " + c.source + " contradicts the bytes");
    return false;
  }
  if (is_utf8_name(c.name)) {
    if (borrow_if_utf8(body, copy_to, rejected, d)) {
      return true;
    }
    reject(rejected, "utf-8 from " + std::string(c.source) + " but the bytes are not UTF-8");
    return false;
  }
  std::string web = web_name(c.name);
  if (utf8::is_ascii(body)) {
    if (!charset_known(web)) {
      reject(rejected, "unknown charset " + c.name + " from " + c.source);
      return false;
    }
    d.encoding = web == "gb18030" ? "gb18030" : c.name;
    d.borrowed = true;
    note_override(d, rejected, c.name);
    return true;
  }
  if (looks_like_utf8(body)) {
    reject(rejected, c.name + " from " + c.source + " but the bytes are UTF-8");
    return false;
  }
  if (auto converted = convert(body, web)) {
    d.encoding = web == "gb18030" ? "gb18030" : c.name;
    d.utf8 = std::move(*converted);
    note_override(d, rejected, c.name);
    return true;
  }
  reject(rejected, "unknown charset " + c.name + " from " + c.source);
  return false;
}

// Nothing usable declared and not UTF-8: ICU's detector, when it is fairly sure.
// UTF-16/32 guesses are impossible here: the body reads as ASCII-compatible
// (those with a BOM or "<\0" were handled by read_by_bom).
bool read_as_detected(std::string_view body, const std::string& rejected, Decoded& d) {
  auto det = detect(body);
  if (!det || is_utf8_name(det->name) || is_utf16_or_32(det->name) || det->confidence < 10) {
    return false;
  }
  auto converted = convert(body, web_name(det->name));
  if (!converted) {
    return false;
  }
  d.encoding = det->name;
  d.utf8 = std::move(*converted);
  d.overridden = true;
  d.warnings.push_back("encoding: " + rejected_or_none(rejected) + "; detected " + det->name +
                       " (confidence " + std::to_string(det->confidence) + ")");
  return true;
}

}  // namespace

Decoded decode_to_utf8(std::string_view body, std::string_view content_type, char* copy_to) {
  Decoded d;
  if (read_by_bom(body, copy_to, d)) {
    return d;
  }
  // HTTP charset, XML declaration, UTF-8: the first the bytes do not contradict.
  std::string rejected;
  for (const Declared& c : declared_charsets(body, content_type)) {
    if (read_as_declared(body, c, copy_to, rejected, d)) {
      return d;
    }
  }
  if (borrow_if_utf8(body, copy_to, rejected, d) || read_as_detected(body, rejected, d)) {
    return d;
  }
  d.encoding = "utf-8";
  d.utf8 = repair_utf8(body);
  d.overridden = true;
  d.warnings.push_back("encoding: " + rejected_or_none(rejected) +
                       "; invalid UTF-8 bytes replaced by U+FFFD");
  return d;
}

}  // namespace khobor::feeds::detail
