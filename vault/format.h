// On-disk constants of the vault. The formats are specified in docs/FORMAT.md; change
// nothing here without changing that document and its vectors.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fieldnotes::vault {

// keyslots copies (docs/FORMAT.md, "keyslots")
constexpr char kKeyslotsMagic[8] = {'f', 'n', 'k', 's', 'l', 'o', 't', 's'};
constexpr uint8_t kKeyslotsMajor = 2;
constexpr uint8_t kKeyslotsMinor = 1;         // 1: the generation follows the sequence number
constexpr uint8_t kKeyslotsGenerationMinor = 1;
constexpr uint8_t kKeyslotsLegacyMajor = 1;   // read (and migrated) only
// A slot's associated data starts with the version-1 header prefix whatever the file's
// version, so that slots move between versions without their secrets.
constexpr uint8_t kSlotAdMajor = 1;
constexpr uint8_t kSlotAdMinor = 0;
constexpr std::size_t kVaultIdBytes = 16;
constexpr std::size_t kKeyslotsHeaderBytes = 8 + 1 + 1 + 2 + kVaultIdBytes + 8 + 1 + 1;    // 38
constexpr std::size_t kKeyslotsLegacyHeaderBytes = 8 + 1 + 1 + 2 + kVaultIdBytes + 1 + 1;  // 30
// Minor 1 and later: the audit log's last entry number and chain value when written (docs/
// FORMAT.md, "Generation"), after the sequence number.
constexpr std::size_t kKeyslotsGenerationBytes = 8 + 32;                                    // 40
constexpr std::size_t kSealedKeyBytes = 24 + 32 + 16;                                 // 72
constexpr std::size_t kSlotBytes = 1 + 1 + 4 + 8 + 16 + kSealedKeyBytes;              // 102
constexpr std::size_t kEpochBytes = 4 + kSealedKeyBytes;                              // 76
constexpr std::size_t kKeyslotsMacBytes = 32;
constexpr std::size_t kKeyslotsChecksumBytes = 32;
constexpr std::size_t kMaxSlots = 8;
constexpr std::size_t kMaxEpochs = 2;
constexpr std::size_t kKeyslotsMaxFileBytes = kKeyslotsHeaderBytes + kKeyslotsGenerationBytes + kMaxSlots * kSlotBytes +
                                              kMaxEpochs * kEpochBytes + kKeyslotsMacBytes +
                                              kKeyslotsChecksumBytes;

enum class SlotKind : uint8_t { kPassphrase = 1, kRecovery = 2 };
constexpr uint8_t kKdfArgon2id13 = 1;
constexpr uint16_t kFlagTestProfile = 0x0001;

// Sealed envelopes in the database (docs/FORMAT.md, "envelopes")
constexpr uint8_t kEnvelopeVersion = 1;

// Database schema (docs/FORMAT.md, "Database"). 1: contacts and received bundle ids under the
// identity subkey. 2: each under its own subkey (crypto::Subkey::kContacts, kSeenBundles).
constexpr int kSchemaVersion = 2;
// seen_bundles.scheme: which key made a row's tag (the ids themselves are not kept, so tags
// made before schema 2 cannot be remade under the new key).
enum class SeenTagScheme : int64_t {
  kIdentitySubkey = 1,      // rows received before the upgrade to schema 2
  kSeenBundlesSubkey = 2,   // every row since
};

// Files in the vault directory
constexpr const char* kKeyslotsFile = "keyslots";          // first copy
constexpr const char* kKeyslotsSecondFile = "keyslots.2";  // second copy
constexpr const char* kDatabaseFile = "vault.db";
constexpr const char* kLockFile = "lock";
constexpr const char* kDestroyedFile = "destroyed";        // left by panic
constexpr const char* kKeyslotsOldFile = "keyslots.old";   // version 1's replacement link
constexpr const char* kBlobsDir = "blobs";

}  // namespace fieldnotes::vault
