// vault/: key slots, records, shred, people, audit, tampering and crash states.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <sodium.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "crypto/aead.h"
#include "vault/envelope.h"
#include "vault/fs.h"
#include "vault/item_key.h"
#include "vault/keyslots.h"
#include "vault/sealed_row.h"
#include "vault/vault.h"

using namespace fieldnotes;
using namespace fieldnotes::vault;
using crypto::SecretBuffer;
namespace fs = std::filesystem;

namespace {

struct Init {
  Init() { if (!crypto::init()) std::abort(); }
} const init_once;

SecretBuffer secret(std::string_view s) {
  return SecretBuffer::copy_of({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "fn-vault-test-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() { fs::remove_all(path); }
};

std::vector<uint8_t> slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}
void spit(const fs::path& p, const std::vector<uint8_t>& b) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

std::map<std::string, std::vector<uint8_t>> snapshot(const fs::path& dir) {
  std::map<std::string, std::vector<uint8_t>> m;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) m[fs::relative(e.path(), dir).string()] = slurp(e.path());
  return m;
}

bool contains(const std::vector<uint8_t>& hay, std::span<const uint8_t> needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

const SecretBuffer& pass() {
  static SecretBuffer p = secret("correct horse battery staple");
  return p;
}

std::unique_ptr<Vault> open_ok(const fs::path& dir) {
  auto v = Vault::open(dir, Credential{SlotKind::kPassphrase, SecretBuffer::copy_of(pass().bytes())});
  REQUIRE(v.is_ok());
  return std::move(v).value();
}

Status open_status(const fs::path& dir, std::string_view pw = "correct horse battery staple") {
  auto v = Vault::open(dir, Credential{SlotKind::kPassphrase, secret(pw)});
  return v.status();
}

SecretBuffer master_of(const fs::path& dir) {
  auto f = KeyslotFile::parse(slurp(dir / "keyslots"));
  REQUIRE(f.is_ok());
  auto m = f->unlock(SlotKind::kPassphrase, pass().bytes());
  REQUIRE(m.is_ok());
  return std::move(m).value();
}

// Raw access to the database under the vault's own key (tests only).
Database raw_db(const fs::path& dir) {
  SecretBuffer m = master_of(dir);
  auto key = crypto::kdf_derive_subkey(m, crypto::Subkey::kDatabase);
  auto db = Database::open(dir / "vault.db", key, false);
  REQUIRE(db.is_ok());
  return std::move(db).value();
}

// Decrypts every page of a SQLCipher 3 file (AES-256-CBC, raw key, 4096-byte pages, reserve
// = 16-byte IV + 20-byte HMAC-SHA1 rounded to 48) so a test can search the plaintext pages,
// free pages and slack included.
std::vector<uint8_t> decrypted_pages(const fs::path& dir) {
  SecretBuffer m = master_of(dir);
  auto key = crypto::kdf_derive_subkey(m, crypto::Subkey::kDatabase);
  auto file = slurp(dir / "vault.db");
  constexpr size_t kPage = 4096, kReserve = 48;
  REQUIRE(file.size() % kPage == 0);
  std::vector<uint8_t> out;
  for (size_t off = 0; off < file.size(); off += kPage) {
    size_t skip = off == 0 ? 16 : 0;  // page 1 starts with the plaintext salt
    const uint8_t* iv = file.data() + off + kPage - kReserve;
    std::vector<uint8_t> plain(kPage);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr, key.data(), iv);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    EVP_DecryptUpdate(ctx, plain.data(), &n1, file.data() + off + skip, static_cast<int>(kPage - kReserve - skip));
    EVP_DecryptFinal_ex(ctx, plain.data() + n1, &n2);
    EVP_CIPHER_CTX_free(ctx);
    out.insert(out.end(), plain.begin(), plain.begin() + n1 + n2);
  }
  return out;
}

fs::path make_vault(const TempDir& t) {
  fs::path dir = t.path / "v";
  auto rk = Vault::create(dir, pass(), crypto::KdfProfile::kTest);
  REQUIRE(rk.is_ok());
  return dir;
}

int64_t add(Vault& v, const std::string& title, const std::string& body) {
  NewRecord r;
  r.header.title = title;
  r.body = body;
  auto id = v.add_record(r);
  REQUIRE(id.is_ok());
  return *id;
}

}  // namespace

