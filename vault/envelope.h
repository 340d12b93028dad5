// Sealed envelopes: how every field of a record or person is stored (docs/FORMAT.md,
// "Envelopes"). version (1 byte) || nonce (24) || XChaCha20-Poly1305 ciphertext || tag (16),
// associated data = "fieldnotes field v1" 0x00 table "." field 0x00 uuid version.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "crypto/secret.h"

namespace fieldnotes::vault {

std::vector<uint8_t> envelope_ad(std::string_view table, std::string_view field, std::string_view uuid);

std::vector<uint8_t> envelope_seal(const crypto::SecretBuffer& key, std::string_view table,
                                   std::string_view field, std::string_view uuid,
                                   std::span<const uint8_t> plaintext);

// kUnsupported for an unknown version; kCorrupt if it does not authenticate.
Result<crypto::SecretBuffer> envelope_open(const crypto::SecretBuffer& key, std::string_view table,
                                           std::string_view field, std::string_view uuid,
                                           std::span<const uint8_t> envelope);
// As envelope_open, into `out` (reusing its secure allocation): the path every record read takes.
Status envelope_open_into(const crypto::SecretBuffer& key, std::string_view table, std::string_view field,
                          std::string_view uuid, std::span<const uint8_t> envelope, crypto::SecretBuffer& out);

}  // namespace fieldnotes::vault
