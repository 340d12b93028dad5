// The audit log: sealed, hash-chained entries (docs/FORMAT.md, "Audit log").
#include "vault/vault.h"

#include <algorithm>

#include "crypto/aead.h"
#include "vault/vault_internal.h"

namespace fieldnotes::vault {

using crypto::SecretBuffer;
using namespace internal;

// ---- audit log ----

Status Vault::audit(const std::string& operation, int64_t record_id) {
  if (!audit_tip_) {
    auto q = db_->prepare("SELECT seq, chain FROM audit ORDER BY seq DESC LIMIT 1");
    if (!q) return q.status();
    auto step = q->step();
    if (!step) return step.status();
    std::pair<int64_t, std::array<uint8_t, 32>> tip{0, {}};
    if (*step == Step::kRow) {
      tip.first = q->int64(0);
      auto c = q->blob(1);
      if (c.size() != tip.second.size()) return {Code::kCorrupt, "audit log: a chain value is malformed"};
      std::copy(c.begin(), c.end(), tip.second.begin());
    }
    audit_tip_ = tip;
  }
  int64_t seq = audit_tip_->first + 1;
  json j = {{"op", operation}, {"record", record_id}, {"time", now_seconds()}};
  auto text = json_text(j);
  if (!text) return text.status();
  const std::string& entry = *text;
  std::vector<uint8_t> ad;
  append(ad, "fieldnotes audit v1");
  append_u64(ad, static_cast<uint64_t>(seq));
  auto sealed = crypto::aead_xchacha_seal(audit_seal_key_, as_bytes(entry), ad);
  std::vector<uint8_t> chain_in(audit_tip_->second.begin(), audit_tip_->second.end());
  append_u64(chain_in, static_cast<uint64_t>(seq));
  chain_in.insert(chain_in.end(), sealed.begin(), sealed.end());
  auto chain = crypto::mac_blake2b(audit_mac_key_, chain_in);
  auto ins = db_->cached("INSERT INTO audit(seq, sealed, chain) VALUES (?, ?, ?)");
  if (!ins) return ins.status();
  Status st = (*ins)->bind_all(seq, sealed, chain);
  if (st) st = (*ins)->run();
  if (!st) {
    audit_tip_.reset();
    return st;
  }
  audit_tip_ = {seq, chain};
  record_generation();  // an entry written outside a transaction has committed already
  return Status::ok();
}

Status Vault::audit_each(const std::string& operation, std::span<const int64_t> record_ids) {
  return transaction([&]() -> Status {
    for (int64_t id : record_ids) FN_RETURN_IF_ERROR(audit(operation, id));
    return Status::ok();
  });
}

Result<std::vector<AuditEntry>> Vault::audit_log() {
  const SecretBuffer& seal_key = audit_seal_key_;
  const SecretBuffer& mac_key = audit_mac_key_;
  auto q = db_->prepare("SELECT seq, sealed, chain FROM audit ORDER BY seq");
  if (!q) return q.status();
  std::vector<AuditEntry> out;
  std::vector<uint8_t> prev(crypto::kMacBytes, 0);
  int64_t expect_seq = 1;
  for (;;) {
    auto step = q->step();
    if (!step) return step.status();
    if (*step == Step::kDone) return out;
    int64_t seq = q->int64(0);
    auto sealed = q->blob(1);
    auto chain = q->blob(2);
    if (seq != expect_seq)
      return Status{Code::kCorrupt, "audit log: entry " + std::to_string(expect_seq) + " is missing"};
    std::vector<uint8_t> chain_in = prev;
    append_u64(chain_in, static_cast<uint64_t>(seq));
    chain_in.insert(chain_in.end(), sealed.begin(), sealed.end());
    if (!crypto::mac_blake2b_verify(mac_key, chain_in, chain))
      return Status{Code::kCorrupt, "audit log: the chain breaks at entry " + std::to_string(seq)};
    std::vector<uint8_t> ad;
    append(ad, "fieldnotes audit v1");
    append_u64(ad, static_cast<uint64_t>(seq));
    auto plain = crypto::aead_xchacha_open(seal_key, sealed, ad);
    if (!plain) return Status{Code::kCorrupt, "audit log: entry " + std::to_string(seq) + " does not authenticate"};
    json j = json::parse(plain->view(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return Status{Code::kCorrupt, "audit log: entry " + std::to_string(seq) + " is malformed"};
    AuditEntry e;
    e.seq = seq;
    e.operation = json_field(j, "op", std::string());
    e.record_id = json_field(j, "record", int64_t{0});
    e.time = json_field(j, "time", int64_t{0});
    out.push_back(e);
    prev.assign(chain.begin(), chain.end());
    ++expect_seq;
  }
}

}  // namespace fieldnotes::vault
