// The vault's generation (vault/generation.cpp): a vault.db put back from an older copy, or
// older key slots put back under a newer vault.db, refuse to open; a crash between the writes
// of the two files does not, and the next open catches up.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <sodium.h>

#include <array>

#include "crypto/aead.h"
#include "crypto/kdf.h"
#include "crypto/secret.h"
#include "tests/test_support.h"
#include "vault/format.h"
#include "vault/keyslots.h"
#include "vault/vault.h"

using namespace fieldnotes;
using namespace fieldnotes::vault;
using fieldnotes::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPass = "generation test";

Credential passphrase() {
  Credential c;
  c.secret = crypto::SecretBuffer::copy_of({reinterpret_cast<const uint8_t*>(kPass.data()), kPass.size()});
  return c;
}

fs::path make_vault(const TempDir& t) {
  REQUIRE(crypto::init());
  const fs::path dir = t.path / "vault";
  REQUIRE(Vault::create(dir, passphrase().secret, crypto::KdfProfile::kTest));
  return dir;
}

Result<std::unique_ptr<Vault>> open(const fs::path& dir) { return Vault::open(dir, passphrase()); }

void add(const fs::path& dir, const std::string& title) {
  auto v = open(dir);
  REQUIRE(v);
  NewRecord r;
  r.header.title = title;
  r.body = "testimony of " + title;
  REQUIRE((*v)->add_record(r));
}

std::vector<std::string> titles(const fs::path& dir) {
  auto v = open(dir);
  REQUIRE(v);
  std::vector<std::string> out;
  REQUIRE((*v)->for_each_record(false, [&](const Record& r) {
    out.push_back(r.header.title);
    return true;
  }));
  return out;
}

// The files of the vault that a rollback puts back (both key-slot copies count as one).
struct Saved {
  std::vector<uint8_t> db, slots, slots2;
};
Saved save(const fs::path& dir) {
  return {test::read_file(dir / "vault.db"), test::read_file(dir / "keyslots"), test::read_file(dir / "keyslots.2")};
}
void put_back_db(const fs::path& dir, const Saved& s) {
  fs::remove(dir / "vault.db-wal");
  fs::remove(dir / "vault.db-shm");
  test::write_file(dir / "vault.db", s.db);
}
void put_back_slots(const fs::path& dir, const Saved& s) {
  test::write_file(dir / "keyslots", s.slots);
  test::write_file(dir / "keyslots.2", s.slots2);
}

KeyslotFile current_slots(const fs::path& dir) {
  auto f = KeyslotFile::parse(test::read_file(dir / "keyslots"));
  REQUIRE(f);
  return std::move(f).value();
}

}  // namespace

namespace fieldnotes::vault {
struct GenerationTestSeam {
  using Step = Vault::GenerationStep;
  static void stop_at(Step step) { Vault::stop_generation_for_tests = step; }
};
}  // namespace fieldnotes::vault

namespace {
using GenStep = GenerationTestSeam::Step;
struct StopGeneration {
  explicit StopGeneration(GenStep step) { GenerationTestSeam::stop_at(step); }
  ~StopGeneration() { GenerationTestSeam::stop_at(GenStep::kNone); }
};
}  // namespace

TEST_CASE("generation: every committed change is recorded with the key slots") {
  TempDir t;
  const fs::path dir = make_vault(t);
  const KeyslotFile before = current_slots(dir);
  REQUIRE(before.has_generation());
  add(dir, "one");
  const KeyslotFile after = current_slots(dir);
  CHECK(after.audit_seq > before.audit_seq);
  CHECK(after.sequence > before.sequence);
  CHECK(after.audit_chain != before.audit_chain);
  // A command that only reads writes nothing.
  CHECK(titles(dir) == std::vector<std::string>{"one"});
  CHECK(current_slots(dir).sequence == after.sequence);
}

TEST_CASE("generation: an older vault.db put back under current key slots refuses to open") {
  TempDir t;
  const fs::path dir = make_vault(t);
  add(dir, "one");
  const Saved old = save(dir);
  add(dir, "two");
  put_back_db(dir, old);
  auto v = open(dir);
  REQUIRE_FALSE(v);
  CHECK(v.status().code() == Code::kRollback);
  CHECK(v.status().message().find("older than its key slots") != std::string::npos);
  CHECK(v.status().message().find("rollback") != std::string::npos);
  // and nothing was written: the evidence stays
  CHECK(test::read_file(dir / "vault.db") == old.db);
}

TEST_CASE("generation: older key slots put back under a newer vault.db refuse to open") {
  TempDir t;
  const fs::path dir = make_vault(t);
  add(dir, "one");
  const Saved old = save(dir);
  add(dir, "two");
  put_back_slots(dir, old);
  auto v = open(dir);
  REQUIRE_FALSE(v);
  CHECK(v.status().code() == Code::kRollback);
  CHECK(v.status().message().find("key slots are older than vault.db") != std::string::npos);
}

