#include "vault/item_key.h"

#include <cstring>
#include <string>

#include "crypto/aead.h"
#include "vault/format.h"

namespace fieldnotes::vault {

const char* table_name(ItemTable t) {
  switch (t) {
    case ItemTable::kRecords: return "records";
    case ItemTable::kPeople: return "people";
    case ItemTable::kTestOnly: return "test";
  }
  return "?";
}

const char* item_noun(ItemTable t) {
  switch (t) {
    case ItemTable::kRecords: return "record";
    case ItemTable::kPeople: return "person";
    case ItemTable::kTestOnly: return "test item";
  }
  return "item";
}

Result<std::size_t> item_key_ad(ItemTable t, std::string_view uuid, uint32_t epoch,
                                std::span<uint8_t, kItemKeyAdMaxBytes> out) {
  static constexpr std::string_view kLabel = "fieldnotes item key v1";
  const std::string_view table = table_name(t);
  // A longer table name would let a longer uuid fit: kItemKeyTableNameMaxBytes must follow.
  if (table.size() > kItemKeyTableNameMaxBytes) return Status{Code::kInvalidInput, "item table name too long"};
  const std::size_t n = kLabel.size() + 1 + table.size() + 1 + uuid.size() + 4;
  if (n > out.size()) return Status{Code::kInvalidInput, "an item id is longer than any fieldnotes writes"};
  uint8_t* p = out.data();
  auto put = [&](std::string_view x) {
    std::memcpy(p, x.data(), x.size());
    p += x.size();
  };
  put(kLabel);
  *p++ = 0;
  put(table);
  *p++ = 0;
  put(uuid);
  for (int i = 0; i < 4; ++i) *p++ = static_cast<uint8_t>(epoch >> (8 * i));
  return n;
}

Result<std::vector<uint8_t>> item_key_wrap_with_nonce(const crypto::SecretBuffer& kek, ItemTable t,
                                                      std::string_view uuid, uint32_t epoch,
                                                      const crypto::SecretBuffer& key,
                                                      std::span<const uint8_t, crypto::kAeadNonceBytes> nonce) {
  std::array<uint8_t, kItemKeyAdMaxBytes> ad;
  auto n = item_key_ad(t, uuid, epoch, ad);
  if (!n) return n.status();
  std::vector<uint8_t> out{kEnvelopeVersion};
  auto sealed = crypto::aead_xchacha_seal_with_nonce(kek, nonce, key.bytes(), {ad.data(), *n});
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

Result<std::vector<uint8_t>> item_key_wrap(const crypto::SecretBuffer& kek, ItemTable t, std::string_view uuid,
                                           uint32_t epoch, const crypto::SecretBuffer& key) {
  std::array<uint8_t, crypto::kAeadNonceBytes> nonce;
  crypto::random_bytes(nonce);
  return item_key_wrap_with_nonce(kek, t, uuid, epoch, key, nonce);
}

Status item_key_unwrap_into(const crypto::SecretBuffer& kek, ItemTable t, int64_t id, std::string_view uuid,
                            uint32_t epoch, std::span<const uint8_t> wrapped, crypto::SecretBuffer& out) {
  auto what = [&] { return std::string(item_noun(t)) + " " + std::to_string(id); };
  if (wrapped.empty() || wrapped[0] != kEnvelopeVersion)
    return {Code::kUnsupported, what() + ": unknown key envelope version"};
  std::array<uint8_t, kItemKeyAdMaxBytes> ad;
  auto n = item_key_ad(t, uuid, epoch, ad);
  if (!n) return {Code::kCorrupt, what() + ": its id is malformed"};
  if (!crypto::aead_xchacha_open_into(kek, wrapped.subspan(1), {ad.data(), *n}, out))
    return {Code::kCorrupt, what() + ": its key does not authenticate"};
  return Status::ok();
}

}  // namespace fieldnotes::vault
