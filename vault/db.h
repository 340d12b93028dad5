// A thin RAII layer over SQLCipher's sqlite3 API. Only vault/ uses it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <memory>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "crypto/secret.h"

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
  // True iff SQLite opened the file read-only (it does when the file cannot be written).
  bool read_only() const { return sqlite3_db_readonly(db_, "main") == 1; }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* handle() { return db_; }
  Status error(const char* what) const;

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// What one sqlite3_step gives: a row to read, or the end of the statement.
enum class Step { kRow, kDone };

class Statement {
 public:
  explicit Statement(sqlite3_stmt* s, sqlite3* db) : s_(s), db_(db) {}
  ~Statement() { sqlite3_finalize(s_); }
  Statement(Statement&& o) noexcept : s_(o.s_), db_(o.db_) { o.s_ = nullptr; }
  Statement& operator=(Statement&&) = delete;

  // Bind parameter `index` (from 1). Each checks SQLite's return code: a parameter out of
  // range or a value over SQLite's length limit (kInvalidInput) is an error naming the
  // parameter, never ignored.
  Status bind(int index, int64_t value);
  Status bind(int index, std::string_view text);
  Status bind_blob(int index, std::span<const uint8_t> bytes);
  // Binds `values` to parameters 1, 2, ... in order: integers as INTEGER, text (anything that
  // converts to std::string_view) as TEXT, byte spans and byte vectors as BLOB. Returns the
  // first failure.
  template <typename... Values>
  Status bind_all(const Values&... values) {
    int index = 0;
    Status status;
    ((status = status ? bind_value(++index, values) : status), ...);
    return status;
  }

  // Advances the statement: kRow while a row is available, kDone at its end; on failure a
  // status with SQLite's message (kLocked when busy, kCorrupt for a damaged database, kIo
  // otherwise).
  Result<Step> step();
  Status run();  // steps to completion
  void reset() { sqlite3_reset(s_); sqlite3_clear_bindings(s_); }

  int columns() const { return sqlite3_column_count(s_); }
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
  template <typename Value>
  Status bind_value(int index, const Value& value) {
    if constexpr (std::is_integral_v<Value>) {
      static_assert(std::is_signed_v<Value> || sizeof(Value) < sizeof(int64_t),
                    "a 64-bit unsigned value may not fit SQLite's INTEGER: convert it where it is known to fit");
      return bind(index, static_cast<int64_t>(value));
    } else if constexpr (std::is_convertible_v<const Value&, std::span<const uint8_t>>) {
      return bind_blob(index, value);
    } else {
      return bind(index, std::string_view(value));
    }
  }
  Status bind_failed(int index, int rc) const;

  sqlite3_stmt* s_;
  sqlite3* db_;
};

// Link guard: true iff the sqlite3 library in this process is SQLCipher (plain SQLite also
// exports sqlite3_*, and with the wrong link order PRAGMA key is silently ignored).
// Writes the library versions into *what.
bool linked_against_sqlcipher(std::string* what);

}  // namespace fieldnotes::vault