TEST_CASE("create, add, reopen, read back") {
  TempDir t;
  fs::path dir = make_vault(t);
  CHECK((fs::status(dir).permissions() & fs::perms::all) == fs::perms::owner_all);
  int64_t id;
  {
    auto v = open_ok(dir);
    CHECK(v->is_test_profile());
    NewRecord r;
    r.header.title = "Показания";
    r.header.case_name = "дело 17";
    r.header.tags = {"a", "b"};
    r.header.people = {"Юрий"};
    r.body = "Текст показаний\n";
    auto rid = v->add_record(r);
    REQUIRE(rid.is_ok());
    id = *rid;
  }
  auto v = open_ok(dir);
  auto r = v->get_record(id);
  REQUIRE(r.is_ok());
  CHECK(r->header.title == "Показания");
  CHECK(r->header.case_name == "дело 17");
  CHECK(r->header.tags == std::vector<std::string>{"a", "b"});
  CHECK(r->header.people == std::vector<std::string>{"Юрий"});
  CHECK(r->body == "Текст показаний\n");
  CHECK(v->get_record(id + 1).status().code() == Code::kNotFound);
}

TEST_CASE("create refuses a non-empty directory or an existing vault") {
  TempDir t;
  fs::path dir = make_vault(t);
  CHECK(Vault::create(dir, pass(), crypto::KdfProfile::kTest).status().code() == Code::kRefused);
  fs::create_directories(t.path / "other");
  spit(t.path / "other" / "notes.txt", {'x'});
  CHECK(Vault::create(t.path / "other", pass(), crypto::KdfProfile::kTest).status().code() == Code::kRefused);
}

TEST_CASE("wrong passphrase: kWrongKey and every file byte-identical") {
  TempDir t;
  fs::path dir = make_vault(t);
  { auto v = open_ok(dir); add(*v, "t", "body"); }
  auto before = snapshot(dir);
  CHECK(open_status(dir, "wrong horse").code() == Code::kWrongKey);
  CHECK(open_status(dir, "").code() == Code::kWrongKey);
  CHECK(snapshot(dir) == before);
}

TEST_CASE("recovery key opens, mistyped recovery key is caught by its checksum") {
  TempDir t;
  fs::path dir = t.path / "v";
  auto rk = Vault::create(dir, pass(), crypto::KdfProfile::kTest);
  REQUIRE(rk.is_ok());
  std::string text(rk->view());
  CHECK(text.size() == 64);  // 52 characters in 13 groups of 4
  auto v = Vault::open(dir, Credential{SlotKind::kRecovery, secret(text)});
  REQUIRE(v.is_ok());
  v->reset();
  // lower case and without dashes still works
  std::string loose;
  for (char c : text) if (c != '-') loose.push_back(static_cast<char>(std::tolower(c)));
  CHECK(Vault::open(dir, Credential{SlotKind::kRecovery, secret(loose)}).is_ok());
  std::string typo = text;
  typo[5] = typo[5] == 'A' ? 'B' : 'A';
  auto bad = Vault::open(dir, Credential{SlotKind::kRecovery, secret(typo)});
  CHECK(bad.status().code() == Code::kWrongKey);
  CHECK(bad.status().message().find("mistyped") != std::string::npos);
  CHECK(Vault::open(dir, Credential{SlotKind::kRecovery, secret(text.substr(0, 20))}).status().code() == Code::kWrongKey);
}

