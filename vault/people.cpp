// The people register: sealed entries, crypto-shredded on removal.
#include "vault/vault.h"

#include "vault/envelope.h"
#include "vault/sealed_row.h"
#include "vault/vault_internal.h"

namespace fieldnotes::vault {

using crypto::SecretBuffer;
using namespace internal;

// ---- people ----

Result<int64_t> Vault::insert_person(const std::string& js) {
  std::string uuid = new_uuid();
  SecretBuffer key = SecretBuffer::random(32);
  auto data = envelope_seal(key, "people", "data", uuid, as_bytes(js));
  auto wrapped = wrap_item_key(ItemTable::kPeople, uuid, key);
  if (!wrapped) return wrapped.status();
  int64_t t = now_seconds();
  auto ins = db_->prepare("INSERT INTO people(uuid, created, updated, epoch, wrapped_key, data) VALUES (?, ?, ?, ?, ?, ?)");
  if (!ins) return ins.status();
  FN_RETURN_IF_ERROR(ins->bind_all(uuid, t, t, int64_t{kek_epoch_}, *wrapped, data));
  FN_RETURN_IF_ERROR(ins->run());
  return db_->last_insert_rowid();
}

Result<int64_t> Vault::add_person(const std::string& js) {
  auto ids = add_people({js});
  if (!ids) return ids.status();
  return ids->front();
}

Result<std::vector<int64_t>> Vault::add_people(const std::vector<std::string>& jsons) {
  FN_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  std::vector<int64_t> ids;
  for (const auto& js : jsons) {
    auto id = insert_person(js);
    if (!id) {
      (void)rollback();
      return id.status();
    }
    ids.push_back(*id);
  }
  Status st = audit("person-add");
  if (st) st = commit();
  if (!st) {
    (void)rollback();
    return st;
  }
  return ids;
}

Status Vault::update_person(int64_t id, const std::string& js) {
  SealedRow row;
  FN_RETURN_IF_ERROR(load_sealed_row(*db_, ItemTable::kPeople, id, {}, row));
  const std::string& uuid = row.uuid;
  auto key = unwrap_item_key(ItemTable::kPeople, id, uuid, row.epoch, row.wrapped);
  if (!key) return key.status();
  auto data = envelope_seal(*key, "people", "data", uuid, as_bytes(js));
  return transaction([&]() -> Status {
    auto up = db_->prepare("UPDATE people SET data = ?, updated = ? WHERE id = ?");
    if (!up) return up.status();
    FN_RETURN_IF_ERROR(up->bind_all(data, now_seconds(), id));
    FN_RETURN_IF_ERROR(up->run());
    return audit("person-edit");
  });
}

Status Vault::remove_person(int64_t id) {
  return rotate_epoch_and_delete(kItemTables, ItemTable::kPeople, id, "person-rm");
}

Result<std::vector<Person>> Vault::people() {
  auto q = db_->prepare(sealed_rows_query(ItemTable::kPeople, {"data"}, SealedRows::kAll).c_str());
  if (!q) return q.status();
  std::vector<Person> out;
  SealedRow row;
  for (;;) {
    auto step = q->step();
    if (!step) return step.status();
    if (*step == Step::kDone) return out;
    read_sealed_row(*q, row);
    Person p;
    p.id = row.id;
    auto key = unwrap_item_key(ItemTable::kPeople, row.id, row.uuid, row.epoch, row.wrapped);
    if (!key) return key.status();
    auto data = envelope_open(*key, "people", "data", row.uuid, row.fields[0]);
    if (!data) return Status{Code::kCorrupt, "person " + std::to_string(p.id) + ": entry does not authenticate"};
    p.json = Plaintext(data->view());
    out.push_back(std::move(p));
  }
}

}  // namespace fieldnotes::vault
