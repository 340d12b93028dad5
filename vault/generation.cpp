// The vault's generation: the audit log's last entry (number and chain value), which every
// committed change advances, kept both in vault.db and with the key slots; and the key slots'
// sequence number, kept in vault.db. Together they make a vault.db put back from an older copy,
// or older key slots put back under a newer vault.db, refuse to open (docs/FORMAT.md,
// "Generation"; SECURITY.md, "Rollback").
//
// Order of writes, and what a crash between them leaves:
//   COMMIT (vault.db ahead of the key slots' generation: tolerated, caught up at the next open)
//   key slots written with sequence s+1 (ahead of vault.db's record of s: tolerated, caught up)
//   vault.db records s+1.
// A vault.db behind the key slots' generation, or key slots behind vault.db's record of their
// sequence, is never left by a crash: it is a copy put back.
#include <charconv>
#include <cstring>

#include "vault/vault.h"
#include "vault/vault_internal.h"

namespace fieldnotes::vault {

namespace {

constexpr const char* kRollbackHint =
    ": a file was put back from an older copy (a rollback), or comes from another copy of the vault";

}  // namespace

// The last committed audit entry, or the entry numbered `at_seq` when given (its chain value;
// seq 0 when there is none).
Result<Vault::AuditTip> Vault::committed_audit_tip(int64_t at_seq) {
  auto q = at_seq > 0 ? db_->prepare("SELECT seq, chain FROM audit WHERE seq = ?")
                      : db_->prepare("SELECT seq, chain FROM audit ORDER BY seq DESC LIMIT 1");
  if (!q) return q.status();
  if (at_seq > 0) FN_RETURN_IF_ERROR(q->bind(1, at_seq));
  auto step = q->step();
  if (!step) return step.status();
  AuditTip tip;
  if (*step == Step::kDone) return tip;
  tip.seq = q->int64(0);
  auto chain = q->blob(1);
  if (chain.size() != tip.chain.size()) return Status{Code::kCorrupt, "audit log: a chain value is malformed"};
  std::memcpy(tip.chain.data(), chain.data(), chain.size());
  return tip;
}

Status Vault::check_generation() {
  auto tip = committed_audit_tip();
  if (!tip) return tip.status();
  if (slots_.has_generation()) {
    if (static_cast<int64_t>(slots_.audit_seq) > tip->seq)
      return Status{Code::kRollback, "vault.db is older than its key slots (its audit log ends at entry " +
                                        std::to_string(tip->seq) + ", the key slots were written after entry " +
                                        std::to_string(slots_.audit_seq) + ")" + kRollbackHint};
    if (slots_.audit_seq > 0) {
      auto then = committed_audit_tip(static_cast<int64_t>(slots_.audit_seq));
      if (!then) return then.status();
      if (!crypto::ct_equal(then->chain, slots_.audit_chain))
        return Status{Code::kRollback, "vault.db does not continue the history its key slots were written with "
                                      "(audit entry " + std::to_string(slots_.audit_seq) + " differs)" +
                                      kRollbackHint};
    }
  }
  auto recorded = meta_value("keyslots_sequence");
  if (!recorded) return recorded.status();
  uint64_t recorded_sequence = 0;
  const auto parsed = std::from_chars(recorded->data(), recorded->data() + recorded->size(), recorded_sequence);
  if (!recorded->empty() && parsed.ec != std::errc())
    return Status{Code::kCorrupt, "vault.db's record of the key slots' sequence is malformed"};
  // Version-1 key slots have no sequence number (the first open rewrites them).
  if (!recorded->empty() && slots_.major == kKeyslotsMajor && slots_.sequence < recorded_sequence)
    return Status{Code::kRollback, "the key slots are older than vault.db (they are write " +
                                       std::to_string(slots_.sequence) + "; vault.db was last opened with write " +
                                       *recorded + ")" + kRollbackHint};
  generation_checked_ = true;
  return Status::ok();
}

Status Vault::write_slots() {
  const bool record = generation_checked_ && !db_->in_transaction() && !db_->read_only();
  if (record) {
    auto tip = committed_audit_tip();
    if (!tip) return tip.status();
    slots_.audit_seq = static_cast<uint64_t>(tip->seq);
    slots_.audit_chain = tip->chain;
  }
  if (stop_generation_for_tests == GenerationStep::kBeforeKeySlots) return Status::ok();
  FN_RETURN_IF_ERROR(store_.write(slots_, master_, lock_fd_));
  if (!record || stop_generation_for_tests == GenerationStep::kBeforeDatabase) return Status::ok();
  auto up = db_->prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('keyslots_sequence', ?)");
  if (!up) return up.status();
  FN_RETURN_IF_ERROR(up->bind(1, std::to_string(slots_.sequence)));
  return up->run();
}

void Vault::record_generation() {
  if (!generation_checked_ || db_->in_transaction() || db_->read_only()) return;
  auto tip = committed_audit_tip();
  if (!tip) return;
  auto recorded = meta_value("keyslots_sequence");
  const bool current = slots_.has_generation() && static_cast<int64_t>(slots_.audit_seq) == tip->seq &&
                       slots_.audit_chain == tip->chain && recorded && *recorded == std::to_string(slots_.sequence);
  if (!current) (void)write_slots();
}

Status Vault::commit() {
  FN_RETURN_IF_ERROR(db_->exec("COMMIT"));
  record_generation();
  return Status::ok();
}

}  // namespace fieldnotes::vault
