#include "src/receive.h"

#include <algorithm>
#include <optional>

#include "src/bundle.h"
#include "src/clean.h"
#include "src/ram_file.h"

namespace fieldnotes::core {

namespace {

constexpr const char* kVerified = "verified";
constexpr const char* kUnverified = "unverified";
constexpr const char* kUnknownSender = "unknown";

ReceiveFailure failure(ReceiveError error, Status status) { return {error, std::move(status)}; }

Status in_context(const Status& status, const std::string& context) {
  return {status.code(), context + ": " + status.message()};
}

ReceiveError receive_error_of(BundleError error) {
  switch (error) {
    case BundleError::kNotForThisVault: return ReceiveError::kNotForThisVault;
    case BundleError::kWrongPassphrase: return ReceiveError::kWrongPassphrase;
    case BundleError::kUnsigned: return ReceiveError::kUnsigned;
    case BundleError::kReencrypted: return ReceiveError::kReencrypted;
    case BundleError::kDamaged: return ReceiveError::kDamaged;
    case BundleError::kUnsupported: return ReceiveError::kBundleUnsupported;
    case BundleError::kNone:
    case BundleError::kUnreadable: break;
  }
  return ReceiveError::kBundleUnreadable;
}

// Received attachments, wiped however receive() leaves (record bodies wipe themselves).
struct WipedOnExit {
  OpenedBundle& bundle;
  ~WipedOnExit() {
    for (auto& record : bundle.records) {
      for (auto& attachment : record.attachments) crypto::wipe(attachment.data.data(), attachment.data.size());
    }
  }
};

// Who sent the bundle, as this vault judges it.
struct Sender {
  int64_t contact_id = 0;                     // 0: none (unsigned), or the one to add
  std::optional<vault::Contact> to_add;       // an unknown signer the user accepted
  std::string name = kUnknownSender;
  std::string verification = kUnverified;
};

// A signed bundle is accepted from a contact whose minisign key signed it, if its sequence is
// newer than the last one from them; from an unknown key only when the user named the signer.
// Unsigned files reach here only with allow_unsigned (open_bundle refused them otherwise).
Outcome<Sender, ReceiveFailure> judge_sender(vault::Vault& vault, const OpenedBundle& bundle, const ReceiveOptions& options) {
  Sender sender;
  if (bundle.kind != BundleKind::kSigned) return sender;
  auto contacts = vault.contacts();
  if (!contacts) return failure(ReceiveError::kContactsUnreadable, in_context(contacts.status(), "cannot read the contacts"));
  auto it = std::find_if(contacts->begin(), contacts->end(),
                         [&](const vault::Contact& c) { return c.minisign_key == bundle.sender_minisign; });
  if (it == contacts->end()) {
    if (options.accept_signer.empty())
      return failure(ReceiveError::kUnknownSigner,
                     {Code::kRefused, "the bundle is signed by a key that is not among your contacts (fingerprint " +
                                          bundle.sender_fingerprint + ")"});
    vault::Contact contact;
    contact.name = options.accept_signer;
    contact.age_recipient = bundle.sender_age;
    contact.minisign_key = bundle.sender_minisign;
    sender.to_add = std::move(contact);
    sender.name = options.accept_signer;
  } else {
    sender.contact_id = it->id;
    sender.name = it->name;
    if (bundle.sequence <= it->last_sequence)
      return failure(ReceiveError::kReplayedSequence,
                     {Code::kRefused, "bundle " + std::to_string(bundle.sequence) + " from \"" + sender.name +
                                          "\" is not newer than one already received (" + std::to_string(it->last_sequence) +
                                          "): a replay"});
  }
  sender.verification = kVerified;
  return sender;
}

// Records and their attachments (staged in RAM files, owned by `staged`) in import_bundle's form.
std::optional<ReceiveFailure> stage_import(OpenedBundle& bundle, const Sender& sender, std::vector<vault::NewRecord>& records,
                                           std::vector<std::vector<vault::NewAttachment>>& attachments,
                                           std::vector<RamFile>& staged) {
  records.resize(bundle.records.size());
  attachments.resize(bundle.records.size());
  for (std::size_t i = 0; i < bundle.records.size(); ++i) {
    records[i].header.title = bundle.records[i].title;
    records[i].header.kind = "received";
    records[i].header.tags = {"received"};
    records[i].header.sender = sender.name;
    records[i].header.verification = sender.verification;
    records[i].body = bundle.records[i].body;
    for (auto& received : bundle.records[i].attachments) {
      auto ram = RamFile::create();
      if (!ram) return failure(ReceiveError::kInMemoryFile, ram.status());
      if (!ram->write_all_and_rewind(received.data))
        return failure(ReceiveError::kInMemoryFile, {Code::kIo, "cannot stage an attachment in memory; nothing was imported"});
      std::string type = type_name(detect_type(received.data));
      attachments[i].push_back({ram->fd(), received.name.substr(received.name.rfind('/') + 1), type});
      staged.push_back(std::move(ram).value());
      crypto::wipe(received.data.data(), received.data.size());
    }
  }
  return std::nullopt;
}

}  // namespace

ReceiveOutcome receive(vault::Vault& vault, std::span<const uint8_t> file, const ReceiveOptions& options) {
  auto keys = vault.identity();
  if (!keys) return failure(ReceiveError::kIdentityUnreadable, in_context(keys.status(), "cannot read the vault identity"));
  OpenOptions open_options;
  open_options.allow_unsigned = options.allow_unsigned;
  open_options.passphrase = options.passphrase;
  auto opened = open_bundle(file, *keys, open_options);
  if (!opened) return failure(receive_error_of(opened.failure().error), opened.failure().status);
  OpenedBundle& bundle = *opened;
  WipedOnExit wiped{bundle};

  auto sender = judge_sender(vault, bundle, options);
  if (!sender) return sender.failure();
  auto seen = vault.bundle_seen(bundle.bundle_id);
  if (!seen) return failure(ReceiveError::kSeenUnreadable, in_context(seen.status(), "cannot check the bundle against those received"));
  if (*seen) return failure(ReceiveError::kReplayedBundle, {Code::kRefused, "this bundle was already received: a replay"});

  std::vector<vault::NewRecord> records;
  std::vector<std::vector<vault::NewAttachment>> attachments;
  std::vector<RamFile> staged;
  if (auto failed = stage_import(bundle, *sender, records, attachments, staged)) return *failed;
  if (sender->to_add) {
    auto id = vault.add_contact(*sender->to_add);
    if (!id) return failure(ReceiveError::kSignerNotAdded, in_context(id.status(), "cannot add the signer as a contact"));
    sender->contact_id = *id;
  }
  // Attachments go in with their records, in one commit (vault/vault.h, import_bundle).
  auto ids = vault.import_bundle(records, attachments, bundle.bundle_id, sender->contact_id, bundle.sequence);
  if (!ids) return failure(ReceiveError::kImportFailed, in_context(ids.status(), "cannot import the bundle; nothing was imported"));
  return Received{std::move(ids).value(), sender->name, sender->verification, bundle.redacted};
}

}  // namespace fieldnotes::core
