// fieldnotes redact [FILE] [--report] [--report-file F] [--keep TEXT]... [--audience public|co-counsel]
//
// Text from FILE or standard input, redacted with the vault's register, on standard output.
// Streams: input is cut into chunks at line breaks, so memory stays bounded on any size.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "src/export.h"

namespace fieldnotes::cli {

namespace {

constexpr std::size_t kChunk = 1u << 20;        // read size
constexpr std::size_t kMaxLine = 4u << 20;      // cut a line without a break here

struct RedactOptions {
  std::string file;
  bool report = false;
  std::string report_file;
  std::vector<std::string> keep;
  std::string audience = "public";
  bool review = false;
};

constexpr std::size_t kMaxReviewBytes = 16u << 20;

// --review: walks the doubtful spans on the terminal (the text is shown there, to the user
// only), collects the ones to keep, then redacts again with them kept.
void run_review(const RedactOptions& o, redact::Options opts) {
  if (o.file.empty() || o.file == "-")
    fail(kExitUsage, "--review needs a FILE (standard input is for the text, the terminal for the questions)");
  std::string text = read_text_input(o.file, kMaxReviewBytes, "the file");
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) fail(kExitUsage, "--review needs a terminal");
  with_unlocked_vault([&](vault::Vault& v) {
    auto reg = core::load_register(v);
    if (!reg) fail(reg.status(), "cannot read the register");
    auto engine = redact::Engine::compile(*reg);
    std::vector<redact::Span> spans;
    {
      redact::Session first(*engine, opts);
      std::string out = first.redact(text, &spans);
      crypto::wipe(out);
    }
    std::size_t n_doubtful = 0;
    for (const auto& sp : spans) n_doubtful += sp.doubtful ? 1 : 0;
    std::size_t i = 0;
    for (const auto& sp : spans) {
      if (!sp.doubtful || sp.end > text.size()) continue;
      ++i;
      std::string span = text.substr(sp.begin, sp.end - sp.begin);
      std::size_t from = sp.begin > 60 ? sp.begin - 60 : 0;
      while (from > 0 && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) --from;
      std::size_t to = std::min(text.size(), sp.end + 60);
      while (to < text.size() && (static_cast<unsigned char>(text[to]) & 0xC0) == 0x80) ++to;
      std::fprintf(tty, "\n[%zu/%zu] %s (%s)\n  ...%s>>%s<<%s...\nKeep this as it is? [y/N] ", i, n_doubtful,
                   sp.category.c_str(), sp.reason.c_str(), text.substr(from, sp.begin - from).c_str(), span.c_str(),
                   text.substr(sp.end, to - sp.end).c_str());
      std::fflush(tty);
      char answer[16] = {};
      if (std::fgets(answer, sizeof answer, tty) == nullptr) break;
      if (answer[0] == 'y' || answer[0] == 'Y') opts.keep.push_back(span);
    }
    std::fclose(tty);
    redact::Session second(*engine, opts);
    std::string out = second.redact(text);
    std::cout << out;
    crypto::wipe(out);
    crypto::wipe(text);
  });
}

// Index of the end of the last complete piece in buf (after a '\n'), or, for a very long
// line, after the last space or a UTF-8 character boundary.
std::size_t cut_point(const std::string& buf, bool eof) {
  if (eof) return buf.size();
  std::size_t nl = buf.rfind('\n');
  if (nl != std::string::npos) return nl + 1;
  if (buf.size() < kMaxLine) return 0;
  std::size_t sp = buf.rfind(' ');
  if (sp != std::string::npos && sp > buf.size() / 2) return sp + 1;
  std::size_t i = buf.size();
  while (i > 0 && (static_cast<unsigned char>(buf[i - 1]) & 0xC0) == 0x80) --i;
  return i > 0 ? i - 1 : buf.size();
}

void run_redact(const RedactOptions& o) {
  redact::Options opts;
  opts.audience = parse_audience(o.audience);
  opts.keep = o.keep;
  if (o.review) return run_review(o, opts);
  int fd = 0;
  if (!o.file.empty() && o.file != "-") {
    fd = ::open(o.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(kExitIo, "cannot read \"" + o.file + "\": " + std::strerror(errno));
  }
  with_unlocked_vault([&](vault::Vault& v) {
    auto reg = core::load_register(v);
    if (!reg) fail(reg.status(), "cannot read the register");
    auto engine = redact::Engine::compile(*reg);
    redact::Session session(*engine, opts);
    nlohmann::json report = nlohmann::json::array();
    std::vector<redact::Span> spans;
    std::string buf;
    std::size_t base = 0;
    bool eof = false;
    std::vector<char> in(kChunk);
    while (!eof) {
      ssize_t r = ::read(fd, in.data(), in.size());
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) fail(kExitIo, std::string("cannot read the input: ") + std::strerror(errno));
      if (r == 0) eof = true;
      else buf.append(in.data(), static_cast<std::size_t>(r));
      std::size_t cut = cut_point(buf, eof);
      if (cut == 0) continue;
      std::string_view piece(buf.data(), cut);
      spans.clear();
      std::string out = session.redact(piece, (o.report || !o.report_file.empty()) ? &spans : nullptr);
      std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
      crypto::wipe(out);
      for (const auto& s : spans)
        report.push_back({{"category", s.category}, {"begin", base + s.begin}, {"end", base + s.end},
                          {"reason", s.reason}, {"registered", s.registered}, {"doubtful", s.doubtful},
                          {"replacement", s.replacement}});
      base += cut;
      crypto::wipe(buf.data(), cut);
      buf.erase(0, cut);
    }
    crypto::wipe(in.data(), in.size());
    std::cout.flush();
    if (!std::cout) fail(kExitIo, "cannot write the output");
    if (!o.report_file.empty()) {
      std::ofstream f(o.report_file, std::ios::binary | std::ios::trunc);
      f << report.dump(2) << "\n";
      if (!f) fail(kExitIo, "cannot write the report \"" + o.report_file + "\"");
    } else if (o.report) {
      std::cerr << report.dump(2) << "\n";
    }
  });
  if (fd != 0) ::close(fd);
}

}  // namespace

void register_redact(CLI::App& app) {
  auto o = std::make_shared<RedactOptions>();
  auto* c = app.add_subcommand("redact", "redact a text with the vault's register (stdin or FILE to stdout)");
  c->add_option("file", o->file, "text file (default: standard input)");
  c->add_flag("--report", o->report, "write each redacted span (category, offsets, reason; never its text) as JSON to stderr");
  c->add_option("--report-file", o->report_file, "write that report to this file instead");
  c->add_option("--keep", o->keep, "keep this reviewed span as it is (repeatable)");
  c->add_option("--audience", o->audience, "public (default) or co-counsel: whose consent applies");
  c->add_flag("--review", o->review, "walk the doubtful spans on the terminal and choose which to keep");
  c->callback([o] { run_redact(*o); });
}

}  // namespace fieldnotes::cli
