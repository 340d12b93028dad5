#include "src/strings.h"

#include <ctime>

#include "src/text/utf8.h"

namespace fieldnotes::core {

bool is_valid_utf8(std::string_view s) { return text::valid_prefix(s) == s.size(); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

namespace {

std::string formatted_time(int64_t unix_seconds, bool local, const char* format) {
  std::time_t tt = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (local) localtime_r(&tt, &tm);
  else gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace

std::string iso_time(int64_t unix_seconds) { return formatted_time(unix_seconds, false, "%Y-%m-%dT%H:%M:%SZ"); }

std::string local_time(int64_t unix_seconds) { return formatted_time(unix_seconds, true, "%Y-%m-%d %H:%M:%S %Z"); }

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t c : bytes) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

}  // namespace fieldnotes::core
