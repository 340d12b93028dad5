// vault/sharing: contacts and received-bundle tags each under a subkey of their own (schema 2),
// and the upgrade of a schema-1 vault: in one transaction, once, and not where the vault cannot
// be written.
#include <catch2/catch.hpp>

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/test_support.h"
#include "tests/vault/schema_1_vault.h"
#include "vault/backup.h"
#include "vault/format.h"
#include "vault/vault.h"

using namespace fieldnotes;
using namespace fieldnotes::vault;
using crypto::SecretBuffer;
using test::bytes_of_text;
using test::contact_ad;
using test::kContactLabelV1;
using test::kContactLabelV2;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPass = "correct horse battery staple";

Credential passphrase() {
  return Credential{SlotKind::kPassphrase, SecretBuffer::copy_of(bytes_of_text(kPass))};
}

fs::path make_vault(const TempDir& t) {
  REQUIRE(crypto::init());
  fs::path dir = t.path / "v";
  REQUIRE(Vault::create(dir, SecretBuffer::copy_of(bytes_of_text(kPass)), crypto::KdfProfile::kTest).is_ok());
  return dir;
}

std::unique_ptr<Vault> open_ok(const fs::path& dir) {
  auto v = Vault::open(dir, passphrase());
  REQUIRE(v.is_ok());
  return std::move(v).value();
}

Contact olga() {
  Contact c;
  c.name = "Olga";
  c.age_recipient = "age1olga";
  c.minisign_key = "RWolga";
  c.last_sequence = 4;
  return c;
}

// A vault with the contact Olga and one record, closed.
fs::path vault_with_contact(const TempDir& t) {
  fs::path dir = make_vault(t);
  auto v = open_ok(dir);
  REQUIRE(v->add_contact(olga()).is_ok());
  NewRecord r;
  r.header.title = "Testimony";
  r.body = "synthetic testimony";
  REQUIRE(v->add_record(r).is_ok());
  return dir;
}

bool seen(Vault& v, std::string_view bundle_id) {
  auto s = v.bundle_seen(bundle_id);
  REQUIRE(s.is_ok());
  return *s;
}

// Marks `bundle_id` received (no records), as receive does.
void receive_empty(Vault& v, std::string_view bundle_id) {
  REQUIRE(v.import_bundle({}, {}, bundle_id, 0, 0).is_ok());
}

struct SeenRow {
  std::vector<uint8_t> tag;
  int64_t scheme = 0;
};

std::vector<SeenRow> seen_rows(Database& db) {
  auto q = db.prepare("SELECT tag, scheme FROM seen_bundles ORDER BY scheme, tag");
  REQUIRE(q.is_ok());
  std::vector<SeenRow> rows;
  for (;;) {
    auto step = q->step();
    REQUIRE(step.is_ok());
    if (*step == Step::kDone) return rows;
    auto tag = q->blob(0);
    rows.push_back({{tag.begin(), tag.end()}, q->int64(1)});
  }
}

void insert_seen(Database& db, std::span<const uint8_t> tag, SeenTagScheme scheme) {
  auto ins = db.prepare("INSERT INTO seen_bundles(tag, received, scheme) VALUES (?, 1700000000, ?)");
  REQUIRE(ins.is_ok());
  REQUIRE(ins->bind_all(tag, static_cast<int64_t>(scheme)).is_ok());
  REQUIRE(ins->run().is_ok());
}

bool opens(const SecretBuffer& key, const test::ContactRow& row, std::string_view label, const VaultId& vault_id) {
  return crypto::aead_xchacha_open(key, row.sealed, contact_ad(label, vault_id, row.uuid)).is_ok();
}

bool mac_is(std::span<const uint8_t> tag, const SecretBuffer& key, std::string_view bundle_id) {
  return crypto::ct_equal(tag, crypto::mac_blake2b(key, bytes_of_text(bundle_id)));
}

}  // namespace

