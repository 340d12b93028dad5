// fieldnotes identity show [--json] [--qr]
#include <qrencode.h>

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "src/bundle.h"

namespace fieldnotes::cli {

using json = nlohmann::json;

namespace {

// Two modules per character with half blocks, black on white with a quiet zone of 2.
void print_qr(const std::string& text) {
  QRcode* qr = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (qr == nullptr) fail(kExitIo, "cannot draw the QR code");
  const int w = qr->width, q = 2;
  auto dark = [&](int x, int y) {
    if (x < 0 || y < 0 || x >= w || y >= w) return false;
    return (qr->data[y * w + x] & 1) != 0;
  };
  for (int y = -q; y < w + q; y += 2) {
    std::string line;
    for (int x = -q; x < w + q; ++x) {
      bool top = dark(x, y), bottom = dark(x, y + 1);
      // light modules are drawn, dark ones left as the terminal's background: reads on
      // dark terminals, which most are
      if (!top && !bottom) line += "\u2588";
      else if (!top) line += "\u2580";
      else if (!bottom) line += "\u2584";
      else line += " ";
    }
    std::cout << line << "\n";
  }
  QRcode_free(qr);
}

struct ShowOptions {
  bool qr = false;
};

void run_identity_show(const ShowOptions& o) {
  with_unlocked_vault([&](vault::Vault& v) {
    auto keys = v.identity();
    if (!keys) fail(keys.status(), "cannot read the vault identity");
    auto pub = core::public_identity(*keys);
    if (!pub) fail(pub.status(), "cannot read the vault identity");
    std::string age = pub->age.to_string(), sig = pub->minisign.to_base64();
    if (globals().json) {
      std::cout << json{{"age", age}, {"minisign", sig}, {"fingerprint", pub->fingerprint}}.dump() << "\n";
      return;
    }
    std::cout << "age recipient:   " << age << "\n"
              << "minisign key:    " << sig << "\n"
              << "fingerprint:     " << pub->fingerprint << "   (read it aloud to compare)\n";
    if (o.qr) print_qr("fieldnotes-identity:1\nage=" + age + "\nminisign=" + sig);
  });
}

}  // namespace

void register_identity(CLI::App& app) {
  auto* id = app.add_subcommand("identity", "this vault's sharing keys");
  id->require_subcommand(1);
  auto s = std::make_shared<ShowOptions>();
  auto* show = id->add_subcommand("show", "print the age recipient, minisign key and fingerprint");
  show->add_flag("--qr", s->qr, "also draw them as a QR code");
  show->callback([s] { run_identity_show(*s); });
}

}  // namespace fieldnotes::cli
