// Two vaults that know each other, for the tests of core::share and core::receive: Alice (with
// one record of testimony) and Bob, each the other's contact, with real key slots (the test
// KDF profile) in a temporary directory.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/bundle.h"
#include "src/ram_file.h"
#include "src/share.h"
#include "tests/test_support.h"
#include "vault/vault.h"

namespace fieldnotes::test {

// libsodium initialised once for every test file that includes this header.
struct SodiumInit {
  SodiumInit() {
    if (!crypto::init()) std::abort();
  }
};
inline const SodiumInit sodium_init_once;

inline crypto::SecretBuffer secret_of(std::string_view text) {
  return crypto::SecretBuffer::copy_of({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

constexpr const char* kTestimony = "Показания: Юрий Дегтярёв, телефон +7 916 555-01-23, в/ч 12345.\n";

class SharingVaults {
 public:
  SharingVaults() {
    alice_dir = dir.path / "alice";
    bob_dir = dir.path / "bob";
    for (const auto& d : {alice_dir, bob_dir}) REQUIRE(vault::Vault::create(d, secret_of(kPass), crypto::KdfProfile::kTest).is_ok());
    alice = open(alice_dir);
    bob = open(bob_dir);
    alice_id = identity_of(*alice);
    bob_id = identity_of(*bob);
    REQUIRE(alice->add_contact(contact("Bob", *bob_id)).is_ok());
    REQUIRE(bob->add_contact(contact("Alice", *alice_id)).is_ok());
    vault::NewRecord record;
    record.header.title = "Testimony";
    record.body = kTestimony;
    auto id = alice->add_record(record);
    REQUIRE(id.is_ok());
    record_id = *id;
  }

  static std::unique_ptr<vault::Vault> open(const std::filesystem::path& d) {
    auto v = vault::Vault::open(d, vault::Credential{vault::SlotKind::kPassphrase, secret_of(kPass)});
    REQUIRE(v.is_ok());
    return std::move(v).value();
  }

  static core::PublicIdentity identity_of(vault::Vault& v) {
    auto keys = v.identity();
    REQUIRE(keys.is_ok());
    auto pub = core::public_identity(*keys);
    REQUIRE(pub.is_ok());
    return std::move(pub).value();
  }

  static vault::Contact contact(const std::string& name, const core::PublicIdentity& id) {
    vault::Contact c;
    c.name = name;
    c.age_recipient = id.age.to_string();
    c.minisign_key = id.minisign.to_base64();
    return c;
  }

  // A redacted bundle of Alice's record for Bob, as `fieldnotes share 1 --to Bob` makes it.
  std::vector<uint8_t> share_to_bob() {
    core::ShareOptions options;
    options.record_ids = {record_id};
    options.to = {"Bob"};
    auto shared = core::share(*alice, options);
    REQUIRE(shared.is_ok());
    return std::move(shared).value().file;
  }

  // Bob's vault as files, taken with the vault closed (then opened again).
  std::map<std::string, std::vector<uint8_t>> bob_files() {
    bob.reset();
    auto files = snapshot(bob_dir);
    bob = open(bob_dir);
    return files;
  }

  static constexpr const char* kPass = "correct horse battery staple";
  TempDir dir;
  std::filesystem::path alice_dir, bob_dir;
  std::unique_ptr<vault::Vault> alice, bob;
  std::optional<core::PublicIdentity> alice_id, bob_id;  // set by the constructor
  int64_t record_id = 0;
};

}  // namespace fieldnotes::test
