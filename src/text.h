// Small text helpers for the core: UTF-8 validity and trimming.
#pragma once

#include <string>
#include <string_view>

namespace fieldnotes::core {

// True iff `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);
std::string_view trim(std::string_view s);

}  // namespace fieldnotes::core
