// Identifiers found by pattern: phones, e-mails, handles, personal URLs, military units,
// passports, military IDs, INN/SNILS, car plates, street addresses, GPS coordinates and
// dates of birth (only with a birth cue). Linear-time matching only (RE2 and hand-written
// scanners); see docs/REDACTION.md, "Patterns".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fieldnotes::redact::patterns {

enum class Kind { kPhone, kEmail, kHandle, kUrl, kUnit, kId, kAddress, kPlate, kCoord, kDob, kPerson };

const char* category_name(Kind k);     // "PHONE", "EMAIL"...
const char* replacement_for(Kind k);   // "[PHONE]", "[EMAIL]"...

struct Found {
  std::size_t begin = 0;   // byte offsets into the scanned text
  std::size_t end = 0;
  Kind kind = Kind::kId;
  const char* reason = "";
  bool doubtful = false;
  std::string digits;      // phones: the normalised digit string (7XXXXXXXXXX for Russia)
};

// Normalises a phone number to its digit string: separators dropped, a Russian trunk
// prefix 8 read as +7, a bare 10-digit Russian mobile given its country code.
std::string phone_digits(std::string_view phone);

// True if the digit strings pass the INN (10 or 12 digits) / SNILS (11 digits) checksums.
bool inn_checksum_ok(std::string_view digits);
bool snils_checksum_ok(std::string_view digits);

// Windows [begin, end) of text around digits: from `before` bytes before a digit to `after`
// bytes after it, widened to the nearest space, merged when they touch. Patterns that need a
// digit (and register identifiers) are looked for only there.
std::vector<std::pair<std::size_t, std::size_t>> digit_windows(std::string_view text, std::size_t before,
                                                              std::size_t after);

// Scans `text` (valid UTF-8) and returns every identifier found, unordered, possibly
// overlapping (the caller resolves overlaps: longer and earlier spans win).
// `words`, when given, are the spans [begin, end) of the text's words as the engine's tokenizer
// finds them (maximal runs of letters, in order): the numbers spelled out are then looked for
// only around runs of words that can be number words (see docs/REDACTION.md, "Performance");
// the result is the same as without them.
std::vector<Found> find_all(std::string_view text,
                            const std::vector<std::pair<std::size_t, std::size_t>>* words = nullptr);

// The birth cues of `text` (born, d.o.b., родился, д.р., народився, р.н. ...: see
// docs/REDACTION.md), each [begin, end), in order and not overlapping: in any case, at the
// start of a word, a word being preceded by a character that is not a letter, digit or '_'.
// `words` as for find_all (nullptr: found here); the result is the same with or without them.
std::vector<std::pair<std::size_t, std::size_t>> birth_cues(
    std::string_view text, const std::vector<std::pair<std::size_t, std::size_t>>* words = nullptr);

// Exposed for tests. Lower-cases a word of ASCII and basic Cyrillic (U+0400..U+045F)
// characters into `out`; false (out unspecified) when it holds any other character, whose
// case folding a caller cannot rule out.
bool simple_lower(std::string_view word, std::string& out);
// A word that can be a whole number word of the spelled-number pattern ("семь", "Seven"):
// true also for any word of at most 36 bytes that simple_lower cannot decide.
bool maybe_number_word(std::string_view word);

// Every numeric date (dd.mm.yyyy, dd/mm/yyyy) with a year before 2013: not redacted by
// itself, but a date right after a person's name ("Рябчиков Вадим Олегович, 09.10.1987")
// is taken for a date of birth by the engine.
std::vector<Found> find_plain_dates(std::string_view text);

}  // namespace fieldnotes::redact::patterns