TEST_CASE("sharing keys: the contacts and seen-bundles subkeys are ids 7 and 8, apart from the identity subkey") {
  CHECK(static_cast<uint64_t>(crypto::Subkey::kContacts) == 7);
  CHECK(static_cast<uint64_t>(crypto::Subkey::kSeenBundles) == 8);
  TempDir t;
  fs::path dir = make_vault(t);
  auto k = test::sharing_keys(dir, kPass);
  CHECK_FALSE(crypto::ct_equal(k.contacts.bytes(), k.identity.bytes()));
  CHECK_FALSE(crypto::ct_equal(k.seen_bundles.bytes(), k.identity.bytes()));
  CHECK_FALSE(crypto::ct_equal(k.seen_bundles.bytes(), k.contacts.bytes()));
}

TEST_CASE("sharing keys: a contact is sealed under the contacts subkey with the v2 label, and opens under nothing else") {
  TempDir t;
  fs::path dir = vault_with_contact(t);
  auto k = test::sharing_keys(dir, kPass);
  test::ContactRow row;
  {
    Database db = test::raw_database(dir, k);
    CHECK(test::schema_version(db) == std::to_string(kSchemaVersion));
    auto rows = test::contact_rows(db);
    REQUIRE(rows.size() == 1);
    row = rows[0];
  }
  CHECK(opens(k.contacts, row, kContactLabelV2, k.vault_id));
  CHECK_FALSE(opens(k.identity, row, kContactLabelV2, k.vault_id));
  CHECK_FALSE(opens(k.identity, row, kContactLabelV1, k.vault_id));
  CHECK_FALSE(opens(k.contacts, row, kContactLabelV1, k.vault_id));

  // And the other way: what the vault reads as a contact is exactly that seal.
  auto plain = crypto::aead_xchacha_open(k.contacts, row.sealed, contact_ad(kContactLabelV2, k.vault_id, row.uuid));
  REQUIRE(plain.is_ok());
  auto read_with = [&](const SecretBuffer& key, std::string_view label) {
    {
      Database db = test::raw_database(dir, k);
      test::set_contact_sealed(db, row.id, crypto::aead_xchacha_seal(key, plain->bytes(), contact_ad(label, k.vault_id, row.uuid)));
    }
    return open_ok(dir)->contacts();
  };
  SECTION("under the identity subkey, v2 label: does not authenticate") {
    auto r = read_with(k.identity, kContactLabelV2);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Code::kCorrupt);
  }
  SECTION("under the identity subkey, v1 label (a schema-1 row in a schema-2 vault): does not authenticate") {
    auto r = read_with(k.identity, kContactLabelV1);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Code::kCorrupt);
  }
  SECTION("under the contacts subkey, v1 label: does not authenticate") {
    auto r = read_with(k.contacts, kContactLabelV1);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Code::kCorrupt);
  }
  SECTION("under the contacts subkey, v2 label, sealed anew: read back") {
    auto r = read_with(k.contacts, kContactLabelV2);
    REQUIRE(r.is_ok());
    REQUIRE(r->size() == 1);
    CHECK((*r)[0].name == "Olga");
    CHECK((*r)[0].last_sequence == 4);
  }
}

