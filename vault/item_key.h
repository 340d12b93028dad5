// Item keys: the random key of each record and person, wrapped by the epoch KEK
// (docs/FORMAT.md, "Keys" and "Database"). One place builds their associated data.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "crypto/aead.h"
#include "crypto/secret.h"

namespace fieldnotes::vault {

// The tables whose rows carry an item key wrapped by the epoch KEK. Shred rewraps the keys of
// every one of them (kItemTables), so a table added here survives the next shred.
enum class ItemTable : uint8_t {
  kRecords,
  kPeople,
  // In no vault's schema and never in kItemTables: the table that tests/vault/test_vault.cpp
  // adds to a vault to check that shred rewraps every table of the list it is given.
  kTestOnly,
};
constexpr std::array<ItemTable, 2> kItemTables = {ItemTable::kRecords, ItemTable::kPeople};

// The SQL table, which is also the table's label in the associated data: "records", "people"
// ("test" for kTestOnly).
const char* table_name(ItemTable t);
// What a row is called in messages: "record", "person".
const char* item_noun(ItemTable t);

// Associated data of a wrapped item key:
// "fieldnotes item key v1" || 0x00 || table || 0x00 || uuid || epoch (u32 LE).
// kInvalidInput when the uuid is longer than any uuid fieldnotes writes (32 hex digits).
constexpr std::size_t kItemKeyTableNameMaxBytes = 7;   // "records"
constexpr std::size_t kItemKeyAdMaxBytes = 22 + 1 + kItemKeyTableNameMaxBytes + 1 + 32 + 4;
Result<std::size_t> item_key_ad(ItemTable t, std::string_view uuid, uint32_t epoch,
                                std::span<uint8_t, kItemKeyAdMaxBytes> out);

// version (1) || nonce || XChaCha20-Poly1305(kek, key), with a fresh random nonce.
Result<std::vector<uint8_t>> item_key_wrap(const crypto::SecretBuffer& kek, ItemTable t, std::string_view uuid,
                                           uint32_t epoch, const crypto::SecretBuffer& key);
// As item_key_wrap with the nonce given: for the known-answer vectors of docs/FORMAT.md only.
// WARNING: never reuse a nonce with the same KEK.
Result<std::vector<uint8_t>> item_key_wrap_with_nonce(const crypto::SecretBuffer& kek, ItemTable t,
                                                      std::string_view uuid, uint32_t epoch,
                                                      const crypto::SecretBuffer& key,
                                                      std::span<const uint8_t, crypto::kAeadNonceBytes> nonce);
// Into `out` (reusing its secure allocation). kUnsupported for an unknown version, kCorrupt when
// the key does not authenticate; messages name the item by `id`.
Status item_key_unwrap_into(const crypto::SecretBuffer& kek, ItemTable t, int64_t id, std::string_view uuid,
                            uint32_t epoch, std::span<const uint8_t> wrapped, crypto::SecretBuffer& out);

}  // namespace fieldnotes::vault
