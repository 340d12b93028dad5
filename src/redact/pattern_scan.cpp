// Helpers shared by the pattern scanners: see patterns_internal.h.
#include <cstdint>
#include <cstring>

#include "src/redact/patterns_internal.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact::patterns::internal {

bool is_word_cp(char32_t c) { return text::is_letter(c) || (c >= '0' && c <= '9') || c == '_'; }

char32_t cp_before(std::string_view s, std::size_t b) {
  if (b == 0) return 0;
  std::size_t i = b - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return text::next_code_point(s, i);
}

char32_t cp_at(std::string_view s, std::size_t e) {
  if (e >= s.size()) return 0;
  return text::next_code_point(s, e);
}

bool bounded(std::string_view s, std::size_t b, std::size_t e) {
  return !is_word_cp(cp_before(s, b)) && !is_word_cp(cp_at(s, e));
}


bool can_start_number(char c) { return (c >= '0' && c <= '9') || c == '+' || c == '-'; }

// First position in [pos, end) holding a digit (end if none): eight bytes at a time while
// none of them is one.
std::size_t next_digit(std::string_view s, std::size_t pos, std::size_t end) {
  while (pos + 8 <= end) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + pos, 8);
    const std::uint64_t x = w ^ 0x3030303030303030ULL;  // a digit becomes a byte below 10
    if (((x - 0x0A0A0A0A0A0A0A0AULL) & ~x & 0x8080808080808080ULL) != 0) break;
    pos += 8;
  }
  while (pos < end && !(s[pos] >= '0' && s[pos] <= '9')) ++pos;
  return pos;
}

// First position in [pos, end) holding a digit, '+' or '-' (end if none): eight bytes at a
// time while none of them is one.
std::size_t next_number_start(std::string_view s, std::size_t pos, std::size_t end) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  while (pos + 8 <= end) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + pos, 8);
    const std::uint64_t digits = w ^ (0x30 * kOnes);  // a digit becomes a byte below 10
    if ((((digits - 0x0A * kOnes) & ~digits & kHigh) | has_zero(w ^ ('+' * kOnes)) | has_zero(w ^ ('-' * kOnes))) != 0)
      break;
    pos += 8;
  }
  while (pos < end && !can_start_number(s[pos])) ++pos;
  return pos;
}

std::unique_ptr<RE2> compile(const std::string& p) {
  RE2::Options o;
  o.set_log_errors(true);
  o.set_max_mem(64 << 20);
  return std::make_unique<RE2>(p, o);
}


}  // namespace fieldnotes::redact::patterns::internal
