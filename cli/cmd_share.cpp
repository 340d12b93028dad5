// fieldnotes share ID... (--to NAME... | --passphrase) [-o FILE] [--full [--confirm-full]]
// fieldnotes receive FILE [--allow-unsigned] [--accept-signer NAME]
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>

#include "cli/common.h"
#include "src/bundle.h"
#include "src/clean.h"
#include "src/export.h"
#include "vault/fs.h"

namespace fieldnotes::cli {

namespace {

// A private in-memory file (memfd): attachments pass through RAM, never a temp file on disk.
int ram_file() {
  int fd = memfd_create("fieldnotes", MFD_CLOEXEC);
  if (fd < 0) fail(kExitIo, std::string("cannot create an in-memory file: ") + std::strerror(errno));
  return fd;
}

std::vector<uint8_t> read_all(int fd) {
  std::vector<uint8_t> out;
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0 || static_cast<std::size_t>(size) > core::kMaxBundleBytes) fail(kExitData, "an attachment is too large to share");
  out.resize(static_cast<std::size_t>(size));
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t r = ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(got));
    if (r <= 0) fail(kExitIo, "cannot read an attachment back from memory");
    got += static_cast<std::size_t>(r);
  }
  return out;
}

const char* extension_for(const std::string& type, const std::string& name) {
  if (type == "jpeg") return "jpg";
  if (type == "png") return "png";
  if (type == "tiff") return "tif";
  if (type == "webp") return "webp";
  if (type == "heic") return "heic";
  if (type == "pdf") return "pdf";
  (void)name;
  return "bin";
}

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

