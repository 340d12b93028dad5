// The vault itself: create, open (lock, key slots, database, migration), panic's entry, transactions.
#include "vault/vault.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "vault/backup.h"
#include "vault/format.h"
#include "vault/vault_internal.h"

namespace fieldnotes::vault {

namespace fs = std::filesystem;
using crypto::SecretBuffer;
using namespace internal;

namespace {

constexpr auto kLockWait = std::chrono::seconds(10);
// How long panic waits for a key-slot write in flight before it kills the writer.
constexpr auto kPanicGrace = std::chrono::milliseconds(1500);

}  // namespace

// ---------------------------------------------------------------------------------------------

VaultState probe(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return VaultState::kMissing;
  if (!fs::is_directory(dir, ec)) return VaultState::kForeign;
  if (destroyed_marker_present(dir)) return VaultState::kDestroyed;
  bool slots = fs::exists(dir / kKeyslotsFile, ec) || fs::exists(dir / kKeyslotsSecondFile, ec);
  bool db = fs::exists(dir / kDatabaseFile, ec);
  if (slots) return VaultState::kVault;
  if (db) return VaultState::kDestroyed;
  if (fs::is_empty(dir, ec)) return VaultState::kEmpty;
  // Only our own leftovers (a lock file) still count as empty.
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename() != kLockFile) return VaultState::kForeign;
  return VaultState::kEmpty;
}

Result<int> internal::take_lock(const fs::path& dir) {
  fs::path p = dir / kLockFile;
  int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);  // read-only vault
  if (fd < 0) return Status{Code::kIo, "cannot open the vault's lock file: " + std::string(std::strerror(errno))};
  auto deadline = std::chrono::steady_clock::now() + kLockWait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      ::close(fd);
      return Status{Code::kIo, "cannot lock the vault: " + std::string(std::strerror(errno))};
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::close(fd);
      return Status{Code::kLocked, "the vault is in use by another fieldnotes process"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fd;
}

namespace {

// Schema 1, as the first fieldnotes wrote it. Frozen: every later schema is reached from it by
// the steps in Vault::migrate(), so a new vault and an upgraded one hold the same tables.
const char* kSchema1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
  created INTEGER NOT NULL, updated INTEGER NOT NULL,
  epoch INTEGER NOT NULL, wrapped_key BLOB NOT NULL, header BLOB NOT NULL, body BLOB NOT NULL);
CREATE TABLE people (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL, updated INTEGER NOT NULL,
  epoch INTEGER NOT NULL, wrapped_key BLOB NOT NULL, data BLOB NOT NULL);
CREATE TABLE audit (seq INTEGER PRIMARY KEY, sealed BLOB NOT NULL, chain BLOB NOT NULL);
CREATE TABLE attachments (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE,
  record_id INTEGER NOT NULL REFERENCES records(id), created INTEGER NOT NULL,
  blob TEXT NOT NULL UNIQUE, wrapped_key BLOB NOT NULL, meta BLOB NOT NULL);
CREATE TABLE sharing (key TEXT PRIMARY KEY, sealed BLOB NOT NULL);
CREATE TABLE contacts (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, sealed BLOB NOT NULL);
CREATE TABLE seen_bundles (tag BLOB PRIMARY KEY, received INTEGER NOT NULL);
)sql";

// Schema 1 -> 2, after the contacts were sealed again: seen_bundles records which key made each
// tag; the rows already there were made under the identity subkey.
const char* kSchema2SeenBundles = "ALTER TABLE seen_bundles ADD COLUMN scheme INTEGER NOT NULL DEFAULT 1";
static_assert(static_cast<int64_t>(SeenTagScheme::kIdentitySubkey) == 1,
              "the DEFAULT of seen_bundles.scheme marks the rows made before schema 2");

}  // namespace

