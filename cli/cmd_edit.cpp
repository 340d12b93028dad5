// fieldnotes edit ID [--title T] [--case C] [--tag X]... [--allow-disk]
//
// Runs $EDITOR on the record's text in a private directory on a RAM-backed file system
// (tmpfs/ramfs), with swap and backup files off for the editors we know, and wipes the file
// afterwards. Plaintext never touches the disk unless the user says --allow-disk.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "cli/common.h"
#include "src/strings.h"

namespace fieldnotes::cli {

namespace fs = std::filesystem;

namespace {

constexpr long kTmpfsMagic = 0x01021994;
constexpr long kRamfsMagic = 0x858458f6;

struct EditOptions {
  std::string id;
  std::optional<std::string> title;
  std::optional<std::string> case_name;
  std::vector<std::string> tags;
  bool allow_disk = false;
};

bool is_ram_backed(const fs::path& p) {
  struct statfs s {};
  if (statfs(p.c_str(), &s) != 0) return false;
  return static_cast<long>(s.f_type) == kTmpfsMagic || static_cast<long>(s.f_type) == kRamfsMagic;
}

std::optional<fs::path> ram_dir(bool allow_disk) {
  std::vector<fs::path> candidates;
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x) candidates.emplace_back(x);
  candidates.emplace_back("/dev/shm");
  candidates.emplace_back("/run/user/" + std::to_string(getuid()));
  for (const auto& c : candidates)
    if (access(c.c_str(), W_OK) == 0 && is_ram_backed(c)) return c;
  if (allow_disk) {
    const char* t = std::getenv("TMPDIR");
    return fs::path(t && *t ? t : "/tmp");
  }
  return std::nullopt;
}

// Overwrites and removes the file and its directory (and any editor leftovers in it).
void wipe_dir(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    int fd = ::open(e.path().c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      struct stat st {};
      if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        std::vector<char> zeros(static_cast<std::size_t>(st.st_size), 0);
        (void)!::write(fd, zeros.data(), zeros.size());
        fsync(fd);
      }
      ::close(fd);
    }
    fs::remove(e.path(), ec);
  }
  fs::remove(dir, ec);
}

std::vector<std::string> editor_argv(const std::string& editor, const std::string& file) {
  // Known editors: no swap, backup, undo or history files.
  std::string base = fs::path(editor).filename().string();
  if (base == "vi" || base == "vim" || base == "nvim" || base == "vim.basic" || base == "vim.tiny")
    return {editor, "-n", "-i", "NONE", "--cmd", "set nobackup nowritebackup noundofile viminfo= shada=", file};
  if (base == "nano") return {editor, "--ignorercfiles", file};
  if (base == "emacs") return {editor, "-nw", "-Q", "--eval", "(setq make-backup-files nil auto-save-default nil)", file};
  return {editor, file};
}

void run_edit(const EditOptions& o) {
  int64_t id = parse_record_id(o.id);
  with_unlocked_vault([&](vault::Vault& v) {
    auto r = v.get_record(id);
    if (!r) fail(r.status(), "cannot edit record " + o.id);
    vault::RecordHeader h = r->header;
    if (o.title) h.title = *o.title;
    if (o.case_name) h.case_name = *o.case_name;
    if (!o.tags.empty()) h.tags = o.tags;
    bool header_only = o.title || o.case_name || !o.tags.empty();
    Plaintext body = r->body.clone();  // wiped however this ends (fail() throws)
    if (!header_only) {
      auto base = ram_dir(o.allow_disk);
      if (!base)
        fail(kExitPolicy, "no RAM-backed directory for the editor (tried $XDG_RUNTIME_DIR, /dev/shm)",
             "mount a tmpfs, or add --allow-disk to accept plaintext on disk for the edit");
      if (!is_ram_backed(*base)) warn("editing in \"" + base->string() + "\", which is on disk (--allow-disk)");
      std::string tmpl = (*base / "fieldnotes-edit-XXXXXX").string();
      if (mkdtemp(tmpl.data()) == nullptr) fail(kExitIo, "cannot create a private directory for the editor");
      fs::path dir = tmpl;
      fs::path file = dir / ("record-" + std::to_string(id) + ".md");
      int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0) {
        wipe_dir(dir);
        fail(kExitIo, "cannot create the file for the editor");
      }
      (void)!::write(fd, body.data(), body.size());
      ::close(fd);
      const char* ed = std::getenv("VISUAL");
      if (!ed || !*ed) ed = std::getenv("EDITOR");
      std::string editor = (ed && *ed) ? ed : "vi";
      auto args = editor_argv(editor, file.string());
      pid_t pid = fork();
      if (pid == 0) {
        // $EDITOR may carry arguments ("code -w"): run it through sh with the file as $1.
        std::vector<std::string> sh_args = {"/bin/sh", "-c", "exec " + editor + " \"$@\"", "sh"};
        sh_args.insert(sh_args.end(), args.begin() + 1, args.end());
        std::vector<char*> av;
        for (auto& a : sh_args) av.push_back(a.data());
        av.push_back(nullptr);
        execv("/bin/sh", av.data());
        _exit(127);
      }
      int status = 0;
      while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
      bool ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
      Plaintext edited;
      if (ok) {
        try {
          std::string text = read_text_input(file.string(), 64u << 20, "the edited file");
          edited = Plaintext(text);
          crypto::wipe(text);
        } catch (...) {
          wipe_dir(dir);
          throw;
        }
      }
      wipe_dir(dir);
      if (!ok) fail(kExitIo, "the editor failed; the record is unchanged");
      if (!core::is_valid_utf8(edited)) fail(kExitData, "the edited text is not valid UTF-8; the record is unchanged");
      body = std::move(edited);
    }
    if (body.view() == r->body.view() && h.title == r->header.title && h.case_name == r->header.case_name &&
        h.tags == r->header.tags) {
      if (!globals().quiet) std::cerr << "fieldnotes: no change\n";
      return;
    }
    Status st = v.update_record(id, h, body);
    if (!st) fail(st, "cannot save record " + o.id);
    if (!globals().quiet) std::cerr << "fieldnotes: record " << id << " saved\n";
  });
}

}  // namespace

void register_edit(CLI::App& app) {
  auto o = std::make_shared<EditOptions>();
  auto* c = app.add_subcommand("edit", "edit a record's text in $EDITOR (in RAM), or its title, case or tags");
  c->add_option("id", o->id, "record id")->required();
  c->add_option("--title", o->title, "new title (no editor)");
  c->add_option("--case", o->case_name, "new case name (no editor)");
  c->add_option("--tag", o->tags, "replace the tags (no editor)");
  c->add_flag("--allow-disk", o->allow_disk, "allow the editor's file on disk when no RAM-backed directory exists");
  c->callback([o] { run_edit(*o); });
}

}  // namespace fieldnotes::cli
