// What an open finishes for interrupted commands: key-slot leftovers and older copies,
// a journal that never became hot, orphaned blobs; and repair of a damaged key-slot copy.
#include "vault/vault.h"

#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "vault/format.h"
#include "vault/fs.h"

namespace fieldnotes::vault {

namespace fs = std::filesystem;

Status Vault::finish_interrupted_writes() {
  // A vault on read-only media (a backup on a locked stick) opens as it is.
  if (::access(dir_.c_str(), W_OK) != 0) return Status::ok();
  FN_RETURN_IF_ERROR(scrub_keyslot_leftovers(dir_, &repaired_));
  FN_RETURN_IF_ERROR(remove_stale_journal());
  if (store_.holds_retired_data()) {
    // An older authentic copy can hold a retired passphrase or epoch key: roll forward now.
    const bool legacy = slots_.major != kKeyslotsMajor;
    std::vector<std::string> found = store_.problems();
    FN_RETURN_IF_ERROR(write_slots());
    if (legacy) repaired_.push_back("key slots: converted from version 1 to version 2 (two copies)");
    for (const auto& p : found)
      if (!legacy) repaired_.push_back(p + "; rewritten");
  }
  FN_RETURN_IF_ERROR(finish_pending_shred());
  return remove_orphan_blobs();
}

Status Vault::remove_stale_journal() {
  // SQLite rolls a hot journal back (and deletes it) on the first read, which Database::open
  // made under our lock. A journal still here was never made hot — its writer was killed
  // before the header was synced — and SQLite ignores it; it holds encrypted page images only.
  fs::path journal = dir_ / (std::string(kDatabaseFile) + "-journal");
  struct stat st {};
  if (::lstat(journal.c_str(), &st) != 0) return Status::ok();
  FN_RETURN_IF_ERROR(scrub_and_unlink(journal));
  repaired_.push_back(journal.filename().string() + ": left by an interrupted transaction that never "
                                                    "committed (nothing to roll back); removed");
  return Status::ok();
}

Status Vault::remove_orphan_blobs() {
  std::set<std::string> known;
  {
    auto q = db_->prepare("SELECT blob FROM attachments");
    if (!q) return q.status();
    for (;;) {
      auto step = q->step();
      if (!step) return step.status();
      if (*step == Step::kDone) break;
      known.insert(q->text(0));
    }
  }
  std::error_code ec;
  bool removed = false;
  for (const auto& e : fs::directory_iterator(dir_ / kBlobsDir, ec)) {
    std::string n = e.path().filename().string();
    if (known.count(n)) continue;
    // Sealed streams under keys that no row holds any more: unreadable, safe to unlink.
    if (::unlink(e.path().c_str()) != 0) continue;
    removed = true;
    repaired_.push_back("blobs/" + n + (n.rfind(".tmp-", 0) == 0
                                            ? ": left by an interrupted attach or receive; removed"
                                            : ": no attachment refers to it (an interrupted shred, attach or receive); removed"));
  }
  if (removed) return fsync_dir(dir_ / kBlobsDir);
  return Status::ok();
}

Status Vault::repair_key_slots() {
  if (!store_.has_damaged_copy()) return Status::ok();
  std::vector<std::string> found = store_.problems();
  FN_RETURN_IF_ERROR(write_slots());
  for (const auto& p : found) repaired_.push_back(p + "; rewritten from the good copy");
  return Status::ok();
}

std::vector<std::string> Vault::key_slot_problems() const {
  return store_.has_damaged_copy() ? store_.problems() : std::vector<std::string>{};
}

}  // namespace fieldnotes::vault
