// crypto/: secret memory, AEAD (with a known-answer vector), KDF bounds, subkeys.
#include <catch2/catch.hpp>

#include <sodium.h>

#include <string>

#include "crypto/aead.h"
#include "crypto/kdf.h"
#include "crypto/secret.h"

using namespace fieldnotes;
using namespace fieldnotes::crypto;

#include "tests/test_support.h"

namespace {

using namespace fieldnotes::test;

struct Init {
  Init() { if (!crypto::init()) std::abort(); }
} const init_once;

}  // namespace

TEST_CASE("SecretBuffer is zero-filled, movable and truncatable") {
  SecretBuffer a(32);
  for (auto b : a.bytes()) CHECK(b == 0);
  a.data()[0] = 7;
  SecretBuffer b = std::move(a);
  CHECK(a.data() == nullptr);
  CHECK(a.size() == 0);
  CHECK(b.data()[0] == 7);
  b.truncate(1);
  CHECK(b.size() == 1);
  SecretBuffer r1 = SecretBuffer::random(32), r2 = SecretBuffer::random(32);
  CHECK_FALSE(ct_equal(r1.bytes(), r2.bytes()));
}

TEST_CASE("ct_equal compares content and length") {
  std::vector<uint8_t> x{1, 2, 3}, y{1, 2, 3}, z{1, 2, 4}, w{1, 2};
  CHECK(ct_equal(x, y));
  CHECK_FALSE(ct_equal(x, z));
  CHECK_FALSE(ct_equal(x, w));
}

