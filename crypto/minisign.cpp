#include "crypto/minisign.h"

#include "crypto/base64.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace fieldnotes::crypto {
namespace {

constexpr std::string_view kUntrustedPrefix = "untrusted comment: ";
constexpr std::string_view kTrustedPrefix = "trusted comment: ";
constexpr uint8_t kAlgKey[2] = {'E', 'd'};       // public keys always say "Ed"
constexpr uint8_t kAlgPrehashed[2] = {'E', 'D'};  // BLAKE2b-512 prehashed signatures
constexpr std::size_t kPublicKeyBlob = 2 + kMinisignKeyIdBytes + kMinisignPublicKeyBytes;
constexpr std::size_t kSignatureBlob = 2 + kMinisignKeyIdBytes + kMinisignSignatureBytes;

std::string b64(std::span<const uint8_t> in) {
  return base64_encode(in, Base64Padding::kPadded);
}

std::optional<std::vector<uint8_t>> unb64(std::string_view in) {
  return base64_decode_strict(in, Base64Padding::kPadded);
}

// Splits into lines on LF, dropping one CR before each LF (files edited on Windows).
std::vector<std::string_view> lines_of(std::string_view t) {
  std::vector<std::string_view> out;
  while (!t.empty()) {
    std::size_t e = t.find('\n');
    std::string_view l = t.substr(0, e);
    if (l.ends_with('\r')) l.remove_suffix(1);
    out.push_back(l);
    if (e == std::string_view::npos) break;
    t.remove_prefix(e + 1);
  }
  return out;
}

bool has_newline(std::string_view s) {
  return s.find('\n') != std::string_view::npos || s.find('\r') != std::string_view::npos;
}

std::array<uint8_t, kMinisignHashBytes> blake2b_512(std::span<const uint8_t> m) {
  std::array<uint8_t, kMinisignHashBytes> h;
  crypto_generichash_blake2b(h.data(), h.size(), m.data(), m.size(), nullptr, 0);
  return h;
}

}  // namespace

Result<MinisignPublicKey> MinisignPublicKey::parse(std::string_view text) {
  auto lines = lines_of(text);
  std::string_view b;
  if (lines.size() == 1) {
    b = lines[0];
  } else if (lines.size() >= 2 && lines[0].starts_with(kUntrustedPrefix)) {
    b = lines[1];
    for (std::size_t i = 2; i < lines.size(); ++i)
      if (!lines[i].empty()) return Status{Code::kInvalidInput, "minisign public key file has extra lines"};
  } else {
    return Status{Code::kInvalidInput, "not a minisign public key"};
  }
  auto blob = unb64(b);
  if (!blob || blob->size() != kPublicKeyBlob) {
    return Status{Code::kInvalidInput, "not a minisign public key (bad base64 or size)"};
  }
  if (!std::equal(kAlgKey, kAlgKey + 2, blob->begin())) {
    return Status{Code::kUnsupported, "minisign public key uses an unsupported algorithm"};
  }
  MinisignPublicKey k;
  std::copy_n(blob->begin() + 2, kMinisignKeyIdBytes, k.key_id_.begin());
  std::copy_n(blob->begin() + 2 + kMinisignKeyIdBytes, kMinisignPublicKeyBytes, k.key_.begin());
  return k;
}

MinisignPublicKey MinisignPublicKey::from_parts(
    const MinisignKeyId& key_id, std::span<const uint8_t, kMinisignPublicKeyBytes> key) {
  MinisignPublicKey k;
  k.key_id_ = key_id;
  std::copy(key.begin(), key.end(), k.key_.begin());
  return k;
}

std::string MinisignPublicKey::to_base64() const {
  std::array<uint8_t, kPublicKeyBlob> blob;
  std::copy_n(kAlgKey, 2, blob.begin());
  std::copy(key_id_.begin(), key_id_.end(), blob.begin() + 2);
  std::copy(key_.begin(), key_.end(), blob.begin() + 2 + kMinisignKeyIdBytes);
  return b64(blob);
}

std::string MinisignPublicKey::to_file() const {
  return std::string(kUntrustedPrefix) + "minisign public key " + key_id_hex() + "\n" +
         to_base64() + "\n";
}

std::string MinisignPublicKey::key_id_hex() const {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string s;
  for (int i = kMinisignKeyIdBytes - 1; i >= 0; --i) {  // little-endian u64, printed %016llX
    s += kHex[key_id_[i] >> 4];
    s += kHex[key_id_[i] & 15];
  }
  return s;
}

MinisignSecretKey MinisignSecretKey::generate() {
  SecretBuffer sk(kMinisignSecretKeyBytes);
  std::array<uint8_t, kMinisignPublicKeyBytes> pk;
  crypto_sign_ed25519_keypair(pk.data(), sk.data());
  MinisignKeyId id;
  random_bytes(id);
  return MinisignSecretKey(std::move(sk), id);
}

Result<MinisignSecretKey> MinisignSecretKey::from_ed25519(std::span<const uint8_t> secret,
                                                          const MinisignKeyId& key_id) {
  if (secret.size() != kMinisignSeedBytes && secret.size() != kMinisignSecretKeyBytes) {
    return Status{Code::kInvalidInput, "Ed25519 secret key must be a 32-byte seed or 64 bytes"};
  }
  SecretBuffer sk(kMinisignSecretKeyBytes);
  std::array<uint8_t, kMinisignPublicKeyBytes> pk;
  crypto_sign_ed25519_seed_keypair(pk.data(), sk.data(), secret.data());
  if (secret.size() == kMinisignSecretKeyBytes &&
      sodium_memcmp(pk.data(), secret.data() + kMinisignSeedBytes, pk.size()) != 0) {
    return Status{Code::kInvalidInput, "Ed25519 secret key's public half does not match its seed"};
  }
  return MinisignSecretKey(std::move(sk), key_id);
}

