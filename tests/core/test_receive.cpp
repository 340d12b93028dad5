// core::receive (src/receive.h): the receiving policy, refusal by refusal, each with its typed
// code, and a refused bundle leaves the receiving vault exactly as it was (file by file).
#include <catch2/catch.hpp>

#include "crypto/age.h"
#include "src/receive.h"
#include "tests/core/sharing_vaults.h"
#include "tests/vault/schema_1_vault.h"

using namespace fieldnotes;
using namespace fieldnotes::core;
using fieldnotes::test::SharingVaults;

namespace {

std::vector<uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

// A plain age file for `recipient`, as Debian's `age -r` writes it: no manifest, no signature.
std::vector<uint8_t> plain_age_file(const crypto::AgeRecipient& recipient, std::string_view text) {
  std::array<crypto::AgeRecipient, 1> to{recipient};
  auto file = crypto::age_encrypt(bytes_of(text), to);
  REQUIRE(file.is_ok());
  return std::move(file).value();
}

std::vector<std::string> contact_names(vault::Vault& v) {
  auto contacts = v.contacts();
  REQUIRE(contacts.is_ok());
  std::vector<std::string> names;
  for (const auto& c : *contacts) names.push_back(c.name);
  return names;
}

}  // namespace

TEST_CASE("receive: a signed bundle from a contact is imported verified, redacted, as received records") {
  SharingVaults vaults;
  auto received = receive(*vaults.bob, vaults.share_to_bob(), {});
  REQUIRE(received.is_ok());
  REQUIRE(received->record_ids.size() == 1);
  CHECK(received->sender == "Alice");
  CHECK(received->verification == "verified");
  CHECK(received->redacted);
  auto record = vaults.bob->get_record(received->record_ids[0]);
  REQUIRE(record.is_ok());
  CHECK(record->header.title == "Testimony");
  CHECK(record->header.kind == "received");
  CHECK(record->header.tags == std::vector<std::string>{"received"});
  CHECK(record->header.sender == "Alice");
  CHECK(record->header.verification == "verified");
  CHECK(record->body.view().find("555-01-23") == std::string::npos);
  CHECK(record->body.view().find("12345") == std::string::npos);
}

TEST_CASE("receive: an unsigned file is refused as kUnsigned, and imported unverified with allow_unsigned") {
  SharingVaults vaults;
  auto file = plain_age_file(vaults.bob_id->age, "notes from a colleague\n");
  auto before = vaults.bob_files();

  auto refused = receive(*vaults.bob, file, {});
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.failure().error == ReceiveError::kUnsigned);
  CHECK(refused.status().code() == Code::kRefused);
  CHECK(vaults.bob_files() == before);

  ReceiveOptions allow;
  allow.allow_unsigned = true;
  auto received = receive(*vaults.bob, file, allow);
  REQUIRE(received.is_ok());
  CHECK(received->sender == "unknown");
  CHECK(received->verification == "unverified");
  CHECK_FALSE(received->redacted);
  REQUIRE(received->record_ids.size() == 1);
  auto record = vaults.bob->get_record(received->record_ids[0]);
  REQUIRE(record.is_ok());
  CHECK(record->header.verification == "unverified");
  CHECK(record->header.sender == "unknown");
  CHECK(record->body == "notes from a colleague\n");

  SECTION("the same unsigned file again: kReplayedBundle, nothing imported") {
    auto files = vaults.bob_files();
    auto again = receive(*vaults.bob, file, allow);
    REQUIRE_FALSE(again.is_ok());
    CHECK(again.failure().error == ReceiveError::kReplayedBundle);
    CHECK(vaults.bob_files() == files);
  }
  SECTION("an unsigned file that is not text is still kUnsigned without allow_unsigned (policy first)") {
    std::array<crypto::AgeRecipient, 1> to{vaults.bob_id->age};
    std::vector<uint8_t> binary{0xff, 0xfe, 0x00, 0x01};
    auto binary_file = crypto::age_encrypt(binary, to);
    REQUIRE(binary_file.is_ok());
    CHECK(receive(*vaults.bob, *binary_file, {}).failure().error == ReceiveError::kUnsigned);
    CHECK(receive(*vaults.bob, *binary_file, allow).failure().error == ReceiveError::kDamaged);
  }
}