TEST_CASE("sharing keys: a received bundle id is tagged under the seen-bundles subkey (scheme 2), and each row is checked under its scheme's key") {
  TempDir t;
  fs::path dir = make_vault(t);
  {
    auto v = open_ok(dir);
    CHECK_FALSE(seen(*v, "bundle-a"));
    receive_empty(*v, "bundle-a");
    CHECK(seen(*v, "bundle-a"));
    CHECK_FALSE(seen(*v, "bundle-b"));
  }
  auto k = test::sharing_keys(dir, kPass);
  {
    Database db = test::raw_database(dir, k);
    auto rows = seen_rows(db);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].scheme == 2);
    CHECK(mac_is(rows[0].tag, k.seen_bundles, "bundle-a"));
    CHECK_FALSE(mac_is(rows[0].tag, k.identity, "bundle-a"));
    // Rows whose tag was made under the other scheme's key, and one old row made right.
    insert_seen(db, crypto::mac_blake2b(k.identity, bytes_of_text("bundle-c")), SeenTagScheme::kSeenBundlesSubkey);
    insert_seen(db, crypto::mac_blake2b(k.seen_bundles, bytes_of_text("bundle-d")), SeenTagScheme::kIdentitySubkey);
    insert_seen(db, crypto::mac_blake2b(k.identity, bytes_of_text("bundle-e")), SeenTagScheme::kIdentitySubkey);
  }
  auto v = open_ok(dir);
  CHECK(seen(*v, "bundle-a"));
  CHECK_FALSE(seen(*v, "bundle-c"));  // scheme 2 means the seen-bundles subkey
  CHECK_FALSE(seen(*v, "bundle-d"));  // scheme 1 means the identity subkey
  CHECK(seen(*v, "bundle-e"));        // a bundle received before schema 2
}

TEST_CASE("schema 1 -> 2: contacts sealed again, old bundle ids still seen, new ones under scheme 2, and a second open changes nothing") {
  TempDir t;
  fs::path dir = vault_with_contact(t);
  test::rewrite_as_schema_1(dir, kPass, {"bundle-old"});
  auto k = test::sharing_keys(dir, kPass);
  {
    Database db = test::raw_database(dir, k);
    REQUIRE(test::schema_version(db) == "1");
    auto rows = test::contact_rows(db);
    REQUIRE(rows.size() == 1);
    REQUIRE(opens(k.identity, rows[0], kContactLabelV1, k.vault_id));
  }

  {
    auto v = open_ok(dir);
    auto contacts = v->contacts();
    REQUIRE(contacts.is_ok());
    REQUIRE(contacts->size() == 1);
    CHECK((*contacts)[0].name == "Olga");
    CHECK((*contacts)[0].age_recipient == "age1olga");
    CHECK((*contacts)[0].minisign_key == "RWolga");
    CHECK((*contacts)[0].last_sequence == 4);
    CHECK(seen(*v, "bundle-old"));
    CHECK_FALSE(seen(*v, "bundle-new"));
    receive_empty(*v, "bundle-new");
    CHECK(seen(*v, "bundle-new"));
    // contacts are written in the new form too
    Contact ivan = olga();
    ivan.name = "Ivan";
    REQUIRE(v->add_contact(ivan).is_ok());
  }
  {
    Database db = test::raw_database(dir, k);
    CHECK(test::schema_version(db) == "2");
    auto rows = test::contact_rows(db);
    REQUIRE(rows.size() == 2);
    for (const auto& row : rows) {
      CHECK(opens(k.contacts, row, kContactLabelV2, k.vault_id));
      CHECK_FALSE(opens(k.identity, row, kContactLabelV1, k.vault_id));
    }
    auto seen_tags = seen_rows(db);
    REQUIRE(seen_tags.size() == 2);
    CHECK(seen_tags[0].scheme == 1);
    CHECK(mac_is(seen_tags[0].tag, k.identity, "bundle-old"));
    CHECK(seen_tags[1].scheme == 2);
    CHECK(mac_is(seen_tags[1].tag, k.seen_bundles, "bundle-new"));
  }

  SECTION("a second open migrates nothing: every file stays byte for byte") {
    auto before = test::snapshot(dir);
    {
      auto v = open_ok(dir);
      CHECK(seen(*v, "bundle-old"));
      CHECK(seen(*v, "bundle-new"));
      auto contacts = v->contacts();
      REQUIRE(contacts.is_ok());
      CHECK(contacts->size() == 2);
    }
    CHECK(test::snapshot(dir) == before);
  }
}