TEST_CASE("passwd and recovery reset: the old secret stops working, records untouched") {
  TempDir t;
  fs::path dir = t.path / "v";
  auto rk = Vault::create(dir, pass(), crypto::KdfProfile::kTest);
  REQUIRE(rk.is_ok());
  std::string old_recovery(rk->view());
  std::vector<uint8_t> rows_before;
  {
    auto v = open_ok(dir);
    add(*v, "one", "first body");
    auto db = raw_db(dir);
    auto q = db.prepare("SELECT wrapped_key, header, body FROM records");
    REQUIRE(q.is_ok());
    for (auto step = q->step(); step.is_ok() && *step == Step::kRow; step = q->step())
      for (int c = 0; c < 3; ++c) rows_before.insert(rows_before.end(), q->blob(c).begin(), q->blob(c).end());
  }
  {
    auto v = open_ok(dir);
    REQUIRE(v->change_passphrase(secret("a new passphrase here")).is_ok());
  }
  CHECK(open_status(dir).code() == Code::kWrongKey);
  CHECK(open_status(dir, "a new passphrase here").is_ok());
  std::string new_recovery;
  {
    auto v = Vault::open(dir, Credential{SlotKind::kRecovery, secret(old_recovery)});
    REQUIRE(v.is_ok());
    auto nr = (*v)->begin_recovery_reset();
    REQUIRE(nr.is_ok());
    new_recovery = std::string(nr->view());
    // Until the reset finishes, both keys open the vault.
    REQUIRE((*v)->finish_recovery_reset().is_ok());
  }
  CHECK(Vault::open(dir, Credential{SlotKind::kRecovery, secret(old_recovery)}).status().code() == Code::kWrongKey);
  auto v = Vault::open(dir, Credential{SlotKind::kRecovery, secret(new_recovery)});
  REQUIRE(v.is_ok());
  auto r = (*v)->get_record(1);
  REQUIRE(r.is_ok());
  CHECK(r->body == "first body");
  v->reset();
  // the sealed rows are byte-identical: passwd rewrapped the master key only
  std::vector<uint8_t> rows_after;
  {
    SecretBuffer m;
    auto f = KeyslotFile::parse(slurp(dir / "keyslots"));
    auto mm = f->unlock(SlotKind::kPassphrase, secret("a new passphrase here").bytes());
    REQUIRE(mm.is_ok());
    auto db = Database::open(dir / "vault.db", crypto::kdf_derive_subkey(*mm, crypto::Subkey::kDatabase), false);
    REQUIRE(db.is_ok());
    auto q = db->prepare("SELECT wrapped_key, header, body FROM records");
    for (auto step = q->step(); step.is_ok() && *step == Step::kRow; step = q->step())
      for (int c = 0; c < 3; ++c) rows_after.insert(rows_after.end(), q->blob(c).begin(), q->blob(c).end());
  }
  CHECK(rows_after == rows_before);
}

TEST_CASE("shred: old wrapped key cannot be unwrapped and appears in no live file") {
  TempDir t;
  fs::path dir = make_vault(t);
  std::string canary = "CANARY-" + std::to_string(std::random_device{}());
  int64_t keep1, gone, keep2;
  {
    auto v = open_ok(dir);
    keep1 = add(*v, "keep", "surviving testimony one");
    gone = add(*v, "gone", "testimony to shred " + canary + std::string(6000, 'x'));  // overflow pages too
    keep2 = add(*v, "keep2", "surviving testimony two");
  }
  std::vector<uint8_t> wrapped, header, body;
  std::string uuid;
  {
    auto db = raw_db(dir);
    auto q = db.prepare("SELECT wrapped_key, header, body, uuid FROM records WHERE id = ?");
    REQUIRE(q->bind(1, gone).is_ok());
    auto step = q->step();
    REQUIRE((step.is_ok() && *step == Step::kRow));
    wrapped.assign(q->blob(0).begin(), q->blob(0).end());
    header.assign(q->blob(1).begin(), q->blob(1).end());
    body.assign(q->blob(2).begin(), q->blob(2).end());
    uuid = q->text(3);
  }
  // Sanity of the page decryption used below: before the shred, the sealed body is found.
  auto pages_before = decrypted_pages(dir);
  REQUIRE(contains(pages_before, std::span(body).subspan(0, 64)));
  REQUIRE(contains(pages_before, wrapped));
  const auto old_slots = KeyslotFile::parse(slurp(dir / "keyslots")).value();

  {
    auto v = open_ok(dir);
    REQUIRE(v->shred_record(gone).is_ok());
    CHECK(v->get_record(gone).status().code() == Code::kNotFound);
    CHECK(v->get_record(keep1).is_ok());
    CHECK(v->get_record(keep2).is_ok());
    CHECK(v->shred_record(gone).code() == Code::kNotFound);
  }
  // With the passphrase and the current files, no epoch KEK unwraps the old record key.
  SecretBuffer master = master_of(dir);
  auto now = KeyslotFile::parse(slurp(dir / "keyslots"));
  REQUIRE(now.is_ok());
  REQUIRE(now->epochs.size() == 1);
  CHECK(now->epochs[0].number == old_slots.epochs[0].number + 1);
  auto kek = now->open_epoch(master, now->epochs[0].number);
  REQUIRE(kek.is_ok());
  for (uint32_t e : {old_slots.epochs[0].number, now->epochs[0].number}) {
    std::vector<uint8_t> ad;
    std::string label = "fieldnotes item key v1";
    ad.insert(ad.end(), label.begin(), label.end());
    ad.push_back(0);
    std::string tbl = "records";
    ad.insert(ad.end(), tbl.begin(), tbl.end());
    ad.push_back(0);
    ad.insert(ad.end(), uuid.begin(), uuid.end());
    for (int i = 0; i < 4; ++i) ad.push_back(static_cast<uint8_t>(e >> (8 * i)));
    CHECK_FALSE(crypto::aead_xchacha_open(*kek, std::span(wrapped).subspan(1), ad).is_ok());
  }
  // The old epoch's sealed KEK is in no live file.
  for (const auto& [name, bytes] : snapshot(dir)) {
    INFO(name);
    CHECK_FALSE(contains(bytes, old_slots.epochs[0].sealed_kek));
    CHECK_FALSE(contains(bytes, wrapped));
    CHECK_FALSE(contains(bytes, std::span(body).subspan(0, 64)));
  }
  auto pages = decrypted_pages(dir);
  CHECK_FALSE(contains(pages, wrapped));
  CHECK_FALSE(contains(pages, std::span(header).subspan(1, 40)));
  CHECK_FALSE(contains(pages, std::span(body).subspan(1, 64)));
  CHECK_FALSE(contains(pages, std::span(body).subspan(body.size() - 64)));
  // ...while the surviving records' rows are still there (the check can see things).
  auto v = open_ok(dir);
  CHECK(v->verify().problems.empty());
  CHECK_FALSE(fs::exists(dir / "keyslots.old"));
}

