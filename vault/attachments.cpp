// Attachments: sealed streams under blobs/, staged before their rows commit.
#include "vault/vault.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "crypto/blob_stream.h"
#include "vault/envelope.h"
#include "vault/format.h"
#include "vault/fs.h"
#include "vault/sealed_row.h"
#include "vault/vault_internal.h"

namespace fieldnotes::vault {

namespace fs = std::filesystem;
using crypto::SecretBuffer;
using namespace internal;

// ---- attachments ----

std::vector<uint8_t> Vault::blob_ad(const std::string& attachment_uuid) const {
  std::vector<uint8_t> ad;
  append(ad, "fieldnotes blob v1");
  ad.push_back(0);
  ad.insert(ad.end(), slots_.vault_id.begin(), slots_.vault_id.end());
  append(ad, attachment_uuid);
  return ad;
}

fs::path Vault::blob_path(const std::string& blob) const { return dir_ / kBlobsDir / blob; }

Result<SecretBuffer> Vault::record_key(int64_t record_id, std::string* uuid) {
  SealedRow row;
  FN_RETURN_IF_ERROR(load_sealed_row(*db_, ItemTable::kRecords, record_id, {}, row));
  *uuid = row.uuid;
  return unwrap_item_key(ItemTable::kRecords, record_id, row.uuid, row.epoch, row.wrapped);
}

Result<SecretBuffer> Vault::attachment_key(int64_t id, std::string_view uuid, std::span<const uint8_t> wrapped,
                                           const SecretBuffer& record_key) {
  auto key = envelope_open(record_key, "attachments", "key", uuid, wrapped);
  if (!key) return Status{Code::kCorrupt, "attachment " + std::to_string(id) + ": its key does not authenticate"};
  return key;
}

Result<Vault::StagedBlob> Vault::stage_blob(int in_fd, const std::string& attachment_uuid) {
  std::error_code ec;
  fs::create_directories(dir_ / kBlobsDir, ec);
  StagedBlob staged;
  staged.name = new_uuid();
  staged.key = SecretBuffer::random(32);
  const fs::path tmp = dir_ / kBlobsDir / (".tmp-" + staged.name);
  int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) return Status{Code::kIo, "cannot create a blob in the vault: " + std::string(std::strerror(errno))};
  auto info = crypto::blob_seal(in_fd, out, staged.key, blob_ad(attachment_uuid));
  Status st = info.status();
  if (st && ::fsync(out) != 0) st = Status{Code::kIo, "cannot sync the blob: " + std::string(std::strerror(errno))};
  if (::close(out) != 0 && st) st = Status{Code::kIo, "cannot write the blob: " + std::string(std::strerror(errno))};
  if (st && ::rename(tmp.c_str(), blob_path(staged.name).c_str()) != 0)
    st = Status{Code::kIo, "cannot store the blob: " + std::string(std::strerror(errno))};
  if (!st) {
    ::unlink(tmp.c_str());
    return st;
  }
  staged.plaintext_bytes = info->plaintext_bytes;
  return staged;
}

void Vault::unstage_blobs(std::span<const StagedBlob> staged) {
  for (const StagedBlob& b : staged) ::unlink(blob_path(b.name).c_str());
  if (!staged.empty()) (void)fsync_dir(dir_ / kBlobsDir);
}

Status Vault::insert_attachment_row(AttachmentInfo& a, const StagedBlob& blob, const SecretBuffer& record_key) {
  a.size = blob.plaintext_bytes;
  json meta = {{"name", a.name}, {"type", a.type}, {"size", a.size}, {"created", a.created}};
  auto mj = json_text(meta);
  if (!mj) return mj.status();
  auto sealed_meta = envelope_seal(blob.key, "attachments", "meta", a.uuid, as_bytes(*mj));
  crypto::wipe(*mj);
  wipe_json(meta);
  auto wrapped = envelope_seal(record_key, "attachments", "key", a.uuid, blob.key.bytes());
  auto ins = db_->prepare("INSERT INTO attachments(uuid, record_id, created, blob, wrapped_key, meta) VALUES (?, ?, ?, ?, ?, ?)");
  if (!ins) return ins.status();
  FN_RETURN_IF_ERROR(ins->bind_all(a.uuid, a.record_id, a.created, blob.name, wrapped, sealed_meta));
  FN_RETURN_IF_ERROR(ins->run());
  a.id = db_->last_insert_rowid();
  return Status::ok();
}

