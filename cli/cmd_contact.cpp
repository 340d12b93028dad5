// fieldnotes contact add NAME --age age1... [--minisign RW...] | list [--json] | rm NAME
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "src/bundle.h"
#include "src/strings.h"

namespace fieldnotes::cli {

using json = nlohmann::json;

namespace {

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

void register_contact(CLI::App& app) {
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
