#include "vault/db.h"

#include <cstring>

namespace fieldnotes::vault {

namespace {

// Denies virtual tables (SQLite 3.15.2, under SQLCipher 3.4.1, carries the FTS3 "Magellan"
// bugs) and the fts3_tokenizer function. Our schema needs neither.
int authorizer(void*, int action, const char* a, const char* b, const char*, const char*) {
  switch (action) {
    case SQLITE_CREATE_VTABLE:
    case SQLITE_DROP_VTABLE:
      return SQLITE_DENY;
    case SQLITE_FUNCTION:
      if ((b && std::strcmp(b, "fts3_tokenizer") == 0) || (a && std::strcmp(a, "fts3_tokenizer") == 0))
        return SQLITE_DENY;
      return SQLITE_OK;
    default:
      return SQLITE_OK;
  }
}

}  // namespace

Database::~Database() {
  cache_.clear();  // finalize cached statements before closing
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Result<Statement*> Database::cached(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto st = prepare(sql);
    if (!st) return st.status();
    it = cache_.emplace(sql, std::make_unique<Statement>(std::move(st).value())).first;
  }
  it->second->reset();
  return it->second.get();
}

Status Database::error(const char* what) const {
  int rc = sqlite3_errcode(db_);
  Code code = Code::kIo;
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) code = Code::kCorrupt;
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) code = Code::kLocked;
  if (rc == SQLITE_READONLY) code = Code::kIo;
  return {code, std::string(what) + ": " + sqlite3_errstr(rc)};
}

Result<Database> Database::open(const std::filesystem::path& path, const crypto::SecretBuffer& key,
                                bool create) {
  Database d;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &d.db_, flags, nullptr) != SQLITE_OK) {
    if (d.db_ == nullptr) return Status{Code::kIo, "cannot open the vault database"};
    return d.error("cannot open the vault database");
  }
  // Raw key: SQLCipher takes x'<64 hex>' as the key itself, skipping its PBKDF2. Built in
  // secure memory; never in a std::string.
  crypto::SecretBuffer blob(3 + 64 + 1);
  static constexpr char kHex[] = "0123456789abcdef";
  uint8_t* p = blob.data();
  *p++ = 'x';
  *p++ = '\'';
  for (std::size_t i = 0; i < key.size(); ++i) {
    *p++ = static_cast<uint8_t>(kHex[key.data()[i] >> 4]);
    *p++ = static_cast<uint8_t>(kHex[key.data()[i] & 15]);
  }
  *p++ = '\'';
  if (sqlite3_key_v2(d.db_, "main", blob.data(), static_cast<int>(p - blob.data())) != SQLITE_OK)
    return d.error("cannot key the vault database");
  sqlite3_set_authorizer(d.db_, authorizer, nullptr);
  sqlite3_busy_timeout(d.db_, 10000);
  FN_RETURN_IF_ERROR(d.exec("PRAGMA cipher_page_size = 4096"));
  // The read right after keying: fails with SQLITE_NOTADB under a wrong key.
  if (sqlite3_exec(d.db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) != SQLITE_OK) {
    int rc = sqlite3_errcode(d.db_);
    if (rc == SQLITE_NOTADB)
      return Status{Code::kCorrupt, "the vault database does not open with this vault's key "
                                    "(damaged, or from another vault)"};
    return d.error("cannot read the vault database");
  }
  FN_RETURN_IF_ERROR(d.exec("PRAGMA secure_delete = ON"));
  FN_RETURN_IF_ERROR(d.exec("PRAGMA temp_store = MEMORY"));
  FN_RETURN_IF_ERROR(d.exec("PRAGMA foreign_keys = ON"));
  return d;
}

Status Database::exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return error("database error");
  return Status::ok();
}

Result<Statement> Database::prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) return error("database error");
  return Statement(s, db_);
}

Status Statement::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(s_, index, value);
  return rc == SQLITE_OK ? Status::ok() : bind_failed(index, rc);
}

Status Statement::bind(int index, std::string_view text) {
  // The 64-bit forms take the length as it is: SQLite answers SQLITE_TOOBIG past its limit.
  // A null pointer would bind NULL: empty text stays empty text.
  const char* data = text.data() != nullptr ? text.data() : "";
  int rc = sqlite3_bind_text64(s_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return rc == SQLITE_OK ? Status::ok() : bind_failed(index, rc);
}

Status Statement::bind_blob(int index, std::span<const uint8_t> bytes) {
  static constexpr uint8_t kEmpty = 0;
  const uint8_t* data = bytes.data() != nullptr ? bytes.data() : &kEmpty;
  int rc = sqlite3_bind_blob64(s_, index, data, bytes.size(), SQLITE_TRANSIENT);
  return rc == SQLITE_OK ? Status::ok() : bind_failed(index, rc);
}

Status Statement::bind_failed(int index, int rc) const {
  Code code = rc == SQLITE_TOOBIG ? Code::kInvalidInput : Code::kIo;
  return {code, "database error: cannot bind parameter " + std::to_string(index) + ": " + sqlite3_errstr(rc)};
}

Result<Step> Statement::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return Step::kRow;
  if (rc == SQLITE_DONE) return Step::kDone;
  Code code = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? Code::kLocked
              : (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) ? Code::kCorrupt : Code::kIo;
  // sqlite3_errmsg says more than the code ("UNIQUE constraint failed: records.uuid"); it names
  // tables and columns, never values.
  return Status{code, std::string("database error: ") + sqlite3_errmsg(db_)};
}

Status Statement::run() {
  for (;;) {
    auto step = this->step();
    if (!step) return step.status();
    if (*step == Step::kDone) return Status::ok();
  }
}

bool linked_against_sqlcipher(std::string* what) {
  std::string version = sqlite3_libversion();
  sqlite3* db = nullptr;
  std::string cipher;
  if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA cipher_version", -1, &s, nullptr) == SQLITE_OK) {
      if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr)
        cipher = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      sqlite3_finalize(s);
    }
  }
  sqlite3_close(db);
  if (what) *what = "sqlite " + version + ", cipher " + (cipher.empty() ? "none" : cipher);
  return !cipher.empty();
}

}  // namespace fieldnotes::vault
