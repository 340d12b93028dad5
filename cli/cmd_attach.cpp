// fieldnotes attach ID FILE... [--name N]: seals files as attachments of a record.
// fieldnotes extract ID ATTACHMENT [-o FILE]: writes one back (by attachment id or file name).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "cli/common.h"
#include "src/clean.h"
#include "vault/fs.h"

namespace fieldnotes::cli {

namespace fs = std::filesystem;

namespace {

struct AttachOptions {
  std::string id;
  std::vector<std::string> files;
  std::string name;
};

void run_attach(const AttachOptions& o) {
  int64_t rid = parse_record_id(o.id);
  if (!o.name.empty() && o.files.size() != 1) fail(kExitUsage, "--name goes with exactly one file");
  std::vector<int> fds;
  for (const auto& f : o.files) {
    int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(kExitIo, "cannot read \"" + f + "\": " + std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) fail(kExitIo, "\"" + f + "\" is not a regular file");
    fds.push_back(fd);
  }
  with_unlocked_vault([&](vault::Vault& v) {
    for (std::size_t i = 0; i < fds.size(); ++i) {
      uint8_t head[64] = {};
      ssize_t n = ::pread(fds[i], head, sizeof head, 0);
      std::string type = core::type_name(core::detect_type({head, n > 0 ? static_cast<std::size_t>(n) : 0}));
      std::string name = o.name.empty() ? fs::path(o.files[i]).filename().string() : o.name;
      auto a = v.attach(rid, fds[i], name, type);
      ::close(fds[i]);
      if (!a) fail(a.status(), "cannot attach \"" + o.files[i] + "\"");
      std::cout << a->id << "\n";
    }
  });
}

struct ExtractOptions {
  std::string id;
  std::string which;
  std::string output;
};

void run_extract(const ExtractOptions& o) {
  int64_t rid = parse_record_id(o.id);
  bool to_stdout = o.output.empty() || o.output == "-";
  if (to_stdout && isatty(STDOUT_FILENO))
    fail(kExitUsage, "refusing to write an attachment to the terminal", "add -o FILE, or redirect the output");
  with_unlocked_vault([&](vault::Vault& v) {
    auto all = v.attachments(rid);
    if (!all) fail(all.status(), "cannot read the attachments of record " + o.id);
    const vault::AttachmentInfo* hit = nullptr;
    for (const auto& a : *all)
      if (std::to_string(a.id) == o.which || a.name == o.which) {
        if (hit != nullptr) fail(kExitUsage, "several attachments are called \"" + o.which + "\"", "give its id (fieldnotes show " + o.id + ")");
        hit = &a;
      }
    if (hit == nullptr) fail(kExitData, "record " + o.id + " has no attachment \"" + o.which + "\"", "see 'fieldnotes show " + o.id + "'");
    if (to_stdout) {
      Status st = v.extract(hit->id, STDOUT_FILENO, /*verify_first=*/true);
      if (!st) fail(st, "cannot extract attachment " + std::to_string(hit->id));
      return;
    }
    // A temp file beside the target, renamed only once every chunk authenticated.
    fs::path out = o.output;
    fs::path tmp = (out.parent_path().empty() ? fs::path(".") : out.parent_path()) / ("." + out.filename().string() + ".fieldnotes-tmp");
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) fail(kExitIo, "cannot create \"" + tmp.string() + "\": " + std::strerror(errno));
    Status st = v.extract(hit->id, fd, /*verify_first=*/false);
    if (st && ::fsync(fd) != 0) st = Status{Code::kIo, std::string("cannot write the file: ") + std::strerror(errno)};
    ::close(fd);
    if (st && ::rename(tmp.c_str(), out.c_str()) != 0) st = Status{Code::kIo, std::string("cannot write the file: ") + std::strerror(errno)};
    if (!st) {
      ::unlink(tmp.c_str());
      fail(st, "cannot extract attachment " + std::to_string(hit->id));
    }
  });
}

}  // namespace

void register_attach(CLI::App& app) {
  auto a = std::make_shared<AttachOptions>();
  auto* ac = app.add_subcommand("attach", "seal files as attachments of a record; prints their ids");
  ac->add_option("id", a->id, "record id")->required();
  ac->add_option("files", a->files, "files")->required();
  ac->add_option("--name", a->name, "name to keep (default: the file's name)");
  ac->callback([a] { run_attach(*a); });

  auto e = std::make_shared<ExtractOptions>();
  auto* ec = app.add_subcommand("extract", "write an attachment back out");
  ec->add_option("id", e->id, "record id")->required();
  ec->add_option("attachment", e->which, "attachment id or file name")->required();
  ec->add_option("-o,--output", e->output, "output file (default: standard output, not a terminal)");
  ec->callback([e] { run_extract(*e); });
}

}  // namespace fieldnotes::cli
