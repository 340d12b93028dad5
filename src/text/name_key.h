// The comparison key of a word: one spelling for every way a name of the region is written —
// Cyrillic (Russian, Ukrainian, Belarusian) and the Latin transliteration schemes of each, with
// their diacritics, apostrophes and primes. Search and redaction both compare names by it, so
// that whatever the redaction engine takes for the same name, search finds (docs/REDACTION.md,
// "Normalisation", and docs/SEARCH.md).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "src/text/utf8.h"

namespace fieldnotes::text {

// The comparison key of one word: lower-cased, look-alike letters folded to the word's
// majority script, then mapped through one table per script onto a small Latin alphabet in
// which the transliteration schemes coincide (ё/yo/io/e -> e, х/kh/h/г/g -> h, ц/ts/tz/c -> c,
// ч/ch/tsch -> C, ш/щ/sh/sch/shch -> S, ж/zh -> Z, й/y/i/j/ы/и/і/ї -> i, я -> ia, ю -> iu,
// ь/ъ dropped), "io"/"ie" -> "e" and doubled letters collapsed. Two spellings of one name
// give the same key; unrelated words rarely do. Combining marks are ignored, so the key is
// the same for NFC and NFD input.
std::string key_of(std::u32string_view word);
std::string key_of_utf8(std::string_view word);

// The characters the key of a word that begins with `c` can begin with, whatever follows
// (a superset: "ts" makes `c`, "io" makes `e`, a Latin `c` in a Cyrillic word reads as `с`...),
// or "*" when it can begin with anything (a soft sign, another script). Lets a scanner skip the
// words that cannot match a key without computing theirs.
std::string first_key_chars(char32_t c);

// A Cyrillic reading of a Latin-script name (Orekhov -> орехов) whose key equals the key of
// the Latin spelling. Used only to apply the Cyrillic declension rules to register entries
// written in Latin. Lower-case output. Cyrillic input is lower-cased and returned as is.
std::u32string cyrillic_reading(std::u32string_view word);

// Compact form for identifiers and addresses: letters and digits only, lower-case,
// Cyrillic look-alikes read as Latin ("АК 4819275" = "ak4819275").
inline char32_t compact_fold(char32_t c) {
  c = to_lower(c);
  switch (c) {
    case U'а': return 'a'; case U'в': return 'b'; case U'е': return 'e'; case U'ё': return 'e';
    case U'к': return 'k'; case U'м': return 'm'; case U'н': return 'h'; case U'о': return 'o';
    case U'р': return 'p'; case U'с': return 'c'; case U'т': return 't'; case U'у': return 'y';
    case U'х': return 'x'; case U'і': return 'i';
    default: return c;
  }
}
std::u32string compact(std::string_view s);

}  // namespace fieldnotes::text
