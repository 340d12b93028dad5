// fieldnotes add [FILE] --title T [--case C] [--tag X]... [--person NAME]...
// fieldnotes import FILE...|DIR
#include <algorithm>
#include <iostream>

#include "cli/common.h"
#include "src/strings.h"

namespace fieldnotes::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxBody = 64u << 20;  // one record's text

struct AddOptions {
  std::string file;
  std::string title;
  std::string case_name;
  std::vector<std::string> tags;
  std::vector<std::string> people;
};

std::string read_body(const std::string& file) {
  std::string body = read_text_input(file, kMaxBody, file.empty() || file == "-" ? "standard input" : "the file");
  if (!core::is_valid_utf8(body)) {
    crypto::wipe(body);
    fail(kExitData, "the text is not valid UTF-8", "convert it first, e.g. with iconv -f cp1251 -t utf-8");
  }
  return body;
}

void run_add(const AddOptions& o) {
  if (core::trim(o.title).empty()) fail(kExitUsage, "a record needs a title", "add --title \"...\"");
  std::string body = read_body(o.file);
  if (core::trim(body).empty()) {
    crypto::wipe(body);
    fail(kExitData, "the text is empty", "give a file, or type the testimony on standard input");
  }
  with_unlocked_vault([&](vault::Vault& v) {
    vault::NewRecord r;
    r.header.title = o.title;
    r.header.case_name = o.case_name;
    r.header.tags = o.tags;
    r.header.people = o.people;
    r.body = body;
    auto id = v.add_record(r);
    crypto::wipe(body);
    if (!id) fail(id.status(), "cannot add the record");
    std::cout << *id << "\n";
  });
}

struct ImportOptions {
  std::vector<std::string> paths;
  std::string case_name;
  std::vector<std::string> tags;
};

bool is_text_file(const fs::path& p) {
  auto ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext == ".txt" || ext == ".md";
}

void run_import(const ImportOptions& o) {
  std::vector<fs::path> files;
  for (const auto& p : o.paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (const auto& e : fs::directory_iterator(p, ec))
        if (e.is_regular_file() && is_text_file(e.path())) found.push_back(e.path());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      fail(kExitIo, "cannot read \"" + p + "\": no such file or directory");
    }
  }
  if (files.empty()) fail(kExitData, "no .txt or .md files to import");
  std::vector<std::string> bodies;
  bodies.reserve(files.size());
  for (const auto& f : files) {
    std::string b = read_text_input(f.string(), kMaxBody, "the file");
    if (!core::is_valid_utf8(b)) {
      for (auto& x : bodies) crypto::wipe(x);
      fail(kExitData, "\"" + f.string() + "\" is not valid UTF-8; nothing was imported",
           "convert it first, e.g. with iconv -f cp1251 -t utf-8");
    }
    bodies.push_back(std::move(b));
  }
  with_unlocked_vault([&](vault::Vault& v) {
    std::vector<vault::NewRecord> rs(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
      rs[i].header.title = files[i].stem().string();
      rs[i].header.case_name = o.case_name;
      rs[i].header.tags = o.tags;
      rs[i].body = bodies[i];
    }
    auto ids = v.add_records(rs);
    for (auto& b : bodies) crypto::wipe(b);
    if (!ids) fail(ids.status(), "cannot import; nothing was imported");
    for (int64_t id : *ids) std::cout << id << "\n";
  });
}

}  // namespace

void register_add(CLI::App& app) {
  auto o = std::make_shared<AddOptions>();
  auto* c = app.add_subcommand("add", "add a record (text from FILE or standard input); prints its id");
  c->add_option("file", o->file, "text file (default: standard input)");
  c->add_option("--title", o->title, "title")->required();
  c->add_option("--case", o->case_name, "case name");
  c->add_option("--tag", o->tags, "tag (repeatable)");
  c->add_option("--person", o->people, "linked person (repeatable)");
  c->callback([o] { run_add(*o); });

  auto i = std::make_shared<ImportOptions>();
  auto* ic = app.add_subcommand("import", "add many .txt/.md files in one transaction; prints their ids");
  ic->add_option("paths", i->paths, "files or directories")->required();
  ic->add_option("--case", i->case_name, "case name for every record");
  ic->add_option("--tag", i->tags, "tag for every record (repeatable)");
  ic->callback([i] { run_import(*i); });
}

}  // namespace fieldnotes::cli