MinisignKeyId MinisignSecretKey::derive_key_id(
    std::span<const uint8_t, kMinisignPublicKeyBytes> pk) {
  static constexpr std::string_view kLabel = "fieldnotes minisign key id v1";
  crypto_generichash_blake2b_state st;
  crypto_generichash_blake2b_init(&st, nullptr, 0, 32);
  crypto_generichash_blake2b_update(&st, reinterpret_cast<const uint8_t*>(kLabel.data()),
                                    kLabel.size());
  crypto_generichash_blake2b_update(&st, pk.data(), pk.size());
  std::array<uint8_t, 32> h;
  crypto_generichash_blake2b_final(&st, h.data(), h.size());
  MinisignKeyId id;
  std::copy_n(h.begin(), id.size(), id.begin());
  return id;
}

MinisignPublicKey MinisignSecretKey::public_key() const {
  std::array<uint8_t, kMinisignPublicKeyBytes> pk;
  crypto_sign_ed25519_sk_to_pk(pk.data(), sk_.data());
  return MinisignPublicKey::from_parts(key_id_, pk);
}

Result<std::string> minisign_sign(const MinisignSecretKey& key, std::span<const uint8_t> message,
                                  std::string_view trusted_comment,
                                  std::string_view untrusted_comment) {
  if (has_newline(trusted_comment) || has_newline(untrusted_comment)) {
    return Status{Code::kInvalidInput, "minisign comments must be a single line"};
  }
  if (trusted_comment.size() > kMinisignMaxCommentBytes) {
    return Status{Code::kInvalidInput, "minisign trusted comment is too long"};
  }
  auto h = blake2b_512(message);
  std::array<uint8_t, kSignatureBlob> blob;
  std::copy_n(kAlgPrehashed, 2, blob.begin());
  std::copy(key.key_id().begin(), key.key_id().end(), blob.begin() + 2);
  uint8_t* sig = blob.data() + 2 + kMinisignKeyIdBytes;
  crypto_sign_ed25519_detached(sig, nullptr, h.data(), h.size(), key.secret().data());

  std::vector<uint8_t> global_msg(sig, sig + kMinisignSignatureBytes);
  global_msg.insert(global_msg.end(), trusted_comment.begin(), trusted_comment.end());
  std::array<uint8_t, kMinisignSignatureBytes> global;
  crypto_sign_ed25519_detached(global.data(), nullptr, global_msg.data(), global_msg.size(),
                               key.secret().data());

  return std::string(kUntrustedPrefix) + std::string(untrusted_comment) + "\n" + b64(blob) +
         "\n" + std::string(kTrustedPrefix) + std::string(trusted_comment) + "\n" +
         b64(global) + "\n";
}

Result<std::string> minisign_verify(const MinisignPublicKey& key, std::span<const uint8_t> message,
                                    std::string_view signature_file) {
  const Status malformed{Code::kInvalidInput, "minisign signature file is malformed"};
  auto lines = lines_of(signature_file);
  // Exactly four lines (a final empty line from the last LF is fine).
  if (lines.size() == 5 && lines[4].empty()) lines.pop_back();
  if (lines.size() != 4) return malformed;
  if (!lines[0].starts_with(kUntrustedPrefix) || !lines[2].starts_with(kTrustedPrefix)) {
    return malformed;
  }
  auto blob = unb64(lines[1]);
  auto global = unb64(lines[3]);
  if (!blob || blob->size() != kSignatureBlob || !global ||
      global->size() != kMinisignSignatureBytes) {
    return malformed;
  }
  if (!std::equal(kAlgPrehashed, kAlgPrehashed + 2, blob->begin())) {
    return Status{Code::kUnsupported,
                  "minisign signature uses an unsupported algorithm (only prehashed ED)"};
  }
  if (!std::equal(key.key_id().begin(), key.key_id().end(), blob->begin() + 2)) {
    return Status{Code::kNotThisKey, "minisign signature was made by another key (key id " +
                                         [&] {
                                           MinisignKeyId id;
                                           std::copy_n(blob->begin() + 2, id.size(), id.begin());
                                           return MinisignPublicKey::from_parts(id, key.key())
                                               .key_id_hex();
                                         }() +
                                         ")"};
  }
  const uint8_t* sig = blob->data() + 2 + kMinisignKeyIdBytes;
  auto h = blake2b_512(message);
  if (crypto_sign_ed25519_verify_detached(sig, h.data(), h.size(), key.key().data()) != 0) {
    return Status{Code::kCorrupt, "minisign signature does not verify (file modified, or wrong key)"};
  }
  std::string_view trusted = lines[2].substr(kTrustedPrefix.size());
  std::vector<uint8_t> global_msg(sig, sig + kMinisignSignatureBytes);
  global_msg.insert(global_msg.end(), trusted.begin(), trusted.end());
  if (crypto_sign_ed25519_verify_detached(global->data(), global_msg.data(), global_msg.size(),
                                          key.key().data()) != 0) {
    return Status{Code::kCorrupt, "minisign trusted comment does not verify (comment modified)"};
  }
  return std::string(trusted);
}

}  // namespace fieldnotes::crypto
