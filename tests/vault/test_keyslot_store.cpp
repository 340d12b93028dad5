// vault/keyslot_store: the two key-slot copies, interrupted writes finished on open, version-1
// migration, damaged copies, panic while a vault is open, leftovers and orphans.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sodium.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "crypto/aead.h"
#include "crypto/kdf.h"
#include "vault/format.h"
#include "vault/keyslots.h"
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
    std::string t = (fs::temp_directory_path() / "fn-kss-test-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::vector<uint8_t> slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}
void spit(const fs::path& p, const std::vector<uint8_t>& b) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  REQUIRE(f.good());
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

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

const char* const kPass = "correct horse battery staple";
const char* const kNewPass = "a new passphrase here";

const SecretBuffer& pass() {
  static SecretBuffer p = secret(kPass);
  return p;
}

Result<std::unique_ptr<Vault>> open_with(const fs::path& dir, SlotKind kind, std::string_view text) {
  return Vault::open(dir, Credential{kind, secret(text)});
}

std::unique_ptr<Vault> open_ok(const fs::path& dir, std::string_view pw = kPass) {
  auto v = open_with(dir, SlotKind::kPassphrase, pw);
  INFO(v.status().message());
  REQUIRE(v.is_ok());
  return std::move(v).value();
}

Status open_status(const fs::path& dir, std::string_view pw = kPass) {
  return open_with(dir, SlotKind::kPassphrase, pw).status();
}

Status open_recovery_status(const fs::path& dir, std::string_view key) {
  return open_with(dir, SlotKind::kRecovery, key).status();
}

SecretBuffer master_of(const fs::path& dir, std::string_view pw = kPass) {
  auto f = KeyslotFile::parse(slurp(dir / "keyslots"));
  REQUIRE(f.is_ok());
  auto m = f->unlock(SlotKind::kPassphrase, secret(pw).bytes());
  REQUIRE(m.is_ok());
  return std::move(m).value();
}

KeyslotFile parsed(const fs::path& p) {
  auto f = KeyslotFile::parse(slurp(p));
  INFO(p.string() << ": " << f.status().message());
  REQUIRE(f.is_ok());
  return std::move(f).value();
}

// Creates a vault in t/v; returns the recovery key's text.
std::string make_vault(const TempDir& t, fs::path* dir_out) {
  fs::path dir = t.path / "v";
  auto rk = Vault::create(dir, pass(), crypto::KdfProfile::kTest);
  REQUIRE(rk.is_ok());
  *dir_out = dir;
  return std::string(rk->view());
}

int64_t add(Vault& v, const std::string& title, const std::string& body) {
  NewRecord r;
  r.header.title = title;
  r.body = body;
  auto id = v.add_record(r);
  REQUIRE(id.is_ok());
  return *id;
}

std::string body_of(Vault& v, int64_t id) {
  auto r = v.get_record(id);
  INFO("record " << id << ": " << r.status().message());
  REQUIRE(r.is_ok());
  return std::string(r->body.view());
}

std::size_t count_kind(const KeyslotFile& f, SlotKind kind) {
  return static_cast<std::size_t>(
      std::count_if(f.slots.begin(), f.slots.end(), [&](const Slot& s) { return s.kind == kind; }));
}

// Names in `dir` that are key-slot copies, temp copies or version 1's link.
std::vector<std::string> keyslot_names(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (starts_with(n, "keyslots") || starts_with(n, ".keyslots")) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void put_u16(std::vector<uint8_t>& o, uint16_t v) {
  o.push_back(static_cast<uint8_t>(v));
  o.push_back(static_cast<uint8_t>(v >> 8));
}
void put_u32(std::vector<uint8_t>& o, uint32_t v) {
  for (int i = 0; i < 4; ++i) o.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<uint8_t>& o, uint64_t v) {
  for (int i = 0; i < 8; ++i) o.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// A version-1 file (docs/FORMAT.md, "Version 1"), built by hand from a parsed copy: 30-byte
// header, the same slots and epochs, then a keyed BLAKE2b-256 MAC; no sequence, no checksum.
std::vector<uint8_t> to_version_1(const KeyslotFile& f, const SecretBuffer& master) {
  std::vector<uint8_t> o(kKeyslotsMagic, kKeyslotsMagic + sizeof kKeyslotsMagic);
  o.push_back(1);
  o.push_back(0);
  put_u16(o, f.flags);
  o.insert(o.end(), f.vault_id.begin(), f.vault_id.end());
  o.push_back(static_cast<uint8_t>(f.slots.size()));
  o.push_back(static_cast<uint8_t>(f.epochs.size()));
  for (const Slot& s : f.slots) {
    o.push_back(static_cast<uint8_t>(s.kind));
    o.push_back(kKdfArgon2id13);
    put_u32(o, s.params.ops);
    put_u64(o, s.params.mem_bytes);
    o.insert(o.end(), s.salt.begin(), s.salt.end());
    o.insert(o.end(), s.sealed_master.begin(), s.sealed_master.end());
  }
  for (const Epoch& e : f.epochs) {
    put_u32(o, e.number);
    o.insert(o.end(), e.sealed_kek.begin(), e.sealed_kek.end());
  }
  SecretBuffer mac_key = crypto::kdf_derive_subkey(master, crypto::Subkey::kKeyslotsMac);
  auto mac = crypto::mac_blake2b(mac_key, o);
  o.insert(o.end(), mac.begin(), mac.end());
  REQUIRE(o.size() == kKeyslotsLegacyHeaderBytes + f.slots.size() * kSlotBytes +
                          f.epochs.size() * kEpochBytes + kKeyslotsMacBytes);
  return o;
}

// Recomputes the unkeyed checksum of a version-2 copy after an edit.
void fix_checksum(std::vector<uint8_t>& b) {
  REQUIRE(b.size() > kKeyslotsChecksumBytes);
  const std::size_t n = b.size() - kKeyslotsChecksumBytes;
  crypto_generichash(b.data() + n, kKeyslotsChecksumBytes, b.data(), n, nullptr, 0);
}

std::vector<uint8_t> read_fd(int fd) {
  std::vector<uint8_t> out;
  REQUIRE(::lseek(fd, 0, SEEK_SET) == 0);
  uint8_t buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    REQUIRE(n >= 0);
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

int memfd_with(const std::vector<uint8_t>& data) {
  int fd = ::memfd_create("fn-test", MFD_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
  REQUIRE(::lseek(fd, 0, SEEK_SET) == 0);
  return fd;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// 1. Recovery reset

TEST_CASE("recovery reset interrupted after begin: both keys open, a later reset keeps only the newest",
          "[keyslot_store]") {
  TempDir t;
  fs::path dir;
  const std::string old_key = make_vault(t, &dir);
  int64_t rid;
  std::string first_new;
  {
    auto v = open_ok(dir);
    rid = add(*v, "r", "recovery body");
    auto nr = v->begin_recovery_reset();
    INFO(nr.status().message());
    REQUIRE(nr.is_ok());
    first_new = std::string(nr->view());
    // The vault object goes away without finish (the key could not be confirmed, a crash...).
  }
  REQUIRE(first_new != old_key);
  // The new slot was written durably, to both copies, beside the old one.
  CHECK(slurp(dir / "keyslots") == slurp(dir / "keyslots.2"));
  CHECK(count_kind(parsed(dir / "keyslots"), SlotKind::kRecovery) == 2);
  CHECK(count_kind(parsed(dir / "keyslots"), SlotKind::kPassphrase) == 1);
  CHECK(open_recovery_status(dir, old_key).is_ok());
  CHECK(open_recovery_status(dir, first_new).is_ok());
  CHECK(open_status(dir).is_ok());

  // A new vault object has no reset in progress: finish must not remove anyone's key.
  {
    auto v = open_ok(dir);
    CHECK_FALSE(v->finish_recovery_reset().is_ok());
  }
  CHECK(open_recovery_status(dir, old_key).is_ok());
  CHECK(open_recovery_status(dir, first_new).is_ok());

  SECTION("a later begin + finish: only the newest key opens") {
    std::string newest;
    {
      auto v = open_with(dir, SlotKind::kRecovery, first_new);
      REQUIRE(v.is_ok());
      auto nr = (*v)->begin_recovery_reset();
      REQUIRE(nr.is_ok());
      newest = std::string(nr->view());
      CHECK(count_kind(parsed(dir / "keyslots"), SlotKind::kRecovery) == 3);
      REQUIRE((*v)->finish_recovery_reset().is_ok());
    }
    CHECK(open_recovery_status(dir, old_key).code() == Code::kWrongKey);
    CHECK(open_recovery_status(dir, first_new).code() == Code::kWrongKey);
    auto v = open_with(dir, SlotKind::kRecovery, newest);
    REQUIRE(v.is_ok());
    CHECK(body_of(**v, rid) == "recovery body");
    v->reset();
    CHECK(open_status(dir).is_ok());
    CHECK(slurp(dir / "keyslots") == slurp(dir / "keyslots.2"));
    CHECK(count_kind(parsed(dir / "keyslots"), SlotKind::kRecovery) == 1);
    CHECK(count_kind(parsed(dir / "keyslots.2"), SlotKind::kRecovery) == 1);
  }
  SECTION("a later begin + abandon: the abandoned key does not open, the others still do") {
    std::string abandoned;
    {
      auto v = open_ok(dir);
      auto nr = v->begin_recovery_reset();
      REQUIRE(nr.is_ok());
      abandoned = std::string(nr->view());
      REQUIRE(v->abandon_recovery_reset().is_ok());
    }
    CHECK(open_recovery_status(dir, abandoned).code() == Code::kWrongKey);
    CHECK(open_recovery_status(dir, old_key).is_ok());
    CHECK(open_recovery_status(dir, first_new).is_ok());
    CHECK(count_kind(parsed(dir / "keyslots"), SlotKind::kRecovery) == 2);
    CHECK(slurp(dir / "keyslots") == slurp(dir / "keyslots.2"));
  }
}

TEST_CASE("recovery reset abandoned: only the old key opens", "[keyslot_store]") {
  TempDir t;
  fs::path dir;
  const std::string old_key = make_vault(t, &dir);
  std::string abandoned;
  {
    auto v = open_ok(dir);
    auto nr = v->begin_recovery_reset();
    REQUIRE(nr.is_ok());
    abandoned = std::string(nr->view());
    // Between begin and abandon, the new key works (it was written durably).
    CHECK(count_kind(parsed(dir / "keyslots"), SlotKind::kRecovery) == 2);
    CHECK(count_kind(parsed(dir / "keyslots.2"), SlotKind::kRecovery) == 2);
    REQUIRE(v->abandon_recovery_reset().is_ok());
    // A second abandon or a finish after abandon changes nothing.
    CHECK(v->abandon_recovery_reset().is_ok());
    CHECK_FALSE(v->finish_recovery_reset().is_ok());
  }
  CHECK(open_recovery_status(dir, old_key).is_ok());
  CHECK(open_recovery_status(dir, abandoned).code() == Code::kWrongKey);
  CHECK(count_kind(parsed(dir / "keyslots"), SlotKind::kRecovery) == 1);
  CHECK(slurp(dir / "keyslots") == slurp(dir / "keyslots.2"));
}

// ---------------------------------------------------------------------------------------------
// 2. Version-1 migration

TEST_CASE("the hand-built version-1 file matches the version_1_good vector", "[keyslot_store]") {
  // Sanity of to_version_1, used below: from the version-2 vector it rebuilds the version-1
  // vector byte for byte (both written by the independent Python implementation).
  auto load = [](const char* name) {
    std::ifstream f(fs::path(FIELDNOTES_VECTORS) / "keyslots" / name);
    std::map<std::string, std::string> headers;
    std::string line, hex;
    bool body = false;
    while (std::getline(f, line)) {
      if (!body && line.empty()) { body = true; continue; }
      if (body) { hex += line; continue; }
      auto colon = line.find(": ");
      REQUIRE(colon != std::string::npos);
      headers[line.substr(0, colon)] = line.substr(colon + 2);
    }
    std::vector<uint8_t> bytes(hex.size() / 2 + 1);
    size_t n = 0;
    REQUIRE(sodium_hex2bin(bytes.data(), bytes.size(), hex.data(), hex.size(), "\n ", &n, nullptr) == 0);
    bytes.resize(n);
    return std::make_pair(headers, bytes);
  };
  auto [h1, v1] = load("version_1_good");
  auto [h2, v2] = load("good");
  std::vector<uint8_t> mk(32);
  size_t n = 0;
  const std::string& mh = h2.at("master-key");
  REQUIRE(sodium_hex2bin(mk.data(), mk.size(), mh.data(), mh.size(), nullptr, &n, nullptr) == 0);
  REQUIRE(n == 32);
  auto f = KeyslotFile::parse(v2);
  REQUIRE(f.is_ok());
  CHECK(to_version_1(*f, SecretBuffer::copy_of(mk)) == v1);
}

TEST_CASE("a version-1 vault migrates to two identical version-2 copies on open", "[keyslot_store]") {
  const bool recovery_first = GENERATE(false, true);
  TempDir t;
  fs::path dir;
  const std::string recovery = make_vault(t, &dir);
  int64_t id1, id2;
  {
    auto v = open_ok(dir);
    id1 = add(*v, "one", "first body");
    id2 = add(*v, "two", "second body");
  }
  const KeyslotFile v2 = parsed(dir / "keyslots");
  const SecretBuffer master = master_of(dir);
  const std::vector<uint8_t> v1 = to_version_1(v2, master);
  {
    auto f = KeyslotFile::parse(v1);
    REQUIRE(f.is_ok());
    REQUIRE(f->major == 1);
    REQUIRE(f->mac_verifies(master));
  }
  REQUIRE(fs::remove(dir / "keyslots.2"));
  spit(dir / "keyslots", v1);

  std::string old_variant;
  const fs::path witness = t.path / "witness";   // a second name for an inode, outside the vault
  std::vector<uint8_t> old_bytes;
  SECTION("keyslots alone") { old_variant = "none"; }
  SECTION("keyslots.old is a hard link to keyslots") {
    old_variant = "link";
    REQUIRE(::link((dir / "keyslots").c_str(), (dir / "keyslots.old").c_str()) == 0);
    REQUIRE(::link((dir / "keyslots").c_str(), witness.c_str()) == 0);
  }
  SECTION("keyslots.old is a separate file with other bytes") {
    old_variant = "separate";
    old_bytes = v1;
    old_bytes[kKeyslotsLegacyHeaderBytes + 40] ^= 0x55;   // inside the first slot
    spit(dir / "keyslots.old", old_bytes);
    REQUIRE(::link((dir / "keyslots.old").c_str(), witness.c_str()) == 0);
  }

  INFO("keyslots.old: " << old_variant << "; first open with the " << (recovery_first ? "recovery key" : "passphrase"));
  {
    auto v = recovery_first ? open_with(dir, SlotKind::kRecovery, recovery) : open_with(dir, SlotKind::kPassphrase, kPass);
    INFO(v.status().message());
    REQUIRE(v.is_ok());
    const auto& rep = (*v)->repaired();
    CHECK(std::any_of(rep.begin(), rep.end(), [](const std::string& s) { return s.find("version 1") != std::string::npos; }));
    if (old_variant != "none")
      CHECK(std::count_if(rep.begin(), rep.end(), [](const std::string& s) { return starts_with(s, "keyslots.old"); }) == 1);
    CHECK(body_of(**v, id1) == "first body");
  }
  REQUIRE(fs::exists(dir / "keyslots"));
  REQUIRE(fs::exists(dir / "keyslots.2"));
  CHECK_FALSE(fs::exists(dir / "keyslots.old"));
  const auto k1 = slurp(dir / "keyslots");
  CHECK(k1 == slurp(dir / "keyslots.2"));
  const KeyslotFile m = parsed(dir / "keyslots");
  CHECK(m.major == 2);
  CHECK(m.sequence >= 1);
  CHECK(m.vault_id == v2.vault_id);
  CHECK(m.mac_verifies(master));
  // The slots and epochs carried over unchanged.
  REQUIRE(m.slots.size() == v2.slots.size());
  for (std::size_t i = 0; i < m.slots.size(); ++i) CHECK(m.slots[i].sealed_master == v2.slots[i].sealed_master);
  REQUIRE(m.epochs.size() == 1);
  CHECK(m.epochs[0].sealed_kek == v2.epochs[0].sealed_kek);
  // No file of the vault is the version-1 file any more.
  for (const auto& [name, bytes] : snapshot(dir)) {
    INFO(name);
    CHECK(bytes != v1);
  }
  if (old_variant == "link") {
    // keyslots.old was the live copy: unlinked, never overwritten.
    CHECK(slurp(witness) == v1);
  }
  if (old_variant == "separate") {
    // A separate keyslots.old may hold a retired secret: overwritten before it was unlinked.
    const auto w = slurp(witness);
    CHECK(w.size() == old_bytes.size());
    CHECK(w != old_bytes);
  }

  // Both secrets open the migrated vault, the records are there, and nothing more is repaired.
  {
    auto v = open_with(dir, SlotKind::kRecovery, recovery);
    INFO(v.status().message());
    REQUIRE(v.is_ok());
    CHECK(body_of(**v, id2) == "second body");
    CHECK((*v)->repaired().empty());
    CHECK((*v)->key_slot_problems().empty());
  }
  {
    auto v = open_ok(dir);
    CHECK(body_of(*v, id1) == "first body");
    CHECK(body_of(*v, id2) == "second body");
    auto rep = v->verify();
    CHECK(rep.problems.empty());
  }
  CHECK(slurp(dir / "keyslots") == k1);   // later opens wrote nothing
}

// ---------------------------------------------------------------------------------------------
// 3. Interrupted shred, two copies

TEST_CASE("a shred whose last write reached one copy: the old epoch key is gone after one open",
          "[keyslot_store]") {
  TempDir t;
  fs::path dir;
  make_vault(t, &dir);
  {
    auto v = open_ok(dir);
    add(*v, "a", "alpha");
    add(*v, "b", "beta");
    add(*v, "c", "gamma");
  }
  const KeyslotFile before = parsed(dir / "keyslots");
  { auto v = open_ok(dir); REQUIRE(v->shred_record(2).is_ok()); }
  const auto slots_after = slurp(dir / "keyslots");
  const KeyslotFile after = parsed(dir / "keyslots");
  REQUIRE(after.epochs.size() == 1);
  REQUIRE(after.epochs[0].number == before.epochs[0].number + 1);
  const SecretBuffer master = master_of(dir);
  // The copy as the shred's first write left it: both epochs, one sequence number lower.
  KeyslotFile both = before;
  both.epochs.push_back(after.epochs[0]);
  REQUIRE(after.sequence >= 2);
  both.sequence = after.sequence - 1;
  const auto slots_both = both.serialize(master);
  const auto& old_kek = before.epochs[0].sealed_kek;

  std::string stale;
  SECTION("keyslots rewritten, keyslots.2 still with both epochs") {
    stale = "keyslots.2";
    spit(dir / "keyslots", slots_after);
    spit(dir / "keyslots.2", slots_both);
  }
  SECTION("keyslots.2 rewritten, keyslots still with both epochs") {
    stale = "keyslots";
    spit(dir / "keyslots", slots_both);
    spit(dir / "keyslots.2", slots_after);
  }
  SECTION("keyslots rewritten, keyslots.2 with both epochs, and a temp copy with both epochs") {
    stale = "keyslots.2";
    spit(dir / "keyslots", slots_after);
    spit(dir / "keyslots.2", slots_both);
    spit(dir / ".keyslots.2.tmp", slots_both);
  }
  INFO("stale copy: " << stale);
  // The search can see it before the open.
  {
    bool seen = false;
    for (const auto& [name, bytes] : snapshot(dir)) seen = seen || contains(bytes, old_kek);
    REQUIRE(seen);
  }
  {
    auto v = open_ok(dir);
    const auto& rep = v->repaired();
    CHECK(std::any_of(rep.begin(), rep.end(), [&](const std::string& s) { return starts_with(s, stale + ":"); }));
    CHECK(body_of(*v, 1) == "alpha");
    CHECK(v->get_record(2).status().code() == Code::kNotFound);
    CHECK(body_of(*v, 3) == "gamma");
  }
  for (const auto& [name, bytes] : snapshot(dir)) {
    INFO(name);
    CHECK_FALSE(contains(bytes, old_kek));
  }
  CHECK(slurp(dir / "keyslots") == slurp(dir / "keyslots.2"));
  CHECK_FALSE(fs::exists(dir / ".keyslots.tmp"));
  CHECK_FALSE(fs::exists(dir / ".keyslots.2.tmp"));
  const KeyslotFile now = parsed(dir / "keyslots");
  REQUIRE(now.epochs.size() == 1);
  CHECK(now.epochs[0].number == after.epochs[0].number);
  CHECK(now.sequence > after.sequence);
  auto v = open_ok(dir);
  CHECK(v->repaired().empty());
  CHECK(v->verify().problems.empty());
  CHECK(body_of(*v, 1) == "alpha");
  CHECK(body_of(*v, 3) == "gamma");
}

TEST_CASE("a shred whose first write reached one copy: open undoes it and both copies agree",
          "[keyslot_store]") {
  TempDir t;
  fs::path dir;
  make_vault(t, &dir);
  {
    auto v = open_ok(dir);
    add(*v, "a", "alpha");
    add(*v, "b", "beta");
    add(*v, "c", "gamma");
  }
  const auto db_before = slurp(dir / "vault.db");
  const auto slots_before = slurp(dir / "keyslots");
  const KeyslotFile before = parsed(dir / "keyslots");
  { auto v = open_ok(dir); REQUIRE(v->shred_record(2).is_ok()); }
  const KeyslotFile after = parsed(dir / "keyslots");
  const SecretBuffer master = master_of(dir);
  // Step 1 (the new epoch beside the old) reached one copy; the transaction never ran.
  KeyslotFile both = before;
  both.epochs.push_back(after.epochs[0]);
  both.sequence = before.sequence + 1;
  const auto slots_both = both.serialize(master);
  spit(dir / "vault.db", db_before);
  std::string ahead;
  SECTION("keyslots.2 written, keyslots not yet") {
    ahead = "keyslots.2";
    spit(dir / "keyslots", slots_before);
    spit(dir / "keyslots.2", slots_both);
  }
  SECTION("keyslots written, keyslots.2 not yet") {
    ahead = "keyslots";
    spit(dir / "keyslots", slots_both);
    spit(dir / "keyslots.2", slots_before);
  }
  INFO("copy with both epochs: " << ahead);
  {
    auto v = open_ok(dir);
    CHECK(body_of(*v, 1) == "alpha");
    CHECK(body_of(*v, 2) == "beta");   // the shred never committed: the record is still there
    CHECK(body_of(*v, 3) == "gamma");
  }
  CHECK(slurp(dir / "keyslots") == slurp(dir / "keyslots.2"));
  for (const char* name : {"keyslots", "keyslots.2"}) {
    INFO(name);
    const KeyslotFile f = parsed(dir / name);
    REQUIRE(f.epochs.size() == 1);
    CHECK(f.epochs[0].number == before.epochs[0].number);
    CHECK(f.epochs[0].sealed_kek == before.epochs[0].sealed_kek);
    CHECK(f.sequence > both.sequence);
  }
  auto v = open_ok(dir);
  CHECK(v->repaired().empty());
  CHECK(v->verify().problems.empty());
  // The shred can run again.
  REQUIRE(v->shred_record(2).is_ok());
  CHECK(v->get_record(2).status().code() == Code::kNotFound);
  CHECK(body_of(*v, 3) == "gamma");
}

// ---------------------------------------------------------------------------------------------
// 4. An authentic older copy is rolled forward

TEST_CASE("an authentic older copy (before a passwd) is rewritten on open", "[keyslot_store]") {
  TempDir t;
  fs::path dir;
  make_vault(t, &dir);
  int64_t rid;
  {
    auto v = open_ok(dir);
    rid = add(*v, "r", "rolled body");
  }
  const auto before = slurp(dir / "keyslots");   // the old passphrase
  const KeyslotFile before_f = parsed(dir / "keyslots");
  { auto v = open_ok(dir); REQUIRE(v->change_passphrase(secret(kNewPass)).is_ok()); }
  const auto after = slurp(dir / "keyslots");    // the new passphrase
  const KeyslotFile after_f = parsed(dir / "keyslots");
  REQUIRE(after == slurp(dir / "keyslots.2"));
  REQUIRE(after_f.sequence > before_f.sequence);
  // The retired passphrase slot, to look for afterwards.
  std::array<uint8_t, kSealedKeyBytes> retired{};
  for (const Slot& s : before_f.slots)
    if (s.kind == SlotKind::kPassphrase) retired = s.sealed_master;

  std::string older = "keyslots.2", newer = "keyslots";
  SECTION("keyslots.2 older; opened with the old passphrase") {}
  SECTION("keyslots older; opened with the old passphrase") { std::swap(older, newer); }
  spit(dir / older, before);
  spit(dir / newer, after);
  INFO("older copy: " << older);

  {
    auto v = open_ok(dir, kPass);   // the old copy opens once...
    const auto& rep = v->repaired();
    CHECK(std::count_if(rep.begin(), rep.end(), [&](const std::string& s) { return starts_with(s, older + ":"); }) == 1);
    CHECK(body_of(*v, rid) == "rolled body");
    CHECK(v->key_slot_problems().empty());
  }
  // ...and is rewritten with the current data before the open returns.
  const auto k1 = slurp(dir / "keyslots");
  CHECK(k1 == slurp(dir / "keyslots.2"));
  const KeyslotFile now = parsed(dir / "keyslots");
  CHECK(now.sequence > after_f.sequence);
  REQUIRE(now.slots.size() == after_f.slots.size());
  for (std::size_t i = 0; i < now.slots.size(); ++i) CHECK(now.slots[i].sealed_master == after_f.slots[i].sealed_master);
  for (const auto& [name, bytes] : snapshot(dir)) {
    INFO(name);
    CHECK_FALSE(contains(bytes, retired));
  }
  CHECK(open_status(dir, kPass).code() == Code::kWrongKey);
  CHECK(open_status(dir, kNewPass).is_ok());
  CHECK(slurp(dir / "keyslots") == k1);
}

TEST_CASE("an authentic older copy is rewritten when the vault opens with the new passphrase",
          "[keyslot_store]") {
  TempDir t;
  fs::path dir;
  make_vault(t, &dir);
  const auto before = slurp(dir / "keyslots");
  { auto v = open_ok(dir); REQUIRE(v->change_passphrase(secret(kNewPass)).is_ok()); }
  const auto after = slurp(dir / "keyslots");
  spit(dir / "keyslots.2", before);
  REQUIRE(slurp(dir / "keyslots.2") != after);
  {
    auto v = open_ok(dir, kNewPass);
    const auto& rep = v->repaired();
    CHECK(std::count_if(rep.begin(), rep.end(), [](const std::string& s) { return starts_with(s, "keyslots.2:"); }) == 1);
  }
  const auto k2 = slurp(dir / "keyslots.2");
  CHECK(k2 != before);
  CHECK(k2 == slurp(dir / "keyslots"));
  CHECK(open_status(dir, kPass).code() == Code::kWrongKey);
  CHECK(open_status(dir, kNewPass).is_ok());
}

// ---------------------------------------------------------------------------------------------
// 5. A damaged copy is reported, not rewritten on open

TEST_CASE("a damaged copy is reported by open and verify, and rewritten only by repair", "[keyslot_store]") {
  TempDir t;
  fs::path dir;
  make_vault(t, &dir);
  int64_t rid;
  {
    auto v = open_ok(dir);
    rid = add(*v, "r", "damage body");
  }
  const auto good = slurp(dir / "keyslots");
  REQUIRE(good == slurp(dir / "keyslots.2"));

  std::string damaged = "keyslots.2", intact = "keyslots";
  std::vector<uint8_t> bad = good;
  bool missing = false;
  SECTION("keyslots.2 missing") { missing = true; }
  SECTION("a flipped byte in keyslots.2 (checksum fails)") { bad[120] ^= 0x01; }
  SECTION("a flipped byte in keyslots (checksum fails)") {
    std::swap(damaged, intact);
    bad[200] ^= 0x80;
  }
  SECTION("a flipped byte in keyslots.2's epoch key, checksum recomputed (MAC fails)") {
    bad[bad.size() - kKeyslotsChecksumBytes - kKeyslotsMacBytes - 10] ^= 0x01;
    fix_checksum(bad);
    REQUIRE(KeyslotFile::parse(bad).is_ok());
  }
  SECTION("keyslots.2 with a higher sequence, checksum recomputed (MAC fails)") {
    bad[kKeyslotsHeaderBytes - 2 - 8] ^= 0x40;   // the sequence number's lowest byte
    fix_checksum(bad);
    auto f = KeyslotFile::parse(bad);
    REQUIRE(f.is_ok());
    REQUIRE(f->sequence > KeyslotFile::parse(good)->sequence);
  }
  if (missing) REQUIRE(fs::remove(dir / damaged));
  else spit(dir / damaged, bad);
  // What the damaged copy should look like on disk until the repair.
  auto unchanged = [&] { return missing ? !fs::exists(dir / damaged) : slurp(dir / damaged) == bad; };
  INFO("damaged copy: " << damaged << (missing ? " (missing)" : ""));
  {
    auto v = open_ok(dir);
    auto probs = v->key_slot_problems();
    REQUIRE(probs.size() == 1);
    CHECK(starts_with(probs[0], damaged + ":"));
    const auto& rep = v->repaired();
    CHECK(std::none_of(rep.begin(), rep.end(), [](const std::string& s) { return starts_with(s, "keyslots"); }));
    auto vr = v->verify();
    CHECK(std::count_if(vr.problems.begin(), vr.problems.end(),
                        [&](const std::string& s) { return starts_with(s, damaged + ":"); }) == 1);
    CHECK(body_of(*v, rid) == "damage body");
    CHECK(unchanged());
  }
  CHECK(unchanged());
  CHECK(slurp(dir / intact) == good);
  {
    auto v = open_ok(dir);
    CHECK(v->key_slot_problems().size() == 1);
    REQUIRE(v->repair_key_slots().is_ok());
    CHECK(v->key_slot_problems().empty());
    const auto& rep = v->repaired();
    CHECK(std::count_if(rep.begin(), rep.end(), [&](const std::string& s) { return starts_with(s, damaged + ":"); }) == 1);
    CHECK(v->verify().problems.empty());
  }
  const auto k1 = slurp(dir / "keyslots");
  CHECK(k1 == slurp(dir / "keyslots.2"));
  CHECK(k1 != bad);
  CHECK(parsed(dir / "keyslots").mac_verifies(master_of(dir)));
  auto v = open_ok(dir);
  CHECK(v->key_slot_problems().empty());
  CHECK(v->verify().problems.empty());
  CHECK(v->repaired().empty());
}

// ---------------------------------------------------------------------------------------------
// 6. Panic while a vault is open in this process

TEST_CASE("panic while a vault is open: its writes fail with kDestroyed and no copy comes back",
          "[keyslot_store]") {
  TempDir t;
  fs::path dir;
  const std::string recovery = make_vault(t, &dir);
  const auto saved1 = slurp(dir / "keyslots");
  const auto saved2 = slurp(dir / "keyslots.2");
  auto v = open_ok(dir);
  int64_t rid = add(*v, "r", "body");
  // What an interrupted write leaves, and second names outside the vault for two of the files:
  // panic must overwrite them, not only unlink them.
  spit(dir / ".keyslots.tmp", saved1);
  spit(dir / ".keyslots.2.tmp", saved1);
  REQUIRE(::link((dir / "keyslots").c_str(), (t.path / "witness-copy").c_str()) == 0);
  REQUIRE(::link((dir / ".keyslots.2.tmp").c_str(), (t.path / "witness-tmp").c_str()) == 0);

  REQUIRE(Vault::destroy_key_slots(dir).is_ok());
  CHECK(fs::exists(dir / "destroyed"));
  CHECK(keyslot_names(dir).empty());
  for (const char* w : {"witness-copy", "witness-tmp"}) {
    INFO(w);
    const auto b = slurp(t.path / w);
    CHECK(b.size() == saved1.size());
    CHECK(b != saved1);
  }

  CHECK(v->change_passphrase(secret(kNewPass)).code() == Code::kDestroyed);
  CHECK(keyslot_names(dir).empty());
  CHECK(v->begin_recovery_reset().status().code() == Code::kDestroyed);
  CHECK(keyslot_names(dir).empty());
  CHECK(v->shred_record(rid).code() == Code::kDestroyed);
  CHECK(keyslot_names(dir).empty());
  v.reset();
  CHECK(keyslot_names(dir).empty());
  CHECK(probe(dir) == VaultState::kDestroyed);
  CHECK(open_status(dir).code() == Code::kDestroyed);

  // A saved copy put back by hand: the marker still wins.
  spit(dir / "keyslots", saved1);
  CHECK(probe(dir) == VaultState::kDestroyed);
  CHECK(open_status(dir).code() == Code::kDestroyed);
  CHECK(open_recovery_status(dir, recovery).code() == Code::kDestroyed);
  spit(dir / "keyslots.2", saved2);
  CHECK(probe(dir) == VaultState::kDestroyed);
  CHECK(open_status(dir).code() == Code::kDestroyed);
  CHECK(open_status(dir, kNewPass).code() == Code::kDestroyed);
  // The refused opens wrote nothing.
  CHECK(slurp(dir / "keyslots") == saved1);
  CHECK(slurp(dir / "keyslots.2") == saved2);
  CHECK(keyslot_names(dir) == std::vector<std::string>{"keyslots", "keyslots.2"});
}

// ---------------------------------------------------------------------------------------------
// 7. Orphans and temp files

TEST_CASE("open removes temp copies and orphaned blobs, one note each, attached blobs survive",
          "[keyslot_store]") {
  TempDir t;
  fs::path dir;
  make_vault(t, &dir);
  std::vector<uint8_t> data(70000);
  crypto::random_bytes(data);
  int64_t aid;
  {
    auto v = open_ok(dir);
    int64_t rid = add(*v, "r", "with attachment");
    int fd = memfd_with(data);
    auto a = v->attach(rid, fd, "photo.jpg", "jpeg");
    ::close(fd);
    INFO(a.status().message());
    REQUIRE(a.is_ok());
    aid = a->id;
  }
  std::vector<std::string> blobs_before;
  for (const auto& e : fs::directory_iterator(dir / "blobs")) blobs_before.push_back(e.path().filename().string());
  REQUIRE(blobs_before.size() == 1);
  const auto blob_bytes = slurp(dir / "blobs" / blobs_before[0]);

  spit(dir / "blobs" / "stray", {1, 2, 3});
  spit(dir / "blobs" / ".tmp-abc", {4, 5, 6});
  const auto slot_bytes = slurp(dir / "keyslots");
  // .keyslots.tmp has a second name outside the vault: the open must overwrite it, not only unlink.
  const fs::path witness = t.path / "witness";
  spit(witness, slot_bytes);
  REQUIRE(::link(witness.c_str(), (dir / ".keyslots.tmp").c_str()) == 0);
  spit(dir / ".keyslots.2.tmp", slot_bytes);

  const std::vector<std::string> leftovers = {"blobs/stray", "blobs/.tmp-abc", ".keyslots.tmp", ".keyslots.2.tmp"};
  {
    auto v = open_ok(dir);
    const auto& rep = v->repaired();
    INFO([&] { std::string s; for (const auto& r : rep) s += r + "\n"; return s; }());
    CHECK(rep.size() == leftovers.size());
    for (const auto& name : leftovers) {
      INFO(name);
      CHECK(std::count_if(rep.begin(), rep.end(), [&](const std::string& s) { return starts_with(s, name + ":"); }) == 1);
      CHECK_FALSE(fs::exists(dir / name));
    }
    CHECK(v->verify().repaired == rep);
    CHECK(v->verify().problems.empty());
    // The attachment's blob survived, byte for byte, and still extracts.
    CHECK(slurp(dir / "blobs" / blobs_before[0]) == blob_bytes);
    int out = ::memfd_create("fn-out", MFD_CLOEXEC);
    REQUIRE(out >= 0);
    REQUIRE(v->extract(aid, out, true).is_ok());
    CHECK(read_fd(out) == data);
    ::close(out);
  }
  const auto w = slurp(witness);
  CHECK(w.size() == slot_bytes.size());
  CHECK(w != slot_bytes);
  std::vector<std::string> blobs_after;
  for (const auto& e : fs::directory_iterator(dir / "blobs")) blobs_after.push_back(e.path().filename().string());
  CHECK(blobs_after == blobs_before);
  CHECK(keyslot_names(dir) == std::vector<std::string>{"keyslots", "keyslots.2"});
  auto v = open_ok(dir);
  CHECK(v->repaired().empty());
}

// ---------------------------------------------------------------------------------------------
// 8. The unkeyed checksum

TEST_CASE("any one flipped byte of one copy still opens, damage to both copies is kCorrupt",
          "[keyslot_store]") {
  TempDir t;
  fs::path dir;
  make_vault(t, &dir);
  int64_t rid;
  {
    auto v = open_ok(dir);
    rid = add(*v, "r", "checksum body");
  }
  const auto good = slurp(dir / "keyslots");
  REQUIRE(good == slurp(dir / "keyslots.2"));
  const std::size_t n = good.size();
  REQUIRE(n == kKeyslotsHeaderBytes + kKeyslotsGenerationBytes + 2 * kSlotBytes + kEpochBytes + kKeyslotsMacBytes + kKeyslotsChecksumBytes);

  auto flipped = [&](std::size_t i) {
    std::vector<uint8_t> b = good;
    b[i] ^= static_cast<uint8_t>(1u << (i % 8));
    return b;
  };

  SECTION("one copy damaged at any offset: the vault opens, the damaged copy is left alone") {
    std::vector<std::string> failures;
    for (std::size_t i = 0; i < n; ++i) {
      const auto bad = flipped(i);
      spit(dir / "keyslots", bad);
      {
        auto v = Vault::open(dir, Credential{SlotKind::kPassphrase, secret(kPass)});
        if (!v.is_ok()) {
          failures.push_back("offset " + std::to_string(i) + ": " + v.status().message());
        } else {
          auto probs = (*v)->key_slot_problems();
          if (probs.size() != 1 || !starts_with(probs[0], "keyslots:"))
            failures.push_back("offset " + std::to_string(i) + ": problems not reported");
          if (!(*v)->get_record(rid).is_ok()) failures.push_back("offset " + std::to_string(i) + ": record unreadable");
        }
      }
      if (slurp(dir / "keyslots") != bad) failures.push_back("offset " + std::to_string(i) + ": damaged copy rewritten");
      if (slurp(dir / "keyslots.2") != good) failures.push_back("offset " + std::to_string(i) + ": good copy changed");
    }
    INFO([&] { std::string s; for (const auto& f : failures) s += f + "\n"; return s; }());
    CHECK(failures.empty());
  }
  SECTION("both copies damaged at different offsets: kCorrupt, never kWrongKey, nothing written") {
    std::vector<std::string> failures;
    std::size_t tried = 0;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j : {(i + 1) % n, (i + n / 2) % n, n - 1 - i, (i * 37 + 11) % n}) {
        if (j == i) continue;
        const auto b1 = flipped(i), b2 = flipped(j);
        spit(dir / "keyslots", b1);
        spit(dir / "keyslots.2", b2);
        ++tried;
        Status s = open_status(dir);
        if (s.code() != Code::kCorrupt)
          failures.push_back("offsets " + std::to_string(i) + "," + std::to_string(j) + ": code " +
                             std::to_string(static_cast<int>(s.code())) + " " + s.message());
        if (slurp(dir / "keyslots") != b1 || slurp(dir / "keyslots.2") != b2)
          failures.push_back("offsets " + std::to_string(i) + "," + std::to_string(j) + ": a file was written");
      }
    }
    CHECK(tried > 3 * n);
    INFO([&] { std::string s; for (const auto& f : failures) s += f + "\n"; return s; }());
    CHECK(failures.empty());
    // The message names both copies.
    spit(dir / "keyslots", flipped(50));
    spit(dir / "keyslots.2", flipped(60));
    Status s = open_status(dir);
    CHECK(s.code() == Code::kCorrupt);
    CHECK(s.message().find("keyslots.2") != std::string::npos);
    CHECK(s.message().find("keyslots:") != std::string::npos);
  }
}