TEST_CASE("schema 1 -> 2: an upgrade that fails after the contacts were sealed again leaves schema 1 whole, and the next open runs it") {
  TempDir t;
  fs::path dir = vault_with_contact(t);
  // A `scheme` column already there makes the upgrade's ALTER TABLE fail, after the re-seal.
  test::rewrite_as_schema_1(dir, kPass, {"bundle-old"}, test::SeenBundlesTable::kWithSchemeColumn);
  auto before = test::snapshot(dir);
  auto failed = Vault::open(dir, passphrase());
  REQUIRE_FALSE(failed.is_ok());
  CHECK(failed.status().code() == Code::kIo);
  CHECK(test::snapshot(dir) == before);
  auto k = test::sharing_keys(dir, kPass);
  {
    Database db = test::raw_database(dir, k);
    CHECK(test::schema_version(db) == "1");
    auto rows = test::contact_rows(db);
    REQUIRE(rows.size() == 1);
    CHECK(opens(k.identity, rows[0], kContactLabelV1, k.vault_id));
    CHECK_FALSE(opens(k.contacts, rows[0], kContactLabelV2, k.vault_id));
    // Put seen_bundles back as schema 1 had it (its one row kept).
    REQUIRE(db.exec("BEGIN; CREATE TABLE seen_schema_1 (tag BLOB PRIMARY KEY, received INTEGER NOT NULL);"
                    "INSERT INTO seen_schema_1 SELECT tag, received FROM seen_bundles; DROP TABLE seen_bundles;"
                    "ALTER TABLE seen_schema_1 RENAME TO seen_bundles; COMMIT")
                .is_ok());
  }
  auto v = open_ok(dir);
  auto contacts = v->contacts();
  REQUIRE(contacts.is_ok());
  REQUIRE(contacts->size() == 1);
  CHECK((*contacts)[0].name == "Olga");
  CHECK(seen(*v, "bundle-old"));
}

TEST_CASE("schema 1 -> 2: a contact that does not authenticate is left as it was, and the rest are upgraded") {
  TempDir t;
  fs::path dir = vault_with_contact(t);
  {
    auto v = open_ok(dir);
    Contact ivan = olga();
    ivan.name = "Ivan";
    REQUIRE(v->add_contact(ivan).is_ok());
  }
  test::rewrite_as_schema_1(dir, kPass, {});
  auto k = test::sharing_keys(dir, kPass);
  std::vector<uint8_t> damaged;
  {
    Database db = test::raw_database(dir, k);
    auto rows = test::contact_rows(db);
    REQUIRE(rows.size() == 2);
    damaged = rows[1].sealed;
    damaged.back() ^= 1;
    test::set_contact_sealed(db, rows[1].id, damaged);
  }
  {
    auto v = open_ok(dir);
    auto contacts = v->contacts();
    REQUIRE_FALSE(contacts.is_ok());
    CHECK(contacts.status().code() == Code::kCorrupt);
    CHECK(contacts.status().message().find("contact 2") != std::string::npos);
  }
  Database db = test::raw_database(dir, k);
  CHECK(test::schema_version(db) == "2");
  auto rows = test::contact_rows(db);
  REQUIRE(rows.size() == 2);
  CHECK(opens(k.contacts, rows[0], kContactLabelV2, k.vault_id));
  CHECK(rows[1].sealed == damaged);
}

