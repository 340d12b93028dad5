#include "crypto/kdf.h"

namespace fieldnotes::crypto {

namespace {
// The test profile: libsodium's minimum. Only for tests; the CLI marks such vaults.
constexpr Argon2idParams kTestParams{1, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}  // namespace

Argon2idParams params_for(KdfProfile profile) {
  switch (profile) {
    case KdfProfile::kModerate:
      return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
    case KdfProfile::kSensitive:
      return {crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE, crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE};
    case KdfProfile::kTest:
      return kTestParams;
  }
  return kTestParams;
}

std::optional<KdfProfile> profile_from_name(std::string_view name) {
  if (name == "moderate") return KdfProfile::kModerate;
  if (name == "sensitive") return KdfProfile::kSensitive;
  if (name == "test") return KdfProfile::kTest;
  return std::nullopt;
}

const char* profile_name(KdfProfile profile) {
  switch (profile) {
    case KdfProfile::kModerate: return "moderate";
    case KdfProfile::kSensitive: return "sensitive";
    case KdfProfile::kTest: return "test";
  }
  return "?";
}

std::optional<KdfProfile> profile_of(const Argon2idParams& p) {
  for (auto k : {KdfProfile::kModerate, KdfProfile::kSensitive, KdfProfile::kTest})
    if (params_for(k) == p) return k;
  return std::nullopt;
}

Status check_params(const Argon2idParams& p) {
  if (p == kTestParams) return Status::ok();
  if (p.ops < kMinOps || p.ops > kMaxOps || p.mem_bytes < kMinMem || p.mem_bytes > kMaxMem ||
      p.mem_bytes % 1024 != 0) {
    return {Code::kUnsupported, "key derivation parameters out of the accepted range"};
  }
  return Status::ok();
}

Result<SecretBuffer> pwhash_argon2id(std::span<const uint8_t> secret,
                                     std::span<const uint8_t, kPwhashSaltBytes> salt,
                                     const Argon2idParams& params) {
  FN_RETURN_IF_ERROR(check_params(params));
  SecretBuffer key(kSlotKeyBytes);
  if (crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(secret.data()),
                    secret.size(), salt.data(), params.ops, static_cast<size_t>(params.mem_bytes),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status{Code::kIo, "key derivation ran out of memory"};
  }
  return key;
}

SecretBuffer kdf_derive_subkey(const SecretBuffer& master, Subkey id, std::size_t length) {
  SecretBuffer sub(length);
  crypto_kdf_derive_from_key(sub.data(), sub.size(), static_cast<uint64_t>(id), kKdfContext,
                             master.data());
  return sub;
}

}  // namespace fieldnotes::crypto
