// share: records out of the vault as one signed, encrypted bundle (DESIGN.md, "Sharing"), with
// the sharing policy: whom it is for (contacts or a passphrase), redaction through the
// register unless `full`, attachments cleaned of metadata or refused, the bundle numbered and
// every record audited. The bundle format itself is src/bundle.h; the CLI (cli/cmd_share.cpp)
// only parses options, reads the bundle passphrase, writes the file and prints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "crypto/age.h"
#include "crypto/secret.h"
#include "src/redact/engine.h"
#include "vault/vault.h"

namespace fieldnotes::core {

struct ShareOptions {
  std::vector<int64_t> record_ids;                   // in this order in the bundle
  std::vector<std::string> to;                       // contact names; empty for a passphrase bundle
  const crypto::SecretBuffer* passphrase = nullptr;  // a passphrase bundle (exactly one of `to` and this)
  int scrypt_work_factor = crypto::kAgeScryptDefaultWorkFactor;
  bool full = false;                                 // unredacted, attachments as stored (audited "share-full")
  redact::Audience audience = redact::Audience::kCoCounsel;  // whose consent lets a name stay
  // Attachment types ("other", "heic"...) that go out uncleaned in a redacted share when the
  // cleaner cannot handle them; any other uncleanable attachment refuses the whole share.
  std::vector<std::string> include_uncleaned;
};

// Why nothing was shared. The Status beside it holds the code underneath and a message that
// names the object (record and attachment ids, contact names; never testimony).
enum class ShareError {
  kNone,
  kInvalidOptions,          // no records, or not exactly one of contacts and a passphrase
  kContactsUnreadable,      // the vault's contacts could not be read
  kUnknownContact,          // a name in `to` is not a contact                      (kNotFound)
  kMalformedContact,        // a contact's age recipient does not parse             (kInvalidInput)
  kRecordUnreadable,        // a record is missing or does not open
  kRegisterUnreadable,      // the register could not be read: nothing is redacted blind
  kAttachmentUnreadable,    // an attachment could not be listed or extracted
  kAttachmentTooLarge,      // over the bundle limit                                (kInvalidInput)
  kInMemoryFile,            // the RAM file an attachment passes through failed     (kIo)
  kAttachmentNotCleaned,    // policy: cannot be cleaned, type not in include_uncleaned (kRefused)
  kIdentityUnreadable,      // the vault's signing identity could not be read
  kNotNumbered,             // the bundle's sequence number could not be taken
  kBundleNotMade,           // signing, archiving or encryption failed
  kNotAudited,              // the audit entry could not be written: the bundle is not handed out
};

struct ShareFailure {
  ShareError error = ShareError::kNone;
  Status status;
  std::string attachment_type;  // kAttachmentNotCleaned: the type to name in include_uncleaned
};

// An attachment that went out uncleaned because its type was in include_uncleaned.
struct UncleanedAttachment {
  int64_t id = 0;
  std::string name;
  std::string type;
};

struct SharedBundle {
  std::vector<uint8_t> file;     // the age-encrypted bundle, ready to be written out
  int64_t sequence = 0;          // this vault's number for it
  std::vector<UncleanedAttachment> uncleaned;
};

using ShareOutcome = Outcome<SharedBundle, ShareFailure>;

// Builds the bundle of options.record_ids and audits it ("share" or "share-full", one entry per
// record), in that order: the caller hands the file out only after it was audited.
// Everything is checked and read before the bundle is numbered, so a failure up to and
// including kAttachmentNotCleaned leaves the vault unchanged; a later one (kIdentityUnreadable
// onwards) may have used up a sequence number, never more. Plaintext (rendered records,
// attachments) is wiped before returning, on success and on failure.
ShareOutcome share(vault::Vault& vault, const ShareOptions& options);

}  // namespace fieldnotes::core