namespace {

// What a reader of a schema-1 vault it cannot write sees; 0 when all is as expected, otherwise
// the number of the first check that failed. Runs in a child process (see the test below).
int read_only_schema_1_checks(const fs::path& dir) {
  auto opened = Vault::open(dir, passphrase());
  if (!opened.is_ok()) return 1;
  Vault& v = **opened;
  auto contacts = v.contacts();
  if (!contacts.is_ok() || contacts->size() != 1 || (*contacts)[0].name != "Olga") return 2;
  auto old_seen = v.bundle_seen("bundle-old");
  if (!old_seen.is_ok() || !*old_seen) return 3;
  auto new_seen = v.bundle_seen("bundle-new");
  if (!new_seen.is_ok() || *new_seen) return 4;
  Contact ivan = olga();
  ivan.name = "Ivan";
  // Refused by the vault for its schema, not only by the file system for its permissions.
  auto refused_for_schema_1 = [](const Status& s) {
    return s.code() == Code::kIo && s.message().find("older format (schema 1)") != std::string::npos;
  };
  auto added = v.add_contact(ivan);
  if (added.is_ok() || !refused_for_schema_1(added.status())) return 5;
  auto received = v.import_bundle({}, {}, "bundle-new", 0, 0);
  if (received.is_ok() || !refused_for_schema_1(received.status())) return 6;
  int records = 0;
  if (!v.for_each_record(true, [&](const Record& r) { records += r.body == "synthetic testimony"; return true; }).is_ok() ||
      records != 1)
    return 7;
  return 0;
}

void chown_tree(const fs::path& top, uid_t uid, gid_t gid) {
  REQUIRE(::chown(top.c_str(), uid, gid) == 0);
  for (const auto& e : fs::recursive_directory_iterator(top)) REQUIRE(::lchown(e.path().c_str(), uid, gid) == 0);
}

void chmod_tree(const fs::path& dir, mode_t dirs, mode_t files) {
  for (const auto& e : fs::recursive_directory_iterator(dir))
    REQUIRE(::chmod(e.path().c_str(), e.is_directory() ? dirs : files) == 0);
  REQUIRE(::chmod(dir.c_str(), dirs) == 0);
}

}  // namespace

TEST_CASE("schema 1 on read-only media: opens as it is, reads contacts and seen bundles, refuses to change them, "
          "and is upgraded when restored or opened where writable") {
  TempDir t;
  fs::path dir = vault_with_contact(t);
  test::rewrite_as_schema_1(dir, kPass, {"bundle-old"});
  // Root may write anywhere: the reader then runs as nobody, who owns the files but may not write them.
  const bool as_nobody = ::geteuid() == 0;
  constexpr uid_t kNobody = 65534;
  if (as_nobody) chown_tree(t.path, kNobody, kNobody);
  SECTION("the vault directory and its files read-only") { chmod_tree(dir, 0500, 0400); }
  SECTION("only vault.db read-only (the directory writable)") { REQUIRE(::chmod((dir / "vault.db").c_str(), 0400) == 0); }
  auto before = test::snapshot(dir);

  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (as_nobody && (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) ::_exit(100);
    int failed = read_only_schema_1_checks(dir);
    // The vault above is closed (its flock released): restore it where this process may write.
    if (failed == 0 && !restore(dir, t.path / "restored", passphrase()).is_ok()) failed = 8;
    ::_exit(failed);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  INFO("the first failed check in read_only_schema_1_checks (8: restore failed; 100: could not become nobody)");
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(test::snapshot(dir) == before);
  {
    auto restored = open_ok(t.path / "restored");
    auto contacts = restored->contacts();
    REQUIRE(contacts.is_ok());
    REQUIRE(contacts->size() == 1);
    CHECK((*contacts)[0].name == "Olga");
    CHECK(seen(*restored, "bundle-old"));
    restored.reset();
    auto rk = test::sharing_keys(t.path / "restored", kPass);
    Database db = test::raw_database(t.path / "restored", rk);
    CHECK(test::schema_version(db) == "2");
  }

  chmod_tree(dir, 0700, 0600);
  if (as_nobody) chown_tree(t.path, 0, 0);
  auto v = open_ok(dir);
  CHECK(seen(*v, "bundle-old"));
  receive_empty(*v, "bundle-new");
  auto k = test::sharing_keys(dir, kPass);
  v.reset();
  Database db = test::raw_database(dir, k);
  CHECK(test::schema_version(db) == "2");
}
