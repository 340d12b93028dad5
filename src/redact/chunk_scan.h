// The state the redaction pipeline shares over one chunk of text (ChunkScan) and across the
// chunks of one output (SessionTables). The stages, in the order Redactor::redact runs them:
//   tokenize                  tokenizer.cpp
//   find_identifiers          find_identifiers.cpp   phones, e-mails, IDs... and the register's
//   block_identifier_words    find_identifiers.cpp   words inside them are no names
//   find_register_mentions    register_mentions.cpp  registered people in every spelling
//   find_unregistered_people  unregistered_people.cpp (cues in name_heuristics.cpp)
//   find_dates_after_names    find_identifiers.cpp   "Иванов Иван, 01.02.1990"
//   resolve_overlaps, render  render.cpp
// Person numbers and labels come from PersonNumbering (person_numbering.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "src/redact/engine.h"
#include "src/redact/patterns.h"
#include "src/redact/person_numbering.h"
#include "src/redact/register_index.h"
#include "src/redact/tokenizer.h"
#include "src/redact/word_facts.h"

namespace fieldnotes::redact {

// A span some stage wants redacted. Overlapping candidates are merged by resolve_overlaps.
struct Candidate {
  std::size_t b = 0, e = 0;
  patterns::Kind kind = patterns::Kind::kId;
  const char* reason = "";  // a static string (sorting candidates moves no heap string)
  bool doubtful = false;
  bool registered = false;
  int person = -1;          // register index
  int unregistered = -1;    // unregistered person number (0: to be numbered)
  std::size_t first_token = 0, last_token = 0;  // tokens of a family-member span (numbered later)
};

// How strongly a capitalised word alone suggests a person (find_unregistered_people).
enum class Evidence : std::uint8_t { kNone, kWeak, kStrong };

// What lives as long as the Session: the register, caches keyed by spelling, and the numbers
// and labels already given.
struct SessionTables {
  SessionTables(const RegisterIndex& register_index, std::vector<bool> kept_flags)
      : index(register_index), facts(register_index), numbering(register_index, facts), kept(std::move(kept_flags)) {}
  ~SessionTables() { wipe_map(spellings); }  // spellings of names met in testimony
  SessionTables(const SessionTables&) = delete;
  SessionTables& operator=(const SessionTables&) = delete;

  const RegisterIndex& index;
  WordFactsCache facts;
  PersonNumbering numbering;
  SpellingCache spellings;  // keys of capitalised spellings, across chunks
  // Hit list of a word that cannot be extended -> the person it names (see
  // register_mentions.cpp). Keyed by hit lists, some of them in `facts`: emptied with it.
  std::unordered_map<const void*, std::uint32_t> one_word_pick;
  // Whose name may stay for this audience, one flag per register entry.
  std::vector<bool> kept;
  bool kept_by_consent(std::uint32_t p) const { return kept[p]; }
};

// One chunk: its text (valid UTF-8), its words, and what each stage found.
struct ChunkScan {
  ChunkScan(std::string_view chunk, Words& chunk_words, SessionTables& tables)
      : text(chunk), words(chunk_words), session(tables) {}

  std::string_view text;
  Words& words;
  SessionTables& session;
  std::vector<Candidate> candidates;
  // By find_register_mentions, one entry per token: the register hits of the word.
  std::vector<const std::vector<RegisterIndex::Hit>*> hits;
  std::vector<bool> typo_hit;
  // By find_unregistered_people, one entry per token.
  std::vector<Evidence> evidence;
  std::vector<bool> not_a_name, given_name;

  std::vector<Token>& tokens() { return words.tokens; }
  const WordText& text_of(const Token& t) const { return words.texts[t.text_id]; }
  const std::string& key_of(const Token& t) const { return words.texts[t.text_id].key; }
  // Computes the key of a lower-case word that a rule asks about.
  void ensure_key(Token& t) { redact::ensure_key(text, t, words.texts, session.spellings); }
  const std::string& key_ensured(Token& t) {
    ensure_key(t);
    return key_of(t);
  }
  const WordFacts& facts_of(const Token& t) { return session.facts.of(text_of(t)); }
  bool joinable(std::size_t a, std::size_t b) const { return redact::joinable(text, words.tokens[a], words.tokens[b]); }
};

}  // namespace fieldnotes::redact