// draft-irtf-cfrg-xchacha-03, appendix A.3.1.
TEST_CASE("XChaCha20-Poly1305 known-answer vector") {
  auto key = SecretBuffer::copy_of(unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"));
  auto nonce = unhex("404142434445464748494a4b4c4d4e4f5051525354555657");
  auto ad = unhex("50515253c0c1c2c3c4c5c6c7");
  std::string pt =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
      "sunscreen would be it.";
  std::span<const uint8_t> ptb(reinterpret_cast<const uint8_t*>(pt.data()), pt.size());
  std::span<const uint8_t, kAeadNonceBytes> n(nonce.data(), kAeadNonceBytes);
  auto sealed = aead_xchacha_seal_with_nonce(key, n, ptb, ad);
  CHECK(hex(std::span(sealed).subspan(kAeadNonceBytes)) ==
        "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39"
        "ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
        "21f9664c97637da9768812f615c68b13b52e"
        "c0875924c1c7987947deafd8780acf49");
  auto opened = aead_xchacha_open(key, sealed, ad);
  REQUIRE(opened.is_ok());
  CHECK(opened->view() == pt);
}

TEST_CASE("AEAD rejects every misuse") {
  auto key = SecretBuffer::random(32);
  std::vector<uint8_t> pt{'t', 'e', 's', 't', 'i', 'm', 'o', 'n', 'y'};
  std::vector<uint8_t> ad{'a', 'd'};
  auto sealed = aead_xchacha_seal(key, pt, ad);
  REQUIRE(aead_xchacha_open(key, sealed, ad).is_ok());

  SECTION("wrong associated data") {
    std::vector<uint8_t> other{'a', 'e'};
    CHECK(aead_xchacha_open(key, sealed, other).status().code() == Code::kCorrupt);
    CHECK_FALSE(aead_xchacha_open(key, sealed, {}).is_ok());
  }
  SECTION("wrong key") {
    CHECK_FALSE(aead_xchacha_open(SecretBuffer::random(32), sealed, ad).is_ok());
  }
  SECTION("every flipped bit") {
    for (size_t i = 0; i < sealed.size(); ++i) {
      auto bad = sealed;
      bad[i] ^= 0x01;
      CHECK_FALSE(aead_xchacha_open(key, bad, ad).is_ok());
    }
  }
  SECTION("truncated, empty, extended") {
    for (size_t n : {size_t{0}, size_t{10}, kAeadNonceBytes + kAeadTagBytes - 1, sealed.size() - 1}) {
      std::vector<uint8_t> cut(sealed.begin(), sealed.begin() + static_cast<long>(n));
      CHECK_FALSE(aead_xchacha_open(key, cut, ad).is_ok());
    }
    auto longer = sealed;
    longer.push_back(0);
    CHECK_FALSE(aead_xchacha_open(key, longer, ad).is_ok());
  }
  SECTION("fresh nonce each time") {
    auto again = aead_xchacha_seal(key, pt, ad);
    CHECK(again != sealed);
  }
}

TEST_CASE("Argon2id parameters are bounded on both sides") {
  CHECK(check_params(params_for(KdfProfile::kModerate)).is_ok());
  CHECK(check_params(params_for(KdfProfile::kSensitive)).is_ok());
  CHECK(check_params(params_for(KdfProfile::kTest)).is_ok());
  // Downgrades: below the moderate floor, other than the exact test profile.
  CHECK(check_params({2, kMinMem}).code() == Code::kUnsupported);
  CHECK(check_params({3, kMinMem / 2}).code() == Code::kUnsupported);
  CHECK(check_params({1, 64u << 20}).code() == Code::kUnsupported);
  CHECK(check_params({0, 0}).code() == Code::kUnsupported);
  // Exhaustion: huge memory or passes.
  CHECK(check_params({3, uint64_t{1} << 40}).code() == Code::kUnsupported);
  CHECK(check_params({kMaxOps + 1, kMinMem}).code() == Code::kUnsupported);
  CHECK(check_params({0xFFFFFFFFu, kMinMem}).code() == Code::kUnsupported);
  // pwhash refuses them too, without running.
  std::array<uint8_t, kPwhashSaltBytes> salt{};
  std::vector<uint8_t> pw{'p'};
  CHECK(pwhash_argon2id(pw, salt, {3, uint64_t{1} << 40}).status().code() == Code::kUnsupported);
}

TEST_CASE("Argon2id test profile is deterministic and salt-dependent") {
  std::array<uint8_t, kPwhashSaltBytes> s1{}, s2{};
  s2[0] = 1;
  std::vector<uint8_t> pw{'c', 'o', 'r', 'r', 'e', 'c', 't'};
  auto p = params_for(KdfProfile::kTest);
  auto a = pwhash_argon2id(pw, s1, p), b = pwhash_argon2id(pw, s1, p), c = pwhash_argon2id(pw, s2, p);
  REQUIRE(a.is_ok());
  CHECK(ct_equal(a->bytes(), b->bytes()));
  CHECK_FALSE(ct_equal(a->bytes(), c->bytes()));
  CHECK(a->size() == kSlotKeyBytes);
}

TEST_CASE("KDF profiles by name") {
  CHECK(profile_from_name("moderate") == KdfProfile::kModerate);
  CHECK(profile_from_name("sensitive") == KdfProfile::kSensitive);
  CHECK(profile_from_name("test") == KdfProfile::kTest);
  CHECK_FALSE(profile_from_name("fast").has_value());
  CHECK(params_for(KdfProfile::kModerate).mem_bytes == 256u << 20);
  CHECK(params_for(KdfProfile::kSensitive).mem_bytes == 1u << 30);
}

TEST_CASE("crypto_kdf subkeys differ per id and are stable") {
  auto master = SecretBuffer::random(32);
  auto a = kdf_derive_subkey(master, Subkey::kDatabase);
  auto a2 = kdf_derive_subkey(master, Subkey::kDatabase);
  auto b = kdf_derive_subkey(master, Subkey::kAuditMac);
  CHECK(ct_equal(a.bytes(), a2.bytes()));
  CHECK_FALSE(ct_equal(a.bytes(), b.bytes()));
  // Known answer: all-zero master, id 1, context "fnvault1" (libsodium crypto_kdf = BLAKE2b).
  SecretBuffer zero(32);
  auto k = kdf_derive_subkey(zero, Subkey::kDatabase);
  uint8_t salt[16] = {1}, personal[16] = {'f', 'n', 'v', 'a', 'u', 'l', 't', '1'};
  uint8_t expect[32];
  crypto_generichash_blake2b_salt_personal(expect, 32, nullptr, 0, zero.data(), 32, salt, personal);
  CHECK(ct_equal(k.bytes(), std::span<const uint8_t>(expect, 32)));
}

TEST_CASE("keyed BLAKE2b MAC") {
  auto key = SecretBuffer::random(32);
  std::vector<uint8_t> m{1, 2, 3};
  auto mac = mac_blake2b(key, m);
  CHECK(mac_blake2b_verify(key, m, mac));
  mac[0] ^= 1;
  CHECK_FALSE(mac_blake2b_verify(key, m, mac));
  CHECK_FALSE(mac_blake2b_verify(key, m, std::span<const uint8_t>(mac.data(), 16)));
}