void run_share(const ShareOptions& o) {
  if (o.to.empty() == !o.passphrase)
    fail(kExitUsage, "give either --to NAME (a contact) or --passphrase", "see 'fieldnotes contact list'");
  if (o.work_factor < 10 || o.work_factor > crypto::kAgeScryptMaxWorkFactor)
    fail(kExitUsage, "--work-factor must be between 10 and 22");
  if (o.output.empty() && isatty(STDOUT_FILENO))
    fail(kExitUsage, "no output file", "add -o FILE (a bundle is binary)");
  std::vector<int64_t> ids;
  for (const auto& s : o.ids) ids.push_back(parse_record_id(s));
  confirm_full(o.full, o.confirm_full, "share");
  redact::Options ropts;
  std::string audience = o.audience.empty() ? (o.passphrase ? "public" : "co-counsel") : o.audience;
  ropts.audience = parse_audience(audience);

  with_unlocked_vault([&](vault::Vault& v) {
    core::BundleInput in;
    in.redacted = !o.full;
    in.scrypt_work_factor = o.work_factor;
    crypto::SecretBuffer bundle_pass;
    if (o.passphrase) {
      bundle_pass = read_secret(o.bundle_passphrase_fd, "Passphrase for the bundle: ", true);
      if (bundle_pass.empty()) fail(kExitUsage, "the bundle passphrase is empty");
      in.passphrase = &bundle_pass;
    } else {
      auto cs = v.contacts();
      if (!cs) fail(cs.status(), "cannot read the contacts");
      for (const auto& name : o.to) {
        auto it = std::find_if(cs->begin(), cs->end(), [&](const vault::Contact& c) { return c.name == name; });
        if (it == cs->end()) fail(kExitData, "no contact \"" + name + "\"", "add it with 'fieldnotes contact add NAME --age age1...'");
        auto r = crypto::AgeRecipient::parse(it->age_recipient);
        if (!r) fail(kExitData, "contact \"" + name + "\" has a malformed age recipient");
        in.recipients.push_back(*r);
      }
    }
    std::vector<vault::Record> records;
    for (int64_t id : ids) {
      auto r = v.get_record(id);
      if (!r) fail(r.status(), "cannot share record " + std::to_string(id));
      records.push_back(std::move(r).value());
    }
    std::shared_ptr<const redact::Engine> engine;
    std::optional<redact::Session> session;
    if (!o.full) {
      auto reg = core::load_register(v);
      if (!reg) fail(reg.status(), "cannot read the register; nothing was shared");
      engine = redact::Engine::compile(*reg);
      session.emplace(*engine, ropts);
    }
    for (auto& r : records) {
      // Attachments: cleaned of metadata in a redacted share; refused when they cannot be
      // cleaned, unless the user names their type with --include-uncleaned.
      auto atts = v.attachments(r.id);
      if (!atts) fail(atts.status(), "cannot read the attachments of record " + std::to_string(r.id));
      std::vector<core::BundleAttachment> bas;
      for (const auto& a : *atts) {
        int fd = ram_file();
        Status st = v.extract(a.id, fd, /*verify_first=*/false);
        if (!st) fail(st, "cannot read attachment " + std::to_string(a.id));
        core::BundleAttachment ba;
        ba.data = read_all(fd);
        ::close(fd);
        ba.extension = extension_for(a.type, a.name);
        if (!o.full) {
          auto cleaned = core::clean_attachment(ba.data);
          if (cleaned) {
            crypto::wipe(ba.data.data(), ba.data.size());
            ba.data = std::move(cleaned).value();
            ba.cleaned = true;
          } else if (std::find(o.include_uncleaned.begin(), o.include_uncleaned.end(), a.type) != o.include_uncleaned.end()) {
            std::cerr << "fieldnotes: warning: attachment " << a.id << " \"" << a.name << "\" (" << a.type
                      << ") goes out UNCLEANED: its metadata may identify people\n";
          } else {
            fail(kExitPolicy, "attachment " + std::to_string(a.id) + " of record " + std::to_string(r.id) + " (" + a.type +
                                  ") cannot be cleaned of metadata: " + cleaned.status().message(),
                 "nothing was shared; leave it out, or add --include-uncleaned " + a.type + " to send it as it is");
          }
        }
        bas.push_back(std::move(ba));
      }
      in.attachments.push_back(std::move(bas));
      std::vector<vault::Record> one;
      one.push_back(std::move(r));
      in.records_markdown.push_back(core::render_export(one, core::ExportFormat::kMarkdown, session ? &*session : nullptr));
    }
    auto keys = v.identity();
    if (!keys) fail(keys.status(), "cannot read the vault identity");
    auto seq = v.next_share_sequence();
    if (!seq) fail(seq.status(), "cannot number the bundle");
    in.sequence = *seq;
    in.created = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto bundle = core::make_bundle(in, *keys);
    for (auto& md : in.records_markdown) crypto::wipe(md);
    if (!bundle) fail(bundle.status(), "cannot make the bundle");
    for (int64_t id : ids) {
      Status st = v.audit(o.full ? "share-full" : "share", id);
      if (!st) fail(st, "cannot record the share in the audit log; nothing was shared");
    }
    if (o.output.empty() || o.output == "-") {
      std::cout.write(reinterpret_cast<const char*>(bundle->data()), static_cast<std::streamsize>(bundle->size()));
      std::cout.flush();
      if (!std::cout) fail(kExitIo, "cannot write the bundle");
    } else {
      Status st = vault::write_file_atomic(o.output, *bundle);  // no partial file on failure
      if (!st) fail(st, "cannot write the bundle");
      if (!globals().quiet)
        std::cerr << "fieldnotes: wrote " << ids.size() << " record(s) to \"" << o.output << "\" ("
                  << (o.full ? "FULL, unredacted" : "redacted") << ", bundle " << in.sequence << ")\n";
    }
  });
}

struct ReceiveOptions {
  std::string file;
  bool allow_unsigned = false;
  std::string accept_signer;
  int bundle_passphrase_fd = -1;
};

