// Crypto-shred: a new epoch KEK, every surviving key rewrapped, the item deleted
// (docs/FORMAT.md, "Shred"), and finishing a shred that a crash interrupted.
#include "vault/vault.h"

#include <unistd.h>

#include "vault/format.h"
#include "vault/fs.h"
#include "vault/sealed_row.h"

namespace fieldnotes::vault {

using crypto::SecretBuffer;

Status Vault::rewrap_table(ItemTable t, const SecretBuffer& new_kek, uint32_t new_epoch, ItemTable skip_table,
                           int64_t skip_id) {
  std::vector<SealedRow> rows;
  {
    auto q = db_->prepare(sealed_rows_query(t, {}, SealedRows::kAll).c_str());
    if (!q) return q.status();
    for (;;) {
      auto step = q->step();
      if (!step) return step.status();
      if (*step == Step::kDone) break;
      read_sealed_row(*q, rows.emplace_back());
    }
  }
  auto up = db_->prepare(std::string("UPDATE ").append(table_name(t)).append(" SET epoch = ?, wrapped_key = ? WHERE id = ?").c_str());
  if (!up) return up.status();
  for (const SealedRow& row : rows) {
    if (t == skip_table && row.id == skip_id) continue;
    auto key = unwrap_item_key(t, row.id, row.uuid, row.epoch, row.wrapped);
    if (!key) return key.status();
    auto rewrapped = item_key_wrap(new_kek, t, row.uuid, new_epoch, *key);
    if (!rewrapped) return rewrapped.status();
    up->reset();
    FN_RETURN_IF_ERROR(up->bind_all(int64_t{new_epoch}, *rewrapped, row.id));
    FN_RETURN_IF_ERROR(up->run());
  }
  return Status::ok();
}

Status Vault::rotate_epoch_and_delete(std::span<const ItemTable> tables, ItemTable table, int64_t id,
                                     const char* operation) {
  {
    SealedRow row;
    FN_RETURN_IF_ERROR(load_sealed_row(*db_, table, id, {}, row));  // kNotFound before any write
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
  // Every table whose keys the KEK wraps (kItemTables, from shred_record and remove_person): a
  // table left out would be unreadable once the old epoch key is gone.
  for (ItemTable t : tables) {
    Status s = rewrap_table(t, new_kek, new_epoch, table, id);
    if (!s) return fail(s);
  }
  std::vector<std::string> blobs;
  if (table == ItemTable::kRecords) {
    auto q = db_->prepare("SELECT blob FROM attachments WHERE record_id = ?");
    if (!q) return fail(q.status());
    if (Status b = q->bind(1, id); !b) return fail(b);
    for (;;) {
      auto step = q->step();
      if (!step) return fail(step.status());
      if (*step == Step::kDone) break;
      blobs.push_back(q->text(0));
    }
    auto da = db_->prepare("DELETE FROM attachments WHERE record_id = ?");
    if (!da) return fail(da.status());
    Status sa = da->bind(1, id);
    if (sa) sa = da->run();
    if (!sa) return fail(sa);
  }
  auto del = db_->prepare(std::string("DELETE FROM ").append(table_name(table)).append(" WHERE id = ?").c_str());
  if (!del) return fail(del.status());
  Status s = del->bind(1, id);
  if (s) s = del->run();
  if (!s) return fail(s);
  s = audit(operation, table == ItemTable::kRecords ? id : 0);
  if (!s) return fail(s);
  s = commit();
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
    FN_RETURN_IF_ERROR(q->bind_all(int64_t{old_epoch}, int64_t{new_epoch}));
    auto step = q->step();
    if (!step) return step.status();
    if (*step == Step::kRow) {
      n_old += q->int64(0);
      n_new += q->int64(1);
    }
  }
  if (n_old > 0 && n_new > 0) return Status::ok();  // cannot happen with transactions; keep both
  if (n_old > 0) slots_.epochs.pop_back();           // the shred did not commit: undo it
  else slots_.epochs.erase(slots_.epochs.begin());   // it committed: finish it
  return write_slots();
}

Status Vault::shred_record(int64_t id) {
  return rotate_epoch_and_delete(kItemTables, ItemTable::kRecords, id, "shred");
}

}  // namespace fieldnotes::vault
