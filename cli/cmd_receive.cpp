// fieldnotes receive FILE [--allow-unsigned] [--accept-signer NAME] [--bundle-passphrase-fd N]
// The policy (signer acceptance, replays, unverified marking, the import) is core::receive in
// src/receive.cpp; this file reads the file, parses options and prints.
#include <iostream>

#include "cli/common.h"
#include "src/bundle.h"
#include "src/receive.h"
#include "vault/fs.h"

namespace fieldnotes::cli {

namespace {

struct ReceiveOptions {
  std::string file;
  bool allow_unsigned = false;
  std::string accept_signer;
  int bundle_passphrase_fd = -1;
};

// Exit code and hint for each reason core::receive gives; vault failures keep their own code.
[[noreturn]] void fail_receive(const core::ReceiveFailure& failure, const std::string& file) {
  using core::ReceiveError;
  const std::string& message = failure.status.message();
  const std::string what = "cannot receive \"" + file + "\"";
  switch (failure.error) {
    case ReceiveError::kNotForThisVault:
      fail(kExitData, what + ": " + message, "ask the sender to share again with your key (fieldnotes identity show)");
    case ReceiveError::kWrongPassphrase:
      fail(kExitLocked, what + ": " + message, "ask the sender for the bundle's passphrase");
    case ReceiveError::kUnsigned:
      fail(kExitPolicy, what + ": " + message, "add --allow-unsigned to import it marked unverified");
    case ReceiveError::kReencrypted:
      fail(kExitPolicy, what + ": " + message);
    case ReceiveError::kDamaged:
      fail(kExitData, what + ": " + message, "nothing was imported; ask the sender to share again");
    case ReceiveError::kBundleUnsupported:
    case ReceiveError::kBundleUnreadable:
      fail(failure.status, what);
    case ReceiveError::kUnknownSigner:
      fail(kExitPolicy, message, "compare that fingerprint aloud with the sender's, then add --accept-signer NAME");
    case ReceiveError::kReplayedSequence:
    case ReceiveError::kReplayedBundle:
      fail(kExitPolicy, message, "nothing was imported");
    case ReceiveError::kInMemoryFile:
      fail(kExitIo, message);
    default:
      fail(failure.status);
  }
}

void run_receive(const ReceiveOptions& o) {
  auto data = vault::read_file_limited(o.file, core::kMaxBundleBytes);
  if (!data) {
    if (data.status().code() == Code::kNotFound) fail(kExitIo, "cannot read \"" + o.file + "\": no such file");
    fail(data.status(), "cannot read the bundle");
  }
  with_unlocked_vault([&](vault::Vault& v) {
    core::ReceiveOptions options;
    options.allow_unsigned = o.allow_unsigned;
    options.accept_signer = o.accept_signer;
    options.passphrase = [&]() -> Result<crypto::SecretBuffer> {
      return read_secret(o.bundle_passphrase_fd, "Passphrase of the bundle: ");
    };
    auto received = core::receive(v, *data, options);
    if (!received) fail_receive(received.failure(), o.file);
    for (int64_t id : received->record_ids) std::cout << id << "\n";
    if (!globals().quiet)
      std::cerr << "fieldnotes: imported " << received->record_ids.size() << " record(s) from " << received->sender << " ("
                << received->verification << (received->redacted ? ", redacted" : "") << ")\n";
  });
}

}  // namespace

void register_receive(CLI::App& app) {
  auto r = std::make_shared<ReceiveOptions>();
  auto* rc = app.add_subcommand("receive", "check and import a bundle");
  rc->add_option("file", r->file, "bundle file")->required();
  rc->add_flag("--allow-unsigned", r->allow_unsigned, "import a plain age file, marked unverified");
  rc->add_option("--accept-signer", r->accept_signer, "add an unknown signer as this contact (after comparing fingerprints)");
  rc->add_option("--bundle-passphrase-fd", r->bundle_passphrase_fd, "read a passphrase bundle's passphrase from this file descriptor");
  rc->callback([r] { run_receive(*r); });
}

}  // namespace fieldnotes::cli
