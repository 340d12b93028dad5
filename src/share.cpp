#include "src/share.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include "src/bundle.h"
#include "src/clean.h"
#include "src/export.h"
#include "src/ram_file.h"

namespace fieldnotes::core {

namespace {

ShareFailure failure(ShareError error, Status status, std::string attachment_type = {}) {
  return {error, std::move(status), std::move(attachment_type)};
}

// The vault's status under a context naming what was being done, worded as the CLI prints it.
Status in_context(const Status& status, const std::string& context) {
  return {status.code(), context + ": " + status.message()};
}

// The name an attachment gets inside the bundle: its type only, never the name it had.
const char* extension_for(const std::string& type) {
  if (type == "jpeg") return "jpg";
  if (type == "png") return "png";
  if (type == "tiff") return "tif";
  if (type == "webp") return "webp";
  if (type == "heic") return "heic";
  if (type == "pdf") return "pdf";
  return "bin";
}

// Attachments gathered for the bundle, wiped however share() leaves (the rendered records
// wipe themselves).
struct WipedOnExit {
  BundleInput& input;
  ~WipedOnExit() {
    for (auto& of_record : input.attachments)
      for (auto& attachment : of_record) crypto::wipe(attachment.data.data(), attachment.data.size());
  }
};

std::optional<ShareFailure> resolve_recipients(vault::Vault& vault, const std::vector<std::string>& names,
                                               std::vector<crypto::AgeRecipient>& recipients) {
  auto contacts = vault.contacts();
  if (!contacts) return failure(ShareError::kContactsUnreadable, in_context(contacts.status(), "cannot read the contacts"));
  for (const auto& name : names) {
    auto it = std::find_if(contacts->begin(), contacts->end(), [&](const vault::Contact& c) { return c.name == name; });
    if (it == contacts->end()) return failure(ShareError::kUnknownContact, {Code::kNotFound, "no contact \"" + name + "\""});
    auto recipient = crypto::AgeRecipient::parse(it->age_recipient);
    if (!recipient)
      return failure(ShareError::kMalformedContact, {Code::kInvalidInput, "contact \"" + name + "\" has a malformed age recipient"});
    recipients.push_back(*recipient);
  }
  return std::nullopt;
}

// One attachment's plaintext, out of its sealed stream through a RAM file.
Outcome<std::vector<uint8_t>, ShareFailure> extract_attachment(vault::Vault& vault, int64_t attachment_id) {
  auto ram = RamFile::create();
  if (!ram) return failure(ShareError::kInMemoryFile, ram.status());
  Status st = vault.extract(attachment_id, ram->fd(), /*verify_first=*/false);
  if (!st) return failure(ShareError::kAttachmentUnreadable, in_context(st, "cannot read attachment " + std::to_string(attachment_id)));
  auto data = ram->read_all(kMaxBundleBytes);
  if (data) return std::move(data).value();
  if (data.status().code() == Code::kInvalidInput)
    return failure(ShareError::kAttachmentTooLarge, {Code::kInvalidInput, "an attachment is too large to share"});
  return failure(ShareError::kInMemoryFile, {Code::kIo, "cannot read an attachment back from memory"});
}

// The attachments of one record as they go out: cleaned of metadata in a redacted share;
// refused when they cannot be cleaned, unless their type is in include_uncleaned.
std::optional<ShareFailure> gather_attachments(vault::Vault& vault, int64_t record_id, const ShareOptions& options,
                                               std::vector<BundleAttachment>& out,
                                               std::vector<UncleanedAttachment>& uncleaned) {
  auto attachments = vault.attachments(record_id);
  if (!attachments)
    return failure(ShareError::kAttachmentUnreadable,
                   in_context(attachments.status(), "cannot read the attachments of record " + std::to_string(record_id)));
  for (const auto& info : *attachments) {
    auto data = extract_attachment(vault, info.id);
    if (!data) return data.failure();
    BundleAttachment attachment;
    attachment.data = std::move(data).value();
    attachment.extension = extension_for(info.type);
    if (!options.full) {
      auto cleaned = clean_attachment(attachment.data);
      if (cleaned) {
        crypto::wipe(attachment.data.data(), attachment.data.size());
        attachment.data = std::move(cleaned).value();
        attachment.cleaned = true;
      } else if (std::find(options.include_uncleaned.begin(), options.include_uncleaned.end(), info.type) !=
                 options.include_uncleaned.end()) {
        uncleaned.push_back({info.id, info.name, info.type});
      } else {
        crypto::wipe(attachment.data.data(), attachment.data.size());
        return failure(ShareError::kAttachmentNotCleaned,
                       {Code::kRefused, "attachment " + std::to_string(info.id) + " of record " + std::to_string(record_id) +
                                            " (" + info.type + ") cannot be cleaned of metadata: " + cleaned.status().message()},
                       info.type);
      }
    }
    out.push_back(std::move(attachment));
  }
  return std::nullopt;
}

// Records rendered as Markdown (through the redaction session unless full), each with its
// attachments, into `input`.
std::optional<ShareFailure> gather_records(vault::Vault& vault, const ShareOptions& options, BundleInput& input,
                                           std::vector<UncleanedAttachment>& uncleaned) {
  std::vector<vault::Record> records;
  for (int64_t id : options.record_ids) {
    auto record = vault.get_record(id);
    if (!record) return failure(ShareError::kRecordUnreadable, in_context(record.status(), "cannot share record " + std::to_string(id)));
    records.push_back(std::move(record).value());
  }
  std::shared_ptr<const redact::Engine> engine;
  std::optional<redact::Session> session;
  if (!options.full) {
    auto people = load_register(vault);
    if (!people)
      return failure(ShareError::kRegisterUnreadable, in_context(people.status(), "cannot read the register; nothing was shared"));
    engine = redact::Engine::compile(*people);
    redact::Options redact_options;
    redact_options.audience = options.audience;
    session.emplace(*engine, redact_options);
  }
  for (auto& record : records) {
    std::vector<BundleAttachment> attachments;
    auto refused = gather_attachments(vault, record.id, options, attachments, uncleaned);
    input.attachments.push_back(std::move(attachments));  // wiped with `input` even when refused
    if (refused) return refused;
    std::vector<vault::Record> one;
    one.push_back(std::move(record));
    input.records_markdown.push_back(render_export(one, ExportFormat::kMarkdown, session ? &*session : nullptr));
  }
  return std::nullopt;
}

}  // namespace

ShareOutcome share(vault::Vault& vault, const ShareOptions& options) {
  if (options.record_ids.empty() || options.to.empty() == (options.passphrase == nullptr))
    return failure(ShareError::kInvalidOptions,
                   {Code::kInvalidInput, "a share needs records, and either contacts or a passphrase"});
  BundleInput input;
  WipedOnExit wiped{input};
  input.redacted = !options.full;
  input.scrypt_work_factor = options.scrypt_work_factor;
  input.passphrase = options.passphrase;
  if (options.passphrase == nullptr) {
    if (auto refused = resolve_recipients(vault, options.to, input.recipients)) return *refused;
  }
  SharedBundle shared;
  if (auto refused = gather_records(vault, options, input, shared.uncleaned)) return *refused;

  auto keys = vault.identity();
  if (!keys) return failure(ShareError::kIdentityUnreadable, in_context(keys.status(), "cannot read the vault identity"));
  auto sequence = vault.next_share_sequence();
  if (!sequence) return failure(ShareError::kNotNumbered, in_context(sequence.status(), "cannot number the bundle"));
  input.sequence = *sequence;
  input.created = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto file = make_bundle(input, *keys);
  if (!file) return failure(ShareError::kBundleNotMade, in_context(file.status(), "cannot make the bundle"));
  if (Status st = vault.audit_each(options.full ? "share-full" : "share", options.record_ids); !st)
    return failure(ShareError::kNotAudited, in_context(st, "cannot record the share in the audit log; nothing was shared"));
  shared.file = std::move(file).value();
  shared.sequence = input.sequence;
  return shared;
}

}  // namespace fieldnotes::core
