// The encrypted store: key slots, the SQLCipher database, sealed records and people, and the
// audit log. Layout and formats: docs/FORMAT.md. Threat model: SECURITY.md.
//
// Thread-safety: a Vault is used from one thread. Between processes, an exclusive lock on
// VAULT_DIR/lock serialises every open vault (a second process waits, then fails with kLocked).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "crypto/kdf.h"
#include "crypto/secret.h"
#include "vault/db.h"
#include "vault/item_key.h"
#include "base/plaintext.h"
#include "vault/keyslot_store.h"
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
  std::string sender;        // received records: the contact's name (or "unknown")
  std::string verification;  // received records: "verified" or "unverified"

  RecordHeader() = default;
  RecordHeader(const RecordHeader&) = default;
  RecordHeader(RecordHeader&&) = default;
  RecordHeader& operator=(const RecordHeader&) = default;
  RecordHeader& operator=(RecordHeader&&) = default;
  ~RecordHeader() {  // titles, case names, tags and people are testimony too
    wipe_string(title);
    wipe_string(case_name);
    wipe_string(sender);
    for (auto* list : {&tags, &people})
      for (auto& s : *list) wipe_string(s);
  }
};

struct Record {
  int64_t id = 0;
  std::string uuid;      // 32 hex digits
  RecordHeader header;
  Plaintext body;        // wiped when freed
};

struct NewRecord {
  RecordHeader header;
  std::string_view body;
};

struct Person {
  int64_t id = 0;
  Plaintext json;        // the register entry, as in DESIGN.md (one JSON object); wiped when freed
};

struct AuditEntry {
  int64_t seq = 0;
  int64_t time = 0;
  std::string operation;
  int64_t record_id = 0;  // 0 when none
};

struct VerifyReport {
  int64_t records_checked = 0;
  int64_t attachments_checked = 0;
  int64_t people_checked = 0;
  int64_t audit_checked = 0;
  std::vector<std::string> problems;  // each names an object by id, never its content
  std::vector<std::string> repaired;  // leftovers of interrupted commands, removed on open
  // The directory is a backup whose writing was interrupted (its marker is present): the first
  // of `problems` says so.
  bool backup_incomplete = false;
};

// An attachment of a record: a sealed stream under blobs/, its key wrapped by the record key.
struct AttachmentInfo {
  int64_t id = 0;
  std::string uuid;
  int64_t record_id = 0;
  std::string name;      // the file name given at attach time (sealed)
  std::string type;      // detected type ("jpeg", "pdf", "other"...) (sealed)
  uint64_t size = 0;     // plaintext bytes (sealed; the blob file itself is padded)
  int64_t created = 0;
};

// An attachment given to import_bundle: plaintext read from `fd` (a file in RAM).
struct NewAttachment {
  int fd = -1;
  std::string name;
  std::string type;
};

// The vault's sharing identity: an age X25519 key and a minisign (Ed25519) key. Raw secrets.
struct IdentityKeys {
  crypto::SecretBuffer x25519_secret;   // 32 bytes
  crypto::SecretBuffer ed25519_seed;    // 32 bytes
  std::array<uint8_t, 8> minisign_key_id{};
};

// A colleague's public keys. Sealed in the vault (names of colleagues are sensitive too).
struct Contact {
  int64_t id = 0;
  std::string name;
  std::string age_recipient;   // age1...
  std::string minisign_key;    // RW... (may be empty: then their bundles cannot be verified)
  int64_t last_sequence = 0;   // highest bundle sequence number received from them
};

// What is in a directory that should hold a vault.
enum class VaultState { kMissing, kEmpty, kVault, kDestroyed, kForeign };
VaultState probe(const std::filesystem::path& dir);

struct SealedRow;
struct BackupReport;  // vault/backup.h

class Vault {
 public:
  ~Vault();

