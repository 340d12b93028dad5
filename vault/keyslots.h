// One copy of the key-slot data: LUKS-style slots wrapping one master key, and the epoch
// key-encryption keys that wrap record keys. Format: docs/FORMAT.md, "keyslots". The vault keeps
// two copies (vault/keyslot_store.h decides which one is current and writes both).
//
// Every parameter that affects decryption is authenticated: a slot's KDF parameters and salt
// are associated data of its sealed master key; the whole copy carries a MAC under a subkey of
// the master key, checked right after unlocking, and an unkeyed checksum that tells damage
// from a wrong passphrase before any KDF runs.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "base/status.h"
#include "crypto/kdf.h"
#include "crypto/secret.h"
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

// Slot keys already derived in this process, by salt and parameters: the two copies usually
// hold the same slots, and Argon2id should run once per slot, not once per copy.
class SlotKeyCache {
 public:
  Result<const crypto::SecretBuffer*> derive(std::span<const uint8_t> secret, const Slot& slot);

 private:
  std::map<std::vector<uint8_t>, crypto::SecretBuffer> keys_;
};

struct KeyslotFile {
  uint8_t major = kKeyslotsMajor;   // as read: 1 (legacy, no sequence or checksum) or 2
  uint8_t minor = kKeyslotsMinor;
  uint16_t flags = 0;
  VaultId vault_id{};
  uint64_t sequence = 0;       // raised by every write; the higher of two authentic copies wins
  // The vault's generation when written (minor 1 and later): the number and chain value of the
  // audit log's last entry, which every committed change advances. A vault.db whose log ends
  // before it is older than these key slots (docs/FORMAT.md, "Generation").
  uint64_t audit_seq = 0;
  std::array<uint8_t, 32> audit_chain{};
  bool has_generation() const { return major == kKeyslotsMajor && minor >= kKeyslotsGenerationMinor; }
  std::vector<Slot> slots;
  std::vector<Epoch> epochs;   // 1, or 2 while a shred is in progress (oldest first)
  std::array<uint8_t, kKeyslotsMacBytes> mac{};

  // Parses and checks the checksum, the structure and every slot's parameters (check_params)
  // — before any KDF runs. kUnsupported for an unknown major version or out-of-range
  // parameters; kCorrupt for anything damaged or malformed. Reads version 1 files too. Does not
  // check the MAC (needs the master key).
  static Result<KeyslotFile> parse(std::span<const uint8_t> bytes);

  // Serialises as the current version (2), computing the MAC with `master` and the checksum.
  std::vector<uint8_t> serialize(const crypto::SecretBuffer& master) const;

  // Tries every slot of `kind` with `secret`. kWrongKey if none opens. Does not check the MAC.
  Result<crypto::SecretBuffer> open_master(SlotKind kind, std::span<const uint8_t> secret,
                                           SlotKeyCache& cache) const;
  // True iff the MAC of this copy (in the version it was read in) verifies under `master`.
  bool mac_verifies(const crypto::SecretBuffer& master) const;

  // open_master, then the MAC (kCorrupt if it fails).
  Result<crypto::SecretBuffer> unlock(SlotKind kind, std::span<const uint8_t> secret) const;

  // Seals `master` into a new slot of `kind` (replacing existing slots of that kind).
  Status set_slot(SlotKind kind, std::span<const uint8_t> secret, const crypto::Argon2idParams& params,
                  const crypto::SecretBuffer& master);
  // Adds a slot of `kind` beside the existing ones; returns its salt, which names it.
  Result<std::array<uint8_t, crypto::kPwhashSaltBytes>> add_slot(
      SlotKind kind, std::span<const uint8_t> secret, const crypto::Argon2idParams& params,
      const crypto::SecretBuffer& master);
  // Removes every slot of `kind` but the one with salt `keep`.
  void keep_only_slot(SlotKind kind, std::span<const uint8_t> keep);
  // Removes the slot with salt `salt`.
  void remove_slot(std::span<const uint8_t> salt);

  // Epoch KEKs.
  Result<crypto::SecretBuffer> open_epoch(const crypto::SecretBuffer& master, uint32_t number) const;
  void add_epoch(const crypto::SecretBuffer& master, uint32_t number, const crypto::SecretBuffer& kek);
  uint32_t current_epoch() const { return epochs.back().number; }

  bool is_test_profile() const { return (flags & kFlagTestProfile) != 0; }
  // magic, slot version (1.0), flags and vault id: the prefix of every slot's associated data.
  std::vector<uint8_t> ad_prefix() const;

 private:
  std::vector<uint8_t> body(uint8_t as_major, uint8_t as_minor) const;   // every byte before the MAC
};

// The recovery key: 30 random bytes + a 2-byte BLAKE2b checksum, written as 52 base32
// characters in groups of four. Typos are caught by the checksum before any KDF runs.
crypto::SecretBuffer recovery_key_generate();                         // the 32 raw bytes
crypto::SecretBuffer recovery_key_format(const crypto::SecretBuffer& raw);  // text form
Result<crypto::SecretBuffer> recovery_key_parse(std::span<const uint8_t> text);

}  // namespace fieldnotes::vault
