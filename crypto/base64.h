// Strict, canonical base64 (RFC 4648 standard alphabet) for the age and minisign formats.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fieldnotes::crypto {

enum class Base64Padding { kPadded, kUnpadded };

std::string base64_encode(std::span<const uint8_t> in, Base64Padding padding);

// Decodes `in` only if it is the canonical encoding of its bytes: alphabet characters
// only (no whitespace, CR or LF; see below), padding exactly as `padding` demands, and
// zero trailing bits. Returns nullopt otherwise.
// WARNING: libsodium 1.0.18's sodium_base642bin accepts any byte >= 0x80 as if it were
// '/'; this function checks the alphabet itself before calling it. Use it, not libsodium's,
// on untrusted input.
std::optional<std::vector<uint8_t>> base64_decode_strict(std::string_view in,
                                                         Base64Padding padding);

}  // namespace fieldnotes::crypto