TEST_CASE("receive: replays are refused with their codes and change nothing") {
  SharingVaults vaults;
  auto first = vaults.share_to_bob();
  REQUIRE(receive(*vaults.bob, first, {}).is_ok());

  SECTION("the same bundle again: its sequence is not newer (kReplayedSequence)") {
    auto before = vaults.bob_files();
    auto again = receive(*vaults.bob, first, {});
    REQUIRE_FALSE(again.is_ok());
    CHECK(again.failure().error == ReceiveError::kReplayedSequence);
    CHECK(again.status().code() == Code::kRefused);
    CHECK(again.status().message().find("a replay") != std::string::npos);
    CHECK(vaults.bob_files() == before);
  }
  SECTION("an older bundle after a newer one: kReplayedSequence") {
    auto second = vaults.share_to_bob();
    auto third = vaults.share_to_bob();
    REQUIRE(receive(*vaults.bob, third, {}).is_ok());
    auto before = vaults.bob_files();
    CHECK(receive(*vaults.bob, second, {}).failure().error == ReceiveError::kReplayedSequence);
    CHECK(vaults.bob_files() == before);
  }
  SECTION("the same bundle under a signer accepted anew: kReplayedBundle, and the signer is not added") {
    REQUIRE(vaults.bob->remove_contact("Alice").is_ok());
    auto before = vaults.bob_files();
    ReceiveOptions accept;
    accept.accept_signer = "Alice (checked)";
    auto again = receive(*vaults.bob, first, accept);
    REQUIRE_FALSE(again.is_ok());
    CHECK(again.failure().error == ReceiveError::kReplayedBundle);
    CHECK(contact_names(*vaults.bob).empty());
    CHECK(vaults.bob_files() == before);
  }
}

TEST_CASE("receive: an unknown signer is refused (kUnknownSigner) until the user names it") {
  SharingVaults vaults;
  REQUIRE(vaults.bob->remove_contact("Alice").is_ok());
  auto file = vaults.share_to_bob();
  auto before = vaults.bob_files();

  auto refused = receive(*vaults.bob, file, {});
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.failure().error == ReceiveError::kUnknownSigner);
  CHECK(refused.status().code() == Code::kRefused);
  CHECK(refused.status().message().find(vaults.alice_id->fingerprint) != std::string::npos);
  CHECK(vaults.bob_files() == before);

  ReceiveOptions accept;
  accept.accept_signer = "Alice (checked)";
  auto received = receive(*vaults.bob, file, accept);
  REQUIRE(received.is_ok());
  CHECK(received->sender == "Alice (checked)");
  CHECK(received->verification == "verified");
  auto contacts = vaults.bob->contacts();
  REQUIRE(contacts.is_ok());
  REQUIRE(contacts->size() == 1);
  CHECK((*contacts)[0].name == "Alice (checked)");
  CHECK((*contacts)[0].minisign_key == vaults.alice_id->minisign.to_base64());
  CHECK((*contacts)[0].last_sequence == 1);

  SECTION("a name already taken: kSignerNotAdded, nothing imported") {
    auto other = vaults.share_to_bob();
    REQUIRE(vaults.bob->remove_contact("Alice (checked)").is_ok());
    vault::Contact someone = SharingVaults::contact("Taken", *vaults.bob_id);
    REQUIRE(vaults.bob->add_contact(someone).is_ok());
    ReceiveOptions taken;
    taken.accept_signer = "Taken";
    auto files = vaults.bob_files();
    CHECK(receive(*vaults.bob, other, taken).failure().error == ReceiveError::kSignerNotAdded);
    CHECK(vaults.bob_files() == files);
  }
}

TEST_CASE("receive: a tampered or truncated bundle is refused and leaves the vault unchanged") {
  SharingVaults vaults;
  auto file = vaults.share_to_bob();
  auto before = vaults.bob_files();
  int damaged = 0;
  const std::size_t step = std::max<std::size_t>(1, file.size() / 60);
  for (std::size_t at = 0; at < file.size(); at += step) {
    auto bad = file;
    bad[at] ^= 0x20;
    auto r = receive(*vaults.bob, bad, {});
    INFO("byte " << at);
    REQUIRE_FALSE(r.is_ok());
    // A flipped byte in the recipient stanza reads as "not for this vault"; anywhere else as damage.
    const ReceiveError error = r.failure().error;
    CHECK((error == ReceiveError::kDamaged || error == ReceiveError::kNotForThisVault));
    CHECK((error == ReceiveError::kDamaged) == (r.status().code() == Code::kCorrupt || r.status().code() == Code::kInvalidInput));
    damaged += error == ReceiveError::kDamaged;
  }
  CHECK(damaged > 50);
  for (std::size_t cut : {std::size_t{10}, file.size() / 2, file.size() - 1}) {
    std::vector<uint8_t> truncated(file.begin(), file.begin() + static_cast<long>(cut));
    CHECK(receive(*vaults.bob, truncated, {}).failure().error == ReceiveError::kDamaged);
  }
  auto longer = file;
  longer.push_back('x');
  CHECK(receive(*vaults.bob, longer, {}).failure().error == ReceiveError::kDamaged);
  CHECK(vaults.bob_files() == before);
  // and the intact bundle is still accepted afterwards: nothing was marked seen
  CHECK(receive(*vaults.bob, file, {}).is_ok());
}

