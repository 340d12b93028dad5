#include "src/text/utf8.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <cstring>

namespace fieldnotes::text {


namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Length of the valid UTF-8 sequence at s[i], or 0 if it is invalid.
std::size_t valid_sequence_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) { n = 2; min = 0x80; }
  else if (b0 >= 0xE0 && b0 <= 0xEF) { n = 3; min = 0x800; }
  else if (b0 >= 0xF0 && b0 <= 0xF4) { n = 4; min = 0x10000; }
  else return 0;
  if (i + n > s.size()) return 0;
  char32_t c = b0 & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::size_t valid_prefix(std::string_view in) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  std::size_t i = 0;
  while (i < n) {
    // Eight bytes at a time while they hold only ASCII and two-byte sequences (Cyrillic,
    // Latin with diacritics), `i` being at the start of a character. Per byte: the high bit
    // marks a non-ASCII byte, bit 6 a lead byte (11xxxxxx) rather than a continuation
    // (10xxxxxx), bit 5 a lead of three or four bytes.
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      const std::uint64_t high = w & kHigh;
      if (high == 0) { i += 8; continue; }
      const std::uint64_t bit6 = (w << 1) & kHigh, bit5 = (w << 2) & kHigh;
      const std::uint64_t lead = high & bit6, cont = high & ~bit6;
      // C0 and C1 (overlong leads) are the leads whose bits 4..1 are all zero.
      const std::uint64_t x = w & 0x1E1E1E1E1E1E1E1EULL;
      const std::uint64_t zero = ~(((x & kLow7) + kLow7) | x | kLow7);
      // Every lead followed by one continuation and every continuation preceded by a lead
      // (bytes are little-endian: the next byte is eight bits up). A lead in the last byte
      // is checked with its continuation in the next step.
      if ((lead & bit5) == 0 && (lead & zero) == 0 && cont == (lead << 8)) {
        i += (lead >> 63) ? 7 : 8;
        continue;
      }
    }
    const unsigned char b0 = p[i];
    if (b0 < 0x80) { ++i; continue; }
    // Two-byte sequences (Cyrillic, Latin with diacritics): the common case.
    if (b0 >= 0xC2 && b0 <= 0xDF && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) { i += 2; continue; }
    const std::size_t len = valid_sequence_length(in, i);
    if (len == 0) return i;
    i += len;
  }
  return n;
}

std::string repair_utf8(std::string_view in, bool* changed) {
  if (changed) *changed = false;
  // Fast path: scan until the first invalid byte.
  std::size_t i = valid_prefix(in);
  if (i == in.size()) return std::string(in);
  if (changed) *changed = true;
  std::string out(in.substr(0, i));
  out.reserve(in.size() + 16);
  while (i < in.size()) {
    // An invalid byte becomes U+FFFD; the valid run after it is copied whole.
    append_utf8(out, kReplacement);
    ++i;
    const std::size_t n = valid_prefix(in.substr(i));
    out.append(in.substr(i, n));
    i += n;
  }
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

bool is_combining_slow(char32_t c) {
  const auto t = u_charType(static_cast<UChar32>(c));
  return t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK || t == U_ENCLOSING_MARK;
}

bool is_letter_slow(char32_t c) {
  if (c == 0x2B9 || c == 0x2BA || c == 0x2BC) return true;  // ISO 9 primes, Ukrainian apostrophe
  return u_isalpha(static_cast<UChar32>(c)) || is_combining(c);
}

bool is_upper_slow(char32_t c) { return u_isupper(static_cast<UChar32>(c)); }

char32_t to_lower_slow(char32_t c) { return static_cast<char32_t>(u_tolower(static_cast<UChar32>(c))); }

std::u32string to_u32(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  std::size_t i = 0;
  while (i < utf8.size()) out.push_back(next_code_point(utf8, i));
  return out;
}

std::string to_utf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (char32_t c : s) append_utf8(out, c);
  return out;
}

std::u32string lower(std::u32string_view s) {
  std::u32string out(s);
  for (auto& c : out) c = to_lower(c);
  return out;
}

std::string nfc(std::string_view s) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(err);
  if (U_FAILURE(err)) return std::string(s);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  icu::UnicodeString out = n->normalize(u, err);
  if (U_FAILURE(err)) return std::string(s);
  std::string r;
  out.toUTF8String(r);
  return r;
}

std::string lower_ascii(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

bool has_cyrillic(std::u32string_view w) {
  for (char32_t c : w)
    if (is_cyrillic(c)) return true;
  return false;
}

}  // namespace fieldnotes::text
