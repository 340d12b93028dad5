// What the register and the word lists say about one comparison key: the register people it
// can name (exactly or as a likely typo of a long surname), and whether it is an ordinary
// word, a place, a title, an ambiguous word or a given name. Computed on the key's first
// occurrence in a session and reused for every later one: a word costs one look-up in this
// small, hot table instead of several in the large ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/redact/gazetteer.h"
#include "src/redact/register_index.h"
#include "src/redact/tokenizer.h"

namespace fieldnotes::redact {

struct WordFacts {
  const std::vector<RegisterIndex::Hit>* hits = nullptr;  // register forms or typo matches
  std::vector<RegisterIndex::Hit> typo;                   // storage of typo matches
  bool is_typo = false;
  bool non_name_place_title = false;  // gz.non_names, gz.places or gz.titles
  bool non_name = false;
  bool place = false;
  bool ambiguous = false;
  const Gazetteer::GivenEntry* given = nullptr;  // gz.given entry, any script
  // The session's learned surnames, as last looked up: the person number, or 0 when the key
  // was not among the first `learned_absent_at` learned forms (the table only grows; see
  // PersonNumbering::learned_number).
  mutable int learned = 0;
  mutable std::size_t learned_absent_at = static_cast<std::size_t>(-1);
};

// The session's table of WordFacts, bounded: past kMaxEntries it is emptied between chunks,
// and `epoch` moves on so that the pointers remembered in WordTexts are not followed.
class WordFactsCache {
 public:
  explicit WordFactsCache(const RegisterIndex& index) : index_(index) {}
  ~WordFactsCache() { wipe_map(facts_); }  // keys of words met in testimony
  WordFactsCache(const WordFactsCache&) = delete;
  WordFactsCache& operator=(const WordFactsCache&) = delete;

  const WordFacts& lookup(const std::string& key);
  // The facts of a word's key, remembered in its WordText until the cache is next emptied.
  const WordFacts& of(const WordText& word) {
    if (word.facts_epoch != epoch_) {
      word.facts = &lookup(word.key);
      word.facts_epoch = epoch_;
    }
    return *word.facts;
  }
  // Called between chunks. Returns true when the table was emptied (pointers into it, and
  // into its typo lists, are then invalid).
  bool trim();

 private:
  static constexpr std::size_t kMaxEntries = 1u << 18;
  const RegisterIndex& index_;
  std::unordered_map<std::string, WordFacts> facts_;
  std::uint64_t epoch_ = 1;
};

}  // namespace fieldnotes::redact
