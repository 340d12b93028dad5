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

namespace fieldnotes::vault {

namespace fs = std::filesystem;
using crypto::SecretBuffer;
using json = nlohmann::json;

namespace {

constexpr auto kLockWait = std::chrono::seconds(10);
// How long panic waits for a key-slot write in flight before it kills the writer.
constexpr auto kPanicGrace = std::chrono::milliseconds(1500);

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string to_hex(std::span<const uint8_t> b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (uint8_t c : b) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

std::string new_uuid() {
  std::array<uint8_t, 16> b;
  crypto::random_bytes(b);
  return to_hex(b);
}

void append(std::vector<uint8_t>& v, std::string_view s) { v.insert(v.end(), s.begin(), s.end()); }
void append_u32(std::vector<uint8_t>& v, uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
}
void append_u64(std::vector<uint8_t>& v, uint64_t x) {
  for (int i = 0; i < 8; ++i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
}

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string header_to_json(const RecordHeader& h) {
  json j = {{"title", h.title}, {"case", h.case_name}, {"tags", h.tags}, {"people", h.people},
            {"kind", h.kind}, {"created", h.created}, {"updated", h.updated}};
  if (!h.sender.empty()) j["sender"] = h.sender;
  if (!h.verification.empty()) j["verification"] = h.verification;
  return j.dump();
}

Result<RecordHeader> header_from_json(std::string_view s) {
  json j = json::parse(s, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status{Code::kCorrupt, "record header is malformed"};
  RecordHeader h;
  try {
    h.title = j.value("title", "");
    h.case_name = j.value("case", "");
    h.tags = j.value("tags", std::vector<std::string>{});
    h.people = j.value("people", std::vector<std::string>{});
    h.kind = j.value("kind", "note");
    h.created = j.value("created", int64_t{0});
    h.updated = j.value("updated", int64_t{0});
    h.sender = j.value("sender", "");
    h.verification = j.value("verification", "");
  } catch (const json::exception&) {
    return Status{Code::kCorrupt, "record header is malformed"};
  }
  return h;
}

std::string to_string(const SecretBuffer& b) { return std::string(b.view()); }

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

namespace {

Result<int> take_lock(const fs::path& dir) {
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

const char* kSchema = R"sql(
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
      return Status{Code::kDestroyed, "the vault at \"" + dir.string() + "\" was destroyed (its key slots are gone)"};
    case VaultState::kForeign:
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

  FN_RETURN_IF_ERROR(v->migrate());
  FN_RETURN_IF_ERROR(v->finish_interrupted_writes());
  auto kek = v->slots_.open_epoch(v->master_, v->slots_.current_epoch());
  if (!kek) return kek.status();
  v->kek_ = std::move(kek).value();
  v->kek_epoch_ = v->slots_.current_epoch();
  return v;
}

Result<std::string> Vault::meta_value(const char* key) {
  auto t = db_->prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'");
  if (!t) return t.status();
  Status st;
  if (!t->step(&st) || t->int64(0) == 0) return std::string();
  auto q = db_->prepare("SELECT value FROM meta WHERE key = ?");
  if (!q) return q.status();
  q->bind(1, std::string(key));
  std::string out;
  if (q->step(&st)) out = q->text(0);
  FN_RETURN_IF_ERROR(st);
  return out;
}

Status Vault::destroy_key_slots(const fs::path& dir) {
  // No vault lock: panic must work while another process holds the vault. It waits only for a
  // key-slot write in flight (vault/keyslot_store.h).
  return vault::destroy_key_slots(dir, kPanicGrace);
}

Status Vault::migrate() {
  auto q = db_->prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'");
  if (!q) return q.status();
  Status st;
  q->step(&st);
  FN_RETURN_IF_ERROR(st);
  int version = 0;
  if (q->int64(0) == 1) {
    auto v = db_->prepare("SELECT value FROM meta WHERE key='schema_version'");
    if (!v) return v.status();
    if (v->step(&st)) version = std::atoi(v->text(0).c_str());
    FN_RETURN_IF_ERROR(st);
  }
  if (version > kSchemaVersion)
    return {Code::kUnsupported, "the vault was written by a newer fieldnotes (schema " +
                                    std::to_string(version) + ")"};
  if (version == kSchemaVersion) return Status::ok();
  // Migrations run in one transaction each. Version 0 → 1 creates the schema.
  FN_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  Status s = db_->exec(kSchema);
  if (s) {
    auto ins = db_->prepare("INSERT INTO meta(key, value) VALUES ('schema_version', ?), ('vault_id', ?)");
    if (!ins) s = ins.status();
    else s = ins->bind(1, std::to_string(kSchemaVersion)).bind(2, to_hex(slots_.vault_id)).run();
  }
  if (!s) {
    (void)rollback();
    return s;
  }
  return db_->exec("COMMIT");
}

Status Vault::write_slots() { return store_.write(slots_, master_, lock_fd_); }

std::vector<uint8_t> Vault::wrap_item_key(const char* table, std::string_view uuid, uint32_t epoch,
                                          const SecretBuffer& key) const {
  std::vector<uint8_t> ad;
  append(ad, "fieldnotes item key v1");
  ad.push_back(0);
  append(ad, table);
  ad.push_back(0);
  append(ad, uuid);
  append_u32(ad, epoch);
  std::vector<uint8_t> out{kEnvelopeVersion};
  auto sealed = crypto::aead_xchacha_seal(kek_, key.bytes(), ad);
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

void Vault::derive_session_keys() {
  audit_seal_key_ = crypto::kdf_derive_subkey(master_, crypto::Subkey::kAuditSeal);
  audit_mac_key_ = crypto::kdf_derive_subkey(master_, crypto::Subkey::kAuditMac);
  identity_key_ = crypto::kdf_derive_subkey(master_, crypto::Subkey::kIdentity);
}

Status Vault::rollback() {
  audit_tip_.reset();
  return db_->exec("ROLLBACK");
}

Status Vault::unwrap_item_key_into(const char* table, int64_t id, std::string_view uuid, int64_t epoch,
                                   std::span<const uint8_t> wrapped, SecretBuffer& out) const {
  auto what = [&] { return std::string(std::strcmp(table, "records") == 0 ? "record " : "person ") + std::to_string(id); };
  if (epoch != kek_epoch_) return {Code::kCorrupt, what() + ": key from an unknown epoch"};
  if (wrapped.empty() || wrapped[0] != kEnvelopeVersion)
    return {Code::kUnsupported, what() + ": unknown key envelope version"};
  std::array<uint8_t, 128> ad;
  std::size_t n = 0;
  auto put = [&](std::string_view x) {
    std::size_t k = std::min(x.size(), ad.size() - n);
    std::memcpy(ad.data() + n, x.data(), k);
    n += k;
  };
  put("fieldnotes item key v1");
  ad[n++] = 0;
  put(table);
  ad[n++] = 0;
  put(uuid);
  for (int i = 0; i < 4; ++i) ad[n++] = static_cast<uint8_t>(static_cast<uint32_t>(epoch) >> (8 * i));
  if (!crypto::aead_xchacha_open_into(kek_, wrapped.subspan(1), {ad.data(), n}, out))
    return {Code::kCorrupt, what() + ": its key does not authenticate"};
  return Status::ok();
}

Result<SecretBuffer> Vault::unwrap_item_key(const char* table, int64_t id, std::string_view uuid,
                                            int64_t epoch, std::span<const uint8_t> wrapped) {
  SecretBuffer out;
  FN_RETURN_IF_ERROR(unwrap_item_key_into(table, id, uuid, epoch, wrapped, out));
  return out;
}

// ---- records ----

Result<int64_t> Vault::insert_record(const NewRecord& r, SecretBuffer& key) {
  std::string uuid = new_uuid();
  key.resize_for_overwrite(32);
  crypto::random_bytes(key.mutable_bytes());
  RecordHeader h = r.header;
  if (h.created == 0) h.created = now_seconds();
  h.updated = h.created;
  std::string hj = header_to_json(h);
  auto header = envelope_seal(key, "records", "header", uuid, as_bytes(hj));
  crypto::wipe(hj);
  auto body = envelope_seal(key, "records", "body", uuid, as_bytes(r.body));
  auto wrapped = wrap_item_key("records", uuid, kek_epoch_, key);
  auto ins = db_->cached(
      "INSERT INTO records(uuid, kind, created, updated, epoch, wrapped_key, header, body) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!ins) return ins.status();
  FN_RETURN_IF_ERROR((*ins)->bind(1, uuid).bind(2, h.kind).bind(3, h.created).bind(4, h.updated)
                         .bind(5, int64_t{kek_epoch_}).bind_blob(6, wrapped)
                         .bind_blob(7, header).bind_blob(8, body).run());
  return db_->last_insert_rowid();
}

Result<int64_t> Vault::add_record(const NewRecord& r) {
  auto ids = add_records({r});
  if (!ids) return ids.status();
  return ids->front();
}

Result<std::vector<int64_t>> Vault::add_records(const std::vector<NewRecord>& rs) {
  FN_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  std::vector<int64_t> ids;
  SecretBuffer key(32);  // one secure allocation for every record key of the batch
  for (const NewRecord& r : rs) {
    auto id = insert_record(r, key);
    if (!id) {
      (void)rollback();
      return id.status();
    }
    ids.push_back(*id);
    Status a = audit("add", *id);  // in the same transaction: no record without its entry
    if (!a) {
      (void)rollback();
      return a;
    }
  }
  Status st = db_->exec("COMMIT");
  if (!st) {
    (void)rollback();
    return st;
  }
  return ids;
}

namespace {
struct RecordRow {
  int64_t id, epoch;
  std::string uuid;
};
}  // namespace

// One sealed row, copied out of SQLite so that another thread can open it.
struct SealedRow {
  int64_t id = 0;
  int64_t epoch = 0;
  std::string uuid;
  std::vector<uint8_t> wrapped, header, body;
};

// Opens one sealed row into `rec`, reusing the caller's secure buffers.
Status Vault::open_row(const SealedRow& row, bool with_body, SecretBuffer& key, SecretBuffer& header,
                       SecretBuffer& body, Record& rec) const {
  rec.id = row.id;
  rec.uuid = row.uuid;
  FN_RETURN_IF_ERROR(unwrap_item_key_into("records", row.id, row.uuid, row.epoch, row.wrapped, key));
  std::span<const uint8_t> h = row.header;
  if (h.empty() || h[0] != kEnvelopeVersion ||
      !crypto::aead_xchacha_open_into(key, h.subspan(1), envelope_ad("records", "header", row.uuid), header))
    return Status{Code::kCorrupt, "record " + std::to_string(row.id) + ": header does not authenticate"};
  auto parsed = header_from_json(header.view());
  if (!parsed) return Status{Code::kCorrupt, "record " + std::to_string(row.id) + ": header is malformed"};
  rec.header = std::move(parsed).value();
  if (with_body) {
    std::span<const uint8_t> b = row.body;
    if (b.empty() || b[0] != kEnvelopeVersion ||
        !crypto::aead_xchacha_open_into(key, b.subspan(1), envelope_ad("records", "body", row.uuid), body))
      return Status{Code::kCorrupt, "record " + std::to_string(row.id) + ": body does not authenticate"};
    rec.body.assign(body.view());
  }
  return Status::ok();
}

Status Vault::for_each_record(bool with_body, const std::function<bool(const Record&)>& fn) {
  auto q = db_->prepare(with_body ? "SELECT id, uuid, epoch, wrapped_key, header, body FROM records ORDER BY id"
                                  : "SELECT id, uuid, epoch, wrapped_key, header FROM records ORDER BY id");
  if (!q) return q.status();
  // One secure allocation each for the key, header and body, reused for every row.
  SecretBuffer key(32), header(4096), body(65536);
  Status st;
  SealedRow row;
  while (q->step(&st)) {
    row.id = q->int64(0);
    row.uuid = q->text(1);
    row.epoch = q->int64(2);
    row.wrapped.assign(q->blob(3).begin(), q->blob(3).end());
    row.header.assign(q->blob(4).begin(), q->blob(4).end());
    if (with_body) row.body.assign(q->blob(5).begin(), q->blob(5).end());
    Record rec;
    FN_RETURN_IF_ERROR(open_row(row, with_body, key, header, body, rec));
    if (!fn(rec)) break;
  }
  return st;
}

Result<std::vector<int64_t>> Vault::find_records(const std::function<bool(const Record&)>& match) {
  auto q = db_->prepare("SELECT id, uuid, epoch, wrapped_key, header, body FROM records ORDER BY id");
  if (!q) return q.status();
  // This thread reads SQLite and opens every other batch; a second thread opens the rest.
  constexpr std::size_t kBatch = 128;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<SealedRow>> queue;
  bool done = false;
  Status error;
  std::vector<int64_t> hits;
  auto process = [&](const std::vector<SealedRow>& batch, SecretBuffer& key, SecretBuffer& header, SecretBuffer& body) {
    std::vector<int64_t> local;
    for (const auto& row : batch) {
      Record rec;
      Status s = open_row(row, true, key, header, body, rec);
      if (!s) {
        std::lock_guard<std::mutex> g(mu);
        if (error) error = s;
        return;
      }
      if (match(rec)) local.push_back(rec.id);
    }
    std::lock_guard<std::mutex> g(mu);
    hits.insert(hits.end(), local.begin(), local.end());
  };
  std::thread worker([&] {
    SecretBuffer key(32), header(4096), body(65536);
    for (;;) {
      std::vector<SealedRow> batch;
      {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return done || !queue.empty(); });
        if (queue.empty()) return;
        batch = std::move(queue.front());
        queue.pop_front();
      }
      cv.notify_all();
      process(batch, key, header, body);
    }
  });
  SecretBuffer key(32), header(4096), body(65536);
  Status st;
  std::vector<SealedRow> batch;
  // Self-balancing: the worker gets every batch while it keeps up; when its queue is full,
  // this thread (which also reads SQLite) opens the batch itself.
  auto hand_off = [&] {
    if (batch.empty()) return;
    std::unique_lock<std::mutex> lk(mu);
    if (queue.size() < 2) {
      queue.push_back(std::move(batch));
      lk.unlock();
      cv.notify_all();
    } else {
      lk.unlock();
      process(batch, key, header, body);
    }
    batch = {};
  };
  while (q->step(&st)) {
    SealedRow row;
    row.id = q->int64(0);
    row.uuid = q->text(1);
    row.epoch = q->int64(2);
    row.wrapped.assign(q->blob(3).begin(), q->blob(3).end());
    row.header.assign(q->blob(4).begin(), q->blob(4).end());
    row.body.assign(q->blob(5).begin(), q->blob(5).end());
    batch.push_back(std::move(row));
    if (batch.size() == kBatch) hand_off();
  }
  hand_off();
  {
    std::lock_guard<std::mutex> g(mu);
    done = true;
  }
  cv.notify_all();
  worker.join();
  FN_RETURN_IF_ERROR(st);
  FN_RETURN_IF_ERROR(error);
  std::sort(hits.begin(), hits.end());
  return hits;
}

Result<Record> Vault::get_record(int64_t id) {
  auto q = db_->prepare("SELECT id, uuid, epoch, wrapped_key, header, body FROM records WHERE id = ?");
  if (!q) return q.status();
  q->bind(1, id);
  Status st;
  if (!q->step(&st)) {
    FN_RETURN_IF_ERROR(st);
    return Status{Code::kNotFound, "no record " + std::to_string(id)};
  }
  SealedRow row;
  row.id = id;
  row.uuid = q->text(1);
  row.epoch = q->int64(2);
  row.wrapped.assign(q->blob(3).begin(), q->blob(3).end());
  row.header.assign(q->blob(4).begin(), q->blob(4).end());
  row.body.assign(q->blob(5).begin(), q->blob(5).end());
  SecretBuffer key(32), header, body;
  Record rec;
  FN_RETURN_IF_ERROR(open_row(row, /*with_body=*/true, key, header, body, rec));
  return rec;
}

Status Vault::update_record(int64_t id, const RecordHeader& header, std::string_view body) {
  std::string uuid;
  auto key = record_key(id, &uuid);
  if (!key) return key.status();
  RecordHeader h = header;
  h.updated = now_seconds();
  std::string hj = header_to_json(h);
  auto sh = envelope_seal(*key, "records", "header", uuid, as_bytes(hj));
  crypto::wipe(hj);
  auto sb = envelope_seal(*key, "records", "body", uuid, as_bytes(body));
  auto up = db_->prepare("UPDATE records SET header = ?, body = ?, updated = ? WHERE id = ?");
  if (!up) return up.status();
  FN_RETURN_IF_ERROR(up->bind_blob(1, sh).bind_blob(2, sb).bind(3, h.updated).bind(4, id).run());
  return audit("edit", id);
}

Status Vault::rotate_epoch_and_delete(const char* table, int64_t id) {
  {
    auto exists = db_->prepare(std::string("SELECT 1 FROM ").append(table).append(" WHERE id = ?").c_str());
    if (!exists) return exists.status();
    exists->bind(1, id);
    Status st;
    if (!exists->step(&st)) {
      FN_RETURN_IF_ERROR(st);
      return {Code::kNotFound, std::string(std::strcmp(table, "records") == 0 ? "no record " : "no person ") +
                                   std::to_string(id)};
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
    return s;
  };
  for (const char* t : {"records", "people"}) {
    std::vector<std::tuple<int64_t, std::string, int64_t, std::vector<uint8_t>>> rows;
    {
      auto q = db_->prepare(std::string("SELECT id, uuid, epoch, wrapped_key FROM ").append(t).c_str());
      if (!q) return fail(q.status());
      Status st;
      while (q->step(&st)) {
        auto b = q->blob(3);
        rows.emplace_back(q->int64(0), q->text(1), q->int64(2), std::vector<uint8_t>(b.begin(), b.end()));
      }
      if (!st) return fail(st);
    }
    auto up = db_->prepare(std::string("UPDATE ").append(t).append(" SET epoch = ?, wrapped_key = ? WHERE id = ?").c_str());
    if (!up) return fail(up.status());
    for (auto& [rid, uuid, epoch, wrapped] : rows) {
      if (std::strcmp(t, table) == 0 && rid == id) continue;
      auto key = unwrap_item_key(t, rid, uuid, epoch, wrapped);
      if (!key) return fail(key.status());
      std::swap(kek_, new_kek);
      auto rewrapped = wrap_item_key(t, uuid, new_epoch, *key);
      std::swap(kek_, new_kek);
      up->reset();
      Status s = up->bind(1, int64_t{new_epoch}).bind_blob(2, rewrapped).bind(3, rid).run();
      if (!s) return fail(s);
    }
  }
  std::vector<std::string> blobs;
  if (std::strcmp(table, "records") == 0) {
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
  auto del = db_->prepare(std::string("DELETE FROM ").append(table).append(" WHERE id = ?").c_str());
  if (!del) return fail(del.status());
  Status s = del->bind(1, id).run();
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
    Status st;
    while (q->step(&st)) known.insert(q->text(0));
    FN_RETURN_IF_ERROR(st);
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

Status Vault::finish_pending_shred() {
  if (slots_.epochs.size() < 2) return Status::ok();
  // A shred was interrupted. The database says which epoch its keys are under.
  uint32_t old_epoch = slots_.epochs.front().number;
  uint32_t new_epoch = slots_.epochs.back().number;
  int64_t n_old = 0, n_new = 0;
  for (const char* t : {"records", "people"}) {
    auto q = db_->prepare(std::string("SELECT sum(epoch = ?), sum(epoch = ?) FROM ").append(t).c_str());
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
  FN_RETURN_IF_ERROR(rotate_epoch_and_delete("records", id));
  return audit("shred", id);
}

// ---- people ----

Result<int64_t> Vault::insert_person(const std::string& js) {
  std::string uuid = new_uuid();
  SecretBuffer key = SecretBuffer::random(32);
  auto data = envelope_seal(key, "people", "data", uuid, as_bytes(js));
  auto wrapped = wrap_item_key("people", uuid, kek_epoch_, key);
  int64_t t = now_seconds();
  auto ins = db_->prepare("INSERT INTO people(uuid, created, updated, epoch, wrapped_key, data) VALUES (?, ?, ?, ?, ?, ?)");
  if (!ins) return ins.status();
  FN_RETURN_IF_ERROR(ins->bind(1, uuid).bind(2, t).bind(3, t).bind(4, int64_t{kek_epoch_})
                         .bind_blob(5, wrapped).bind_blob(6, data).run());
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
  Status st = db_->exec("COMMIT");
  if (!st) {
    (void)rollback();
    return st;
  }
  FN_RETURN_IF_ERROR(audit("person-add"));
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
  auto key = unwrap_item_key("people", id, uuid, q->int64(1), q->blob(2));
  if (!key) return key.status();
  auto data = envelope_seal(*key, "people", "data", uuid, as_bytes(js));
  auto up = db_->prepare("UPDATE people SET data = ?, updated = ? WHERE id = ?");
  if (!up) return up.status();
  FN_RETURN_IF_ERROR(up->bind_blob(1, data).bind(2, now_seconds()).bind(3, id).run());
  return audit("person-edit");
}

Status Vault::remove_person(int64_t id) {
  FN_RETURN_IF_ERROR(rotate_epoch_and_delete("people", id));
  return audit("person-rm");
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
    auto key = unwrap_item_key("people", p.id, uuid, q->int64(2), q->blob(3));
    if (!key) return key.status();
    auto data = envelope_open(*key, "people", "data", uuid, q->blob(4));
    if (!data) return Status{Code::kCorrupt, "person " + std::to_string(p.id) + ": entry does not authenticate"};
    p.json = to_string(*data);
    out.push_back(std::move(p));
  }
  FN_RETURN_IF_ERROR(st);
  return out;
}

// ---- audit log ----

Status Vault::audit(const std::string& operation, int64_t record_id) {
  if (!audit_tip_) {
    auto q = db_->prepare("SELECT seq, chain FROM audit ORDER BY seq DESC LIMIT 1");
    if (!q) return q.status();
    Status st;
    std::pair<int64_t, std::array<uint8_t, 32>> tip{0, {}};
    if (q->step(&st)) {
      tip.first = q->int64(0);
      auto c = q->blob(1);
      if (c.size() != tip.second.size()) return {Code::kCorrupt, "audit log: a chain value is malformed"};
      std::copy(c.begin(), c.end(), tip.second.begin());
    }
    FN_RETURN_IF_ERROR(st);
    audit_tip_ = tip;
  }
  int64_t seq = audit_tip_->first + 1;
  json j = {{"op", operation}, {"record", record_id}, {"time", now_seconds()}};
  std::string entry = j.dump();
  std::vector<uint8_t> ad;
  append(ad, "fieldnotes audit v1");
  append_u64(ad, static_cast<uint64_t>(seq));
  auto sealed = crypto::aead_xchacha_seal(audit_seal_key_, as_bytes(entry), ad);
  std::vector<uint8_t> chain_in(audit_tip_->second.begin(), audit_tip_->second.end());
  append_u64(chain_in, static_cast<uint64_t>(seq));
  chain_in.insert(chain_in.end(), sealed.begin(), sealed.end());
  auto chain = crypto::mac_blake2b(audit_mac_key_, chain_in);
  auto ins = db_->cached("INSERT INTO audit(seq, sealed, chain) VALUES (?, ?, ?)");
  if (!ins) return ins.status();
  Status st = (*ins)->bind(1, seq).bind_blob(2, sealed).bind_blob(3, chain).run();
  if (!st) {
    audit_tip_.reset();
    return st;
  }
  audit_tip_ = {seq, chain};
  return Status::ok();
}

Result<std::vector<AuditEntry>> Vault::audit_log() {
  const SecretBuffer& seal_key = audit_seal_key_;
  const SecretBuffer& mac_key = audit_mac_key_;
  auto q = db_->prepare("SELECT seq, sealed, chain FROM audit ORDER BY seq");
  if (!q) return q.status();
  std::vector<AuditEntry> out;
  std::vector<uint8_t> prev(crypto::kMacBytes, 0);
  int64_t expect_seq = 1;
  Status st;
  while (q->step(&st)) {
    int64_t seq = q->int64(0);
    auto sealed = q->blob(1);
    auto chain = q->blob(2);
    if (seq != expect_seq)
      return Status{Code::kCorrupt, "audit log: entry " + std::to_string(expect_seq) + " is missing"};
    std::vector<uint8_t> chain_in = prev;
    append_u64(chain_in, static_cast<uint64_t>(seq));
    chain_in.insert(chain_in.end(), sealed.begin(), sealed.end());
    if (!crypto::mac_blake2b_verify(mac_key, chain_in, chain))
      return Status{Code::kCorrupt, "audit log: the chain breaks at entry " + std::to_string(seq)};
    std::vector<uint8_t> ad;
    append(ad, "fieldnotes audit v1");
    append_u64(ad, static_cast<uint64_t>(seq));
    auto plain = crypto::aead_xchacha_open(seal_key, sealed, ad);
    if (!plain) return Status{Code::kCorrupt, "audit log: entry " + std::to_string(seq) + " does not authenticate"};
    json j = json::parse(plain->view(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return Status{Code::kCorrupt, "audit log: entry " + std::to_string(seq) + " is malformed"};
    AuditEntry e;
    e.seq = seq;
    e.operation = j.value("op", "");
    e.record_id = j.value("record", int64_t{0});
    e.time = j.value("time", int64_t{0});
    out.push_back(e);
    prev.assign(chain.begin(), chain.end());
    ++expect_seq;
  }
  FN_RETURN_IF_ERROR(st);
  return out;
}

// ---- attachments ----

std::vector<uint8_t> Vault::blob_ad(const std::string& attachment_uuid) const {
  std::vector<uint8_t> ad;
  append(ad, "fieldnotes blob v1");
  ad.push_back(0);
  ad.insert(ad.end(), slots_.vault_id.begin(), slots_.vault_id.end());
  append(ad, attachment_uuid);
  return ad;
}

fs::path Vault::blob_path(const std::string& blob) const { return dir_ / kBlobsDir / blob; }

Result<SecretBuffer> Vault::record_key(int64_t record_id, std::string* uuid) {
  auto q = db_->prepare("SELECT uuid, epoch, wrapped_key FROM records WHERE id = ?");
  if (!q) return q.status();
  q->bind(1, record_id);
  Status st;
  if (!q->step(&st)) {
    FN_RETURN_IF_ERROR(st);
    return Status{Code::kNotFound, "no record " + std::to_string(record_id)};
  }
  *uuid = q->text(0);
  return unwrap_item_key("records", record_id, *uuid, q->int64(1), q->blob(2));
}

Result<Vault::StagedBlob> Vault::stage_blob(int in_fd, const std::string& attachment_uuid) {
  std::error_code ec;
  fs::create_directories(dir_ / kBlobsDir, ec);
  StagedBlob staged;
  staged.name = new_uuid();
  staged.key = SecretBuffer::random(32);
  const fs::path tmp = dir_ / kBlobsDir / (".tmp-" + staged.name);
  int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) return Status{Code::kIo, "cannot create a blob in the vault: " + std::string(std::strerror(errno))};
  auto info = crypto::blob_seal(in_fd, out, staged.key, blob_ad(attachment_uuid));
  Status st = info.status();
  if (st && ::fsync(out) != 0) st = Status{Code::kIo, "cannot sync the blob: " + std::string(std::strerror(errno))};
  if (::close(out) != 0 && st) st = Status{Code::kIo, "cannot write the blob: " + std::string(std::strerror(errno))};
  if (st && ::rename(tmp.c_str(), blob_path(staged.name).c_str()) != 0)
    st = Status{Code::kIo, "cannot store the blob: " + std::string(std::strerror(errno))};
  if (!st) {
    ::unlink(tmp.c_str());
    return st;
  }
  staged.plaintext_bytes = info->plaintext_bytes;
  return staged;
}

void Vault::unstage_blobs(std::span<const StagedBlob> staged) {
  for (const StagedBlob& b : staged) ::unlink(blob_path(b.name).c_str());
  if (!staged.empty()) (void)fsync_dir(dir_ / kBlobsDir);
}

Status Vault::insert_attachment_row(AttachmentInfo& a, const StagedBlob& blob, const SecretBuffer& record_key) {
  a.size = blob.plaintext_bytes;
  json meta = {{"name", a.name}, {"type", a.type}, {"size", a.size}, {"created", a.created}};
  std::string mj = meta.dump();
  auto sealed_meta = envelope_seal(blob.key, "attachments", "meta", a.uuid, as_bytes(mj));
  auto wrapped = envelope_seal(record_key, "attachments", "key", a.uuid, blob.key.bytes());
  auto ins = db_->prepare("INSERT INTO attachments(uuid, record_id, created, blob, wrapped_key, meta) VALUES (?, ?, ?, ?, ?, ?)");
  if (!ins) return ins.status();
  FN_RETURN_IF_ERROR(ins->bind(1, a.uuid).bind(2, a.record_id).bind(3, a.created).bind(4, blob.name)
                         .bind_blob(5, wrapped).bind_blob(6, sealed_meta).run());
  a.id = db_->last_insert_rowid();
  return Status::ok();
}

Result<AttachmentInfo> Vault::attach(int64_t record_id, int in_fd, const std::string& name, const std::string& type) {
  std::string ruuid;
  auto rkey = record_key(record_id, &ruuid);
  if (!rkey) return rkey.status();
  AttachmentInfo a;
  a.uuid = new_uuid();
  a.record_id = record_id;
  a.name = name;
  a.type = type;
  a.created = now_seconds();
  // The blob is in place (sealed, durable) before its row commits; a crash in between leaves
  // an orphan that the next open removes.
  auto staged = stage_blob(in_fd, a.uuid);
  if (!staged) return staged.status();
  if (Status d = fsync_dir(dir_ / kBlobsDir); !d) {
    unstage_blobs({&*staged, 1});
    return d;
  }
  Status row = db_->exec("BEGIN IMMEDIATE");
  if (row) {
    row = insert_attachment_row(a, *staged, *rkey);
    if (row) row = audit("attach", record_id);
    row = row ? db_->exec("COMMIT") : row;
    if (!row) (void)rollback();
  }
  if (!row) {
    unstage_blobs({&*staged, 1});
    return row;
  }
  return a;
}

Result<std::vector<AttachmentInfo>> Vault::attachments(int64_t record_id) {
  auto q = db_->prepare(record_id > 0
      ? "SELECT a.id, a.uuid, a.record_id, a.created, a.wrapped_key, a.meta FROM attachments a WHERE a.record_id = ? ORDER BY a.id"
      : "SELECT a.id, a.uuid, a.record_id, a.created, a.wrapped_key, a.meta FROM attachments a WHERE ? = 0 ORDER BY a.id");
  if (!q) return q.status();
  q->bind(1, record_id);
  std::vector<AttachmentInfo> out;
  std::map<int64_t, std::pair<std::string, SecretBuffer>> rkeys;
  Status st;
  while (q->step(&st)) {
    AttachmentInfo a;
    a.id = q->int64(0);
    a.uuid = q->text(1);
    a.record_id = q->int64(2);
    a.created = q->int64(3);
    auto it = rkeys.find(a.record_id);
    if (it == rkeys.end()) {
      std::string ruuid;
      auto rk = record_key(a.record_id, &ruuid);
      if (!rk) return rk.status();
      it = rkeys.emplace(a.record_id, std::make_pair(ruuid, std::move(rk).value())).first;
    }
    auto key = envelope_open(it->second.second, "attachments", "key", a.uuid, q->blob(4));
    if (!key) return Status{Code::kCorrupt, "attachment " + std::to_string(a.id) + ": its key does not authenticate"};
    auto meta = envelope_open(*key, "attachments", "meta", a.uuid, q->blob(5));
    if (!meta) return Status{Code::kCorrupt, "attachment " + std::to_string(a.id) + ": its description does not authenticate"};
    json j = json::parse(meta->view(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Status{Code::kCorrupt, "attachment " + std::to_string(a.id) + " is malformed"};
    a.name = j.value("name", "");
    a.type = j.value("type", "other");
    a.size = j.value("size", uint64_t{0});
    out.push_back(std::move(a));
  }
  FN_RETURN_IF_ERROR(st);
  return out;
}

Status Vault::extract(int64_t attachment_id, int out_fd, bool verify_first) {
  auto q = db_->prepare("SELECT uuid, record_id, blob, wrapped_key FROM attachments WHERE id = ?");
  if (!q) return q.status();
  q->bind(1, attachment_id);
  Status st;
  if (!q->step(&st)) {
    FN_RETURN_IF_ERROR(st);
    return {Code::kNotFound, "no attachment " + std::to_string(attachment_id)};
  }
  std::string uuid = q->text(0), blob = q->text(2), ruuid;
  auto rk = record_key(q->int64(1), &ruuid);
  if (!rk) return rk.status();
  auto key = envelope_open(*rk, "attachments", "key", uuid, q->blob(3));
  if (!key) return {Code::kCorrupt, "attachment " + std::to_string(attachment_id) + ": its key does not authenticate"};
  int in = ::open(blob_path(blob).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0) {
    if (errno == ENOENT) return {Code::kCorrupt, "attachment " + std::to_string(attachment_id) + ": its blob is missing"};
    return {Code::kIo, "cannot open the blob of attachment " + std::to_string(attachment_id) + ": " + std::strerror(errno)};
  }
  if (verify_first) {
    auto c = crypto::blob_check(in, *key, blob_ad(uuid));
    if (!c) {
      ::close(in);
      return {c.status().code(), "attachment " + std::to_string(attachment_id) + ": " + c.status().message()};
    }
    ::lseek(in, 0, SEEK_SET);
  }
  auto r = crypto::blob_open(in, out_fd, *key, blob_ad(uuid));
  ::close(in);
  if (!r) return {r.status().code(), "attachment " + std::to_string(attachment_id) + ": " + r.status().message()};
  return audit("extract", q->int64(1));
}

// ---- sharing ----

namespace {

std::vector<uint8_t> sharing_ad(std::string_view label, std::span<const uint8_t> vault_id, std::string_view key) {
  std::vector<uint8_t> ad(label.begin(), label.end());
  ad.push_back(0);
  ad.insert(ad.end(), vault_id.begin(), vault_id.end());
  ad.insert(ad.end(), key.begin(), key.end());
  return ad;
}

}  // namespace

Result<IdentityKeys> Vault::identity() {
  auto ad = sharing_ad("fieldnotes identity v1", slots_.vault_id, "identity");
  auto q = db_->prepare("SELECT sealed FROM sharing WHERE key = 'identity'");
  if (!q) return q.status();
  Status st;
  if (q->step(&st)) {
    auto plain = crypto::aead_xchacha_open(identity_key_, q->blob(0), ad);
    if (!plain || plain->size() != 72) return Status{Code::kCorrupt, "the vault identity does not authenticate"};
    IdentityKeys k;
    k.x25519_secret = SecretBuffer::copy_of(plain->bytes().subspan(0, 32));
    k.ed25519_seed = SecretBuffer::copy_of(plain->bytes().subspan(32, 32));
    std::copy_n(plain->data() + 64, 8, k.minisign_key_id.begin());
    return k;
  }
  FN_RETURN_IF_ERROR(st);
  SecretBuffer fresh = SecretBuffer::random(72);
  auto sealed = crypto::aead_xchacha_seal(identity_key_, fresh.bytes(), ad);
  auto ins = db_->prepare("INSERT INTO sharing(key, sealed) VALUES ('identity', ?)");
  if (!ins) return ins.status();
  FN_RETURN_IF_ERROR(ins->bind_blob(1, sealed).run());
  FN_RETURN_IF_ERROR(audit("identity-create"));
  return identity();
}

Status Vault::put_contact(const Contact& c, const std::string& uuid) {
  json j = {{"name", c.name}, {"age", c.age_recipient}, {"minisign", c.minisign_key}, {"last_sequence", c.last_sequence}};
  std::string plain = j.dump();
  auto sealed = crypto::aead_xchacha_seal(identity_key_, as_bytes(plain), sharing_ad("fieldnotes contact v1", slots_.vault_id, uuid));
  crypto::wipe(plain);
  // SQLite 3.15 (under SQLCipher 3.4.1) has no UPSERT.
  auto up = db_->prepare("UPDATE contacts SET sealed = ? WHERE uuid = ?");
  if (!up) return up.status();
  FN_RETURN_IF_ERROR(up->bind_blob(1, sealed).bind(2, uuid).run());
  if (db_->changes() > 0) return Status::ok();
  auto ins = db_->prepare("INSERT INTO contacts(uuid, sealed) VALUES (?, ?)");
  if (!ins) return ins.status();
  return ins->bind(1, uuid).bind_blob(2, sealed).run();
}

Result<std::vector<Contact>> Vault::contacts() {
  auto q = db_->prepare("SELECT id, uuid, sealed FROM contacts ORDER BY id");
  if (!q) return q.status();
  std::vector<Contact> out;
  Status st;
  while (q->step(&st)) {
    Contact c;
    c.id = q->int64(0);
    std::string uuid = q->text(1);
    auto plain = crypto::aead_xchacha_open(identity_key_, q->blob(2), sharing_ad("fieldnotes contact v1", slots_.vault_id, uuid));
    if (!plain) return Status{Code::kCorrupt, "contact " + std::to_string(c.id) + " does not authenticate"};
    json j = json::parse(plain->view(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Status{Code::kCorrupt, "contact " + std::to_string(c.id) + " is malformed"};
    c.name = j.value("name", "");
    c.age_recipient = j.value("age", "");
    c.minisign_key = j.value("minisign", "");
    c.last_sequence = j.value("last_sequence", int64_t{0});
    out.push_back(std::move(c));
  }
  FN_RETURN_IF_ERROR(st);
  return out;
}

Result<int64_t> Vault::add_contact(const Contact& c) {
  auto all = contacts();
  if (!all) return all.status();
  for (const auto& x : *all)
    if (x.name == c.name) return Status{Code::kRefused, "a contact named \"" + c.name + "\" exists"};
  FN_RETURN_IF_ERROR(put_contact(c, new_uuid()));
  int64_t id = db_->last_insert_rowid();
  FN_RETURN_IF_ERROR(audit("contact-add"));
  return id;
}

Status Vault::remove_contact(const std::string& name) {
  auto all = contacts();
  if (!all) return all.status();
  for (const auto& x : *all) {
    if (x.name != name) continue;
    auto del = db_->prepare("DELETE FROM contacts WHERE id = ?");
    if (!del) return del.status();
    FN_RETURN_IF_ERROR(del->bind(1, x.id).run());
    return audit("contact-rm");
  }
  return {Code::kNotFound, "no contact \"" + name + "\""};
}

Result<int64_t> Vault::next_share_sequence() {
  auto q = db_->prepare("SELECT value FROM meta WHERE key = 'share_sequence'");
  if (!q) return q.status();
  Status st;
  int64_t seq = 0;
  if (q->step(&st)) seq = std::atoll(q->text(0).c_str());
  FN_RETURN_IF_ERROR(st);
  ++seq;
  auto up = db_->prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('share_sequence', ?)");
  if (!up) return up.status();
  FN_RETURN_IF_ERROR(up->bind(1, std::to_string(seq)).run());
  return seq;
}

Result<bool> Vault::bundle_seen(std::string_view bundle_id) {
  auto tag = crypto::mac_blake2b(identity_key_, as_bytes(bundle_id));
  auto q = db_->prepare("SELECT 1 FROM seen_bundles WHERE tag = ?");
  if (!q) return q.status();
  q->bind_blob(1, tag);
  Status st;
  bool seen = q->step(&st);
  FN_RETURN_IF_ERROR(st);
  return seen;
}

Result<std::vector<int64_t>> Vault::import_bundle(const std::vector<NewRecord>& rs,
                                                  const std::vector<std::vector<NewAttachment>>& attachments,
                                                  std::string_view bundle_id, int64_t contact_id, int64_t sequence) {
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
  auto tag = crypto::mac_blake2b(identity_key_, as_bytes(bundle_id));
  auto ins = db_->prepare("INSERT INTO seen_bundles(tag, received) VALUES (?, ?)");
  if (!ins) return fail(ins.status());
  Status s = ins->bind_blob(1, tag).bind(2, now_seconds()).run();
  if (!s) return fail(s);
  if (contact_id > 0) {
    auto all = contacts();
    if (!all) return fail(all.status());
    auto q = db_->prepare("SELECT uuid FROM contacts WHERE id = ?");
    if (!q) return fail(q.status());
    q->bind(1, contact_id);
    Status st;
    if (!q->step(&st)) return fail(st.is_ok() ? Status{Code::kNotFound, "no such contact"} : st);
    std::string uuid = q->text(0);
    for (auto c : *all) {
      if (c.id != contact_id) continue;
      c.last_sequence = std::max(c.last_sequence, sequence);
      s = put_contact(c, uuid);
      if (!s) return fail(s);
    }
  }
  s = db_->exec("COMMIT");
  if (!s) return fail(s);
  return ids;
}

// ---- verify ----

VerifyReport Vault::verify() {
  VerifyReport rep;
  for (const auto& p : key_slot_problems())
    rep.problems.push_back(p + " (the other copy opened the vault; 'fieldnotes verify --repair' rewrites it)");
  {
    auto q = db_->prepare("PRAGMA quick_check");
    Status st;
    if (q) {
      while (q->step(&st)) {
        std::string r = q->text(0);
        if (r != "ok") rep.problems.push_back("database: " + r);
      }
    }
    if (!q || !st) rep.problems.push_back("database: cannot be checked (" + (q ? st : q.status()).message() + ")");
  }
  auto q = db_->prepare("SELECT id, uuid, epoch, wrapped_key, header, body FROM records ORDER BY id");
  if (q) {
    Status st;
    while (q->step(&st)) {
      ++rep.records_checked;
      int64_t id = q->int64(0);
      std::string uuid = q->text(1);
      auto key = unwrap_item_key("records", id, uuid, q->int64(2), q->blob(3));
      if (!key) {
        rep.problems.push_back(key.status().message());
        continue;
      }
      if (!envelope_open(*key, "records", "header", uuid, q->blob(4)))
        rep.problems.push_back("record " + std::to_string(id) + ": header does not authenticate");
      if (!envelope_open(*key, "records", "body", uuid, q->blob(5)))
        rep.problems.push_back("record " + std::to_string(id) + ": body does not authenticate");
    }
    if (!st) rep.problems.push_back(st.message());
  }
  auto p = db_->prepare("SELECT id, uuid, epoch, wrapped_key, data FROM people ORDER BY id");
  if (p) {
    Status st;
    while (p->step(&st)) {
      ++rep.people_checked;
      int64_t id = p->int64(0);
      std::string uuid = p->text(1);
      auto key = unwrap_item_key("people", id, uuid, p->int64(2), p->blob(3));
      if (!key) {
        rep.problems.push_back(key.status().message());
        continue;
      }
      if (!envelope_open(*key, "people", "data", uuid, p->blob(4)))
        rep.problems.push_back("person " + std::to_string(id) + ": entry does not authenticate");
    }
    if (!st) rep.problems.push_back(st.message());
  }
  {
    std::set<std::string> known;
    auto a = db_->prepare("SELECT id, uuid, record_id, blob, wrapped_key FROM attachments ORDER BY id");
    if (a) {
      Status st;
      while (a->step(&st)) {
        ++rep.attachments_checked;
        int64_t id = a->int64(0);
        std::string uuid = a->text(1), blob = a->text(3), ruuid;
        known.insert(blob);
        std::string what = "attachment " + std::to_string(id);
        auto rk = record_key(a->int64(2), &ruuid);
        if (!rk) { rep.problems.push_back(what + ": " + rk.status().message()); continue; }
        auto key = envelope_open(*rk, "attachments", "key", uuid, a->blob(4));
        if (!key) { rep.problems.push_back(what + ": its key does not authenticate"); continue; }
        int fd = ::open(blob_path(blob).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) { rep.problems.push_back(what + ": its blob is missing"); continue; }
        auto c = crypto::blob_check(fd, *key, blob_ad(uuid));
        ::close(fd);
        if (!c) rep.problems.push_back(what + ": " + c.status().message());
      }
      if (!st) rep.problems.push_back(st.message());
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

// ---- secrets ----

Status Vault::change_passphrase(const SecretBuffer& new_passphrase) {
  FN_RETURN_IF_ERROR(slots_.set_slot(SlotKind::kPassphrase, new_passphrase.bytes(), params_, master_));
  FN_RETURN_IF_ERROR(write_slots());
  return audit("passwd");
}

Result<SecretBuffer> Vault::begin_recovery_reset() {
  SecretBuffer raw = recovery_key_generate();
  auto salt = slots_.add_slot(SlotKind::kRecovery, raw.bytes(), params_, master_);
  if (!salt) return salt.status();
  if (Status s = write_slots(); !s) {
    slots_.remove_slot(*salt);
    return s;
  }
  pending_recovery_salt_ = *salt;
  return recovery_key_format(raw);
}

Status Vault::finish_recovery_reset() {
  if (!pending_recovery_salt_) return {Code::kInvalidInput, "no recovery key is being replaced"};
  slots_.keep_only_slot(SlotKind::kRecovery, *pending_recovery_salt_);
  pending_recovery_salt_.reset();
  FN_RETURN_IF_ERROR(write_slots());
  return audit("recovery-reset");
}

Status Vault::abandon_recovery_reset() {
  if (!pending_recovery_salt_) return Status::ok();
  slots_.remove_slot(*pending_recovery_salt_);
  pending_recovery_salt_.reset();
  return write_slots();
}

}  // namespace fieldnotes::vault