  // Creates a vault in `dir` (created with mode 0700 if missing; must be empty otherwise).
  // Returns the recovery key's text form, to be shown once.
  static Result<crypto::SecretBuffer> create(const std::filesystem::path& dir,
                                             const crypto::SecretBuffer& passphrase,
                                             crypto::KdfProfile profile);

  // Unlocks. kWrongKey for a wrong secret; kDestroyed after panic; kCorrupt when both key-slot
  // copies are damaged or foreign; kUnsupported for unknown versions (a database schema newer
  // than kSchemaVersion included) or out-of-range KDF parameters. A failed open writes nothing.
  // A successful one upgrades an older database schema in one transaction where it can write
  // (elsewhere the vault is read in its own schema: docs/FORMAT.md, "Schema versions") and
  // finishes what interrupted commands left (key-slot copies behind the current one, a shred's old epoch key, temp and
  // orphaned files), noting each in repaired().
  static Result<std::unique_ptr<Vault>> open(const std::filesystem::path& dir, const Credential& cred);

  // Destroys every key slot (marker, overwrite, fsync, unlink) without a passphrase, waiting for
  // a key-slot write in flight in another process and destroying again after it. Afterwards
  // the vault opens for no one, and no writer can bring a slot back.
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
  // The ids of the records for which `match` is true, in id order. Opens records on two
  // threads: `match` is called concurrently and must be thread-safe.
  Result<std::vector<int64_t>> find_records(const std::function<bool(const Record&)>& match);
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
  // One entry per record, all in one transaction (one generation written, not one per record).
  Status audit_each(const std::string& operation, std::span<const int64_t> record_ids);
  Result<std::vector<AuditEntry>> audit_log();

  // --- attachments ---
  // Streams `in_fd` into a new sealed blob (temp file, fsync, rename, fsync dir), then adds
  // its row. On failure no row and no blob remain. Memory stays constant whatever the size.
  Result<AttachmentInfo> attach(int64_t record_id, int in_fd, const std::string& name, const std::string& type);
  // Attachments of one record (record_id > 0) or of all records (0), in id order.
  Result<std::vector<AttachmentInfo>> attachments(int64_t record_id);
  // Writes the attachment's plaintext to out_fd. With `verify_first`, authenticates the whole
  // blob before writing anything (for outputs that cannot be taken back, like a pipe).
  Status extract(int64_t attachment_id, int out_fd, bool verify_first);

  // --- sharing ---
  // The vault's identity, created (randomly) on first use.
  Result<IdentityKeys> identity();
  Result<std::vector<Contact>> contacts();
  // kRefused if the name is taken; kIo, before any write, in a vault read at an older schema.
  Result<int64_t> add_contact(const Contact& c);
  Status remove_contact(const std::string& name);   // kNotFound
  // The next sequence number for bundles this vault sends (1, 2, ...).
  Result<int64_t> next_share_sequence();
  // Whether a bundle id was already received (kept as a keyed MAC of the id, not the id).
  Result<bool> bundle_seen(std::string_view bundle_id);
  // All or nothing: the attachments sealed into blobs/ first, then one transaction with the
  // records, their attachment rows, the bundle marked seen and the contact's sequence raised.
  // `attachments[i]` belong to `rs[i]`. An interruption leaves only orphaned blobs (removed by
  // the next open), so the bundle can be received again. kIo, before any write, in a vault read
  // at an older schema.
  Result<std::vector<int64_t>> import_bundle(const std::vector<NewRecord>& rs,
                                             const std::vector<std::vector<NewAttachment>>& attachments,
                                             std::string_view bundle_id, int64_t contact_id, int64_t sequence);

  // Authenticates every record, person and audit entry; collects every problem.
  VerifyReport verify();

