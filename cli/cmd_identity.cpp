// fieldnotes identity show [--json] [--qr]
// fieldnotes contact add NAME --age age1... [--minisign RW...] | list [--json] | rm NAME
#include <qrencode.h>

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "src/bundle.h"
#include "src/strings.h"

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

struct ContactAddOptions {
  std::string name, age, minisign;
};

void run_contact_add(const ContactAddOptions& o) {
  if (core::trim(o.name).empty()) fail(kExitUsage, "the contact needs a name");
  auto age = crypto::AgeRecipient::parse(o.age);
  if (!age) fail(kExitUsage, "\"" + o.age + "\" is not an age recipient (age1...)", "ask your colleague for 'fieldnotes identity show'");
  std::string fp;
  if (!o.minisign.empty()) {
    auto pk = crypto::MinisignPublicKey::parse(o.minisign);
    if (!pk) fail(kExitUsage, "\"" + o.minisign + "\" is not a minisign public key (RW...)");
    fp = core::fingerprint_of(*age, *pk);
  }
  with_unlocked_vault([&](vault::Vault& v) {
    vault::Contact c;
    c.name = o.name;
    c.age_recipient = age->to_string();
    c.minisign_key = o.minisign;
    auto id = v.add_contact(c);
    if (!id) fail(id.status(), "cannot add the contact");
    if (!globals().quiet) {
      if (!fp.empty()) std::cerr << "fieldnotes: added \"" << o.name << "\"; fingerprint " << fp << " — compare it aloud with theirs\n";
      else std::cerr << "fieldnotes: added \"" << o.name << "\" without a minisign key: bundles from them cannot be verified\n";
    }
  });
}

void run_contact_list() {
  with_unlocked_vault([&](vault::Vault& v) {
    auto cs = v.contacts();
    if (!cs) fail(cs.status(), "cannot read the contacts");
    json out = json::array();
    for (const auto& c : *cs) {
      std::string fp;
      auto age = crypto::AgeRecipient::parse(c.age_recipient);
      auto pk = crypto::MinisignPublicKey::parse(c.minisign_key);
      if (age && pk) fp = core::fingerprint_of(*age, *pk);
      if (globals().json) {
        out.push_back({{"name", c.name}, {"age", c.age_recipient}, {"minisign", c.minisign_key},
                       {"fingerprint", fp}, {"last_sequence", c.last_sequence}});
      } else {
        std::cout << c.name << "\t" << c.age_recipient << "\t" << (fp.empty() ? "(no signing key)" : fp) << "\n";
      }
    }
    if (globals().json) std::cout << out.dump(2) << "\n";
  });
}

struct ContactRmOptions {
  std::string name;
};

void run_contact_rm(const ContactRmOptions& o) {
  with_unlocked_vault([&](vault::Vault& v) {
    Status st = v.remove_contact(o.name);
    if (!st) fail(st, "cannot remove the contact");
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

  auto* contact = app.add_subcommand("contact", "colleagues' public keys");
  contact->require_subcommand(1);
  auto a = std::make_shared<ContactAddOptions>();
  auto* add = contact->add_subcommand("add", "add a colleague");
  add->add_option("name", a->name, "name")->required();
  add->add_option("--age", a->age, "their age recipient (age1...)")->required();
  add->add_option("--minisign", a->minisign, "their minisign public key (RW...), to verify their bundles");
  add->callback([a] { run_contact_add(*a); });
  contact->add_subcommand("list", "list contacts")->callback(run_contact_list);
  auto r = std::make_shared<ContactRmOptions>();
  auto* rm = contact->add_subcommand("rm", "remove a contact");
  rm->add_option("name", r->name, "name")->required();
  rm->callback([r] { run_contact_rm(*r); });
}

}  // namespace fieldnotes::cli
