// Key derivation: Argon2id for passphrases (with bounded, named profiles) and crypto_kdf
// (BLAKE2b) subkeys of the master key.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <sodium.h>

#include "base/status.h"
#include "crypto/secret.h"

namespace fieldnotes::crypto {

constexpr std::size_t kPwhashSaltBytes = crypto_pwhash_argon2id_SALTBYTES;
static_assert(kPwhashSaltBytes == 16);

struct Argon2idParams {
  uint32_t ops = 0;
  uint64_t mem_bytes = 0;
  bool operator==(const Argon2idParams&) const = default;
};

enum class KdfProfile { kModerate, kSensitive, kTest };

Argon2idParams params_for(KdfProfile profile);
std::optional<KdfProfile> profile_from_name(std::string_view name);
const char* profile_name(KdfProfile profile);
// The profile whose parameters these are exactly, if any.
std::optional<KdfProfile> profile_of(const Argon2idParams& p);

// Accepted ranges for parameters read from a file. Anything else is refused BEFORE the KDF
// runs, so a tampered slot file can neither downgrade the cost nor exhaust memory:
//   the exact `test` profile (cheap, so accepting it costs an attacker-chosen nothing), or
//   ops in [kMinOps, kMaxOps] and mem in [kMinMem, kMaxMem].
constexpr uint32_t kMinOps = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;   // 3
constexpr uint32_t kMaxOps = 16;
constexpr uint64_t kMinMem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;   // 256 MiB
constexpr uint64_t kMaxMem = uint64_t{2} << 30;                          // 2 GiB
Status check_params(const Argon2idParams& p);

constexpr std::size_t kSlotKeyBytes = 32;

// Derives a 32-byte key from `secret` with Argon2id v1.3. Refuses parameters outside
// check_params(). Returns kIo-free kInvalidInput only on misuse; out-of-memory is kIo.
Result<SecretBuffer> pwhash_argon2id(std::span<const uint8_t> secret,
                                     std::span<const uint8_t, kPwhashSaltBytes> salt,
                                     const Argon2idParams& params);

constexpr std::size_t kKdfKeyBytes = crypto_kdf_KEYBYTES;
static_assert(kKdfKeyBytes == 32);
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "fnvault1";

// Subkey ids of the master key. Never reuse or renumber: docs/FORMAT.md.
enum class Subkey : uint64_t {
  kDatabase = 1,      // SQLCipher raw key
  kAuditMac = 2,      // audit log hash chain
  kIdentity = 3,      // seals the vault identity (before schema 2 also contacts and bundle-id tags)
  kEpochWrap = 4,     // wraps epoch KEKs in the keyslots file
  kKeyslotsMac = 5,   // MAC over the whole keyslots file
  kAuditSeal = 6,     // seals audit entries
  kContacts = 7,      // seals contacts (schema 2 on)
  kSeenBundles = 8,   // MACs the ids of received bundles (schema 2 on)
};

SecretBuffer kdf_derive_subkey(const SecretBuffer& master, Subkey id, std::size_t length = 32);

}  // namespace fieldnotes::crypto
