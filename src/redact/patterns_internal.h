// Helpers shared by the pattern scanners (patterns.h): word boundaries, fast searches for
// digits, RE2 compilation, the number words, and the scanners that find_all runs after its
// rule table (dates of birth, spelled-out numbers) and the phone checks it calls.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/redact/patterns.h"

namespace fieldnotes::redact::patterns::internal {

constexpr std::size_t kNone = std::string_view::npos;

// Letters, digits and '_': what RE2's \b and the patterns' bounds treat as word characters.
bool is_word_cp(char32_t c);
// The code point before byte b / at byte e of valid UTF-8 (0 at either end of the text).
char32_t cp_before(std::string_view s, std::size_t b);
char32_t cp_at(std::string_view s, std::size_t e);
// No word character on either side of [b, e).
bool bounded(std::string_view s, std::size_t b, std::size_t e);
// First position in [pos, end) holding a digit (end if none).
std::size_t next_digit(std::string_view s, std::size_t pos, std::size_t end);
// First position in [pos, end) holding a digit, '+' or '-' (end if none).
std::size_t next_number_start(std::string_view s, std::size_t pos, std::size_t end);
// An RE2 with the engine's options (64 MB of DFA memory; errors logged).
std::unique_ptr<RE2> compile(const std::string& pattern);

// The number words of every language, as an RE2 alternation (spelled_numbers.cpp).
extern const char* const kNumberWords;

// Phone candidates (phones.cpp): the rule's check, and libphonenumber's second opinion.
bool phone_plausible(std::string_view m, bool plus);
bool phone_valid_by_plan(std::string_view m);

// Scanners run by find_all after the rule table.
void find_dates_of_birth(std::string_view s, const std::vector<std::pair<std::size_t, std::size_t>>& windows,
                         const std::vector<std::pair<std::size_t, std::size_t>>* words, std::vector<Found>& out);
void find_table_dates_of_birth(std::string_view s, std::vector<Found>& out);
void find_spelled_numbers(std::string_view s, const std::vector<std::pair<std::size_t, std::size_t>>* words,
                          std::vector<Found>& out);
bool is_number_word(const std::string& lower_word);

}  // namespace fieldnotes::redact::patterns::internal