TEST_CASE("a shred interrupted before or after its commit leaves every record readable") {
  TempDir t;
  fs::path dir = make_vault(t);
  {
    auto v = open_ok(dir);
    add(*v, "a", "alpha");
    add(*v, "b", "beta");
    add(*v, "c", "gamma");
  }
  const auto db_before = slurp(dir / "vault.db");
  const auto slots_before = slurp(dir / "keyslots");
  { auto v = open_ok(dir); REQUIRE(v->shred_record(2).is_ok()); }
  const auto db_after = slurp(dir / "vault.db");
  const auto slots_after = slurp(dir / "keyslots");
  SecretBuffer master = master_of(dir);
  // The key-slot file as it is between step 1 and step 3: both epochs.
  auto both = KeyslotFile::parse(slots_before).value();
  auto later = KeyslotFile::parse(slots_after).value();
  both.epochs.push_back(later.epochs[0]);
  both.sequence = later.sequence + 1;
  const auto slots_both = both.serialize(master);
  spit(dir / "keyslots.2", slots_both);   // both copies as step 1 left them

  SECTION("crash after the new epoch was written, before the commit") {
    spit(dir / "vault.db", db_before);
    spit(dir / "keyslots", slots_both);
    auto v = open_ok(dir);
    for (int64_t id : {1, 2, 3}) CHECK(v->get_record(id).is_ok());
    v.reset();
    CHECK(KeyslotFile::parse(slurp(dir / "keyslots"))->epochs.size() == 1);
    CHECK(slurp(dir / "keyslots") == slurp(dir / "keyslots.2"));
    CHECK(open_ok(dir)->verify().problems.empty());
  }
  SECTION("crash after the commit, before the old epoch was dropped") {
    spit(dir / "vault.db", db_after);
    spit(dir / "keyslots", slots_both);
    auto v = open_ok(dir);
    CHECK(v->get_record(1).is_ok());
    CHECK(v->get_record(2).status().code() == Code::kNotFound);
    CHECK(v->get_record(3).is_ok());
    v.reset();
    auto f = KeyslotFile::parse(slurp(dir / "keyslots"));
    REQUIRE(f->epochs.size() == 1);
    CHECK(f->epochs[0].number == later.epochs[0].number);
  }
}

namespace fieldnotes::vault {

// The test-only seam of vault.h: a shred that rewraps the tables this test lists.
struct ShredTestSeam {
  static Status shred_record(Vault& v, std::span<const ItemTable> tables, int64_t id) {
    return v.rotate_epoch_and_delete(tables, ItemTable::kRecords, id, "shred");
  }
};

}  // namespace fieldnotes::vault

