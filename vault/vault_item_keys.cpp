// The vault's item keys under its current epoch KEK (the format: vault/item_key.h).
#include "vault/vault.h"

#include "vault/item_key.h"

namespace fieldnotes::vault {

using crypto::SecretBuffer;

Result<std::vector<uint8_t>> Vault::wrap_item_key(ItemTable table, std::string_view uuid,
                                                 const SecretBuffer& key) const {
  return item_key_wrap(kek_, table, uuid, kek_epoch_, key);
}

Status Vault::unwrap_item_key_into(ItemTable table, int64_t id, std::string_view uuid, int64_t epoch,
                                   std::span<const uint8_t> wrapped, SecretBuffer& out) const {
  if (epoch != kek_epoch_)
    return {Code::kCorrupt, std::string(item_noun(table)) + " " + std::to_string(id) + ": key from an unknown epoch"};
  return item_key_unwrap_into(kek_, table, id, uuid, kek_epoch_, wrapped, out);
}

Result<SecretBuffer> Vault::unwrap_item_key(ItemTable table, int64_t id, std::string_view uuid,
                                            int64_t epoch, std::span<const uint8_t> wrapped) {
  SecretBuffer out;
  FN_RETURN_IF_ERROR(unwrap_item_key_into(table, id, uuid, epoch, wrapped, out));
  return out;
}

}  // namespace fieldnotes::vault
