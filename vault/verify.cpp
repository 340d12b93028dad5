// verify: authenticates every record, person, attachment and audit entry, and the key slots.
#include "vault/vault.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "crypto/aead.h"
#include "crypto/blob_stream.h"
#include "vault/envelope.h"
#include "vault/format.h"
#include "vault/fs.h"
#include "vault/keyslot_store.h"
#include "vault/vault_internal.h"


namespace fieldnotes::vault {

namespace fs = std::filesystem;
using crypto::SecretBuffer;
using json = nlohmann::json;
using namespace internal;

// ---- verify ----

VerifyReport Vault::verify() {
  VerifyReport rep;
  for (const auto& p : key_slot_problems())
    rep.problems.push_back(p + " (the other copy opened the vault; 'fieldnotes verify --repair' rewrites it)");
  {
    auto q = db_->prepare("PRAGMA quick_check");
    Status st;
    if (q) {
      while (q->step(&st)) {
        std::string r = q->text(0);
        if (r != "ok") rep.problems.push_back("database: " + r);
      }
    }
    if (!q || !st) rep.problems.push_back("database: cannot be checked (" + (q ? st : q.status()).message() + ")");
  }
  auto q = db_->prepare("SELECT id, uuid, epoch, wrapped_key, header, body FROM records ORDER BY id");
  if (q) {
    Status st;
    while (q->step(&st)) {
      ++rep.records_checked;
      int64_t id = q->int64(0);
      std::string uuid = q->text(1);
      auto key = unwrap_item_key(ItemTable::kRecords, id, uuid, q->int64(2), q->blob(3));
      if (!key) {
        rep.problems.push_back(key.status().message());
        continue;
      }
      if (!envelope_open(*key, "records", "header", uuid, q->blob(4)))
        rep.problems.push_back("record " + std::to_string(id) + ": header does not authenticate");
      if (!envelope_open(*key, "records", "body", uuid, q->blob(5)))
        rep.problems.push_back("record " + std::to_string(id) + ": body does not authenticate");
    }
    if (!st) rep.problems.push_back(st.message());
  }
  auto p = db_->prepare("SELECT id, uuid, epoch, wrapped_key, data FROM people ORDER BY id");
  if (p) {
    Status st;
    while (p->step(&st)) {
      ++rep.people_checked;
      int64_t id = p->int64(0);
      std::string uuid = p->text(1);
      auto key = unwrap_item_key(ItemTable::kPeople, id, uuid, p->int64(2), p->blob(3));
      if (!key) {
        rep.problems.push_back(key.status().message());
        continue;
      }
      if (!envelope_open(*key, "people", "data", uuid, p->blob(4)))
        rep.problems.push_back("person " + std::to_string(id) + ": entry does not authenticate");
    }
    if (!st) rep.problems.push_back(st.message());
  }
  {
    std::set<std::string> known;
    auto a = db_->prepare("SELECT id, uuid, record_id, blob, wrapped_key FROM attachments ORDER BY id");
    if (a) {
      Status st;
      while (a->step(&st)) {
        ++rep.attachments_checked;
        int64_t id = a->int64(0);
        std::string uuid = a->text(1), blob = a->text(3), ruuid;
        known.insert(blob);
        std::string what = "attachment " + std::to_string(id);
        auto rk = record_key(a->int64(2), &ruuid);
        if (!rk) { rep.problems.push_back(what + ": " + rk.status().message()); continue; }
        auto key = envelope_open(*rk, "attachments", "key", uuid, a->blob(4));
        if (!key) { rep.problems.push_back(what + ": its key does not authenticate"); continue; }
        int fd = ::open(blob_path(blob).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) { rep.problems.push_back(what + ": its blob is missing"); continue; }
        auto c = crypto::blob_check(fd, *key, blob_ad(uuid));
        ::close(fd);
        if (!c) rep.problems.push_back(what + ": " + c.status().message());
      }
      if (!st) rep.problems.push_back(st.message());
    }
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ / kBlobsDir, ec)) {
      std::string n = e.path().filename().string();
      // Only in a vault this process could not write to: open() removes them otherwise.
      if (!known.count(n))
        rep.problems.push_back("blobs/" + n + ": left by an interrupted command (removed by the next command "
                               "that can write to the vault)");
    }
  }
  auto log = audit_log();
  if (!log) rep.problems.push_back(log.status().message());
  else rep.audit_checked = static_cast<int64_t>(log->size());
  rep.repaired = repaired_;
  return rep;
}

}  // namespace fieldnotes::vault