namespace {

// The extra table of the test: sealed rows like people's, wrapped under the epoch KEK.
struct ExtraRow {
  std::string uuid;
  SecretBuffer key;
  std::string plaintext;
};

void add_extra_table(const fs::path& dir, const std::vector<ExtraRow>& rows) {
  SecretBuffer master = master_of(dir);
  auto slots = KeyslotFile::parse(slurp(dir / "keyslots"));
  REQUIRE(slots.is_ok());
  const uint32_t epoch = slots->current_epoch();
  auto kek = slots->open_epoch(master, epoch);
  REQUIRE(kek.is_ok());
  auto db = raw_db(dir);
  REQUIRE(db.exec("CREATE TABLE test (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, "
                  "epoch INTEGER NOT NULL, wrapped_key BLOB NOT NULL, data BLOB NOT NULL)").is_ok());
  for (const ExtraRow& row : rows) {
    auto wrapped = item_key_wrap(*kek, ItemTable::kTestOnly, row.uuid, epoch, row.key);
    REQUIRE(wrapped.is_ok());
    auto data = envelope_seal(row.key, "test", "data", row.uuid,
                              {reinterpret_cast<const uint8_t*>(row.plaintext.data()), row.plaintext.size()});
    auto ins = db.prepare("INSERT INTO test(uuid, epoch, wrapped_key, data) VALUES (?, ?, ?, ?)");
    REQUIRE(ins.is_ok());
    REQUIRE(ins->bind_all(row.uuid, int64_t{epoch}, *wrapped, data).is_ok());
    REQUIRE(ins->run().is_ok());
  }
}

std::vector<SealedRow> sealed_rows(const fs::path& dir, ItemTable table,
                                   std::initializer_list<std::string_view> fields = {}) {
  auto db = raw_db(dir);
  auto q = db.prepare(sealed_rows_query(table, fields, SealedRows::kAll).c_str());
  REQUIRE(q.is_ok());
  std::vector<SealedRow> rows;
  for (;;) {
    auto step = q->step();
    REQUIRE(step.is_ok());
    if (*step == Step::kDone) return rows;
    read_sealed_row(*q, rows.emplace_back());
  }
}

}  // namespace