void run_receive(const ReceiveOptions& o) {
  auto data = vault::read_file_limited(o.file, core::kMaxBundleBytes);
  if (!data) {
    if (data.status().code() == Code::kNotFound) fail(kExitIo, "cannot read \"" + o.file + "\": no such file");
    fail(data.status(), "cannot read the bundle");
  }
  with_unlocked_vault([&](vault::Vault& v) {
    auto keys = v.identity();
    if (!keys) fail(keys.status(), "cannot read the vault identity");
    core::OpenOptions opts;
    opts.allow_unsigned = o.allow_unsigned;
    opts.passphrase = [&]() -> Result<crypto::SecretBuffer> {
      return read_secret(o.bundle_passphrase_fd, "Passphrase of the bundle: ");
    };
    auto b = core::open_bundle(*data, *keys, opts);
    if (!b) {
      const Status& st = b.status();
      std::string what = "cannot receive \"" + o.file + "\"";
      switch (st.code()) {
        case Code::kNotThisKey:
          fail(kExitData, what + ": " + st.message(), "ask the sender to share again with your key (fieldnotes identity show)");
        case Code::kWrongKey:
          fail(kExitLocked, what + ": " + st.message(), "ask the sender for the bundle's passphrase");
        case Code::kRefused:
          fail(kExitPolicy, what + ": " + st.message(),
               st.message().find("not a signed") != std::string::npos ? "add --allow-unsigned to import it marked unverified" : "");
        case Code::kCorrupt:
        case Code::kInvalidInput:
          fail(kExitData, what + ": " + st.message(), "nothing was imported; ask the sender to share again");
        default:
          fail(st, what);
      }
    }
    auto cs = v.contacts();
    if (!cs) fail(cs.status(), "cannot read the contacts");
    int64_t contact_id = 0;
    std::string sender = "unknown";
    std::string verification = "unverified";
    if (b->kind == core::BundleKind::kSigned) {
      auto it = std::find_if(cs->begin(), cs->end(), [&](const vault::Contact& c) { return c.minisign_key == b->sender_minisign; });
      if (it == cs->end()) {
        if (o.accept_signer.empty())
          fail(kExitPolicy, "the bundle is signed by a key that is not among your contacts (fingerprint " + b->sender_fingerprint + ")",
               "compare that fingerprint aloud with the sender's, then add --accept-signer NAME");
        vault::Contact c;
        c.name = o.accept_signer;
        c.age_recipient = b->sender_age;
        c.minisign_key = b->sender_minisign;
        auto id = v.add_contact(c);
        if (!id) fail(id.status(), "cannot add the signer as a contact");
        contact_id = *id;
        sender = o.accept_signer;
      } else {
        contact_id = it->id;
        sender = it->name;
        if (b->sequence <= it->last_sequence)
          fail(kExitPolicy, "bundle " + std::to_string(b->sequence) + " from \"" + sender +
                                "\" is not newer than one already received (" + std::to_string(it->last_sequence) + "): a replay",
               "nothing was imported");
      }
      verification = "verified";
    }
    auto seen = v.bundle_seen(b->bundle_id);
    if (!seen) fail(seen.status(), "cannot check the bundle against those received");
    if (*seen) fail(kExitPolicy, "this bundle was already received: a replay", "nothing was imported");
    std::vector<vault::NewRecord> rs(b->records.size());
    for (std::size_t i = 0; i < rs.size(); ++i) {
      rs[i].header.title = b->records[i].title;
      rs[i].header.kind = "received";
      rs[i].header.tags = {"received"};
      rs[i].header.sender = sender;
      rs[i].header.verification = verification;
      rs[i].body = b->records[i].body;
    }
    // Attachments go in with their records, in one commit (vault/vault.h, import_bundle).
    std::vector<std::vector<vault::NewAttachment>> atts(b->records.size());
    std::vector<int> fds;
    for (std::size_t i = 0; i < b->records.size(); ++i) {
      for (auto& a : b->records[i].attachments) {
        int fd = ram_file();
        fds.push_back(fd);
        if (::write(fd, a.data.data(), a.data.size()) != static_cast<ssize_t>(a.data.size()) || ::lseek(fd, 0, SEEK_SET) != 0)
          fail(kExitIo, "cannot stage an attachment in memory; nothing was imported");
        std::string type = core::type_name(core::detect_type(a.data));
        atts[i].push_back({fd, a.name.substr(a.name.rfind('/') + 1), type});
        crypto::wipe(a.data.data(), a.data.size());
      }
    }
    auto ids = v.import_bundle(rs, atts, b->bundle_id, contact_id, b->sequence);
    for (int fd : fds) ::close(fd);
    for (auto& r : b->records) crypto::wipe(r.body);
    if (!ids) fail(ids.status(), "cannot import the bundle; nothing was imported");
    for (int64_t id : *ids) std::cout << id << "\n";
    if (!globals().quiet)
      std::cerr << "fieldnotes: imported " << ids->size() << " record(s) from " << sender << " ("
                << verification << (b->redacted ? ", redacted" : "") << ")\n";
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

  auto r = std::make_shared<ReceiveOptions>();
  auto* rc = app.add_subcommand("receive", "check and import a bundle");
  rc->add_option("file", r->file, "bundle file")->required();
  rc->add_flag("--allow-unsigned", r->allow_unsigned, "import a plain age file, marked unverified");
  rc->add_option("--accept-signer", r->accept_signer, "add an unknown signer as this contact (after comparing fingerprints)");
  rc->add_option("--bundle-passphrase-fd", r->bundle_passphrase_fd, "read a passphrase bundle's passphrase from this file descriptor");
  rc->callback([r] { run_receive(*r); });
}

}  // namespace fieldnotes::cli
