// Backups: a directory that is itself a vault (key-slot copies, vault.db, blobs/), every
// file still encrypted, written and checked by backup(), and restore() into a new directory.
// Layout and write protocol: docs/FORMAT.md, "Backups". What a backup protects: SECURITY.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "vault/vault.h"

namespace fieldnotes::vault {

// Marker written first into a backup directory and removed only once the copy has been
// authenticated: its presence means "interrupted, not a usable backup".
constexpr const char* kBackupIncompleteFile = "backup-incomplete";

struct BackupReport {
  uint64_t files_written = 0;      // key-slot copies, vault.db and new attachment streams
  uint64_t bytes_written = 0;
  uint64_t streams_written = 0;    // attachment streams copied this time
  uint64_t streams_kept = 0;       // already in the backup: not rewritten
  uint64_t streams_removed = 0;    // in the backup but no longer in the vault (shredded)
  std::optional<int64_t> replaced; // unix time of the backup this one replaced, if any
  VerifyReport verified;           // the copy, opened and authenticated
};

// Called now and then while copying: bytes done so far and the total to copy.
using BackupProgress = std::function<void(uint64_t done, uint64_t total)>;

// Restores the backup `backup_dir` into `target` (missing, or an empty directory): opens the
// backup with `cred` and authenticates all of it (kCorrupt on any problem), copies it into a
// staging directory beside `target`, authenticates the copy, then renames it into place.
// kRefused when `target` holds anything; kNotFound when `backup_dir` holds no vault; kCorrupt
// for an interrupted backup. On failure `target` is as it was and no staging directory remains.
// Whether `dir` is a backup whose writing was interrupted (its marker is present): not a vault
// to open, whatever else it holds; `fieldnotes backup` into it again completes it.
bool is_interrupted_backup(const std::filesystem::path& dir);

Result<BackupReport> restore(const std::filesystem::path& backup_dir, const std::filesystem::path& target,
                             const Credential& cred, const BackupProgress& progress = {});

}  // namespace fieldnotes::vault