  // --- backup (vault/backup.cpp; docs/FORMAT.md, "Backups") ---
  // Writes a snapshot of this vault into `dest` (created if missing) while this process holds
  // the vault's lock: attachment streams not yet there, vault.db (SQLCipher's backup API on
  // this connection, same key), both key-slot copies; each file through a temp file, fsync,
  // rename. Then opens the copy with `cred` and authenticates all of it. kRefused when `dest`
  // is a file or a non-empty directory that is not a backup of this vault (another vault_id);
  // kCorrupt when the copy fails to authenticate (the report's `verified` lists why).
  // REQUIRES: `cred` opens this vault.
  Result<BackupReport> backup(const std::filesystem::path& dest, const Credential& cred,
                              const std::function<void(uint64_t, uint64_t)>& progress = {});

  // --- secrets ---
  Status change_passphrase(const crypto::SecretBuffer& new_passphrase);
  // Replacing the recovery key, in two durable steps so that no interruption loses it:
  // begin adds a new recovery slot beside the old one(s) and returns the new key's text form
  // (both keys open the vault now); once the key has been shown, finish removes the others.
  // abandon removes the new slot again (when the key could not be shown).
  Result<crypto::SecretBuffer> begin_recovery_reset();
  Status finish_recovery_reset();
  Status abandon_recovery_reset();

  // What open() finished or removed for interrupted commands (for verify to report).
  const std::vector<std::string>& repaired() const { return repaired_; }
  // Key-slot copies that are damaged, missing or foreign ("NAME: why"); empty when both are good.
  std::vector<std::string> key_slot_problems() const;
  // Rewrites damaged or missing key-slot copies from the current one (verify --repair).
  Status repair_key_slots();

 private:
  // Defined only in tests/vault/test_vault.cpp: shreds with a table added by the test.
  friend struct ShredTestSeam;
  // Defined only in tests/vault/test_generation.cpp: stops recording the generation where a
  // crash could.
  friend struct GenerationTestSeam;
  enum class GenerationStep { kNone, kBeforeKeySlots, kBeforeDatabase };
  static inline GenerationStep stop_generation_for_tests = GenerationStep::kNone;

  Vault() = default;
  // Brings the database to kSchemaVersion: every step from its stored schema_version in one
  // transaction with the new version, so a crash leaves the old schema whole and the next open
  // runs it again (docs/FORMAT.md, "Schema versions"). An older vault whose directory cannot
  // be written opens as it is, in its own schema (schema_version_).
  Status migrate();
  // Schema 1 -> 2: every contact that opens under the identity subkey is sealed again under the
  // contacts subkey (vault/sharing.cpp). REQUIRES: inside migrate()'s transaction.
  Status reseal_contacts_for_schema_2();
  // kIo naming `what` when the database is at an older schema (read-only media): such a vault
  // is read in its own schema but never written in it.
  Status require_current_schema(std::string_view what) const;
  Status open_row(const SealedRow& row, bool with_body, crypto::SecretBuffer& key,
                  crypto::SecretBuffer& header, crypto::SecretBuffer& body, Record& rec) const;
  Status finish_pending_shred();
  Status finish_interrupted_writes();
  Status remove_orphan_blobs();
  Status remove_stale_journal();
  Result<std::string> meta_value(const char* key);
  // Writes the key slots (KeyslotStore::write) stamped with the generation — the audit log's
  // last committed entry — then records their sequence number in the database (docs/FORMAT.md,
  // "Generation"). REQUIRES: no transaction open.
  Status write_slots();
  // Refuses a vault.db older than its key slots, and key slots older than their vault.db
  // (kCorrupt naming a rollback). Runs at open before anything is written.
  Status check_generation();
  // COMMIT, then the generation recorded with the key slots (best effort: a lag is what a
  // crash leaves, and the next open closes it).
  Status commit();
  void record_generation();
  struct AuditTip {
    int64_t seq = 0;
    std::array<uint8_t, 32> chain{};
  };
  Result<AuditTip> committed_audit_tip(int64_t at_seq = 0);
  bool generation_checked_ = false;
  // Shred: rewraps the keys of every table in `tables` (kItemTables, except in the test that
  // adds a table) under a new epoch KEK and deletes item `id` of `table`; `operation` is
  // audited in the same transaction.
  Status rotate_epoch_and_delete(std::span<const ItemTable> tables, ItemTable table, int64_t id,
                                 const char* operation);
  Status rewrap_table(ItemTable t, const crypto::SecretBuffer& new_kek, uint32_t new_epoch, ItemTable skip_table,
                      int64_t skip_id);
  Result<crypto::SecretBuffer> unwrap_item_key(ItemTable table, int64_t id, std::string_view uuid,
                                               int64_t epoch, std::span<const uint8_t> wrapped);
  Status unwrap_item_key_into(ItemTable table, int64_t id, std::string_view uuid, int64_t epoch,
                              std::span<const uint8_t> wrapped, crypto::SecretBuffer& out) const;
  void derive_session_keys();
  Status rollback();
  // Runs `body` in one write transaction (BEGIN IMMEDIATE … COMMIT), rolled back if it fails:
  // a change and its audit entry commit together or not at all.
  Status transaction(const std::function<Status()>& body);
  Result<std::vector<uint8_t>> wrap_item_key(ItemTable table, std::string_view uuid,
                                             const crypto::SecretBuffer& key) const;
  Result<int64_t> insert_record(const NewRecord& r, crypto::SecretBuffer& key);
  Result<int64_t> insert_person(const std::string& json);

