// fieldnotes share ID... (--to NAME... | --passphrase) [-o FILE] [--full [--confirm-full]]
// The policy (recipients, redaction, attachment cleaning, numbering, audit) is core::share in
// src/share.cpp; this file parses options, reads the bundle passphrase, writes the file and prints.
#include <unistd.h>

#include <iostream>

#include "cli/common.h"
#include "src/share.h"
#include "vault/fs.h"

namespace fieldnotes::cli {

namespace {

struct ShareOptions {
  std::vector<std::string> ids;
  std::vector<std::string> to;
  bool passphrase = false;
  int bundle_passphrase_fd = -1;
  int work_factor = crypto::kAgeScryptDefaultWorkFactor;
  std::string output;
  bool full = false;
  bool confirm_full = false;
  std::string audience;
  std::vector<std::string> include_uncleaned;
};

// Exit code and hint for each reason core::share gives; vault failures keep their own code.
[[noreturn]] void fail_share(const core::ShareFailure& failure) {
  const std::string& message = failure.status.message();
  switch (failure.error) {
    case core::ShareError::kUnknownContact:
      fail(kExitData, message, "add it with 'fieldnotes contact add NAME --age age1...'");
    case core::ShareError::kMalformedContact:
    case core::ShareError::kAttachmentTooLarge:
      fail(kExitData, message);
    case core::ShareError::kInMemoryFile:
      fail(kExitIo, message);
    case core::ShareError::kAttachmentNotCleaned:
      fail(kExitPolicy, message,
           "nothing was shared; leave it out, or add --include-uncleaned " + failure.attachment_type + " to send it as it is");
    default:
      fail(failure.status);
  }
}

void run_share(const ShareOptions& o) {
  if (o.to.empty() == !o.passphrase)
    fail(kExitUsage, "give either --to NAME (a contact) or --passphrase", "see 'fieldnotes contact list'");
  if (o.work_factor < 10 || o.work_factor > crypto::kAgeScryptMaxWorkFactor)
    fail(kExitUsage, "--work-factor must be between 10 and 22");
  if (o.output.empty() && isatty(STDOUT_FILENO))
    fail(kExitUsage, "no output file", "add -o FILE (a bundle is binary)");
  core::ShareOptions options;
  for (const auto& s : o.ids) options.record_ids.push_back(parse_record_id(s));
  confirm_full(o.full, o.confirm_full, "share");
  std::string audience = o.audience.empty() ? (o.passphrase ? "public" : "co-counsel") : o.audience;
  options.audience = parse_audience(audience);
  options.to = o.to;
  options.scrypt_work_factor = o.work_factor;
  options.full = o.full;
  options.include_uncleaned = o.include_uncleaned;

  with_unlocked_vault([&](vault::Vault& v) {
    crypto::SecretBuffer bundle_pass;
    if (o.passphrase) {
      bundle_pass = read_secret(o.bundle_passphrase_fd, "Passphrase for the bundle: ", true);
      if (bundle_pass.empty()) fail(kExitUsage, "the bundle passphrase is empty");
      options.passphrase = &bundle_pass;
    }
    auto shared = core::share(v, options);
    if (!shared) fail_share(shared.failure());
    for (const auto& a : shared->uncleaned)
      std::cerr << "fieldnotes: warning: attachment " << a.id << " \"" << a.name << "\" (" << a.type
                << ") goes out UNCLEANED: its metadata may identify people\n";
    const std::vector<uint8_t>& bundle = shared->file;
    if (o.output.empty() || o.output == "-") {
      std::cout.write(reinterpret_cast<const char*>(bundle.data()), static_cast<std::streamsize>(bundle.size()));
      std::cout.flush();
      if (!std::cout) fail(kExitIo, "cannot write the bundle");
    } else {
      Status st = vault::write_file_atomic(o.output, bundle);  // no partial file on failure
      if (!st) fail(st, "cannot write the bundle");
      if (!globals().quiet)
        std::cerr << "fieldnotes: wrote " << options.record_ids.size() << " record(s) to \"" << o.output << "\" ("
                  << (o.full ? "FULL, unredacted" : "redacted") << ", bundle " << shared->sequence << ")\n";
    }
  });
}

}  // namespace

void register_share(CLI::App& app) {
  auto s = std::make_shared<ShareOptions>();
  auto* sc = app.add_subcommand("share", "write records to a signed, encrypted bundle (redacted unless --full)");
  sc->add_option("ids", s->ids, "record ids")->required();
  sc->add_option("--to", s->to, "contact name (repeatable)");
  sc->add_flag("--passphrase", s->passphrase, "encrypt to a passphrase instead of contacts");
  sc->add_option("--bundle-passphrase-fd", s->bundle_passphrase_fd, "read the bundle passphrase from this file descriptor");
  sc->add_option("--work-factor", s->work_factor, "scrypt work factor for --passphrase (default 18)");
  sc->add_option("-o,--output", s->output, "bundle file");
  sc->add_flag("--full", s->full, "do not redact (asks for confirmation; audited)");
  sc->add_flag("--confirm-full", s->confirm_full, "confirm --full without a question");
  sc->add_option("--audience", s->audience, "public or co-counsel (default: co-counsel with --to, public with --passphrase)");
  sc->add_option("--include-uncleaned", s->include_uncleaned, "send attachments of this type (e.g. other) without cleaning (repeatable)");
  sc->callback([s] { run_share(*s); });
}

}  // namespace fieldnotes::cli
