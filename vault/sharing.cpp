// The sharing identity, contacts, bundle sequence numbers and received bundles.
#include "vault/vault.h"

#include <algorithm>
#include <cstdlib>

#include "crypto/aead.h"
#include "vault/format.h"
#include "vault/fs.h"
#include "vault/vault_internal.h"

namespace fieldnotes::vault {

using crypto::SecretBuffer;
using namespace internal;

// ---- sharing ----

namespace {

std::vector<uint8_t> sharing_ad(std::string_view label, std::span<const uint8_t> vault_id, std::string_view key) {
  std::vector<uint8_t> ad(label.begin(), label.end());
  ad.push_back(0);
  ad.insert(ad.end(), vault_id.begin(), vault_id.end());
  ad.insert(ad.end(), key.begin(), key.end());
  return ad;
}

constexpr std::string_view kIdentityLabel = "fieldnotes identity v1";
// The first schema whose contacts and bundle-id tags have subkeys of their own. Before it
// (schema 1) both were made with the identity subkey.
constexpr int kSchemaSharingSubkeys = 2;
// A contact's label names the key it is sealed under, so that a row of one schema never opens
// as a row of the other: v2 under the contacts subkey, v1 (schema 1) under the identity subkey.
constexpr std::string_view kContactLabel = "fieldnotes contact v2";
constexpr std::string_view kContactLabelSchema1 = "fieldnotes contact v1";

}  // namespace

Result<IdentityKeys> Vault::identity() {
  auto ad = sharing_ad(kIdentityLabel, slots_.vault_id, "identity");
  auto q = db_->prepare("SELECT sealed FROM sharing WHERE key = 'identity'");
  if (!q) return q.status();
  auto step = q->step();
  if (!step) return step.status();
  if (*step == Step::kRow) {
    auto plain = crypto::aead_xchacha_open(identity_key_, q->blob(0), ad);
    if (!plain || plain->size() != 72) return Status{Code::kCorrupt, "the vault identity does not authenticate"};
    IdentityKeys k;
    k.x25519_secret = SecretBuffer::copy_of(plain->bytes().subspan(0, 32));
    k.ed25519_seed = SecretBuffer::copy_of(plain->bytes().subspan(32, 32));
    std::copy_n(plain->data() + 64, 8, k.minisign_key_id.begin());
    return k;
  }
  SecretBuffer fresh = SecretBuffer::random(72);
  auto sealed = crypto::aead_xchacha_seal(identity_key_, fresh.bytes(), ad);
  Status created = transaction([&]() -> Status {
    auto ins = db_->prepare("INSERT INTO sharing(key, sealed) VALUES ('identity', ?)");
    if (!ins) return ins.status();
    FN_RETURN_IF_ERROR(ins->bind_blob(1, sealed));
    FN_RETURN_IF_ERROR(ins->run());
    return audit("identity-create");
  });
  if (!created) return created;
  return identity();
}

Status Vault::put_contact(const Contact& c, const std::string& uuid) {
  // Never a schema-2 seal in a schema-1 database (its callers refuse earlier, before any write).
  FN_RETURN_IF_ERROR(require_current_schema("change a contact"));
  json j = {{"name", c.name}, {"age", c.age_recipient}, {"minisign", c.minisign_key}, {"last_sequence", c.last_sequence}};
  auto text = json_text(j);
  if (!text) return text.status();
  std::string& plain = *text;
  auto sealed = crypto::aead_xchacha_seal(contacts_key_, as_bytes(plain), sharing_ad(kContactLabel, slots_.vault_id, uuid));
  crypto::wipe(plain);
  // SQLite 3.15 (under SQLCipher 3.4.1) has no UPSERT.
  auto up = db_->prepare("UPDATE contacts SET sealed = ? WHERE uuid = ?");
  if (!up) return up.status();
  FN_RETURN_IF_ERROR(up->bind_all(sealed, uuid));
  FN_RETURN_IF_ERROR(up->run());
  if (db_->changes() > 0) return Status::ok();
  auto ins = db_->prepare("INSERT INTO contacts(uuid, sealed) VALUES (?, ?)");
  if (!ins) return ins.status();
  FN_RETURN_IF_ERROR(ins->bind_all(uuid, sealed));
  return ins->run();
}

Result<std::vector<Contact>> Vault::contacts() {
  // Schema 1 is read only where the vault cannot be written (and so was not upgraded).
  const bool schema_1 = schema_version_ < kSchemaSharingSubkeys;
  const SecretBuffer& key = schema_1 ? identity_key_ : contacts_key_;
  const std::string_view label = schema_1 ? kContactLabelSchema1 : kContactLabel;
  auto q = db_->prepare("SELECT id, uuid, sealed FROM contacts ORDER BY id");
  if (!q) return q.status();
  std::vector<Contact> out;
  for (;;) {
    auto step = q->step();
    if (!step) return step.status();
    if (*step == Step::kDone) return out;
    Contact c;
    c.id = q->int64(0);
    std::string uuid = q->text(1);
    auto plain = crypto::aead_xchacha_open(key, q->blob(2), sharing_ad(label, slots_.vault_id, uuid));
    if (!plain) return Status{Code::kCorrupt, "contact " + std::to_string(c.id) + " does not authenticate"};
    json j = json::parse(plain->view(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Status{Code::kCorrupt, "contact " + std::to_string(c.id) + " is malformed"};
    c.name = json_field(j, "name", std::string());
    c.age_recipient = json_field(j, "age", std::string());
    c.minisign_key = json_field(j, "minisign", std::string());
    c.last_sequence = json_field(j, "last_sequence", int64_t{0});
    out.push_back(std::move(c));
  }
}

Status Vault::reseal_contacts_for_schema_2() {
  struct Row {
    int64_t id = 0;
    std::string uuid;
    std::vector<uint8_t> sealed;
  };
  // Read first, then written: no UPDATE while the SELECT walks the table.
  std::vector<Row> rows;
  auto q = db_->prepare("SELECT id, uuid, sealed FROM contacts ORDER BY id");
  if (!q) return q.status();
  for (;;) {
    auto step = q->step();
    if (!step) return step.status();
    if (*step == Step::kDone) break;
    auto sealed = q->blob(2);
    rows.push_back({q->int64(0), q->text(1), {sealed.begin(), sealed.end()}});
  }
  auto up = db_->prepare("UPDATE contacts SET sealed = ? WHERE id = ?");
  if (!up) return up.status();
  for (const Row& row : rows) {
    auto plain = crypto::aead_xchacha_open(identity_key_, row.sealed,
                                           sharing_ad(kContactLabelSchema1, slots_.vault_id, row.uuid));
    // A row that does not authenticate stays as it was: contacts() reports it as it did before,
    // and under the v1 label it can never open as a schema-2 row.
    if (!plain) continue;
    auto resealed = crypto::aead_xchacha_seal(contacts_key_, plain->bytes(),
                                              sharing_ad(kContactLabel, slots_.vault_id, row.uuid));
    up->reset();
    FN_RETURN_IF_ERROR(up->bind_all(resealed, row.id));
    FN_RETURN_IF_ERROR(up->run());
  }
  return Status::ok();
}

Result<int64_t> Vault::add_contact(const Contact& c) {
  FN_RETURN_IF_ERROR(require_current_schema("add a contact"));
  auto all = contacts();
  if (!all) return all.status();
  for (const auto& x : *all)
    if (x.name == c.name) return Status{Code::kRefused, "a contact named \"" + c.name + "\" exists"};
  int64_t id = 0;
  Status added = transaction([&]() -> Status {
    FN_RETURN_IF_ERROR(put_contact(c, new_uuid()));
    id = db_->last_insert_rowid();
    return audit("contact-add");
  });
  if (!added) return added;
  return id;
}

Status Vault::remove_contact(const std::string& name) {
  auto all = contacts();
  if (!all) return all.status();
  for (const auto& x : *all) {
    if (x.name != name) continue;
    return transaction([&]() -> Status {
      auto del = db_->prepare("DELETE FROM contacts WHERE id = ?");
      if (!del) return del.status();
      FN_RETURN_IF_ERROR(del->bind(1, x.id));
      FN_RETURN_IF_ERROR(del->run());
      return audit("contact-rm");
    });
  }
  return {Code::kNotFound, "no contact \"" + name + "\""};
}

Result<int64_t> Vault::next_share_sequence() {
  auto q = db_->prepare("SELECT value FROM meta WHERE key = 'share_sequence'");
  if (!q) return q.status();
  auto step = q->step();
  if (!step) return step.status();
  int64_t seq = 0;
  if (*step == Step::kRow) seq = std::atoll(q->text(0).c_str());
  ++seq;
  auto up = db_->prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('share_sequence', ?)");
  if (!up) return up.status();
  FN_RETURN_IF_ERROR(up->bind(1, std::to_string(seq)));
  FN_RETURN_IF_ERROR(up->run());
  return seq;
}

Result<bool> Vault::bundle_seen(std::string_view bundle_id) {
  // The ids are not kept, so the tags made before schema 2 (under the identity subkey) cannot be
  // made again under the seen-bundles subkey: each row is checked under the key its scheme names.
  auto schema_1_tag = crypto::mac_blake2b(identity_key_, as_bytes(bundle_id));
  const bool schema_1 = schema_version_ < kSchemaSharingSubkeys;
  auto q = db_->prepare(schema_1 ? "SELECT 1 FROM seen_bundles WHERE tag = ?"
                                 : "SELECT 1 FROM seen_bundles WHERE (tag = ? AND scheme = ?) OR (tag = ? AND scheme = ?)");
  if (!q) return q.status();
  if (schema_1) {
    FN_RETURN_IF_ERROR(q->bind_blob(1, schema_1_tag));
  } else {
    auto tag = crypto::mac_blake2b(seen_bundles_key_, as_bytes(bundle_id));
    FN_RETURN_IF_ERROR(q->bind_all(tag, static_cast<int64_t>(SeenTagScheme::kSeenBundlesSubkey), schema_1_tag,
                                   static_cast<int64_t>(SeenTagScheme::kIdentitySubkey)));
  }
  auto step = q->step();
  if (!step) return step.status();
  return *step == Step::kRow;
}

Result<std::vector<int64_t>> Vault::import_bundle(const std::vector<NewRecord>& rs,
                                                  const std::vector<std::vector<NewAttachment>>& attachments,
                                                  std::string_view bundle_id, int64_t contact_id, int64_t sequence) {
  // 0. Refused before anything is written: a bundle is never marked seen in schema 1.
  FN_RETURN_IF_ERROR(require_current_schema("receive a bundle"));
  // 1. Every attachment sealed into blobs/ and made durable, with no row yet: a crash here
  //    leaves orphans that the next open removes, and the bundle can be received again.
  std::vector<AttachmentInfo> infos;
  std::vector<StagedBlob> staged;
  std::vector<std::size_t> owner;   // index of the record each staged blob belongs to
  for (std::size_t i = 0; i < attachments.size() && i < rs.size(); ++i) {
    for (const NewAttachment& na : attachments[i]) {
      AttachmentInfo a;
      a.uuid = new_uuid();
      a.name = na.name;
      a.type = na.type;
      a.created = now_seconds();
      auto b = stage_blob(na.fd, a.uuid);
      if (!b) {
        unstage_blobs(staged);
        return b.status();
      }
      infos.push_back(std::move(a));
      staged.push_back(std::move(b).value());
      owner.push_back(i);
    }
  }
  if (!staged.empty()) {
    if (Status d = fsync_dir(dir_ / kBlobsDir); !d) {
      unstage_blobs(staged);
      return d;
    }
  }
  // 2. One transaction: records, attachment rows, the bundle marked seen, the sender's sequence.
  auto fail = [&](Status s) -> Result<std::vector<int64_t>> {
    (void)rollback();
    unstage_blobs(staged);
    return s;
  };
  if (Status b = db_->exec("BEGIN IMMEDIATE"); !b) return fail(b);
  std::vector<int64_t> ids;
  std::vector<SecretBuffer> keys;
  for (const NewRecord& r : rs) {
    SecretBuffer key(32);
    auto id = insert_record(r, key);
    if (!id) return fail(id.status());
    ids.push_back(*id);
    keys.push_back(std::move(key));
    Status a = audit("receive", *id);
    if (!a) return fail(a);
  }
  for (std::size_t k = 0; k < staged.size(); ++k) {
    infos[k].record_id = ids[owner[k]];
    Status a = insert_attachment_row(infos[k], staged[k], keys[owner[k]]);
    if (!a) return fail(a);
  }
  auto tag = crypto::mac_blake2b(seen_bundles_key_, as_bytes(bundle_id));
  auto ins = db_->prepare("INSERT INTO seen_bundles(tag, received, scheme) VALUES (?, ?, ?)");
  if (!ins) return fail(ins.status());
  Status s = ins->bind_all(tag, now_seconds(), static_cast<int64_t>(SeenTagScheme::kSeenBundlesSubkey));
  if (s) s = ins->run();
  if (!s) return fail(s);
  if (contact_id > 0) {
    auto all = contacts();
    if (!all) return fail(all.status());
    auto q = db_->prepare("SELECT uuid FROM contacts WHERE id = ?");
    if (!q) return fail(q.status());
    if (Status b = q->bind(1, contact_id); !b) return fail(b);
    auto step = q->step();
    if (!step) return fail(step.status());
    if (*step == Step::kDone) return fail(Status{Code::kNotFound, "no such contact"});
    std::string uuid = q->text(0);
    for (auto c : *all) {
      if (c.id != contact_id) continue;
      c.last_sequence = std::max(c.last_sequence, sequence);
      s = put_contact(c, uuid);
      if (!s) return fail(s);
    }
  }
  s = commit();
  if (!s) return fail(s);
  return ids;
}

}  // namespace fieldnotes::vault