TEST_CASE("shred rewraps every table it is given: a table added by the test still opens, the old KEK opens nothing") {
  TempDir t;
  fs::path dir = make_vault(t);
  int64_t keep, gone, later;
  {
    auto v = open_ok(dir);
    keep = add(*v, "keep", "surviving testimony");
    gone = add(*v, "gone", "testimony to shred");
    later = add(*v, "later", "shredded by the second shred");
    REQUIRE(v->add_person(R"({"name":"Client One"})").is_ok());
  }
  std::vector<ExtraRow> extra;
  for (int i = 0; i < 3; ++i)
    extra.push_back({std::string(31, 'a') + std::to_string(i), SecretBuffer::random(32), "extra row " + std::to_string(i)});
  add_extra_table(dir, extra);
  const SecretBuffer master = master_of(dir);
  const auto before = KeyslotFile::parse(slurp(dir / "keyslots")).value();
  const uint32_t old_epoch = before.current_epoch();
  const SecretBuffer old_kek = before.open_epoch(master, old_epoch).value();
  const std::array<ItemTable, 3> with_extra = {ItemTable::kRecords, ItemTable::kPeople, ItemTable::kTestOnly};
  {
    auto v = open_ok(dir);
    REQUIRE(ShredTestSeam::shred_record(*v, with_extra, gone).is_ok());
    CHECK(v->get_record(gone).status().code() == Code::kNotFound);
    CHECK(v->get_record(keep).is_ok());
    CHECK(v->verify().problems.empty());
  }
  const auto after = KeyslotFile::parse(slurp(dir / "keyslots")).value();
  REQUIRE(after.epochs.size() == 1);
  const uint32_t new_epoch = after.current_epoch();
  REQUIRE(new_epoch == old_epoch + 1);
  const SecretBuffer new_kek = after.open_epoch(master, new_epoch).value();

  // The rows of the added table open under the new epoch, with their own keys and data.
  auto rows = sealed_rows(dir, ItemTable::kTestOnly, {"data"});
  REQUIRE(rows.size() == extra.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("test row " << rows[i].id);
    CHECK(rows[i].uuid == extra[i].uuid);
    CHECK(rows[i].epoch == new_epoch);
    SecretBuffer key;
    REQUIRE(item_key_unwrap_into(new_kek, ItemTable::kTestOnly, rows[i].id, rows[i].uuid, new_epoch, rows[i].wrapped, key).is_ok());
    CHECK(crypto::ct_equal(key.bytes(), extra[i].key.bytes()));
    auto data = envelope_open(key, "test", "data", rows[i].uuid, rows[i].fields.at(0));
    REQUIRE(data.is_ok());
    CHECK(data->view() == extra[i].plaintext);
  }
  // The old KEK opens no key of any table, under either epoch number.
  for (ItemTable table : with_extra) {
    auto all = sealed_rows(dir, table);
    CHECK_FALSE(all.empty());
    for (const SealedRow& row : all) {
      INFO(table_name(table) << " " << row.id);
      SecretBuffer key;
      for (uint32_t epoch : {old_epoch, new_epoch})
        CHECK_FALSE(item_key_unwrap_into(old_kek, table, row.id, row.uuid, epoch, row.wrapped, key).is_ok());
    }
  }

  // The control: the same table left out of a shred (the public one rewraps kItemTables only)
  // stays under the epoch that shred removes, and no key the vault keeps opens it any more.
  {
    auto v = open_ok(dir);
    REQUIRE(v->shred_record(later).is_ok());
  }
  const auto last = KeyslotFile::parse(slurp(dir / "keyslots")).value();
  REQUIRE(last.epochs.size() == 1);
  const SecretBuffer last_kek = last.open_epoch(master, last.current_epoch()).value();
  for (const SealedRow& row : sealed_rows(dir, ItemTable::kTestOnly)) {
    CHECK(row.epoch == new_epoch);
    SecretBuffer key;
    CHECK_FALSE(item_key_unwrap_into(last_kek, ItemTable::kTestOnly, row.id, row.uuid, last.current_epoch(), row.wrapped, key).is_ok());
    CHECK_FALSE(item_key_unwrap_into(last_kek, ItemTable::kTestOnly, row.id, row.uuid, new_epoch, row.wrapped, key).is_ok());
  }
  CHECK(open_ok(dir)->get_record(keep).is_ok());
}

TEST_CASE("verify reports records that do not authenticate") {
  TempDir t;
  fs::path dir = make_vault(t);
  { auto v = open_ok(dir); add(*v, "a", "alpha"); add(*v, "b", "beta"); }
  {
    // Swap the bodies of two records: each is valid ciphertext, but bound to its own uuid.
    auto db = raw_db(dir);
    REQUIRE(db.exec("UPDATE records SET body = (SELECT body FROM records WHERE id = 2) WHERE id = 1").is_ok());
  }
  auto v = open_ok(dir);
  auto rep = v->verify();
  REQUIRE(rep.problems.size() == 1);
  CHECK(rep.problems[0] == "record 1: body does not authenticate");
  CHECK(rep.records_checked == 2);
  CHECK(v->get_record(1).status().code() == Code::kCorrupt);
  CHECK(v->get_record(2).is_ok());
}

TEST_CASE("a record whose envelope has an unknown version is unsupported, not corrupt") {
  TempDir t;
  fs::path dir = make_vault(t);
  { auto v = open_ok(dir); add(*v, "a", "alpha"); add(*v, "b", "beta"); }
  {
    auto db = raw_db(dir);
    REQUIRE(db.exec("UPDATE records SET body = X'02' || substr(body, 2) WHERE id = 1").is_ok());
  }
  auto v = open_ok(dir);
  auto r = v->get_record(1);
  CHECK(r.status().code() == Code::kUnsupported);
  CHECK(r.status().message() == "record 1: body envelope version 2 is not supported");
  CHECK(v->get_record(2).is_ok());
}

