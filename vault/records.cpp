// Records: add, read (on one thread or two), update.
#include "vault/vault.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "vault/envelope.h"
#include "vault/sealed_row.h"
#include "vault/vault_internal.h"

namespace fieldnotes::vault {

using crypto::SecretBuffer;
using namespace internal;

namespace {

// The sealed fields of a record, in the order the queries below ask for them.
constexpr std::size_t kHeaderField = 0, kBodyField = 1;

}  // namespace

// ---- records ----

Result<int64_t> Vault::insert_record(const NewRecord& r, SecretBuffer& key) {
  std::string uuid = new_uuid();
  key.resize_for_overwrite(32);
  crypto::random_bytes(key.mutable_bytes());
  RecordHeader h = r.header;
  if (h.created == 0) h.created = now_seconds();
  h.updated = h.created;
  auto hj = header_to_json(h);
  if (!hj) return hj.status();
  auto header = envelope_seal(key, "records", "header", uuid, as_bytes(*hj));
  crypto::wipe(*hj);
  auto body = envelope_seal(key, "records", "body", uuid, as_bytes(r.body));
  auto wrapped = wrap_item_key(ItemTable::kRecords, uuid, key);
  if (!wrapped) return wrapped.status();
  auto ins = db_->cached(
      "INSERT INTO records(uuid, kind, created, updated, epoch, wrapped_key, header, body) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!ins) return ins.status();
  FN_RETURN_IF_ERROR((*ins)->bind_all(uuid, h.kind, h.created, h.updated, int64_t{kek_epoch_}, *wrapped, header, body));
  FN_RETURN_IF_ERROR((*ins)->run());
  return db_->last_insert_rowid();
}

Result<int64_t> Vault::add_record(const NewRecord& r) {
  auto ids = add_records({r});
  if (!ids) return ids.status();
  return ids->front();
}

Result<std::vector<int64_t>> Vault::add_records(const std::vector<NewRecord>& rs) {
  FN_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  std::vector<int64_t> ids;
  SecretBuffer key(32);  // one secure allocation for every record key of the batch
  for (const NewRecord& r : rs) {
    auto id = insert_record(r, key);
    if (!id) {
      (void)rollback();
      return id.status();
    }
    ids.push_back(*id);
    Status a = audit("add", *id);  // in the same transaction: no record without its entry
    if (!a) {
      (void)rollback();
      return a;
    }
  }
  Status st = commit();
  if (!st) {
    (void)rollback();
    return st;
  }
  return ids;
}


// Opens one sealed row into `rec`, reusing the caller's secure buffers.
Status Vault::open_row(const SealedRow& row, bool with_body, SecretBuffer& key, SecretBuffer& header,
                       SecretBuffer& body, Record& rec) const {
  rec.id = row.id;
  rec.uuid = row.uuid;
  FN_RETURN_IF_ERROR(unwrap_item_key_into(ItemTable::kRecords, row.id, row.uuid, row.epoch, row.wrapped, key));
  // Through envelope_open: records get the MUST-reject rules of docs/FORMAT.md, "Envelopes".
  auto failed = [&](const Status& s, const char* field) {
    std::string what = "record " + std::to_string(row.id) + ": " + field;
    return s.code() == Code::kUnsupported ? Status{Code::kUnsupported, what + " " + s.message()}
                                          : Status{Code::kCorrupt, what + " does not authenticate"};
  };
  if (Status s = envelope_open_into(key, "records", "header", row.uuid, row.fields[kHeaderField], header); !s)
    return failed(s, "header");
  auto parsed = header_from_json(header.view());
  if (!parsed) return Status{Code::kCorrupt, "record " + std::to_string(row.id) + ": header is malformed"};
  rec.header = std::move(parsed).value();
  if (with_body) {
    if (Status s = envelope_open_into(key, "records", "body", row.uuid, row.fields[kBodyField], body); !s)
      return failed(s, "body");
    rec.body.assign(body.view());
  }
  return Status::ok();
}

Status Vault::for_each_record(bool with_body, const std::function<bool(const Record&)>& fn) {
  const std::string sql = with_body ? sealed_rows_query(ItemTable::kRecords, {"header", "body"}, SealedRows::kAll)
                                    : sealed_rows_query(ItemTable::kRecords, {"header"}, SealedRows::kAll);
  auto q = db_->prepare(sql.c_str());
  if (!q) return q.status();
  // One secure allocation each for the key, header and body, reused for every row.
  SecretBuffer key(32), header(4096), body(65536);
  SealedRow row;
  for (;;) {
    auto step = q->step();
    if (!step) return step.status();
    if (*step == Step::kDone) return Status::ok();
    read_sealed_row(*q, row);
    Record rec;
    FN_RETURN_IF_ERROR(open_row(row, with_body, key, header, body, rec));
    if (!fn(rec)) return Status::ok();
  }
}

Result<std::vector<int64_t>> Vault::find_records(const std::function<bool(const Record&)>& match) {
  auto q = db_->prepare(sealed_rows_query(ItemTable::kRecords, {"header", "body"}, SealedRows::kAll).c_str());
  if (!q) return q.status();
  // This thread reads SQLite and opens every other batch; a second thread opens the rest.
  constexpr std::size_t kBatch = 128;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<SealedRow>> queue;
  bool done = false;
  Status error;
  std::vector<int64_t> hits;
  auto process = [&](const std::vector<SealedRow>& batch, SecretBuffer& key, SecretBuffer& header, SecretBuffer& body) {
    std::vector<int64_t> local;
    for (const auto& row : batch) {
      Record rec;
      Status s = open_row(row, true, key, header, body, rec);
      if (!s) {
        std::lock_guard<std::mutex> g(mu);
        if (error) error = s;
        return;
      }
      if (match(rec)) local.push_back(rec.id);
    }
    std::lock_guard<std::mutex> g(mu);
    hits.insert(hits.end(), local.begin(), local.end());
  };
  std::thread worker([&] {
    SecretBuffer key(32), header(4096), body(65536);
    for (;;) {
      std::vector<SealedRow> batch;
      {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return done || !queue.empty(); });
        if (queue.empty()) return;
        batch = std::move(queue.front());
        queue.pop_front();
      }
      cv.notify_all();
      process(batch, key, header, body);
    }
  });
  SecretBuffer key(32), header(4096), body(65536);
  Status st;
  std::vector<SealedRow> batch;
  // Self-balancing: the worker gets every batch while it keeps up; when its queue is full,
  // this thread (which also reads SQLite) opens the batch itself.
  auto hand_off = [&] {
    if (batch.empty()) return;
    std::unique_lock<std::mutex> lk(mu);
    if (queue.size() < 2) {
      queue.push_back(std::move(batch));
      lk.unlock();
      cv.notify_all();
    } else {
      lk.unlock();
      process(batch, key, header, body);
    }
    batch = {};
  };
  for (;;) {
    auto step = q->step();
    if (!step) {
      st = step.status();
      break;
    }
    if (*step == Step::kDone) break;
    SealedRow row;
    read_sealed_row(*q, row);
    batch.push_back(std::move(row));
    if (batch.size() == kBatch) hand_off();
  }
  hand_off();
  {
    std::lock_guard<std::mutex> g(mu);
    done = true;
  }
  cv.notify_all();
  worker.join();
  FN_RETURN_IF_ERROR(st);
  FN_RETURN_IF_ERROR(error);
  std::sort(hits.begin(), hits.end());
  return hits;
}

