// Crypto-shred: a new epoch KEK, every surviving key rewrapped, the item deleted
// (docs/FORMAT.md, "Shred"), and finishing a shred that a crash interrupted.
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

Status Vault::rewrap_table(ItemTable t, const SecretBuffer& new_kek, uint32_t new_epoch, ItemTable skip_table,
                           int64_t skip_id) {
  std::vector<std::tuple<int64_t, std::string, int64_t, std::vector<uint8_t>>> rows;
  {
    auto q = db_->prepare(std::string("SELECT id, uuid, epoch, wrapped_key FROM ").append(table_name(t)).c_str());
    if (!q) return q.status();
    Status st;
    while (q->step(&st)) {
      auto b = q->blob(3);
      rows.emplace_back(q->int64(0), q->text(1), q->int64(2), std::vector<uint8_t>(b.begin(), b.end()));
    }
    FN_RETURN_IF_ERROR(st);
  }
  auto up = db_->prepare(std::string("UPDATE ").append(table_name(t)).append(" SET epoch = ?, wrapped_key = ? WHERE id = ?").c_str());
  if (!up) return up.status();
  for (auto& [rid, uuid, epoch, wrapped] : rows) {
    if (t == skip_table && rid == skip_id) continue;
    auto key = unwrap_item_key(t, rid, uuid, epoch, wrapped);
    if (!key) return key.status();
    auto rewrapped = item_key_wrap(new_kek, t, uuid, new_epoch, *key);
    if (!rewrapped) return rewrapped.status();
    up->reset();
    FN_RETURN_IF_ERROR(up->bind(1, int64_t{new_epoch}).bind_blob(2, *rewrapped).bind(3, rid).run());
  }
  return Status::ok();
}

Status Vault::rotate_epoch_and_delete(ItemTable table, int64_t id, const char* operation) {
  {
    auto exists = db_->prepare(std::string("SELECT 1 FROM ").append(table_name(table)).append(" WHERE id = ?").c_str());
    if (!exists) return exists.status();
    exists->bind(1, id);
    Status st;
    if (!exists->step(&st)) {
      FN_RETURN_IF_ERROR(st);
      return {Code::kNotFound, std::string("no ") + item_noun(table) + " " + std::to_string(id)};
    }
  }
  // 1. A new epoch KEK, written beside the old one: a crash from here on leaves every
  //    surviving item readable under whichever epoch the database says.
  uint32_t old_epoch = slots_.current_epoch();
  uint32_t new_epoch = old_epoch + 1;
  SecretBuffer new_kek = SecretBuffer::random(32);
  slots_.add_epoch(master_, new_epoch, new_kek);
  FN_RETURN_IF_ERROR(write_slots());

  // 2. One transaction: rewrap every surviving key, delete the item.
  FN_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  auto fail = [&](Status s) {
    (void)rollback();
    // Nothing was rewrapped: drop the unused epoch again (an open would do it otherwise), so
    // that this process can shred again with at most two epochs.
    slots_.epochs.pop_back();
    (void)write_slots();
    return s;
  };
  // Every table whose keys the KEK wraps (kItemTables): a table left out would be unreadable
  // once the old epoch key is gone.
  for (ItemTable t : kItemTables) {
    Status s = rewrap_table(t, new_kek, new_epoch, table, id);
    if (!s) return fail(s);
  }
  std::vector<std::string> blobs;
  if (table == ItemTable::kRecords) {
    auto q = db_->prepare("SELECT blob FROM attachments WHERE record_id = ?");
    if (!q) return fail(q.status());
    q->bind(1, id);
    Status st;
    while (q->step(&st)) blobs.push_back(q->text(0));
    if (!st) return fail(st);
    auto da = db_->prepare("DELETE FROM attachments WHERE record_id = ?");
    if (!da) return fail(da.status());
    Status sa = da->bind(1, id).run();
    if (!sa) return fail(sa);
  }
  auto del = db_->prepare(std::string("DELETE FROM ").append(table_name(table)).append(" WHERE id = ?").c_str());
  if (!del) return fail(del.status());
  Status s = del->bind(1, id).run();
  if (!s) return fail(s);
  s = audit(operation, table == ItemTable::kRecords ? id : 0);
  if (!s) return fail(s);
  s = db_->exec("COMMIT");
  if (!s) return fail(s);
  // The attachments' keys were wrapped by the record key, which is gone: the blobs are
  // unreadable already; remove them too.
  for (const auto& b : blobs) (void)::unlink(blob_path(b).c_str());
  if (!blobs.empty()) (void)fsync_dir(dir_ / kBlobsDir);
  kek_ = std::move(new_kek);
  kek_epoch_ = new_epoch;

  // 3. Journal gone, old epoch KEK scrubbed from the key-slot file.
  (void)db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  slots_.epochs.erase(slots_.epochs.begin());
  return write_slots();
}

Status Vault::finish_pending_shred() {
  if (slots_.epochs.size() < 2) return Status::ok();
  // A shred was interrupted. The database says which epoch its keys are under.
  uint32_t old_epoch = slots_.epochs.front().number;
  uint32_t new_epoch = slots_.epochs.back().number;
  int64_t n_old = 0, n_new = 0;
  for (ItemTable t : kItemTables) {
    auto q = db_->prepare(std::string("SELECT sum(epoch = ?), sum(epoch = ?) FROM ").append(table_name(t)).c_str());
    if (!q) return q.status();
    q->bind(1, int64_t{old_epoch}).bind(2, int64_t{new_epoch});
    Status st;
    if (q->step(&st)) {
      n_old += q->int64(0);
      n_new += q->int64(1);
    }
    FN_RETURN_IF_ERROR(st);
  }
  if (n_old > 0 && n_new > 0) return Status::ok();  // cannot happen with transactions; keep both
  if (n_old > 0) slots_.epochs.pop_back();           // the shred did not commit: undo it
  else slots_.epochs.erase(slots_.epochs.begin());   // it committed: finish it
  return write_slots();
}

Status Vault::shred_record(int64_t id) {
  return rotate_epoch_and_delete(ItemTable::kRecords, id, "shred");
}

}  // namespace fieldnotes::vault