TEST_CASE("a change and its audit entry commit together: an audit that fails undoes the change") {
  TempDir t;
  fs::path dir = make_vault(t);
  {
    auto v = open_ok(dir);
    add(*v, "a", "alpha");
    add(*v, "b", "beta");
    REQUIRE(v->add_person(R"({"name":"P"})").is_ok());
  }
  {
    auto db = raw_db(dir);
    REQUIRE(db.exec("CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'refused'); END").is_ok());
  }
  auto v = open_ok(dir);
  RecordHeader h;
  h.title = "changed";
  CHECK_FALSE(v->update_record(1, h, "changed body").is_ok());
  CHECK(v->get_record(1)->body == "alpha");
  CHECK_FALSE(v->update_person(1, R"({"name":"Q"})").is_ok());
  CHECK((*v->people())[0].json == R"({"name":"P"})");
  CHECK_FALSE(v->shred_record(2).is_ok());
  CHECK(v->get_record(2).is_ok());
  CHECK_FALSE(v->remove_person(1).is_ok());
  CHECK(v->people()->size() == 1);
  Contact c;
  c.name = "Olga";
  c.age_recipient = "age1x";
  CHECK_FALSE(v->add_contact(c).is_ok());
  CHECK(v->contacts()->empty());
  CHECK(v->verify().problems.empty());
  // Failed shreds leave one epoch, in memory and on disk: shredding can be tried again.
  CHECK_FALSE(v->shred_record(2).is_ok());
  v.reset();
  CHECK(KeyslotFile::parse(slurp(dir / "keyslots"))->epochs.size() == 1);
  CHECK(slurp(dir / "keyslots") == slurp(dir / "keyslots.2"));
  CHECK(open_ok(dir)->get_record(2).is_ok());
}

TEST_CASE("audit log is sealed and hash-chained") {
  TempDir t;
  fs::path dir = make_vault(t);
  {
    auto v = open_ok(dir);
    add(*v, "a", "alpha");
    auto log = v->audit_log();
    REQUIRE(log.is_ok());
    REQUIRE(log->size() == 2);
    CHECK((*log)[0].operation == "init");
    CHECK((*log)[1].operation == "add");
    CHECK((*log)[1].record_id == 1);
  }
  SECTION("a deleted entry breaks the chain") {
    { auto db = raw_db(dir); REQUIRE(db.exec("DELETE FROM audit WHERE seq = 1").is_ok()); }
    auto v = open_ok(dir);
    CHECK(v->audit_log().status().code() == Code::kCorrupt);
    CHECK(v->verify().problems.size() == 1);
  }
  SECTION("a replaced entry breaks the chain") {
    { auto db = raw_db(dir); REQUIRE(db.exec("UPDATE audit SET sealed = (SELECT sealed FROM audit WHERE seq = 1) WHERE seq = 2").is_ok()); }
    CHECK(open_ok(dir)->audit_log().status().code() == Code::kCorrupt);
  }
}

TEST_CASE("people register: add, update, remove (crypto-shredded)") {
  TempDir t;
  fs::path dir = make_vault(t);
  auto v = open_ok(dir);
  auto ids = v->add_people({R"({"name":"A"})", R"({"name":"B"})"});
  REQUIRE(ids.is_ok());
  REQUIRE(v->update_person((*ids)[1], R"({"name":"B2"})").is_ok());
  REQUIRE(v->remove_person((*ids)[0]).is_ok());
  auto people = v->people();
  REQUIRE(people.is_ok());
  REQUIRE(people->size() == 1);
  CHECK((*people)[0].json == R"({"name":"B2"})");
  CHECK(v->remove_person(99).code() == Code::kNotFound);
}

TEST_CASE("panic destroys every slot, nothing opens the vault afterwards") {
  TempDir t;
  fs::path dir = t.path / "v";
  auto rk = Vault::create(dir, pass(), crypto::KdfProfile::kTest);
  REQUIRE(rk.is_ok());
  std::string recovery(rk->view());
  REQUIRE(Vault::destroy_key_slots(dir).is_ok());
  CHECK(probe(dir) == VaultState::kDestroyed);
  CHECK(open_status(dir).code() == Code::kDestroyed);
  CHECK(Vault::open(dir, Credential{SlotKind::kRecovery, secret(recovery)}).status().code() == Code::kDestroyed);
  CHECK_FALSE(fs::exists(dir / "keyslots"));
  CHECK_FALSE(fs::exists(dir / "keyslots.2"));
  CHECK(fs::exists(dir / "destroyed"));
}