Result<Record> Vault::get_record(int64_t id) {
  SealedRow row;
  FN_RETURN_IF_ERROR(load_sealed_row(*db_, ItemTable::kRecords, id, {"header", "body"}, row));
  SecretBuffer key(32), header, body;
  Record rec;
  FN_RETURN_IF_ERROR(open_row(row, /*with_body=*/true, key, header, body, rec));
  return rec;
}

Status Vault::update_record(int64_t id, const RecordHeader& header, std::string_view body) {
  std::string uuid;
  auto key = record_key(id, &uuid);
  if (!key) return key.status();
  RecordHeader h = header;
  h.updated = now_seconds();
  auto hj = header_to_json(h);
  if (!hj) return hj.status();
  auto sh = envelope_seal(*key, "records", "header", uuid, as_bytes(*hj));
  crypto::wipe(*hj);
  auto sb = envelope_seal(*key, "records", "body", uuid, as_bytes(body));
  return transaction([&]() -> Status {
    auto up = db_->prepare("UPDATE records SET header = ?, body = ?, updated = ? WHERE id = ?");
    if (!up) return up.status();
    FN_RETURN_IF_ERROR(up->bind_all(sh, sb, h.updated, id));
    FN_RETURN_IF_ERROR(up->run());
    return audit("edit", id);
  });
}

}  // namespace fieldnotes::vault
