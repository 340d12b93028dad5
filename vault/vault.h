// The encrypted store: key slots, the SQLCipher database, sealed records and people, and the
// audit log. Layout and formats: docs/FORMAT.md. Threat model: SECURITY.md.
//
// Thread-safety: a Vault is used from one thread. Between processes, an exclusive lock on
// VAULT_DIR/lock serialises every open vault (a second process waits, then fails with kLocked).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/kdf.h"
#include "crypto/secret.h"
#include "crypto/status.h"
#include "vault/db.h"
#include "vault/keyslots.h"

namespace fieldnotes::vault {

// How the user unlocks: the passphrase, or the recovery key (its text form).
struct Credential {
  SlotKind kind = SlotKind::kPassphrase;
  crypto::SecretBuffer secret;
};

struct RecordHeader {
  std::string title;
  std::string case_name;
  std::vector<std::string> tags;
  std::vector<std::string> people;
  std::string kind = "note";
  int64_t created = 0;   // unix seconds
  int64_t updated = 0;
};

struct Record {
  int64_t id = 0;
  std::string uuid;      // 32 hex digits
  RecordHeader header;
  std::string body;      // plaintext: wipe with crypto::wipe when done
  ~Record() { crypto::wipe(body); }
  Record() = default;
  Record(Record&&) = default;
  Record& operator=(Record&&) = default;
};

struct NewRecord {
  RecordHeader header;
  std::string_view body;
};

struct Person {
  int64_t id = 0;
  std::string json;      // the register entry, as in DESIGN.md (one JSON object)
};

struct AuditEntry {
  int64_t seq = 0;
  int64_t time = 0;
  std::string operation;
  int64_t record_id = 0;  // 0 when none
};

struct VerifyReport {
  int64_t records_checked = 0;
  int64_t people_checked = 0;
  int64_t audit_checked = 0;
  std::vector<std::string> problems;  // each names an object by id, never its content
};

// What is in a directory that should hold a vault.
enum class VaultState { kMissing, kEmpty, kVault, kDestroyed, kForeign };
VaultState probe(const std::filesystem::path& dir);

class Vault {
 public:
  ~Vault();

  // Creates a vault in `dir` (created with mode 0700 if missing; must be empty otherwise).
  // Returns the recovery key's text form, to be shown once.
  static Result<crypto::SecretBuffer> create(const std::filesystem::path& dir,
                                             const crypto::SecretBuffer& passphrase,
                                             crypto::KdfProfile profile);

  // Unlocks. kWrongKey for a wrong secret; kDestroyed after panic; kCorrupt for a damaged or
  // foreign key-slot file; kUnsupported for unknown versions or out-of-range KDF parameters.
  // A failed open writes nothing.
  static Result<std::unique_ptr<Vault>> open(const std::filesystem::path& dir, const Credential& cred);

  // Destroys every key slot (overwrite, fsync, unlink) without a passphrase. Afterwards the
  // vault opens for no one.
  static Status destroy_key_slots(const std::filesystem::path& dir);

  bool is_test_profile() const { return slots_.is_test_profile(); }
  const std::filesystem::path& dir() const { return dir_; }

  // --- records ---
  Result<int64_t> add_record(const NewRecord& r);
  // Adds all in one transaction: all or nothing.
  Result<std::vector<int64_t>> add_records(const std::vector<NewRecord>& rs);
  Result<Record> get_record(int64_t id);
  Status update_record(int64_t id, const RecordHeader& header, std::string_view body);
  // Calls `fn` for each record in id order, decrypted; stops early when fn returns false.
  // With `with_body` false, bodies are not decrypted.
  Status for_each_record(bool with_body, const std::function<bool(const Record&)>& fn);
  // Crypto-shred: a new epoch KEK, every surviving key rewrapped, the record gone, the
  // journal truncated, the old KEK scrubbed from the key-slot file.
  Status shred_record(int64_t id);

  // --- people register ---
  Result<int64_t> add_person(const std::string& json);
  Result<std::vector<int64_t>> add_people(const std::vector<std::string>& jsons);
  Status update_person(int64_t id, const std::string& json);
  Status remove_person(int64_t id);   // crypto-shredded like a record
  Result<std::vector<Person>> people();

  // --- audit log ---
  Status audit(const std::string& operation, int64_t record_id = 0);
  Result<std::vector<AuditEntry>> audit_log();

  // Authenticates every record, person and audit entry; collects every problem.
  VerifyReport verify();

  // --- secrets ---
  Status change_passphrase(const crypto::SecretBuffer& new_passphrase);
  // Replaces the recovery slot; returns the new recovery key's text form.
  Result<crypto::SecretBuffer> reset_recovery_key();

 private:
  Vault() = default;
  Status migrate();
  Status finish_pending_shred();
  Status write_slots();
  Status rotate_epoch_and_delete(const char* table, int64_t id);
  Result<crypto::SecretBuffer> unwrap_item_key(const char* table, int64_t id, std::string_view uuid,
                                               int64_t epoch, std::span<const uint8_t> wrapped);
  Status unwrap_item_key_into(const char* table, int64_t id, std::string_view uuid, int64_t epoch,
                              std::span<const uint8_t> wrapped, crypto::SecretBuffer& out);
  void derive_session_keys();
  Status rollback();
  std::vector<uint8_t> wrap_item_key(const char* table, std::string_view uuid, uint32_t epoch,
                                     const crypto::SecretBuffer& key) const;
  Result<int64_t> insert_record(const NewRecord& r, crypto::SecretBuffer& key);
  Result<int64_t> insert_person(const std::string& json);

  std::filesystem::path dir_;
  int lock_fd_ = -1;
  KeyslotFile slots_;
  crypto::SecretBuffer master_;
  crypto::SecretBuffer kek_;   // the epoch KEK that wraps every item key in the database
  uint32_t kek_epoch_ = 0;
  crypto::Argon2idParams params_;
  crypto::SecretBuffer audit_seal_key_;
  crypto::SecretBuffer audit_mac_key_;
  // The last audit entry (seq, chain), known while this process holds the lock; cleared on
  // rollback so that it is read again from the database.
  std::optional<std::pair<int64_t, std::array<uint8_t, 32>>> audit_tip_;
  std::optional<Database> db_;
};

}  // namespace fieldnotes::vault
