// vault/db: Statement::step tells a row, the end and an error apart (with SQLite's message),
// and every bind checks SQLite's return code.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "vault/db.h"

using namespace fieldnotes;
using namespace fieldnotes::vault;
using crypto::SecretBuffer;
namespace fs = std::filesystem;

namespace {

struct TempDatabase {
  fs::path dir;
  std::optional<Database> db;
  TempDatabase() {
    REQUIRE(crypto::init());
    std::string t = (fs::temp_directory_path() / "fn-db-test-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()) != nullptr);
    dir = t;
    auto opened = Database::open(dir / "test.db", SecretBuffer::random(32), /*create=*/true);
    REQUIRE(opened.is_ok());
    db.emplace(std::move(opened).value());
    REQUIRE(db->exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, data BLOB NOT NULL)").is_ok());
  }
  ~TempDatabase() {
    db.reset();
    fs::remove_all(dir);
  }
};

Step step_ok(Statement& q) {
  auto step = q.step();
  REQUIRE(step.is_ok());
  return *step;
}

}  // namespace

TEST_CASE("step: a row, then the end, then the end again") {
  TempDatabase t;
  auto ins = t.db->prepare("INSERT INTO items(id, name, data) VALUES (?, ?, ?)");
  REQUIRE(ins.is_ok());
  const std::vector<uint8_t> bytes = {0, 1, 2, 255};
  REQUIRE(ins->bind_all(7, std::string("seven"), bytes).is_ok());
  CHECK(step_ok(*ins) == Step::kDone);
  auto q = t.db->prepare("SELECT id, name, data FROM items WHERE id = ?");
  REQUIRE(q.is_ok());
  REQUIRE(q->bind(1, int64_t{7}).is_ok());
  REQUIRE(step_ok(*q) == Step::kRow);
  CHECK(q->int64(0) == 7);
  CHECK(q->text(1) == "seven");
  CHECK(std::vector<uint8_t>(q->blob(2).begin(), q->blob(2).end()) == bytes);
  CHECK(step_ok(*q) == Step::kDone);
}

TEST_CASE("step: a failed statement is an error with SQLite's message, not the end of the rows") {
  TempDatabase t;
  REQUIRE(t.db->exec("INSERT INTO items(id, name, data) VALUES (1, 'one', x'00')").is_ok());
  auto ins = t.db->prepare("INSERT INTO items(id, name, data) VALUES (2, 'one', x'00')");
  REQUIRE(ins.is_ok());
  auto step = ins->step();
  REQUIRE_FALSE(step.is_ok());
  CHECK(step.status().code() == Code::kIo);
  CHECK(step.status().message() == "database error: UNIQUE constraint failed: items.name");
  CHECK(ins->run().message() == "database error: UNIQUE constraint failed: items.name");
}

TEST_CASE("bind: a parameter out of range is an error naming it") {
  TempDatabase t;
  auto q = t.db->prepare("SELECT ?");
  REQUIRE(q.is_ok());
  CHECK(q->bind(1, int64_t{1}).is_ok());
  Status bad = q->bind(2, int64_t{1});
  CHECK(bad.code() == Code::kIo);
  CHECK(bad.message() == "database error: cannot bind parameter 2: bind or column index out of range");
  CHECK(q->bind(0, std::string_view("x")).message() == "database error: cannot bind parameter 0: bind or column index out of range");
  const std::vector<uint8_t> bytes = {1};
  CHECK(q->bind_blob(3, bytes).code() == Code::kIo);
  // bind_all stops at the first failure: one value too many.
  CHECK(q->bind_all(int64_t{1}, std::string("two")).message() ==
        "database error: cannot bind parameter 2: bind or column index out of range");
}

TEST_CASE("bind: a value over SQLite's length limit is refused as invalid input, never cut short") {
  TempDatabase t;
  sqlite3_limit(t.db->handle(), SQLITE_LIMIT_LENGTH, 100);
  auto q = t.db->prepare("INSERT INTO items(id, name, data) VALUES (?, ?, ?)");
  REQUIRE(q.is_ok());
  const std::vector<uint8_t> big(101, 0x41);
  Status blob = q->bind_blob(3, big);
  CHECK(blob.code() == Code::kInvalidInput);
  CHECK(blob.message() == "database error: cannot bind parameter 3: string or blob too big");
  Status text = q->bind(2, std::string(101, 'a'));
  CHECK(text.code() == Code::kInvalidInput);
  CHECK(q->bind_all(int64_t{1}, std::string(100, 'a'), big).code() == Code::kInvalidInput);
  // At the limit, each value binds.
  CHECK(q->bind_all(int64_t{1}, std::string(100, 'a'), std::vector<uint8_t>(100, 0x41)).is_ok());
}

TEST_CASE("bind: empty text and empty blobs stay empty values, not NULL") {
  TempDatabase t;
  auto q = t.db->prepare("INSERT INTO items(id, name, data) VALUES (?, ?, ?)");
  REQUIRE(q.is_ok());
  REQUIRE(q->bind_all(int64_t{1}, std::string_view(), std::vector<uint8_t>()).is_ok());
  CHECK(q->run().is_ok());   // NOT NULL holds
  auto c = t.db->prepare("SELECT length(name), length(data) FROM items");
  REQUIRE(c.is_ok());
  REQUIRE(step_ok(*c) == Step::kRow);
  CHECK(c->int64(0) == 0);
  CHECK(c->int64(1) == 0);
}