TEST_CASE("scrub_and_unlink removes empty, small and missing files (no null buffer to the RNG)") {
  // Under UBSan an empty file once passed a null pointer to randombytes_buf (panic aborted).
  TempDir t;
  spit(t.path / "empty", {});
  spit(t.path / "small", {1, 2, 3});
  REQUIRE(scrub_and_unlink(t.path / "empty").is_ok());
  REQUIRE(scrub_and_unlink(t.path / "small").is_ok());
  REQUIRE(scrub_and_unlink(t.path / "missing").is_ok());
  CHECK_FALSE(fs::exists(t.path / "empty"));
  CHECK_FALSE(fs::exists(t.path / "small"));
  std::array<uint8_t, 0> none{};
  crypto::random_bytes(std::span<uint8_t>(none.data(), 0));
}

TEST_CASE("atomic write replaces whole files") {
  TempDir t;
  std::vector<uint8_t> a{1, 2, 3}, b{4, 5};
  REQUIRE(write_file_atomic(t.path / "f", a).is_ok());
  REQUIRE(write_file_atomic(t.path / "f", b).is_ok());
  CHECK(slurp(t.path / "f") == b);
  CHECK_FALSE(fs::exists(t.path / ".f.tmp"));
  CHECK(read_file_limited(t.path / "f", 1).status().code() == Code::kCorrupt);
  CHECK(read_file_limited(t.path / "nope", 10).status().code() == Code::kNotFound);
  CHECK(write_file_atomic(t.path / "missing-dir" / "f", a).code() == Code::kIo);
}

TEST_CASE("the process is linked against SQLCipher") {
  std::string what;
  CHECK(linked_against_sqlcipher(&what));
  CHECK(what.find("cipher 3.4") != std::string::npos);
}

TEST_CASE("attachments: round trip, and a failed attach leaves no blob and no row") {
  TempDir t;
  fs::path dir = make_vault(t);
  auto v = open_ok(dir);
  int64_t rid = add(*v, "r", "body");
  fs::path src = t.path / "in.bin";
  std::vector<uint8_t> data(200000);
  crypto::random_bytes(data);
  spit(src, data);

  int fd = ::open(src.c_str(), O_RDONLY);
  auto a = v->attach(rid, fd, "in.bin", "other");
  ::close(fd);
  REQUIRE(a.is_ok());
  CHECK(a->size == data.size());
  fs::path out = t.path / "out.bin";
  int ofd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(v->extract(a->id, ofd, true).is_ok());
  ::close(ofd);
  CHECK(slurp(out) == data);
  CHECK(v->attach(rid + 100, ::open(src.c_str(), O_RDONLY), "x", "other").status().code() == Code::kNotFound);

  SECTION("a read error mid-stream (a directory as input)") {
    int dfd = ::open(t.path.c_str(), O_RDONLY | O_DIRECTORY);
    auto bad = v->attach(rid, dfd, "dir", "other");
    ::close(dfd);
    CHECK_FALSE(bad.is_ok());
  }
  SECTION("a full disk mid-stream (RLIMIT_FSIZE as the fault)") {
    struct rlimit old {};
    getrlimit(RLIMIT_FSIZE, &old);
    auto prev = signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = 100000;
    setrlimit(RLIMIT_FSIZE, &small);
    int sfd = ::open(src.c_str(), O_RDONLY);
    auto bad = v->attach(rid, sfd, "big", "other");
    ::close(sfd);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    CHECK(bad.status().code() == Code::kIo);
  }
  // Either way: exactly the one good blob and one row remain, and verify is clean.
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir / "blobs")) { (void)e; ++files; }
  CHECK(files == 1);
  CHECK(v->attachments(rid)->size() == 1);
  CHECK(v->verify().problems.empty());

  // Shred removes the blob with the record.
  REQUIRE(v->shred_record(rid).is_ok());
  CHECK(fs::is_empty(dir / "blobs"));
}

TEST_CASE("the database refuses virtual tables (FTS3 and friends)") {
  TempDir t;
  fs::path dir = make_vault(t);
  { auto v = open_ok(dir); }
  auto db = raw_db(dir);
  CHECK_FALSE(db.exec("CREATE VIRTUAL TABLE t USING fts3(x)").is_ok());
  CHECK_FALSE(db.exec("CREATE VIRTUAL TABLE t USING fts4(x)").is_ok());
  CHECK_FALSE(db.exec("SELECT fts3_tokenizer('simple')").is_ok());
  CHECK(db.exec("CREATE TABLE ordinary (x)").is_ok());
}
