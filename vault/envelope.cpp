#include "vault/envelope.h"

#include <string>

#include "crypto/aead.h"
#include "vault/format.h"

namespace fieldnotes::vault {

std::vector<uint8_t> envelope_ad(std::string_view table, std::string_view field, std::string_view uuid) {
  static constexpr std::string_view kLabel = "fieldnotes field v1";
  std::vector<uint8_t> ad(kLabel.begin(), kLabel.end());
  ad.push_back(0);
  ad.insert(ad.end(), table.begin(), table.end());
  ad.push_back('.');
  ad.insert(ad.end(), field.begin(), field.end());
  ad.push_back(0);
  ad.insert(ad.end(), uuid.begin(), uuid.end());
  ad.push_back(kEnvelopeVersion);
  return ad;
}

std::vector<uint8_t> envelope_seal(const crypto::SecretBuffer& key, std::string_view table,
                                   std::string_view field, std::string_view uuid,
                                   std::span<const uint8_t> plaintext) {
  std::vector<uint8_t> out{kEnvelopeVersion};
  auto sealed = crypto::aead_xchacha_seal(key, plaintext, envelope_ad(table, field, uuid));
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

Status envelope_open_into(const crypto::SecretBuffer& key, std::string_view table, std::string_view field,
                          std::string_view uuid, std::span<const uint8_t> envelope, crypto::SecretBuffer& out) {
  if (envelope.empty()) return Status{Code::kCorrupt, "empty envelope"};
  if (envelope[0] != kEnvelopeVersion)
    return Status{Code::kUnsupported, "envelope version " + std::to_string(envelope[0]) + " is not supported"};
  return crypto::aead_xchacha_open_into(key, envelope.subspan(1), envelope_ad(table, field, uuid), out);
}

Result<crypto::SecretBuffer> envelope_open(const crypto::SecretBuffer& key, std::string_view table,
                                           std::string_view field, std::string_view uuid,
                                           std::span<const uint8_t> envelope) {
  crypto::SecretBuffer out;
  FN_RETURN_IF_ERROR(envelope_open_into(key, table, field, uuid, envelope, out));
  return out;
}

}  // namespace fieldnotes::vault