  std::filesystem::path dir_;
  int lock_fd_ = -1;
  KeyslotStore store_;         // the copies on disk
  KeyslotFile slots_;          // the current key-slot data (written through store_)
  std::optional<std::array<uint8_t, crypto::kPwhashSaltBytes>> pending_recovery_salt_;
  std::vector<std::string> repaired_;
  crypto::SecretBuffer master_;
  crypto::SecretBuffer kek_;   // the epoch KEK that wraps every item key in the database
  uint32_t kek_epoch_ = 0;
  crypto::Argon2idParams params_;
  crypto::SecretBuffer audit_seal_key_;
  crypto::SecretBuffer audit_mac_key_;
  crypto::SecretBuffer identity_key_;      // seals the identity; checks bundle tags of scheme 1
  crypto::SecretBuffer contacts_key_;      // seals contacts
  crypto::SecretBuffer seen_bundles_key_;  // tags received bundle ids (scheme 2)
  // The schema the database is at: kSchemaVersion once open, or an older one for a vault opened
  // where it cannot be written.
  int schema_version_ = 0;
  Status put_contact(const Contact& c, const std::string& uuid);
  Result<crypto::SecretBuffer> record_key(int64_t record_id, std::string* uuid);
  // The key of attachment `id`, `wrapped` (an envelope) under the key of its record.
  static Result<crypto::SecretBuffer> attachment_key(int64_t id, std::string_view uuid, std::span<const uint8_t> wrapped,
                                                     const crypto::SecretBuffer& record_key);
  std::vector<uint8_t> blob_ad(const std::string& attachment_uuid) const;
  // A sealed blob renamed into blobs/ (not yet referenced by a row).
  struct StagedBlob {
    std::string name;
    crypto::SecretBuffer key;
    uint64_t plaintext_bytes = 0;
  };
  Result<StagedBlob> stage_blob(int in_fd, const std::string& attachment_uuid);
  void unstage_blobs(std::span<const StagedBlob> staged);
  Status insert_attachment_row(AttachmentInfo& a, const StagedBlob& blob, const crypto::SecretBuffer& record_key);
  std::filesystem::path blob_path(const std::string& blob) const;
  // The last audit entry (seq, chain), known while this process holds the lock; cleared on
  // rollback so that it is read again from the database.
  std::optional<std::pair<int64_t, std::array<uint8_t, 32>>> audit_tip_;
  std::optional<Database> db_;
};

}  // namespace fieldnotes::vault
