#include "crypto/hkdf.h"

#include <algorithm>
#include <cstdlib>

namespace fieldnotes::crypto {

std::array<uint8_t, kHmacSha256Bytes> hmac_sha256(std::span<const uint8_t> key,
                                                  std::span<const uint8_t> message) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  crypto_auth_hmacsha256_update(&st, message.data(), message.size());
  std::array<uint8_t, kHmacSha256Bytes> out;
  crypto_auth_hmacsha256_final(&st, out.data());
  sodium_memzero(&st, sizeof st);
  return out;
}

SecretBuffer hkdf_sha256_extract(std::span<const uint8_t> salt, std::span<const uint8_t> ikm) {
  static constexpr uint8_t kZeroSalt[kHmacSha256Bytes] = {};
  if (salt.empty()) salt = kZeroSalt;
  SecretBuffer prk(kHmacSha256Bytes);
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, salt.data(), salt.size());
  crypto_auth_hmacsha256_update(&st, ikm.data(), ikm.size());
  crypto_auth_hmacsha256_final(&st, prk.data());
  sodium_memzero(&st, sizeof st);
  return prk;
}

SecretBuffer hkdf_sha256_expand(std::span<const uint8_t> prk, std::span<const uint8_t> info,
                                std::size_t length) {
  // A programming error, never input-driven: callers pass constants.
  if (length == 0 || length > kHkdfSha256MaxBytes) std::abort();
  SecretBuffer okm(length);
  SecretBuffer t(kHmacSha256Bytes);
  std::size_t t_len = 0, done = 0;
  for (uint8_t counter = 1; done < length; ++counter) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, prk.data(), prk.size());
    crypto_auth_hmacsha256_update(&st, t.data(), t_len);
    crypto_auth_hmacsha256_update(&st, info.data(), info.size());
    crypto_auth_hmacsha256_update(&st, &counter, 1);
    crypto_auth_hmacsha256_final(&st, t.data());
    sodium_memzero(&st, sizeof st);
    t_len = kHmacSha256Bytes;
    std::size_t n = std::min(kHmacSha256Bytes, length - done);
    std::copy_n(t.data(), n, okm.data() + done);
    done += n;
  }
  return okm;
}

SecretBuffer hkdf_sha256(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                         std::string_view info, std::size_t length) {
  SecretBuffer prk = hkdf_sha256_extract(salt, ikm);
  return hkdf_sha256_expand(
      prk.bytes(), {reinterpret_cast<const uint8_t*>(info.data()), info.size()}, length);
}

}  // namespace fieldnotes::crypto
