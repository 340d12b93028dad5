// A vault as fieldnotes wrote it at schema 1 (docs/FORMAT.md, "Schema versions"), for the tests
// of the upgrade to schema 2 in tests/vault and tests/core. Made from a closed vault of the
// current schema by writing the old rows directly, from the format's text rather than from
// vault/sharing.cpp: every contact sealed under the identity subkey with the v1 label,
// seen_bundles without its scheme column and with tags made under the identity subkey, and
// schema_version 1.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/aead.h"
#include "crypto/kdf.h"
#include "tests/test_support.h"
#include "vault/db.h"
#include "vault/keyslots.h"

namespace fieldnotes::test {

inline std::span<const uint8_t> bytes_of_text(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The keys of one vault that its sharing rows are made with, from its first key-slot copy.
struct SharingKeys {
  vault::VaultId vault_id{};
  crypto::SecretBuffer database, identity, contacts, seen_bundles;
};

inline SharingKeys sharing_keys(const std::filesystem::path& dir, std::string_view passphrase) {
  auto file = vault::KeyslotFile::parse(read_file(dir / "keyslots"));
  REQUIRE(file.is_ok());
  auto master = file->unlock(vault::SlotKind::kPassphrase, bytes_of_text(passphrase));
  REQUIRE(master.is_ok());
  SharingKeys k;
  k.vault_id = file->vault_id;
  k.database = crypto::kdf_derive_subkey(*master, crypto::Subkey::kDatabase);
  k.identity = crypto::kdf_derive_subkey(*master, crypto::Subkey::kIdentity);
  k.contacts = crypto::kdf_derive_subkey(*master, crypto::Subkey::kContacts);
  k.seen_bundles = crypto::kdf_derive_subkey(*master, crypto::Subkey::kSeenBundles);
  return k;
}

// The database of a closed vault, under its own key.
inline vault::Database raw_database(const std::filesystem::path& dir, const SharingKeys& k) {
  auto db = vault::Database::open(dir / "vault.db", k.database, /*create=*/false);
  REQUIRE(db.is_ok());
  return std::move(db).value();
}

// A contact's associated data: label || 0x00 || vault_id || uuid.
inline std::vector<uint8_t> contact_ad(std::string_view label, const vault::VaultId& vault_id, std::string_view uuid) {
  std::vector<uint8_t> ad(label.begin(), label.end());
  ad.push_back(0);
  ad.insert(ad.end(), vault_id.begin(), vault_id.end());
  ad.insert(ad.end(), uuid.begin(), uuid.end());
  return ad;
}

constexpr std::string_view kContactLabelV1 = "fieldnotes contact v1";
constexpr std::string_view kContactLabelV2 = "fieldnotes contact v2";

// One contact row as the database holds it.
struct ContactRow {
  int64_t id = 0;
  std::string uuid;
  std::vector<uint8_t> sealed;
};

inline std::vector<ContactRow> contact_rows(vault::Database& db) {
  auto q = db.prepare("SELECT id, uuid, sealed FROM contacts ORDER BY id");
  REQUIRE(q.is_ok());
  std::vector<ContactRow> rows;
  for (;;) {
    auto step = q->step();
    REQUIRE(step.is_ok());
    if (*step == vault::Step::kDone) return rows;
    auto sealed = q->blob(2);
    rows.push_back({q->int64(0), q->text(1), {sealed.begin(), sealed.end()}});
  }
}

inline void set_contact_sealed(vault::Database& db, int64_t id, std::span<const uint8_t> sealed) {
  auto up = db.prepare("UPDATE contacts SET sealed = ? WHERE id = ?");
  REQUIRE(up.is_ok());
  REQUIRE(up->bind_all(sealed, id).is_ok());
  REQUIRE(up->run().is_ok());
  REQUIRE(db.changes() == 1);
}

inline std::string schema_version(vault::Database& db) {
  auto q = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'");
  REQUIRE(q.is_ok());
  auto step = q->step();
  REQUIRE(step.is_ok());
  REQUIRE(*step == vault::Step::kRow);
  return q->text(0);
}

// How rewrite_as_schema_1 writes seen_bundles: as schema 1 had it, or (to make the upgrade
// fail after it re-sealed the contacts) with a `scheme` column already there.
enum class SeenBundlesTable { kSchema1, kWithSchemeColumn };

// Rewrites the closed vault in `dir` as schema 1: each contact (sealed under the contacts subkey
// with the v2 label) sealed again under the identity subkey with the v1 label; seen_bundles made
// again with the tags of `seen_ids` under the identity subkey; schema_version 1.
// REQUIRES: seen_bundles is empty (its rows could not be carried over: the ids are not kept).
inline void rewrite_as_schema_1(const std::filesystem::path& dir, std::string_view passphrase,
                                const std::vector<std::string>& seen_ids,
                                SeenBundlesTable table = SeenBundlesTable::kSchema1) {
  SharingKeys k = sharing_keys(dir, passphrase);
  vault::Database db = raw_database(dir, k);
  REQUIRE(db.exec("BEGIN IMMEDIATE").is_ok());
  for (const ContactRow& row : contact_rows(db)) {
    auto plain = crypto::aead_xchacha_open(k.contacts, row.sealed, contact_ad(kContactLabelV2, k.vault_id, row.uuid));
    REQUIRE(plain.is_ok());
    set_contact_sealed(db, row.id,
                       crypto::aead_xchacha_seal(k.identity, plain->bytes(), contact_ad(kContactLabelV1, k.vault_id, row.uuid)));
  }
  {
    auto count = db.prepare("SELECT count(*) FROM seen_bundles");
    REQUIRE(count.is_ok());
    REQUIRE(count->step().is_ok());
    REQUIRE(count->int64(0) == 0);
  }
  REQUIRE(db.exec("DROP TABLE seen_bundles").is_ok());
  REQUIRE(db.exec(table == SeenBundlesTable::kSchema1
                      ? "CREATE TABLE seen_bundles (tag BLOB PRIMARY KEY, received INTEGER NOT NULL)"
                      : "CREATE TABLE seen_bundles (tag BLOB PRIMARY KEY, received INTEGER NOT NULL, scheme INTEGER)")
              .is_ok());
  for (const std::string& id : seen_ids) {
    auto ins = db.prepare("INSERT INTO seen_bundles(tag, received) VALUES (?, 1700000000)");
    REQUIRE(ins.is_ok());
    REQUIRE(ins->bind_all(crypto::mac_blake2b(k.identity, bytes_of_text(id))).is_ok());
    REQUIRE(ins->run().is_ok());
  }
  REQUIRE(db.exec("UPDATE meta SET value = '1' WHERE key = 'schema_version'").is_ok());
  REQUIRE(db.exec("COMMIT").is_ok());
}

}  // namespace fieldnotes::test
