// vault/backup: the copy is a vault that opens and verifies; refusals write nothing; restore.
#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "tests/test_support.h"
#include "vault/backup.h"
#include "vault/format.h"
#include "vault/vault.h"

using namespace fieldnotes;
using namespace fieldnotes::vault;
using crypto::SecretBuffer;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

Credential passphrase(std::string_view s) {
  Credential c;
  c.secret = SecretBuffer::copy_of({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  return c;
}

std::unique_ptr<Vault> make_vault(const fs::path& dir, std::string_view pass) {
  REQUIRE(crypto::init());
  auto created = Vault::create(dir, passphrase(pass).secret, crypto::KdfProfile::kTest);
  REQUIRE(created);
  auto v = Vault::open(dir, passphrase(pass));
  REQUIRE(v);
  return std::move(v).value();
}

std::vector<std::string> titles(Vault& v) {
  std::vector<std::string> out;
  REQUIRE(v.for_each_record(false, [&](const Record& r) {
    out.push_back(r.header.title);
    return true;
  }));
  return out;
}

}  // namespace

TEST_CASE("backup: the copy opens as a vault, verifies, and holds the same records") {
  TempDir tmp;
  auto v = make_vault(tmp.path / "vault", "pass phrase");
  NewRecord r;
  r.header.title = "one";
  r.body = "testimony";
  REQUIRE(v->add_record(r));
  auto report = v->backup(tmp.path / "b", passphrase("pass phrase"));
  REQUIRE(report);
  CHECK_FALSE(report->replaced.has_value());
  CHECK(report->verified.problems.empty());
  CHECK(report->verified.records_checked == 1);
  CHECK_FALSE(fs::exists(tmp.path / "b" / kBackupIncompleteFile));
  std::vector<std::string> ours = titles(*v);
  v.reset();
  auto copy = Vault::open(tmp.path / "b", passphrase("pass phrase"));
  REQUIRE(copy);
  CHECK(titles(**copy) == ours);
  copy->reset();  // its lock
  CHECK(Vault::open(tmp.path / "b", passphrase("wrong")).status().code() == Code::kWrongKey);
}

TEST_CASE("backup: a second backup says which one it replaced, another vault's backup is refused") {
  TempDir tmp;
  auto v = make_vault(tmp.path / "vault", "pass phrase");
  REQUIRE(v->backup(tmp.path / "b", passphrase("pass phrase")));
  auto again = v->backup(tmp.path / "b", passphrase("pass phrase"));
  REQUIRE(again);
  CHECK(again->replaced.has_value());
  auto other = make_vault(tmp.path / "other", "pass phrase");
  REQUIRE(other->backup(tmp.path / "ob", passphrase("pass phrase")));
  auto before = test::read_file(tmp.path / "ob" / kDatabaseFile);
  auto mixed = v->backup(tmp.path / "ob", passphrase("pass phrase"));
  REQUIRE_FALSE(mixed);
  CHECK(mixed.status().code() == Code::kRefused);
  CHECK(test::read_file(tmp.path / "ob" / kDatabaseFile) == before);
  CHECK_FALSE(fs::exists(tmp.path / "ob" / kBackupIncompleteFile));
}

TEST_CASE("restore: refuses a vault as target, a damaged backup leaves no target behind") {
  TempDir tmp;
  auto v = make_vault(tmp.path / "vault", "pass phrase");
  REQUIRE(v->backup(tmp.path / "b", passphrase("pass phrase")));
  v.reset();
  auto onto = restore(tmp.path / "b", tmp.path / "vault", passphrase("pass phrase"));
  REQUIRE_FALSE(onto);
  CHECK(onto.status().code() == Code::kRefused);
  REQUIRE(restore(tmp.path / "b", tmp.path / "new", passphrase("pass phrase")));
  CHECK(Vault::open(tmp.path / "new", passphrase("pass phrase")));

  auto db = test::read_file(tmp.path / "b" / kDatabaseFile);
  REQUIRE(db.size() > 4096 + 200);
  db[4096 + 200] ^= 0x01;
  test::write_file(tmp.path / "b" / kDatabaseFile, db);
  auto damaged = restore(tmp.path / "b", tmp.path / "new2", passphrase("pass phrase"));
  REQUIRE_FALSE(damaged);
  CHECK(damaged.status().code() == Code::kCorrupt);
  CHECK_FALSE(fs::exists(tmp.path / "new2"));
  CHECK_FALSE(fs::exists(tmp.path / ".new2.restoring"));
}
