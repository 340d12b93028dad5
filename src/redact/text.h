// Text primitives of the redaction engine: UTF-8 repair, letter classes, the comparison key
// that folds Cyrillic and the Latin transliteration schemes of Russian and Ukrainian names
// into one string, and a rough Latin -> Cyrillic reading used to decline Latin register names.
// See docs/REDACTION.md, "Normalisation".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fieldnotes::redact::text {

// Returns `in` with every invalid UTF-8 sequence (overlong forms, surrogates, truncated or
// stray bytes) replaced by U+FFFD. `changed` is set when anything was replaced.
std::string repair_utf8(std::string_view in, bool* changed);
// Length of the longest valid UTF-8 prefix of `in` (== in.size() when all of it is valid).
std::size_t valid_prefix(std::string_view in);

// Decodes the code point at byte `i` of valid UTF-8 and advances `i`.
// REQUIRES: `s` is valid UTF-8 (see repair_utf8) and i < s.size().
char32_t next_code_point(std::string_view s, std::size_t& i);

void append_utf8(std::string& out, char32_t c);

bool is_letter(char32_t c);          // letters of any script, plus combining marks
bool is_combining(char32_t c);       // combining marks (kept inside words, ignored by keys)
bool is_upper(char32_t c);
bool is_cyrillic(char32_t c);
bool is_latin(char32_t c);
char32_t to_lower(char32_t c);

// The comparison key of one word: lower-cased, look-alike letters folded to the word's
// majority script, then mapped through one table per script onto a small Latin alphabet in
// which the transliteration schemes coincide (ё/yo/io/e -> e, х/kh/h/г/g -> h, ц/ts/tz/c -> c,
// ч/ch/tsch -> C, ш/щ/sh/sch/shch -> S, ж/zh -> Z, й/y/i/j/ы/и/і/ї -> i, я -> ia, ю -> iu,
// ь/ъ dropped), "io"/"ie" -> "e" and doubled letters collapsed. Two spellings of one name
// give the same key; unrelated words rarely do. Combining marks are ignored, so the key is
// the same for NFC and NFD input.
std::string key_of(std::u32string_view word);
std::string key_of_utf8(std::string_view word);

// A Cyrillic reading of a Latin-script name (Orekhov -> орехов) whose key equals the key of
// the Latin spelling. Used only to apply the Cyrillic declension rules to register entries
// written in Latin. Lower-case output. Cyrillic input is lower-cased and returned as is.
std::u32string cyrillic_reading(std::u32string_view word);

std::u32string to_u32(std::string_view utf8);
std::string to_utf8(std::u32string_view s);
std::u32string lower(std::u32string_view s);

}  // namespace fieldnotes::redact::text
