// Bech32 (BIP 173 checksum, not Bech32m) as used by age for `age1...` recipients and
// `AGE-SECRET-KEY-1...` identities. Unlike BIP 173 there is no 90-character limit (age
// does not have one either); a 1 KiB cap bounds the work instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "crypto/secret.h"

namespace fieldnotes::crypto {

constexpr std::size_t kBech32MaxChars = 1024;

struct Bech32Decoded {
  std::string hrp;  // as written (age compares it case-sensitively)
  SecretBuffer data;  // 8-bit data; in secure memory because identities are secret
};

// Decodes `s`. kInvalidInput if it is mixed-case, has no separator, an empty or invalid
// human-readable part, a character outside the Bech32 alphabet, a bad checksum, or
// non-zero / overlong padding bits. Never echoes `s` in the message (it may be a secret).
Result<Bech32Decoded> bech32_decode(std::string_view s);

// Encodes `data` under `hrp`. The case of the output follows `hrp`: an upper-case hrp
// gives an all-upper-case string. REQUIRES: hrp non-empty, all one case, printable ASCII.
SecretBuffer bech32_encode(std::string_view hrp, std::span<const uint8_t> data);

}  // namespace fieldnotes::crypto