TEST_CASE("receive: not for this vault, re-encrypted, and passphrase bundles") {
  SharingVaults vaults;
  auto file = vaults.share_to_bob();

  SECTION("a bundle for Bob, received by Alice: kNotForThisVault") {
    auto r = receive(*vaults.alice, file, {});
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.failure().error == ReceiveError::kNotForThisVault);
    CHECK(r.status().code() == Code::kNotThisKey);
  }
  SECTION("Bob's payload re-encrypted to Alice: kReencrypted") {
    auto bob_keys = vaults.bob->identity();
    REQUIRE(bob_keys.is_ok());
    auto bob_identity = crypto::AgeIdentity::from_secret(bob_keys->x25519_secret.bytes());
    REQUIRE(bob_identity.is_ok());
    std::array<crypto::AgeIdentity, 1> ids{std::move(bob_identity).value()};
    auto payload = crypto::age_decrypt(file, ids);
    REQUIRE(payload.is_ok());
    std::array<crypto::AgeRecipient, 1> to_alice{vaults.alice_id->age};
    auto reencrypted = crypto::age_encrypt(payload->bytes(), to_alice);
    REQUIRE(reencrypted.is_ok());
    auto r = receive(*vaults.alice, *reencrypted, {});
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.failure().error == ReceiveError::kReencrypted);
    CHECK(r.status().code() == Code::kRefused);
  }
  SECTION("a passphrase bundle: kWrongPassphrase, then imported with the right one") {
    auto pass = test::secret_of("shared secret");
    ShareOptions options;
    options.record_ids = {vaults.record_id};
    options.passphrase = &pass;
    options.scrypt_work_factor = 10;
    auto shared = share(*vaults.alice, options);
    REQUIRE(shared.is_ok());
    ReceiveOptions wrong;
    wrong.passphrase = [] { return Result<crypto::SecretBuffer>(test::secret_of("not it")); };
    auto r = receive(*vaults.bob, shared->file, wrong);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.failure().error == ReceiveError::kWrongPassphrase);
    CHECK(r.status().code() == Code::kWrongKey);
    ReceiveOptions right;
    right.passphrase = [] { return Result<crypto::SecretBuffer>(test::secret_of("shared secret")); };
    auto received = receive(*vaults.bob, shared->file, right);
    REQUIRE(received.is_ok());
    CHECK(received->verification == "verified");
  }
}

TEST_CASE("receive: after the upgrade from schema 1, bundles received before it and after it are refused again") {
  SharingVaults vaults;
  // Bob received this plain age file while his vault was at schema 1: the vault kept its id's
  // tag under the identity subkey.
  auto before_upgrade = plain_age_file(vaults.bob_id->age, "received under schema 1\n");
  const std::string old_id = "unsigned-" + test::hex(crypto::hash_sha256(before_upgrade));
  vaults.bob.reset();
  test::rewrite_as_schema_1(vaults.bob_dir, SharingVaults::kPass, {old_id});
  vaults.bob = SharingVaults::open(vaults.bob_dir);  // upgrades to schema 2
  CHECK(contact_names(*vaults.bob) == std::vector<std::string>{"Alice"});

  ReceiveOptions allow;
  allow.allow_unsigned = true;
  auto files = vaults.bob_files();
  auto again = receive(*vaults.bob, before_upgrade, allow);
  REQUIRE_FALSE(again.is_ok());
  CHECK(again.failure().error == ReceiveError::kReplayedBundle);
  CHECK(vaults.bob_files() == files);

  auto fresh = plain_age_file(vaults.bob_id->age, "received under schema 2\n");
  REQUIRE(receive(*vaults.bob, fresh, allow).is_ok());
  files = vaults.bob_files();
  CHECK(receive(*vaults.bob, fresh, allow).failure().error == ReceiveError::kReplayedBundle);
  CHECK(vaults.bob_files() == files);

  // A signed bundle from Alice, a contact carried over by the upgrade: received once, then refused
  // by its sequence and, under a signer accepted anew, by its id.
  auto signed_bundle = vaults.share_to_bob();
  REQUIRE(receive(*vaults.bob, signed_bundle, {}).is_ok());
  CHECK(receive(*vaults.bob, signed_bundle, {}).failure().error == ReceiveError::kReplayedSequence);
  REQUIRE(vaults.bob->remove_contact("Alice").is_ok());
  ReceiveOptions accept;
  accept.accept_signer = "Alice (checked)";
  CHECK(receive(*vaults.bob, signed_bundle, accept).failure().error == ReceiveError::kReplayedBundle);
}
