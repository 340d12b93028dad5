// Changing the secrets that open the vault: the passphrase and the recovery key.
#include "vault/vault.h"

namespace fieldnotes::vault {

using crypto::SecretBuffer;

// ---- secrets ----

Status Vault::change_passphrase(const SecretBuffer& new_passphrase) {
  FN_RETURN_IF_ERROR(slots_.set_slot(SlotKind::kPassphrase, new_passphrase.bytes(), params_, master_));
  FN_RETURN_IF_ERROR(write_slots());
  return audit("passwd");
}

Result<SecretBuffer> Vault::begin_recovery_reset() {
  SecretBuffer raw = recovery_key_generate();
  auto salt = slots_.add_slot(SlotKind::kRecovery, raw.bytes(), params_, master_);
  if (!salt) return salt.status();
  if (Status s = write_slots(); !s) {
    slots_.remove_slot(*salt);
    return s;
  }
  pending_recovery_salt_ = *salt;
  return recovery_key_format(raw);
}

Status Vault::finish_recovery_reset() {
  if (!pending_recovery_salt_) return {Code::kInvalidInput, "no recovery key is being replaced"};
  slots_.keep_only_slot(SlotKind::kRecovery, *pending_recovery_salt_);
  pending_recovery_salt_.reset();
  FN_RETURN_IF_ERROR(write_slots());
  return audit("recovery-reset");
}

Status Vault::abandon_recovery_reset() {
  if (!pending_recovery_salt_) return Status::ok();
  slots_.remove_slot(*pending_recovery_salt_);
  pending_recovery_salt_.reset();
  return write_slots();
}

}  // namespace fieldnotes::vault