Vault::~Vault() {
  db_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<SecretBuffer> Vault::create(const fs::path& dir, const SecretBuffer& passphrase,
                                   crypto::KdfProfile profile) {
  VaultState st = probe(dir);
  if (st == VaultState::kVault || st == VaultState::kDestroyed)
    return Status{Code::kRefused, "a vault already exists in \"" + dir.string() + "\""};
  if (st == VaultState::kForeign)
    return Status{Code::kRefused, "\"" + dir.string() + "\" is not empty"};
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status{Code::kIo, "cannot create \"" + dir.string() + "\": " + ec.message()};
  ::chmod(dir.c_str(), 0700);
  fs::create_directories(dir / kBlobsDir, ec);
  if (ec) return Status{Code::kIo, "cannot create \"" + (dir / kBlobsDir).string() + "\": " + ec.message()};

  auto v = std::unique_ptr<Vault>(new Vault());
  v->dir_ = dir;
  auto lock = take_lock(dir);
  if (!lock) return lock.status();
  v->lock_fd_ = *lock;
  v->store_ = KeyslotStore::empty(dir);

  v->master_ = SecretBuffer::random(32);
  crypto::random_bytes(v->slots_.vault_id);
  v->params_ = crypto::params_for(profile);
  if (profile == crypto::KdfProfile::kTest) v->slots_.flags |= kFlagTestProfile;
  FN_RETURN_IF_ERROR(v->slots_.set_slot(SlotKind::kPassphrase, passphrase.bytes(), v->params_, v->master_));
  SecretBuffer recovery_raw = recovery_key_generate();
  FN_RETURN_IF_ERROR(v->slots_.set_slot(SlotKind::kRecovery, recovery_raw.bytes(), v->params_, v->master_));
  v->derive_session_keys();
  v->kek_ = SecretBuffer::random(32);
  v->slots_.add_epoch(v->master_, 1, v->kek_);
  v->kek_epoch_ = 1;

  // Database first, key slots last: a crash in between leaves no half-usable vault.
  SecretBuffer dbkey = crypto::kdf_derive_subkey(v->master_, crypto::Subkey::kDatabase);
  auto db = Database::open(dir / kDatabaseFile, dbkey, /*create=*/true);
  if (!db) return db.status();
  v->db_.emplace(std::move(db).value());
  FN_RETURN_IF_ERROR(v->migrate());
  v->generation_checked_ = true;  // a new vault: its first generation is the one written now
  FN_RETURN_IF_ERROR(v->write_slots());
  FN_RETURN_IF_ERROR(v->audit("init"));
  return recovery_key_format(recovery_raw);
}

Result<std::unique_ptr<Vault>> Vault::open(const fs::path& dir, const Credential& cred) {
  switch (probe(dir)) {
    case VaultState::kMissing:
    case VaultState::kEmpty:
      return Status{Code::kNotFound, "no vault at \"" + dir.string() + "\""};
    case VaultState::kDestroyed:
    case VaultState::kForeign:
      // A backup killed before its key slots were copied looks like either: its marker says which.
      if (is_interrupted_backup(dir))
        return Status{Code::kCorrupt, "\"" + dir.string() + "\" holds a backup whose writing was interrupted; run "
                                      "'fieldnotes backup' into it again"};
      if (probe(dir) == VaultState::kDestroyed)
        return Status{Code::kDestroyed, "the vault at \"" + dir.string() + "\" was destroyed (its key slots are gone)"};
      return Status{Code::kCorrupt, "\"" + dir.string() + "\" is not a fieldnotes vault"};
    case VaultState::kVault:
      break;
  }
  auto v = std::unique_ptr<Vault>(new Vault());
  v->dir_ = dir;
  auto lock = take_lock(dir);
  if (!lock) return lock.status();
  v->lock_fd_ = *lock;

  auto store = KeyslotStore::load(dir);
  if (!store) return store.status();
  v->store_ = std::move(store).value();

  SecretBuffer secret;
  if (cred.kind == SlotKind::kRecovery) {
    auto raw = recovery_key_parse(cred.secret.bytes());
    if (!raw) return raw.status();
    secret = std::move(raw).value();
  } else {
    secret = SecretBuffer::copy_of(cred.secret.bytes());
  }
  std::error_code ec;
  if (!fs::exists(dir / kDatabaseFile, ec)) return Status{Code::kCorrupt, "the vault database is missing"};
  // The database decides between copies that open with the same secret but belong to
  // different vaults (a copy put there from another vault with the same passphrase).
  auto accept = [&](const SecretBuffer& master, const KeyslotFile& copy) -> Status {
    SecretBuffer dbkey = crypto::kdf_derive_subkey(master, crypto::Subkey::kDatabase);
    auto db = Database::open(dir / kDatabaseFile, dbkey, /*create=*/false);
    if (!db) {
      if (db.status().code() != Code::kCorrupt) return db.status();
      return Status{Code::kCorrupt, "the key slots do not open this vault's database (they belong to another "
                                    "vault, or vault.db is damaged)"};
    }
    v->db_.emplace(std::move(db).value());
    auto id = v->meta_value("vault_id");
    if (id && !id->empty() && *id != to_hex(copy.vault_id))
      return Status{Code::kCorrupt, "the key slots belong to another vault"};
    return Status::ok();
  };
  auto master = v->store_.unlock(cred.kind, secret.bytes(), accept);
  if (!master) return master.status();
  v->master_ = std::move(master).value();
  v->slots_ = v->store_.current();
  v->derive_session_keys();
  for (const Slot& s : v->slots_.slots)
    if (s.kind == SlotKind::kPassphrase) v->params_ = s.params;

  // Before anything is written: a rollback must be refused, not recorded as the new state.
  FN_RETURN_IF_ERROR(v->check_generation());
  FN_RETURN_IF_ERROR(v->migrate());
  FN_RETURN_IF_ERROR(v->finish_interrupted_writes());
  v->record_generation();  // catches up after a crash between the two writes
  auto kek = v->slots_.open_epoch(v->master_, v->slots_.current_epoch());
  if (!kek) return kek.status();
  v->kek_ = std::move(kek).value();
  v->kek_epoch_ = v->slots_.current_epoch();
  return v;
}

Result<std::string> Vault::meta_value(const char* key) {
  auto t = db_->prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'");
  if (!t) return t.status();
  auto has_meta = t->step();
  if (!has_meta) return has_meta.status();
  if (*has_meta == Step::kDone || t->int64(0) == 0) return std::string();
  auto q = db_->prepare("SELECT value FROM meta WHERE key = ?");
  if (!q) return q.status();
  FN_RETURN_IF_ERROR(q->bind(1, std::string_view(key)));
  auto step = q->step();
  if (!step) return step.status();
  return *step == Step::kRow ? q->text(0) : std::string();
}

Status Vault::destroy_key_slots(const fs::path& dir) {
  // No vault lock: panic must work while another process holds the vault. It waits only for a
  // key-slot write in flight (vault/keyslot_store.h).
  return vault::destroy_key_slots(dir, kPanicGrace);
}

Status Vault::migrate() {
  auto q = db_->prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'");
  if (!q) return q.status();
  auto has_meta = q->step();
  if (!has_meta) return has_meta.status();
  int version = 0;
  if (*has_meta == Step::kRow && q->int64(0) == 1) {
    auto v = db_->prepare("SELECT value FROM meta WHERE key='schema_version'");
    if (!v) return v.status();
    auto step = v->step();
    if (!step) return step.status();
    if (*step == Step::kRow) version = std::atoi(v->text(0).c_str());
  }
  if (version > kSchemaVersion)
    return {Code::kUnsupported, "the vault was written by a newer fieldnotes (schema " +
                                    std::to_string(version) + ")"};
  schema_version_ = version;
  if (version == kSchemaVersion) return Status::ok();
  // A vault on read-only media (a backup on a write-protected stick) opens as it is and is read
  // in its own schema; the first open that can write to it upgrades it. Both are needed to
  // write: the database file, and the directory (for the rollback journal).
  if (version > 0 && (db_->read_only() || ::access(dir_.c_str(), W_OK) != 0)) return Status::ok();
  // Every step from `version` and the new schema_version in one transaction: a crash leaves the
  // old schema whole, and the next open runs all of it again.
  Status migrated = transaction([&]() -> Status {
    if (version < 1) {
      FN_RETURN_IF_ERROR(db_->exec(kSchema1));
      auto ins = db_->prepare("INSERT INTO meta(key, value) VALUES ('vault_id', ?)");
      if (!ins) return ins.status();
      FN_RETURN_IF_ERROR(ins->bind(1, to_hex(slots_.vault_id)));
      FN_RETURN_IF_ERROR(ins->run());
    }
    if (version < 2) {
      FN_RETURN_IF_ERROR(reseal_contacts_for_schema_2());
      FN_RETURN_IF_ERROR(db_->exec(kSchema2SeenBundles));
    }
    auto up = db_->prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)");
    if (!up) return up.status();
    FN_RETURN_IF_ERROR(up->bind(1, std::to_string(kSchemaVersion)));
    return up->run();
  });
  if (!migrated) return migrated;
  schema_version_ = kSchemaVersion;
  return Status::ok();
}

Status Vault::require_current_schema(std::string_view what) const {
  if (schema_version_ == kSchemaVersion) return Status::ok();
  return {Code::kIo, "cannot " + std::string(what) + ": the vault is in an older format (schema " +
                         std::to_string(schema_version_) + ") and cannot be written here to upgrade it"};
}


void Vault::derive_session_keys() {
  audit_seal_key_ = crypto::kdf_derive_subkey(master_, crypto::Subkey::kAuditSeal);
  audit_mac_key_ = crypto::kdf_derive_subkey(master_, crypto::Subkey::kAuditMac);
  identity_key_ = crypto::kdf_derive_subkey(master_, crypto::Subkey::kIdentity);
  contacts_key_ = crypto::kdf_derive_subkey(master_, crypto::Subkey::kContacts);
  seen_bundles_key_ = crypto::kdf_derive_subkey(master_, crypto::Subkey::kSeenBundles);
}

Status Vault::transaction(const std::function<Status()>& body) {
  FN_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  Status s = body();
  if (s) s = commit();
  if (!s) (void)rollback();
  return s;
}

Status Vault::rollback() {
  audit_tip_.reset();
  return db_->exec("ROLLBACK");
}

}  // namespace fieldnotes::vault
