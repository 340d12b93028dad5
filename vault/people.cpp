// The people register: sealed entries, crypto-shredded on removal.
#include "vault/vault.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "crypto/aead.h"
#include "crypto/blob_stream.h"
#include "vault/envelope.h"
#include "vault/format.h"
#include "vault/fs.h"
#include "vault/keyslot_store.h"
#include "vault/vault_internal.h"


namespace fieldnotes::vault {

namespace fs = std::filesystem;
using crypto::SecretBuffer;
using json = nlohmann::json;
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
  FN_RETURN_IF_ERROR(ins->bind(1, uuid).bind(2, t).bind(3, t).bind(4, int64_t{kek_epoch_})
                         .bind_blob(5, *wrapped).bind_blob(6, data).run());
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
  if (st) st = db_->exec("COMMIT");
  if (!st) {
    (void)rollback();
    return st;
  }
  return ids;
}

Status Vault::update_person(int64_t id, const std::string& js) {
  auto q = db_->prepare("SELECT uuid, epoch, wrapped_key FROM people WHERE id = ?");
  if (!q) return q.status();
  q->bind(1, id);
  Status st;
  if (!q->step(&st)) {
    FN_RETURN_IF_ERROR(st);
    return {Code::kNotFound, "no person " + std::to_string(id)};
  }
  std::string uuid = q->text(0);
  auto key = unwrap_item_key(ItemTable::kPeople, id, uuid, q->int64(1), q->blob(2));
  if (!key) return key.status();
  auto data = envelope_seal(*key, "people", "data", uuid, as_bytes(js));
  return transaction([&]() -> Status {
    auto up = db_->prepare("UPDATE people SET data = ?, updated = ? WHERE id = ?");
    if (!up) return up.status();
    FN_RETURN_IF_ERROR(up->bind_blob(1, data).bind(2, now_seconds()).bind(3, id).run());
    return audit("person-edit");
  });
}

Status Vault::remove_person(int64_t id) {
  return rotate_epoch_and_delete(ItemTable::kPeople, id, "person-rm");
}

Result<std::vector<Person>> Vault::people() {
  auto q = db_->prepare("SELECT id, uuid, epoch, wrapped_key, data FROM people ORDER BY id");
  if (!q) return q.status();
  std::vector<Person> out;
  Status st;
  while (q->step(&st)) {
    Person p;
    p.id = q->int64(0);
    std::string uuid = q->text(1);
    auto key = unwrap_item_key(ItemTable::kPeople, p.id, uuid, q->int64(2), q->blob(3));
    if (!key) return key.status();
    auto data = envelope_open(*key, "people", "data", uuid, q->blob(4));
    if (!data) return Status{Code::kCorrupt, "person " + std::to_string(p.id) + ": entry does not authenticate"};
    p.json = to_string(*data);
    out.push_back(std::move(p));
  }
  FN_RETURN_IF_ERROR(st);
  return out;
}

}  // namespace fieldnotes::vault