TEST_CASE("generation: a vault.db from another history (the same vault, diverged) refuses to open") {
  TempDir t;
  const fs::path dir = make_vault(t);
  add(dir, "one");
  const Saved fork = save(dir);
  add(dir, "two");  // this history: ... one, two
  const Saved ours = save(dir);
  // The other history: from "one", a different change of the same size.
  put_back_db(dir, fork);
  put_back_slots(dir, fork);
  add(dir, "zwei");
  const std::vector<uint8_t> other_db = test::read_file(dir / "vault.db");
  put_back_slots(dir, ours);
  put_back_db(dir, Saved{other_db, {}, {}});
  auto v = open(dir);
  REQUIRE_FALSE(v);
  CHECK(v.status().code() == Code::kRollback);
  CHECK(v.status().message().find("does not continue the history") != std::string::npos);
}

TEST_CASE("generation: a crash between the two writes is not a rollback, and the next open catches up") {
  const auto step = GENERATE(GenStep::kBeforeKeySlots, GenStep::kBeforeDatabase);
  INFO("stopped " << (step == GenStep::kBeforeKeySlots ? "before the key slots" : "before vault.db"));
  TempDir t;
  const fs::path dir = make_vault(t);
  add(dir, "one");
  {
    StopGeneration stop(step);
    add(dir, "two");  // committed; the generation is recorded only in part
  }
  const KeyslotFile lagging = current_slots(dir);
  auto v = open(dir);
  INFO(v.status().message());
  REQUIRE(v);
  v->reset();
  CHECK(titles(dir) == std::vector<std::string>{"one", "two"});
  const KeyslotFile caught_up = current_slots(dir);
  CHECK(caught_up.audit_seq >= lagging.audit_seq);
  CHECK(caught_up.sequence > lagging.sequence);
  // From here on, the usual protection holds again.
  const Saved old = save(dir);
  add(dir, "three");
  put_back_db(dir, old);
  CHECK_FALSE(open(dir));
}

// Key slots as fieldnotes wrote them before the generation (version 2.0): the 2.1 bytes
// without the generation, with minor 0, the MAC and checksum computed again (the layout of
// docs/FORMAT.md, "keyslots", written here independently of KeyslotFile::serialize).
std::vector<uint8_t> as_minor_0(const std::vector<uint8_t>& v21, const crypto::SecretBuffer& master) {
  const std::size_t body_end = v21.size() - kKeyslotsMacBytes - kKeyslotsChecksumBytes;
  std::vector<uint8_t> body(v21.begin(), v21.begin() + static_cast<long>(body_end));
  body.erase(body.begin() + static_cast<long>(kKeyslotsHeaderBytes - 2),
             body.begin() + static_cast<long>(kKeyslotsHeaderBytes - 2 + kKeyslotsGenerationBytes));
  body[9] = 0;  // minor
  const auto mac = crypto::mac_blake2b(crypto::kdf_derive_subkey(master, crypto::Subkey::kKeyslotsMac), body);
  body.insert(body.end(), mac.begin(), mac.end());
  std::array<uint8_t, 32> sum{};
  crypto_generichash(sum.data(), sum.size(), body.data(), body.size(), nullptr, 0);
  body.insert(body.end(), sum.begin(), sum.end());
  return body;
}

TEST_CASE("generation: key slots of version 2.0 (no generation) open, and the first open upgrades them") {
  TempDir t;
  const fs::path dir = make_vault(t);
  add(dir, "one");
  const KeyslotFile f = current_slots(dir);
  auto master = f.unlock(SlotKind::kPassphrase, {reinterpret_cast<const uint8_t*>(kPass.data()), kPass.size()});
  REQUIRE(master);
  const std::vector<uint8_t> old = as_minor_0(test::read_file(dir / "keyslots"), *master);
  {
    auto parsed = KeyslotFile::parse(old);
    REQUIRE(parsed);
    REQUIRE(parsed->minor == 0);
    REQUIRE_FALSE(parsed->has_generation());
    REQUIRE(parsed->mac_verifies(*master));
  }
  test::write_file(dir / "keyslots", old);
  test::write_file(dir / "keyslots.2", old);
  CHECK(titles(dir) == std::vector<std::string>{"one"});
  const KeyslotFile upgraded = current_slots(dir);
  CHECK(upgraded.has_generation());
  CHECK(upgraded.audit_seq == f.audit_seq);
  CHECK(upgraded.audit_chain == f.audit_chain);
  // and from then on a rollback of vault.db is refused
  const Saved saved = save(dir);
  add(dir, "two");
  put_back_db(dir, saved);
  CHECK_FALSE(open(dir));
}