Result<AttachmentInfo> Vault::attach(int64_t record_id, int in_fd, const std::string& name, const std::string& type) {
  std::string ruuid;
  auto rkey = record_key(record_id, &ruuid);
  if (!rkey) return rkey.status();
  AttachmentInfo a;
  a.uuid = new_uuid();
  a.record_id = record_id;
  a.name = name;
  a.type = type;
  a.created = now_seconds();
  // The blob is in place (sealed, durable) before its row commits; a crash in between leaves
  // an orphan that the next open removes.
  auto staged = stage_blob(in_fd, a.uuid);
  if (!staged) return staged.status();
  if (Status d = fsync_dir(dir_ / kBlobsDir); !d) {
    unstage_blobs({&*staged, 1});
    return d;
  }
  Status row = db_->exec("BEGIN IMMEDIATE");
  if (row) {
    row = insert_attachment_row(a, *staged, *rkey);
    if (row) row = audit("attach", record_id);
    row = row ? commit() : row;
    if (!row) (void)rollback();
  }
  if (!row) {
    unstage_blobs({&*staged, 1});
    return row;
  }
  return a;
}

Result<std::vector<AttachmentInfo>> Vault::attachments(int64_t record_id) {
  auto q = db_->prepare(record_id > 0
      ? "SELECT a.id, a.uuid, a.record_id, a.created, a.wrapped_key, a.meta FROM attachments a WHERE a.record_id = ? ORDER BY a.id"
      : "SELECT a.id, a.uuid, a.record_id, a.created, a.wrapped_key, a.meta FROM attachments a WHERE ? = 0 ORDER BY a.id");
  if (!q) return q.status();
  FN_RETURN_IF_ERROR(q->bind(1, record_id));
  std::vector<AttachmentInfo> out;
  std::map<int64_t, std::pair<std::string, SecretBuffer>> rkeys;
  for (;;) {
    auto step = q->step();
    if (!step) return step.status();
    if (*step == Step::kDone) return out;
    AttachmentInfo a;
    a.id = q->int64(0);
    a.uuid = q->text(1);
    a.record_id = q->int64(2);
    a.created = q->int64(3);
    auto it = rkeys.find(a.record_id);
    if (it == rkeys.end()) {
      std::string ruuid;
      auto rk = record_key(a.record_id, &ruuid);
      if (!rk) return rk.status();
      it = rkeys.emplace(a.record_id, std::make_pair(ruuid, std::move(rk).value())).first;
    }
    auto key = attachment_key(a.id, a.uuid, q->blob(4), it->second.second);
    if (!key) return key.status();
    auto meta = envelope_open(*key, "attachments", "meta", a.uuid, q->blob(5));
    if (!meta) return Status{Code::kCorrupt, "attachment " + std::to_string(a.id) + ": its description does not authenticate"};
    json j = json::parse(meta->view(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Status{Code::kCorrupt, "attachment " + std::to_string(a.id) + " is malformed"};
    a.name = json_field(j, "name", std::string());
    a.type = json_field(j, "type", std::string("other"));
    a.size = json_field(j, "size", uint64_t{0});
    out.push_back(std::move(a));
  }
}

Status Vault::extract(int64_t attachment_id, int out_fd, bool verify_first) {
  auto q = db_->prepare("SELECT uuid, record_id, blob, wrapped_key FROM attachments WHERE id = ?");
  if (!q) return q.status();
  FN_RETURN_IF_ERROR(q->bind(1, attachment_id));
  auto step = q->step();
  if (!step) return step.status();
  if (*step == Step::kDone) return {Code::kNotFound, "no attachment " + std::to_string(attachment_id)};
  std::string uuid = q->text(0), blob = q->text(2), ruuid;
  auto rk = record_key(q->int64(1), &ruuid);
  if (!rk) return rk.status();
  auto key = attachment_key(attachment_id, uuid, q->blob(3), *rk);
  if (!key) return key.status();
  int in = ::open(blob_path(blob).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0) {
    if (errno == ENOENT) return {Code::kCorrupt, "attachment " + std::to_string(attachment_id) + ": its blob is missing"};
    return {Code::kIo, "cannot open the blob of attachment " + std::to_string(attachment_id) + ": " + std::strerror(errno)};
  }
  if (verify_first) {
    auto c = crypto::blob_check(in, *key, blob_ad(uuid));
    if (!c) {
      ::close(in);
      return {c.status().code(), "attachment " + std::to_string(attachment_id) + ": " + c.status().message()};
    }
    ::lseek(in, 0, SEEK_SET);
  }
  auto r = crypto::blob_open(in, out_fd, *key, blob_ad(uuid));
  ::close(in);
  if (!r) return {r.status().code(), "attachment " + std::to_string(attachment_id) + ": " + r.status().message()};
  return audit("extract", q->int64(1));
}

}  // namespace fieldnotes::vault
