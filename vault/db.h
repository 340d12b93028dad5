// A thin RAII layer over SQLCipher's sqlite3 API. Only vault/ uses it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/secret.h"
#include "crypto/status.h"

namespace fieldnotes::vault {

class Statement;

class Database {
 public:
  Database() = default;
  ~Database();  // defined in db.cpp, where Statement is complete
  Database(Database&& o) noexcept : db_(o.db_), cache_(std::move(o.cache_)) { o.db_ = nullptr; }
  Database& operator=(Database&&) = delete;
  Database(const Database&) = delete;

  // Opens (creating if `create`) a SQLCipher database keyed with the 32-byte raw `key`
  // through sqlite3_key_v2, then reads from it to check the key: kWrongKey/kCorrupt if the
  // file is not a database under this key. Sets page size 4096, secure_delete, memory temp
  // store, and an authorizer that denies virtual tables.
  static Result<Database> open(const std::filesystem::path& path, const crypto::SecretBuffer& key,
                               bool create);

  Status exec(const char* sql);
  Result<Statement> prepare(const char* sql);
  // A prepared statement kept for the life of the connection, reset and unbound on return.
  Result<Statement*> cached(const char* sql);
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() { return db_; }
  Status error(const char* what) const;

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

class Statement {
 public:
  explicit Statement(sqlite3_stmt* s, sqlite3* db) : s_(s), db_(db) {}
  ~Statement() { sqlite3_finalize(s_); }
  Statement(Statement&& o) noexcept : s_(o.s_), db_(o.db_) { o.s_ = nullptr; }
  Statement& operator=(Statement&&) = delete;

  Statement& bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); return *this; }
  Statement& bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind_blob(int i, std::span<const uint8_t> v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // Returns true while a row is available; sets *status on error.
  bool step(Status* status);
  Status run();  // step to completion
  void reset() { sqlite3_reset(s_); sqlite3_clear_bindings(s_); }

  int64_t int64(int col) const { return sqlite3_column_int64(s_, col); }
  std::string text(int col) const {
    auto p = sqlite3_column_text(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }
  std::span<const uint8_t> blob(int col) const {
    auto p = static_cast<const uint8_t*>(sqlite3_column_blob(s_, col));
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))};
  }

 private:
  sqlite3_stmt* s_;
  sqlite3* db_;
};

// Link guard: true iff the sqlite3 library in this process is SQLCipher (plain SQLite also
// exports sqlite3_*, and with the wrong link order PRAGMA key is silently ignored).
// Writes the library versions into *what.
bool linked_against_sqlcipher(std::string* what);

}  // namespace fieldnotes::vault
