// HMAC-SHA256 and HKDF-SHA256 (RFC 5869), built on libsodium's crypto_auth_hmacsha256_*
// (libsodium 1.0.18 has no HKDF). Used by the age format (crypto/age.h).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include <sodium.h>

#include "crypto/secret.h"

namespace fieldnotes::crypto {

constexpr std::size_t kHmacSha256Bytes = crypto_auth_hmacsha256_BYTES;
static_assert(kHmacSha256Bytes == 32);
// RFC 5869: L <= 255 * HashLen.
constexpr std::size_t kHkdfSha256MaxBytes = 255 * kHmacSha256Bytes;

// HMAC-SHA256 of `message` under a key of any length (an empty key is allowed).
std::array<uint8_t, kHmacSha256Bytes> hmac_sha256(std::span<const uint8_t> key,
                                                  std::span<const uint8_t> message);

// HKDF-Extract: PRK = HMAC-SHA256(salt, ikm). An empty salt means HashLen zero bytes.
SecretBuffer hkdf_sha256_extract(std::span<const uint8_t> salt, std::span<const uint8_t> ikm);

// HKDF-Expand of `prk` to `length` bytes. REQUIRES: 0 < length <= kHkdfSha256MaxBytes.
SecretBuffer hkdf_sha256_expand(std::span<const uint8_t> prk, std::span<const uint8_t> info,
                                std::size_t length);

// Extract then expand. REQUIRES: 0 < length <= kHkdfSha256MaxBytes.
SecretBuffer hkdf_sha256(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                         std::string_view info, std::size_t length);

}  // namespace fieldnotes::crypto
