// verify: authenticates every record, person, attachment and audit entry, and the key slots.
#include "vault/vault.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "crypto/blob_stream.h"
#include "vault/backup.h"
#include "vault/envelope.h"
#include "vault/format.h"
#include "vault/sealed_row.h"

namespace fieldnotes::vault {

namespace fs = std::filesystem;

// ---- verify ----

VerifyReport Vault::verify() {
  VerifyReport rep;
  std::error_code marker_ec;
  if (std::filesystem::exists(dir_ / kBackupIncompleteFile, marker_ec)) {
    rep.backup_incomplete = true;
    rep.problems.push_back(std::string(kBackupIncompleteFile) +
                           ": this is a backup whose writing was interrupted; run 'fieldnotes backup' into it again");
  }
  for (const auto& p : key_slot_problems())
    rep.problems.push_back(p + " (the other copy opened the vault; 'fieldnotes verify --repair' rewrites it)");
  {
    auto q = db_->prepare("PRAGMA quick_check");
    Status st = q.status();
    while (st) {
      auto step = q->step();
      if (!step) st = step.status();
      else if (*step == Step::kDone) break;
      else if (std::string r = q->text(0); r != "ok") rep.problems.push_back("database: " + r);
    }
    if (!st) rep.problems.push_back("database: cannot be checked (" + st.message() + ")");
  }
  // Every row of every item table: its key unwraps and each of its sealed fields opens.
  // `labels[i]` names `fields[i]` in a problem ("record 7: body does not authenticate").
  auto check_rows = [&](ItemTable table, std::initializer_list<std::string_view> fields,
                        std::initializer_list<const char*> labels, int64_t& checked) {
    auto q = db_->prepare(sealed_rows_query(table, fields, SealedRows::kAll).c_str());
    if (!q) {
      rep.problems.push_back(q.status().message());
      return;
    }
    SealedRow row;
    for (;;) {
      auto step = q->step();
      if (!step) rep.problems.push_back(step.status().message());
      if (!step || *step == Step::kDone) return;
      read_sealed_row(*q, row);
      ++checked;
      auto key = unwrap_item_key(table, row.id, row.uuid, row.epoch, row.wrapped);
      if (!key) {
        rep.problems.push_back(key.status().message());
        continue;
      }
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (!envelope_open(*key, table_name(table), fields.begin()[i], row.uuid, row.fields[i]))
          rep.problems.push_back(std::string(item_noun(table)) + " " + std::to_string(row.id) + ": " +
                                 labels.begin()[i] + " does not authenticate");
      }
    }
  };
  check_rows(ItemTable::kRecords, {"header", "body"}, {"header", "body"}, rep.records_checked);
  check_rows(ItemTable::kPeople, {"data"}, {"entry"}, rep.people_checked);
  {
    std::set<std::string> known;
    auto a = db_->prepare("SELECT id, uuid, record_id, blob, wrapped_key FROM attachments ORDER BY id");
    for (Status st = a.status(); st;) {
      auto step = a->step();
      if (!step) st = step.status();
      if (!st) rep.problems.push_back(st.message());
      if (!st || *step == Step::kDone) break;
      ++rep.attachments_checked;
      int64_t id = a->int64(0);
      std::string uuid = a->text(1), blob = a->text(3), ruuid;
      known.insert(blob);
      std::string what = "attachment " + std::to_string(id);
      auto rk = record_key(a->int64(2), &ruuid);
      if (!rk) { rep.problems.push_back(what + ": " + rk.status().message()); continue; }
      auto key = attachment_key(id, uuid, a->blob(4), *rk);
      if (!key) { rep.problems.push_back(key.status().message()); continue; }
      int fd = ::open(blob_path(blob).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) { rep.problems.push_back(what + ": its blob is missing"); continue; }
      auto c = crypto::blob_check(fd, *key, blob_ad(uuid));
      ::close(fd);
      if (!c) rep.problems.push_back(what + ": " + c.status().message());
    }
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ / kBlobsDir, ec)) {
      std::string n = e.path().filename().string();
      // Only in a vault this process could not write to: open() removes them otherwise.
      if (!known.count(n))
        rep.problems.push_back("blobs/" + n + ": left by an interrupted command (removed by the next command "
                               "that can write to the vault)");
    }
  }
  auto log = audit_log();
  if (!log) rep.problems.push_back(log.status().message());
  else rep.audit_checked = static_cast<int64_t>(log->size());
  rep.repaired = repaired_;
  return rep;
}

}  // namespace fieldnotes::vault
