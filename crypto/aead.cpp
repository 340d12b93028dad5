#include "crypto/aead.h"

#include <array>

namespace fieldnotes::crypto {

Bytes aead_xchacha_seal_with_nonce(const SecretBuffer& key,
                                   std::span<const uint8_t, kAeadNonceBytes> nonce,
                                   std::span<const uint8_t> plaintext,
                                   std::span<const uint8_t> ad) {
  Bytes out(kAeadNonceBytes + plaintext.size() + kAeadTagBytes);
  std::copy(nonce.begin(), nonce.end(), out.begin());
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kAeadNonceBytes, &clen,
                                             plaintext.data(), plaintext.size(), ad.data(),
                                             ad.size(), nullptr, nonce.data(), key.data());
  return out;
}

Bytes aead_xchacha_seal(const SecretBuffer& key, std::span<const uint8_t> plaintext,
                        std::span<const uint8_t> ad) {
  std::array<uint8_t, kAeadNonceBytes> nonce;
  randombytes_buf(nonce.data(), nonce.size());
  return aead_xchacha_seal_with_nonce(key, nonce, plaintext, ad);
}

Status aead_xchacha_open_into(const SecretBuffer& key, std::span<const uint8_t> sealed,
                              std::span<const uint8_t> ad, SecretBuffer& out) {
  if (key.size() != kAeadKeyBytes) return {Code::kInvalidInput, "key has the wrong size"};
  if (sealed.size() < kAeadNonceBytes + kAeadTagBytes) return {Code::kCorrupt, "sealed data is truncated"};
  out.resize_for_overwrite(sealed.size() - kAeadNonceBytes - kAeadTagBytes);
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          out.data(), &mlen, nullptr, sealed.data() + kAeadNonceBytes,
          sealed.size() - kAeadNonceBytes, ad.data(), ad.size(), sealed.data(), key.data()) != 0) {
    sodium_memzero(out.data(), out.size());
    return {Code::kCorrupt, "authentication failed"};
  }
  return Status::ok();
}

Result<SecretBuffer> aead_xchacha_open(const SecretBuffer& key, std::span<const uint8_t> sealed,
                                       std::span<const uint8_t> ad) {
  SecretBuffer out;
  FN_RETURN_IF_ERROR(aead_xchacha_open_into(key, sealed, ad, out));
  return out;
}

std::array<uint8_t, kSha256Bytes> hash_sha256(std::span<const uint8_t> msg) {
  std::array<uint8_t, kSha256Bytes> out;
  crypto_hash_sha256(out.data(), msg.data(), msg.size());
  return out;
}

std::array<uint8_t, kMacBytes> mac_blake2b(const SecretBuffer& key, std::span<const uint8_t> msg) {
  std::array<uint8_t, kMacBytes> out;
  crypto_generichash(out.data(), out.size(), msg.data(), msg.size(), key.data(), key.size());
  return out;
}

bool mac_blake2b_verify(const SecretBuffer& key, std::span<const uint8_t> msg,
                        std::span<const uint8_t> mac) {
  auto expect = mac_blake2b(key, msg);
  return ct_equal(expect, mac);
}

}  // namespace fieldnotes::crypto
