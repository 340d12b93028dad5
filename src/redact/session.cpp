// Session: redacts the chunks of one output through the pipeline's stages (stages.h), with
// the tables that keep replacements consistent from chunk to chunk (chunk_scan.h).
#include <string>
#include <vector>

#include "src/redact/chunk_scan.h"
#include "src/redact/engine.h"
#include "src/redact/stages.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact {

namespace {

std::vector<bool> kept_by_consent(const RegisterIndex& index, Audience audience) {
  std::vector<bool> kept;
  for (const auto& p : index.people)
    kept.push_back(p.disclose == Disclose::kPublic || (p.disclose == Disclose::kCoCounsel && audience == Audience::kCoCounsel));
  return kept;
}

}  // namespace

struct Session::State {
  State(const Engine& engine, const Options& options)
      : tables(engine.index(), kept_by_consent(engine.index(), options.audience)) {
    for (const auto& k : options.keep) keep_nfc.push_back(text::nfc(k));
  }
  std::string redact(std::string_view input, std::vector<Span>* report);

  SessionTables tables;
  std::vector<std::string> keep_nfc;
  Words words;  // the current chunk's words (buffers reused from chunk to chunk)
};

std::string Session::State::redact(std::string_view input, std::vector<Span>* report) {
  // Valid input (the usual case) is matched in place; only invalid input is copied and repaired.
  std::string repaired;
  struct WipedOnExit {
    std::string& text;
    ~WipedOnExit() { wipe_string(text); }
  } wipe_repaired{repaired};
  std::string_view s = input;
  if (text::valid_prefix(input) != input.size()) {
    repaired = text::repair_utf8(input, nullptr);
    s = repaired;
  }
  if (s.empty()) return {};
  if (tables.facts.trim()) tables.one_word_pick.clear();  // keyed by hit lists, some of them in the facts
  tokenize(s, words, tables.spellings);
  ChunkScan scan(s, words, tables);
  find_identifiers(scan);
  block_identifier_words(scan);
  find_register_mentions(scan);
  find_unregistered_people(scan);
  find_dates_after_names(scan);
  return render(s, resolve_overlaps(std::move(scan.candidates)), keep_nfc, tables.numbering, report);
}

Session::Session(const Engine& engine, Options options) : state_(std::make_unique<State>(engine, options)) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;

std::string Session::redact(std::string_view text_in, std::vector<Span>* report) {
  return state_->redact(text_in, report);
}

}  // namespace fieldnotes::redact
