// A fast 64-bit hash of a word's UTF-8 bytes, for the engine's tables keyed by spelling (the
// register's lower-case spellings and their filter, the session's cache of capitalised
// spellings). Not cryptographic; the tables hold no secrets an attacker could probe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace fieldnotes::redact {

// Eight bytes per step, fixed-size loads only.
inline std::uint64_t spelling_hash(std::string_view w) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  const auto* p = reinterpret_cast<const unsigned char*>(w.data());
  const std::size_t n = w.size();
  std::uint64_t h = 0xcbf29ce484222325ULL ^ (n * kMul);
  std::uint64_t v = 0;
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&v, p + i, 8);
      h = (h ^ v) * kMul;
      h ^= h >> 32;
    }
    std::memcpy(&v, p + n - 8, 8);  // the last eight bytes (overlapping the previous block)
  } else if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    v = a | static_cast<std::uint64_t>(b) << 32;
  } else if (n > 0) {
    v = p[0] | static_cast<std::uint64_t>(p[n / 2]) << 8 | static_cast<std::uint64_t>(p[n - 1]) << 16;
  }
  h = (h ^ v) * kMul;
  return h ^ (h >> 29);
}

// Transparent hasher: tables keyed by std::string are looked up with a string_view.
struct SpellingHasher {
  using is_transparent = void;
  std::size_t operator()(std::string_view v) const { return spelling_hash(v); }
};

}  // namespace fieldnotes::redact
