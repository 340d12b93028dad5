// Stage: people the register does not hold. Runs of capitalised words (and initials) that no
// earlier stage took are weighed (name_heuristics.h); a run with enough evidence is a person,
// numbered by PersonNumbering so that every later mention gets the same number. Family
// members found beside register mentions are numbered here too, and later bare mentions of a
// surname learned in this session are found by that surname alone.
#include <string_view>
#include <utility>
#include <vector>

#include "src/redact/chunk_scan.h"
#include "src/redact/name_heuristics.h"
#include "src/redact/stages.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact {

using patterns::Kind;

namespace {

// Whether the run of words [i, j] names a person, by the evidence of its words and the cues
// around it.
bool run_is_person(ChunkScan& scan, std::size_t i, std::size_t j, int strong, int weak, int words) {
  const Token& t = scan.tokens()[i];
  const WordText& word = scan.text_of(t);
  // (Cues are looked for before the count of words is tested: they compute the keys of the
  // words before the run, which later rules read.)
  const bool title = cue_before(scan, i, false);
  const bool callsign = cue_before(scan, i, true) || (i == j && callsign_near(scan, i));
  if (words == 0) return false;
  if (strong > 0 || title || callsign) return true;
  if (weak > 0 && words >= 2) return true;
  // A Cyrillic capitalised word with a weak surname shape mid-sentence.
  if (weak > 0 && !t.sent_start && !t.latin && !t.allcaps) return true;
  // "told Pronin that": a Latin -in/-ina surname mid-sentence.
  if (weak > 0 && !t.sent_start && t.latin && !t.allcaps && i == j && word.low.size() >= 6 &&
      (word.low.back() == U'n' || (word.low.size() > 2 && word.low.compare(word.low.size() - 2, 2, U"na") == 0)))
    return true;
  if (t.quoted && i == j && !t.allcaps) return quoted_word_is_person(scan, i);
  return false;
}

// Runs of capitalised words (at most five) that name unregistered people; their words are
// marked consumed.
std::vector<std::pair<std::size_t, std::size_t>> find_person_runs(ChunkScan& scan) {
  std::vector<Token>& toks = scan.tokens();
  const std::size_t n = toks.size();
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  std::size_t next_run = 0;
  for (const std::uint32_t i : scan.words.capitalised) {  // the other words are skipped by the first test
    if (i < next_run) continue;
    const Token& t = toks[i];
    if ((!t.cap && !t.initial) || t.blocked || t.consumed || scan.not_a_name[i] || scan.key_of(t).empty() ||
        (scan.text_of(t).low.size() < 2 && !t.initial)) {
      continue;
    }
    std::size_t j = i;
    while (j + 1 < n && scan.joinable(j, j + 1) && !toks[j + 1].blocked && !toks[j + 1].consumed && !scan.not_a_name[j + 1] &&
           (toks[j + 1].cap || toks[j + 1].initial) && !scan.key_of(toks[j + 1]).empty() && j - i < 4)
      ++j;
    int strong = 0, weak = 0, words = 0;
    for (std::size_t k = i; k <= j; ++k) {
      if (toks[k].initial) continue;
      ++words;
      if (scan.evidence[k] == Evidence::kStrong) ++strong;
      else if (scan.evidence[k] == Evidence::kWeak) ++weak;
    }
    next_run = j + 1;
    if (!run_is_person(scan, i, j, strong, weak, words)) continue;
    runs.push_back({i, j});
    for (std::size_t k = i; k <= j; ++k) toks[k].consumed = 2;
  }
  return runs;
}

}  // namespace

void find_unregistered_people(ChunkScan& scan) {
  const std::string_view s = scan.text;
  std::vector<Token>& toks = scan.tokens();
  PersonNumbering& numbering = scan.session.numbering;
  weigh_capitalised_words(scan);
  for (const auto& [first, last] : find_person_runs(scan)) {
    Candidate c;
    c.b = toks[first].b;
    c.e = toks[last].e;
    if (toks[last].initial && c.e < s.size() && s[c.e] == '.') ++c.e;  // the dot of a trailing initial
    c.kind = Kind::kPerson;
    c.reason = "heuristic:name";
    c.doubtful = true;
    c.unregistered = numbering.number_for(scan, first, last);
    scan.candidates.push_back(c);
  }
  // Family-member spans found next to register mentions get numbers too.
  for (auto& c : scan.candidates)
    if (c.kind == Kind::kPerson && c.unregistered == 0) c.unregistered = numbering.number_for(scan, c.first_token, c.last_token);
  // Second pass: later mentions of learned surnames ("Ситник помер", "Волке").
  for (const std::uint32_t i : scan.words.capitalised) {
    const Token& t = toks[i];
    if (!t.cap || t.initial || t.blocked || t.consumed || scan.key_of(t).empty()) continue;
    const int number = numbering.learned_number(scan.text_of(t));
    if (number == 0) continue;
    Candidate c;
    c.b = t.b;
    c.e = t.e;
    c.kind = Kind::kPerson;
    c.reason = "heuristic:same-surname";
    c.doubtful = true;
    c.unregistered = number;
    scan.candidates.push_back(c);
  }
}

}  // namespace fieldnotes::redact
