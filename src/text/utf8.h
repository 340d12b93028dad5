// Text primitives shared by search and redaction: UTF-8 validation, repair and decoding,
// letter classes (fast paths for ASCII and Cyrillic, ICU for the rest), lower case and NFC.
// The comparison key that decides what "the same name" means is in name_key.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fieldnotes::text {

// Returns `in` with every invalid UTF-8 sequence (overlong forms, surrogates, truncated or
// stray bytes) replaced by U+FFFD. `changed` is set when anything was replaced.
std::string repair_utf8(std::string_view in, bool* changed);
// Length of the longest valid UTF-8 prefix of `in` (== in.size() when all of it is valid).
std::size_t valid_prefix(std::string_view in);

// Decodes the code point at byte `i` of valid UTF-8 and advances `i`.
// REQUIRES: `s` is valid UTF-8 (see repair_utf8) and i < s.size().
// Inline: the tokenizer and the pattern scanners call it for every code point.
inline char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) { ++i; return b0; }
  if (b0 < 0xE0 && i + 2 <= s.size()) {  // two bytes: Cyrillic, Latin with diacritics
    const char32_t c = (static_cast<char32_t>(b0 & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
    i += 2;
    return c;
  }
  const std::size_t n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2;
  if (i + n > s.size()) { i = s.size(); return 0xFFFD; }
  char32_t c = b0 & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < n; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += n;
  return c;
}

void append_utf8(std::string& out, char32_t c);

// Letter classes: inline fast paths for ASCII and basic Cyrillic, ICU for the rest.
bool is_letter_slow(char32_t c);
bool is_combining_slow(char32_t c);
bool is_upper_slow(char32_t c);
char32_t to_lower_slow(char32_t c);

// Letters of any script, plus combining marks.
inline bool is_letter(char32_t c) {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  if (c >= 0x400 && c <= 0x4FF) return true;
  return is_letter_slow(c);
}
// Combining marks (kept inside words, ignored by keys).
inline bool is_combining(char32_t c) {
  if (c < 0x300) return false;
  if (c <= 0x36F) return true;
  if (c >= 0x400 && c <= 0x52F) return c >= 0x483 && c <= 0x489;  // Cyrillic fast path
  return is_combining_slow(c);
}
inline bool is_upper(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  if (c >= 0x410 && c <= 0x42F) return true;
  if (c >= 0x430 && c <= 0x44F) return false;
  return is_upper_slow(c);
}
inline bool is_cyrillic(char32_t c) { return c >= 0x400 && c <= 0x52F; }
inline bool is_latin(char32_t c) {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x1E00 && c <= 0x1EFF);
}
inline char32_t to_lower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0x430 && c <= 0x45F) return c;  // already lower case: а..я, ѐ..џ
  return to_lower_slow(c);
}

std::u32string to_u32(std::string_view utf8);
std::string to_utf8(std::u32string_view s);
std::u32string lower(std::u32string_view s);

// NFC normalisation (ICU); returns `s` unchanged when ICU fails.
std::string nfc(std::string_view s);
// ASCII letters lower-cased, every other byte as is (e-mail addresses and handles).
std::string lower_ascii(std::string s);
bool has_cyrillic(std::u32string_view w);

}  // namespace fieldnotes::text
