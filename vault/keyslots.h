// The keyslots file: LUKS-style slots wrapping one master key, and the epoch key-encryption
// keys that wrap record keys. Format: docs/FORMAT.md, "keyslots".
//
// Every parameter that affects decryption is authenticated: a slot's KDF parameters and salt
// are associated data of its sealed master key; the whole file carries a MAC under a subkey of
// the master key, checked right after unlocking.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/kdf.h"
#include "crypto/secret.h"
#include "crypto/status.h"
#include "vault/format.h"

namespace fieldnotes::vault {

using VaultId = std::array<uint8_t, kVaultIdBytes>;

struct Slot {
  SlotKind kind = SlotKind::kPassphrase;
  crypto::Argon2idParams params;
  std::array<uint8_t, crypto::kPwhashSaltBytes> salt{};
  std::array<uint8_t, kSealedKeyBytes> sealed_master{};
};

struct Epoch {
  uint32_t number = 0;
  std::array<uint8_t, kSealedKeyBytes> sealed_kek{};
};

struct KeyslotFile {
  uint8_t major = kKeyslotsMajor;
  uint8_t minor = kKeyslotsMinor;
  uint16_t flags = 0;
  VaultId vault_id{};
  std::vector<Slot> slots;
  std::vector<Epoch> epochs;   // 1, or 2 while a shred is in progress (oldest first)
  std::array<uint8_t, kKeyslotsMacBytes> mac{};

  // Parses and checks the structure and every slot's parameters (check_params) — before any
  // KDF runs. kUnsupported for an unknown major version or out-of-range parameters; kCorrupt
  // for anything malformed. Does not check the MAC (needs the master key).
  static Result<KeyslotFile> parse(std::span<const uint8_t> bytes);

  // Serialises, computing the MAC with `master`.
  std::vector<uint8_t> serialize(const crypto::SecretBuffer& master) const;

  // Tries every slot of `kind` with `secret`. kWrongKey if none opens; then checks the file
  // MAC (kCorrupt if it fails).
  Result<crypto::SecretBuffer> unlock(SlotKind kind, std::span<const uint8_t> secret) const;

  // Seals `master` into a new slot of `kind` (replacing existing slots of that kind).
  Status set_slot(SlotKind kind, std::span<const uint8_t> secret, const crypto::Argon2idParams& params,
                  const crypto::SecretBuffer& master);

  // Epoch KEKs.
  Result<crypto::SecretBuffer> open_epoch(const crypto::SecretBuffer& master, uint32_t number) const;
  void add_epoch(const crypto::SecretBuffer& master, uint32_t number, const crypto::SecretBuffer& kek);
  uint32_t current_epoch() const { return epochs.back().number; }

  bool is_test_profile() const { return (flags & kFlagTestProfile) != 0; }
  // magic, version, flags and vault id: the prefix of every slot's associated data.
  std::vector<uint8_t> ad_prefix() const;
};

// The recovery key: 30 random bytes + a 2-byte BLAKE2b checksum, written as 52 base32
// characters in groups of four. Typos are caught by the checksum before any KDF runs.
crypto::SecretBuffer recovery_key_generate();                         // the 32 raw bytes
crypto::SecretBuffer recovery_key_format(const crypto::SecretBuffer& raw);  // text form
Result<crypto::SecretBuffer> recovery_key_parse(std::span<const uint8_t> text);

}  // namespace fieldnotes::vault
