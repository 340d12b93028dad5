// minisign signatures (https://jedisct1.github.io/minisign/): Ed25519 over the BLAKE2b-512
// hash of the message (the prehashed "ED" algorithm), with a trusted comment covered by a
// second, global signature. Output verifies with `minisign -V`. Format notes and the rules
// we enforce: docs/FORMAT.md, "minisign signatures".
//
// Out of scope: minisign's encrypted secret-key file (the vault keeps the Ed25519 seed
// sealed itself) and the legacy non-prehashed "Ed" signatures (refused as kUnsupported).
//
// Thread safety: all functions are thread-safe. crypto::init() must have been called.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <sodium.h>

#include "base/status.h"
#include "crypto/secret.h"

namespace fieldnotes::crypto {

constexpr std::size_t kMinisignKeyIdBytes = 8;
constexpr std::size_t kMinisignPublicKeyBytes = crypto_sign_ed25519_PUBLICKEYBYTES;
constexpr std::size_t kMinisignSecretKeyBytes = crypto_sign_ed25519_SECRETKEYBYTES;
constexpr std::size_t kMinisignSeedBytes = crypto_sign_ed25519_SEEDBYTES;
constexpr std::size_t kMinisignSignatureBytes = crypto_sign_ed25519_BYTES;
constexpr std::size_t kMinisignHashBytes = crypto_generichash_blake2b_BYTES_MAX;
static_assert(kMinisignPublicKeyBytes == 32 && kMinisignSecretKeyBytes == 64 &&
              kMinisignSeedBytes == 32 && kMinisignSignatureBytes == 64 &&
              kMinisignHashBytes == 64);
// minisign's own limit on the trusted comment (COMMENTMAXBYTES).
constexpr std::size_t kMinisignMaxCommentBytes = 1024;

using MinisignKeyId = std::array<uint8_t, kMinisignKeyIdBytes>;

class MinisignPublicKey {
 public:
  // Accepts the one-line form (`RW...`, base64 of "Ed" || key id || public key) or a
  // whole public-key file (`untrusted comment: ...` line, then that line). kInvalidInput
  // if malformed; kUnsupported for another signature algorithm.
  static Result<MinisignPublicKey> parse(std::string_view text);
  static MinisignPublicKey from_parts(const MinisignKeyId& key_id,
                                      std::span<const uint8_t, kMinisignPublicKeyBytes> key);

  std::string to_base64() const;  // `RW...`, what `minisign -P` takes
  // "untrusted comment: minisign public key <KEYID>\nRW...\n", what `minisign -p` reads.
  std::string to_file() const;
  // The key id as minisign prints it: 16 upper-case hex digits of the little-endian u64.
  std::string key_id_hex() const;
  const MinisignKeyId& key_id() const { return key_id_; }
  std::span<const uint8_t, kMinisignPublicKeyBytes> key() const { return key_; }
  bool operator==(const MinisignPublicKey&) const = default;

 private:
  MinisignKeyId key_id_{};
  std::array<uint8_t, kMinisignPublicKeyBytes> key_{};
};

// An Ed25519 secret key (libsodium's 64-byte form, in secure memory) with its key id.
class MinisignSecretKey {
 public:
  // A fresh key pair with a random key id (as `minisign -G` does).
  static MinisignSecretKey generate();
  // From a raw Ed25519 key held by the caller: a 32-byte seed or libsodium's 64-byte secret
  // key (seed || public key; the public half is recomputed and must match). kInvalidInput
  // on any other size or a mismatching public half.
  static Result<MinisignSecretKey> from_ed25519(std::span<const uint8_t> secret,
                                                const MinisignKeyId& key_id);
  // A stable key id for a public key (first 8 bytes of BLAKE2b-256 over a label and the
  // key), for callers that store only the seed. minisign itself uses random ids; any 8
  // bytes are valid.
  static MinisignKeyId derive_key_id(std::span<const uint8_t, kMinisignPublicKeyBytes> pk);

  MinisignPublicKey public_key() const;
  const MinisignKeyId& key_id() const { return key_id_; }
  const SecretBuffer& secret() const { return sk_; }

 private:
  MinisignSecretKey(SecretBuffer sk, const MinisignKeyId& id) : sk_(std::move(sk)), key_id_(id) {}
  SecretBuffer sk_;
  MinisignKeyId key_id_{};
};

// Signs `message`, returning the text of a .minisig file:
//   untrusted comment: <untrusted_comment>
//   base64("ED" || key id || Ed25519(BLAKE2b-512(message)))
//   trusted comment: <trusted_comment>
//   base64(Ed25519(signature || trusted_comment))
// kInvalidInput if a comment holds CR or LF, or the trusted comment exceeds
// kMinisignMaxCommentBytes.
Result<std::string> minisign_sign(const MinisignSecretKey& key, std::span<const uint8_t> message,
                                  std::string_view trusted_comment,
                                  std::string_view untrusted_comment =
                                      "signature from fieldnotes secret key");

// Verifies a .minisig file over `message` and returns the trusted comment (only once both
// signatures verified). Failures:
//   kInvalidInput  the signature file is malformed (lines, prefixes, base64, sizes)
//   kUnsupported   another algorithm than "ED" (e.g. legacy "Ed")
//   kNotThisKey    made by another key (key id differs): try the next known key
//   kCorrupt       a signature does not verify (message, signature or trusted comment modified)
Result<std::string> minisign_verify(const MinisignPublicKey& key, std::span<const uint8_t> message,
                                    std::string_view signature_file);

}  // namespace fieldnotes::crypto
