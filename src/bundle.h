// Share bundles (DESIGN.md, "Sharing"; docs/FORMAT.md, "Bundles"): an age v1 file whose
// payload is a tar archive of MANIFEST.json, records/NNNN.md, SHA256SUMS and
// SHA256SUMS.minisig — so a colleague can check it with Debian's age, tar, minisign and
// sha256sum, or with `fieldnotes receive`.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "crypto/age.h"
#include "crypto/minisign.h"
#include "vault/vault.h"

namespace fieldnotes::core {

constexpr int kBundleVersion = 1;
constexpr std::size_t kMaxBundleBytes = std::size_t{1} << 30;     // the encrypted file
constexpr std::size_t kMaxBundleRecords = 10000;

// The vault identity's public parts and the short fingerprint read aloud to compare keys:
// SHA-256("fieldnotes fingerprint v1" || X25519 public key || Ed25519 public key), first
// 10 bytes, base32 in four-character groups.
struct PublicIdentity {
  crypto::AgeRecipient age;
  crypto::MinisignPublicKey minisign;
  std::string fingerprint;
};
Result<PublicIdentity> public_identity(const vault::IdentityKeys& keys);
std::string fingerprint_of(const crypto::AgeRecipient& age, const crypto::MinisignPublicKey& minisign);

// An attachment as it goes into a bundle: already cleaned (or deliberately not).
struct BundleAttachment {
  std::string extension;       // "jpg", "pdf", "bin"...: names inside reveal nothing else
  std::vector<uint8_t> data;
  bool cleaned = false;
};

struct BundleInput {
  std::vector<Plaintext> records_markdown;      // already rendered (redacted unless --full)
  std::vector<std::vector<BundleAttachment>> attachments;  // per record (may be empty)
  bool redacted = true;
  std::vector<crypto::AgeRecipient> recipients;  // empty: passphrase bundle
  const crypto::SecretBuffer* passphrase = nullptr;
  int scrypt_work_factor = crypto::kAgeScryptDefaultWorkFactor;
  int64_t sequence = 0;
  int64_t created = 0;  // unix seconds
};

// Builds the encrypted bundle. The manifest names the sender's keys, the recipients, the
// bundle id (random) and the sequence number; SHA256SUMS covers every file, the manifest
// included; the minisign signature covers SHA256SUMS, and its trusted comment repeats the
// bundle id and sequence.
Result<std::vector<uint8_t>> make_bundle(const BundleInput& in, const vault::IdentityKeys& sender);

enum class BundleKind {
  kSigned,        // a fieldnotes bundle, signature verified against the key in its manifest
  kUnsignedTar,   // a plain age file holding a tar (only with allow_unsigned)
  kUnsignedText,  // a plain age file holding UTF-8 text (only with allow_unsigned)
};

struct ReceivedAttachment {
  std::string name;            // attachments/0001-01.jpg
  std::vector<uint8_t> data;
  bool cleaned = false;
};

struct ReceivedRecord {
  std::string title;
  Plaintext body;  // wiped when freed
  std::vector<ReceivedAttachment> attachments;
};

struct OpenedBundle {
  BundleKind kind = BundleKind::kSigned;
  std::string bundle_id;          // for unsigned files: a hash of the encrypted file
  int64_t sequence = 0;
  std::string sender_age;         // age1...
  std::string sender_minisign;    // RW...
  std::string sender_fingerprint;
  bool redacted = true;
  bool by_passphrase = false;
  std::vector<ReceivedRecord> records;
};

struct OpenOptions {
  bool allow_unsigned = false;
  crypto::AgePassphrasePrompt passphrase;  // asked only for passphrase bundles
};

// Why a bundle was not opened. Each value has one Status code (given beside it), so a caller
// may branch on either; the two refusals share Code::kRefused and differ only here.
enum class BundleError {
  kNone,
  kNotForThisVault,   // Code::kNotThisKey: none of the age stanzas is for this vault
  kWrongPassphrase,   // Code::kWrongKey: a passphrase bundle, and the passphrase is wrong
  kUnsigned,          // Code::kRefused: not a signed fieldnotes bundle, and allow_unsigned not given
  kReencrypted,       // Code::kRefused: signed for other recipients (or for X25519, opened by passphrase)
  kDamaged,           // Code::kCorrupt or kInvalidInput: damaged, tampered with or malformed
  kUnsupported,       // Code::kUnsupported: an unknown bundle version or age feature
  kUnreadable,        // any other code (for example this vault's own identity keys are unusable)
};

struct BundleFailure {
  BundleError error = BundleError::kNone;
  Status status;
};

using BundleOutcome = Outcome<OpenedBundle, BundleFailure>;

// Decrypts with the vault identity (or the passphrase), reads the tar with limits, checks
// the manifest, every hash, the signature (against the sender key named in the manifest:
// the caller decides whether that key is trusted) and that this vault is a recipient.
// On failure nothing is returned but the BundleError (above) and its Status.
BundleOutcome open_bundle(std::span<const uint8_t> file, const vault::IdentityKeys& me,
                          const OpenOptions& options);

// The checks of open_bundle after decryption, on the decrypted payload (also the entry point
// of the bundle fuzz target). `file_hash` names unsigned files.
BundleOutcome open_payload(std::span<const uint8_t> payload, const std::string& my_recipient,
                           bool by_passphrase, std::span<const uint8_t> file_hash, bool allow_unsigned);

}  // namespace fieldnotes::core
