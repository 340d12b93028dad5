// receive: a bundle into the vault (DESIGN.md, "Sharing"), with the receiving policy: whose
// signature is accepted (a known contact; an unknown signer only when the user names it after
// comparing fingerprints; an unsigned file only when allowed, marked unverified), replays
// refused (a bundle already received, or a sequence number not newer than the last one from
// that contact), and all records with their attachments imported in one commit. The checks of
// the bundle itself are src/bundle.h (open_bundle); the CLI (cli/cmd_receive.cpp) only reads
// the file, parses options and prints.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "crypto/age.h"
#include "vault/vault.h"

namespace fieldnotes::core {

struct ReceiveOptions {
  bool allow_unsigned = false;             // import a plain age file (no signature), marked unverified
  std::string accept_signer;               // add an unknown signer as a contact of this name
  crypto::AgePassphrasePrompt passphrase;  // asked only for passphrase bundles
};

// Why nothing was imported. The Status beside it holds the code underneath and a message naming
// the object. For the bundle's own failures (kNotForThisVault to kBundleUnreadable) the message
// describes the bundle, and the caller names the file.
enum class ReceiveError {
  kNone,
  kIdentityUnreadable,   // this vault's identity could not be read
  // The bundle (as src/bundle.h BundleError):
  kNotForThisVault,      // not addressed to this vault                             (kNotThisKey)
  kWrongPassphrase,      // a passphrase bundle and the wrong passphrase            (kWrongKey)
  kUnsigned,             // policy: not a signed fieldnotes bundle, allow_unsigned not given (kRefused)
  kReencrypted,          // policy: signed for other recipients                     (kRefused)
  kDamaged,              // damaged, tampered with or malformed                     (kCorrupt, kInvalidInput)
  kBundleUnsupported,    // an unknown bundle version or age feature                (kUnsupported)
  kBundleUnreadable,     // any other failure to open it
  // The policy on a bundle that opened:
  kContactsUnreadable,   // the vault's contacts could not be read
  kUnknownSigner,        // signed by a key no contact has, and no accept_signer    (kRefused)
  kReplayedSequence,     // its sequence is not newer than the last from that contact (kRefused)
  kReplayedBundle,       // this very bundle was received before                    (kRefused)
  kSeenUnreadable,       // the record of bundles received could not be read
  kSignerNotAdded,       // accept_signer could not be added (for example the name is taken)
  // The import:
  kInMemoryFile,         // an attachment could not be staged in RAM                (kIo)
  kImportFailed,         // the vault refused or failed the import
};

struct ReceiveFailure {
  ReceiveError error = ReceiveError::kNone;
  Status status;
};

struct Received {
  std::vector<int64_t> record_ids;   // the new records, in the bundle's order
  std::string sender;                // the contact's name, or "unknown" for an unsigned file
  std::string verification;          // "verified" or "unverified", as stored in each record
  bool redacted = true;              // the sender says it was redacted (unsigned files: false)
};

using ReceiveOutcome = Outcome<Received, ReceiveFailure>;

// Opens `file` (an age file, as read from disk) with this vault's identity, applies the policy
// above, and imports the records as kind "received", tagged "received", with the sender and
// the verification in their headers. Every refusal leaves the vault unchanged (but for its
// identity, made on first use as for any use of it); the only change besides the import is
// the contact added for accept_signer, made after every check and just before the import (so
// it stays if the import itself then fails). Received plaintext is wiped before
// returning.
ReceiveOutcome receive(vault::Vault& vault, std::span<const uint8_t> file, const ReceiveOptions& options);

}  // namespace fieldnotes::core
