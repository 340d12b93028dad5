// XChaCha20-Poly1305 (IETF) with associated data, and BLAKE2b hashing / MACs.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <sodium.h>

#include "base/status.h"
#include "crypto/secret.h"

namespace fieldnotes::crypto {

constexpr std::size_t kAeadKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr std::size_t kAeadNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kAeadTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(kAeadKeyBytes == 32 && kAeadNonceBytes == 24 && kAeadTagBytes == 16);

using Bytes = std::vector<uint8_t>;

// Seals `plaintext` under `key` with a fresh random nonce.
// Output: nonce (24) || ciphertext || tag (16).
Bytes aead_xchacha_seal(const SecretBuffer& key, std::span<const uint8_t> plaintext,
                        std::span<const uint8_t> ad);

// Opens the output of aead_xchacha_seal into secure memory. kCorrupt if the tag, the key or
// the associated data does not match, or the input is too short.
Result<SecretBuffer> aead_xchacha_open(const SecretBuffer& key, std::span<const uint8_t> sealed,
                                       std::span<const uint8_t> ad);

// As above, into `out` (reusing its secure allocation when large enough).
Status aead_xchacha_open_into(const SecretBuffer& key, std::span<const uint8_t> sealed,
                              std::span<const uint8_t> ad, SecretBuffer& out);

// As above, with the nonce given (for known-answer vectors only).
// WARNING: never reuse a nonce with the same key.
Bytes aead_xchacha_seal_with_nonce(const SecretBuffer& key,
                                   std::span<const uint8_t, kAeadNonceBytes> nonce,
                                   std::span<const uint8_t> plaintext,
                                   std::span<const uint8_t> ad);

constexpr std::size_t kSha256Bytes = crypto_hash_sha256_BYTES;
static_assert(kSha256Bytes == 32);
std::array<uint8_t, kSha256Bytes> hash_sha256(std::span<const uint8_t> msg);

constexpr std::size_t kMacBytes = 32;
// Keyed BLAKE2b-256.
std::array<uint8_t, kMacBytes> mac_blake2b(const SecretBuffer& key, std::span<const uint8_t> msg);
bool mac_blake2b_verify(const SecretBuffer& key, std::span<const uint8_t> msg,
                        std::span<const uint8_t> mac);

}  // namespace fieldnotes::crypto
