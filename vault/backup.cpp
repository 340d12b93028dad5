// backup and restore: a snapshot of the vault, still encrypted, in a directory that is itself
// a vault. Write protocol and what a crash at each step leaves: docs/FORMAT.md, "Backups".
#include "vault/backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include <sodium.h>

#include "vault/format.h"
#include "vault/fs.h"
#include "vault/vault_internal.h"

namespace fieldnotes::vault {

namespace fs = std::filesystem;
using crypto::SecretBuffer;
using namespace internal;

namespace {

constexpr std::size_t kCopyChunkBytes = 1 << 20;

Status io_error(const char* what, const fs::path& p, int err) {
  return {Code::kIo, std::string("cannot ") + what + " \"" + p.string() + "\": " + std::strerror(err)};
}

// Copies `from` to `to` through `to`'s directory's `.NAME.tmp`: write, fsync, rename. The
// caller fsyncs the directory (once for many files). Returns the bytes written.
Result<uint64_t> copy_file_durably(const fs::path& from, const fs::path& to, const BackupProgress& progress,
                                   uint64_t& done, uint64_t total) {
  fs::path tmp = to.parent_path() / ("." + to.filename().string() + ".tmp");
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0) return io_error("read", from, errno);
  int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0) {
    int err = errno;
    ::close(in);
    return io_error("create", tmp, err);
  }
  std::vector<uint8_t> buf(kCopyChunkBytes);
  uint64_t copied = 0;
  auto give_up = [&](const char* what, const fs::path& p, int err) -> Status {
    ::close(in);
    ::close(out);
    ::unlink(tmp.c_str());
    return io_error(what, p, err);
  };
  for (;;) {
    ssize_t r = ::read(in, buf.data(), buf.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return give_up("read", from, errno);
    if (r == 0) break;
    for (ssize_t off = 0; off < r;) {
      ssize_t w = ::write(out, buf.data() + off, static_cast<std::size_t>(r - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return give_up("write", tmp, errno);
      off += w;
    }
    copied += static_cast<uint64_t>(r);
    done += static_cast<uint64_t>(r);
    if (progress) progress(done, total);
  }
  if (::fsync(out) != 0) return give_up("write", tmp, errno);
  ::close(in);
  if (::close(out) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("write", tmp, err);
  }
  if (::rename(tmp.c_str(), to.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("replace", to, err);
  }
  return copied;
}

uint64_t file_size_or_zero(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<uint64_t>(st.st_size);
}

// Whether `dest` holds only what a first backup killed before its database was copied leaves:
// the marker or its temp file, temp files, the lock file and the streams' directory.
bool left_by_interrupted_first_backup(const fs::path& dest) {
  std::error_code ec;
  if (fs::exists(dest / kDatabaseFile, ec) || fs::exists(dest / kKeyslotsFile, ec)) return false;
  bool ours = false;
  for (const auto& e : fs::directory_iterator(dest, ec)) {
    const std::string n = e.path().filename().string();
    // write_file_atomic's ".NAME.tmp", and the snapshot's ".vault.db.tmp" with its journal
    const bool temp = n.size() > 5 && n[0] == '.' && n.find(".tmp") != std::string::npos;
    if (n == kBackupIncompleteFile || n == "." + std::string(kBackupIncompleteFile) + ".tmp") ours = true;
    else if (!temp && n != kLockFile && n != kBlobsDir) return false;
  }
  return ours && !ec;
}

// Checks that `dest` may receive a backup of the vault `vault_id`, creating it if missing.
// Returns the time of the backup found there, if any.
Result<std::optional<int64_t>> prepare_destination(const fs::path& dest, std::span<const uint8_t> vault_id) {
  std::error_code ec;
  struct stat st {};
  if (::lstat(dest.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
    return Status{Code::kRefused, "\"" + dest.string() + "\" is not a directory"};
  switch (probe(dest)) {
    case VaultState::kMissing:
    case VaultState::kEmpty:
      fs::create_directories(dest, ec);
      if (ec) return Status{Code::kIo, "cannot create \"" + dest.string() + "\": " + ec.message()};
      ::chmod(dest.c_str(), 0700);
      return std::optional<int64_t>{};
    case VaultState::kDestroyed:
      // A backup killed after its database was copied and before its key slots: resumed.
      if (std::error_code marker_ec; fs::exists(dest / kBackupIncompleteFile, marker_ec))
        return std::optional<int64_t>{};
      return Status{Code::kRefused, "\"" + dest.string() + "\" holds a destroyed vault, not a backup of this one"};
    case VaultState::kForeign:
      // An interrupted first backup left only its marker (or the marker's temp file), temp
      // files and streams.
      if (left_by_interrupted_first_backup(dest)) return std::optional<int64_t>{};
      return Status{Code::kRefused, "\"" + dest.string() + "\" is not empty and holds no fieldnotes backup"};
    case VaultState::kVault:
      break;
  }
  auto store = KeyslotStore::load(dest);
  if (!store) return Status{Code::kRefused, "\"" + dest.string() + "\" holds key slots that cannot be read (" +
                                                store.status().message() + "); not writing over them"};
  const KeyslotFile& theirs = store->current();
  if (sodium_memcmp(theirs.vault_id.data(), vault_id.data(), kVaultIdBytes) != 0)
    return Status{Code::kRefused, "\"" + dest.string() + "\" holds a backup of another vault"};
  struct stat db {};
  if (::stat((dest / kDatabaseFile).c_str(), &db) == 0) return std::optional<int64_t>{db.st_mtime};
  return std::optional<int64_t>{};
}

// The names of the attachment streams the database refers to.
Result<std::set<std::string>> referenced_streams(Database& db) {
  std::set<std::string> names;
  auto q = db.prepare("SELECT blob FROM attachments");
  if (!q) return q.status();
  for (;;) {
    auto step = q->step();
    if (!step) return step.status();
    if (*step == Step::kDone) break;
    std::string name = q->text(0);
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
      return Status{Code::kCorrupt, "an attachment row names an invalid stream file"};
    names.insert(std::move(name));
  }
  return names;
}

// Copies the database page by page through SQLCipher's backup API into `to` (a new file keyed
// with the same key), fsyncs and renames it into place.
Status snapshot_database(Database& source, const SecretBuffer& dbkey, const fs::path& to) {
  fs::path tmp = to.parent_path() / ("." + to.filename().string() + ".tmp");
  ::unlink(tmp.c_str());
  {
    auto copy = Database::open(tmp, dbkey, /*create=*/true);
    if (!copy) return copy.status();
    sqlite3_backup* b = sqlite3_backup_init(copy->handle(), "main", source.handle(), "main");
    if (b == nullptr) {
      Status st = copy->error("start the database snapshot");
      ::unlink(tmp.c_str());
      return st;
    }
    int rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
      Status st{Code::kIo, std::string("cannot copy the database: ") + sqlite3_errstr(rc)};
      ::unlink(tmp.c_str());
      return st;
    }
  }
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || ::fsync(fd) != 0) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return io_error("write", tmp, err);
  }
  ::close(fd);
  ::unlink((tmp.string() + "-journal").c_str());
  if (::rename(tmp.c_str(), to.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("replace", to, err);
  }
  return fsync_dir(to.parent_path());
}

// Writes (or removes) the backup's copy of one key-slot file, byte for byte.
Status copy_key_slot_file(const fs::path& from, const fs::path& to, BackupReport& report) {
  auto bytes = read_file_limited(from, kKeyslotsMaxFileBytes);
  if (!bytes) {
    if (bytes.status().code() != Code::kNotFound) return bytes.status();
    return scrub_and_unlink(to);
  }
  FN_RETURN_IF_ERROR(write_file_atomic(to, *bytes));
  report.files_written += 1;
  report.bytes_written += bytes->size();
  return Status::ok();
}

}  // namespace

Result<BackupReport> Vault::backup(const fs::path& dest, const Credential& cred, const BackupProgress& progress) {
  BackupReport report;
  auto replaced = prepare_destination(dest, slots_.vault_id);
  if (!replaced) return replaced.status();
  report.replaced = *replaced;
  // DEST is locked while it is written, as a vault is: a second backup into it, or a command
  // run on it, waits or is refused. Released before the copy is opened to be checked.
  auto dest_lock = take_lock(dest);
  if (!dest_lock) return dest_lock.status();
  struct Unlock {
    int fd;
    void release() {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
    ~Unlock() { release(); }
  } dest_locked{*dest_lock};

  // 1. The marker: until it is gone, the directory is not a usable backup.
  static constexpr uint8_t kMarkerText[] = "an interrupted fieldnotes backup: run the backup again\n";
  FN_RETURN_IF_ERROR(write_file_atomic(dest / kBackupIncompleteFile, kMarkerText));
  std::error_code ec;
  fs::create_directories(dest / kBlobsDir, ec);
  if (ec) return Status{Code::kIo, "cannot create \"" + (dest / kBlobsDir).string() + "\": " + ec.message()};

  // 2. Attachment streams. A stream never changes once written (a new attachment gets a new
  // random name), so one already in the backup with the same size is kept.
  auto names = referenced_streams(*db_);
  if (!names) return names.status();
  std::vector<std::string> to_copy;
  uint64_t total = file_size_or_zero(dir_ / kDatabaseFile);
  for (const auto& name : *names) {
    uint64_t size = file_size_or_zero(blob_path(name));
    if (fs::exists(dest / kBlobsDir / name, ec) && file_size_or_zero(dest / kBlobsDir / name) == size) {
      report.streams_kept += 1;
      continue;
    }
    to_copy.push_back(name);
    total += size;
  }
  uint64_t done = 0;
  for (const auto& name : to_copy) {
    auto n = copy_file_durably(blob_path(name), dest / kBlobsDir / name, progress, done, total);
    if (!n) return n.status();
    report.streams_written += 1;
    report.files_written += 1;
    report.bytes_written += *n;
  }
  FN_RETURN_IF_ERROR(fsync_dir(dest / kBlobsDir));

  // 3. The database, then 4. the key slots that open it.
  SecretBuffer dbkey = crypto::kdf_derive_subkey(master_, crypto::Subkey::kDatabase);
  FN_RETURN_IF_ERROR(snapshot_database(*db_, dbkey, dest / kDatabaseFile));
  uint64_t db_bytes = file_size_or_zero(dest / kDatabaseFile);
  report.files_written += 1;
  report.bytes_written += db_bytes;
  done += db_bytes;
  if (progress) progress(done, total);
  FN_RETURN_IF_ERROR(copy_key_slot_file(dir_ / kKeyslotsFile, dest / kKeyslotsFile, report));
  FN_RETURN_IF_ERROR(copy_key_slot_file(dir_ / kKeyslotsSecondFile, dest / kKeyslotsSecondFile, report));

  // 5. Streams of attachments shredded since the last backup: their keys are gone with the
  // old vault.db, so they are unreadable; remove them.
  for (const auto& e : fs::directory_iterator(dest / kBlobsDir, ec)) {
    std::string n = e.path().filename().string();
    if (names->count(n)) continue;
    FN_RETURN_IF_ERROR(scrub_and_unlink(e.path()));
    report.streams_removed += 1;
  }

  // 6. Authenticate the copy as a vault of its own, with the user's secret.
  dest_locked.release();
  {
    auto copy = Vault::open(dest, cred);
    if (!copy) return Status{copy.status().code() == Code::kIo ? Code::kIo : Code::kCorrupt,
                             "the backup does not open: " + copy.status().message()};
    report.verified = (*copy)->verify();
  }
  // The marker goes in step 7: here it is expected, and is not a problem of the copy.
  if (report.verified.backup_incomplete) {
    report.verified.problems.erase(report.verified.problems.begin());
    report.verified.backup_incomplete = false;
  }
  if (!report.verified.problems.empty())
    return Status{Code::kCorrupt, "the backup in \"" + dest.string() + "\" failed to authenticate (" +
                                      std::to_string(report.verified.problems.size()) + " problem(s))"};

  // 7. Complete: the marker goes last.
  if (::unlink((dest / kBackupIncompleteFile).c_str()) != 0)
    return io_error("remove", dest / kBackupIncompleteFile, errno);
  FN_RETURN_IF_ERROR(fsync_dir(dest));
  return report;
}

bool is_interrupted_backup(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / kBackupIncompleteFile, ec);
}

Result<BackupReport> restore(const fs::path& backup_dir, const fs::path& target, const Credential& cred,
                             const BackupProgress& progress) {
  std::error_code ec;
  switch (probe(target)) {
    case VaultState::kVault:
    case VaultState::kDestroyed:
      return Status{Code::kRefused, "a vault already exists in \"" + target.string() + "\""};
    case VaultState::kForeign:
      return Status{Code::kRefused, "\"" + target.string() + "\" is not empty"};
    case VaultState::kMissing:
    case VaultState::kEmpty:
      break;
  }
  VaultState source = probe(backup_dir);
  if (source == VaultState::kMissing || source == VaultState::kEmpty)
    return Status{Code::kNotFound, "no backup at \"" + backup_dir.string() + "\""};
  if (fs::exists(backup_dir / kBackupIncompleteFile, ec))
    return Status{Code::kCorrupt, "the backup at \"" + backup_dir.string() + "\" was interrupted and is not complete"};

  auto from = Vault::open(backup_dir, cred);
  if (!from) return from.status();
  VerifyReport checked = (*from)->verify();
  if (!checked.problems.empty())
    return Status{Code::kCorrupt, "the backup at \"" + backup_dir.string() + "\" failed to authenticate (" +
                                      std::to_string(checked.problems.size()) + " problem(s))"};

  // Staged beside the target (same file system, so the last step is one rename).
  fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  fs::path staging = parent / ("." + target.filename().string() + ".restoring");
  fs::remove_all(staging, ec);  // left by an interrupted restore: encrypted files only
  auto report = (*from)->backup(staging, cred, progress);
  if (!report) {
    fs::remove_all(staging, ec);
    return report.status();
  }
  // An empty target directory (perhaps holding only a lock file) is replaced by the rename.
  if (probe(target) == VaultState::kEmpty) {
    ::unlink((target / kLockFile).c_str());
    if (::rmdir(target.c_str()) != 0) {
      int err = errno;
      fs::remove_all(staging, ec);
      return io_error("replace", target, err);
    }
  }
  if (::rename(staging.c_str(), target.c_str()) != 0) {
    int err = errno;
    fs::remove_all(staging, ec);
    return io_error("create", target, err);
  }
  FN_RETURN_IF_ERROR(fsync_dir(parent));
  // The restored vault starts a generation of its own (an audit entry, recorded with its key
  // slots): from now on the backup's vault.db is older than it and cannot be put in its place
  // unnoticed.
  auto restored = Vault::open(target, cred);
  if (!restored) return restored.status();
  FN_RETURN_IF_ERROR((*restored)->audit("restore"));
  return report;
}

}  // namespace fieldnotes::vault
