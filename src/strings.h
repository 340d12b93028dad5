// Small string helpers for the core: UTF-8 validity (by src/text/utf8.h), trimming, ISO
// dates and hexadecimal.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace fieldnotes::core {

// True iff `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);
std::string_view trim(std::string_view s);
// "2026-11-21T22:08:13Z" (UTC) for unix seconds.
std::string iso_time(int64_t unix_seconds);
// Local date and time with the zone ("2026-12-02 17:30:00 CET"), for people reading a terminal.
std::string local_time(int64_t unix_seconds);
// Lowercase hexadecimal.
std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace fieldnotes::core
