// Who is who across the chunks of one output: the label of each registered person ("Client A",
// or their pseudonym), and the number of each unregistered person ("[PERSON 3]"), kept the
// same at every later mention — by a surname form learned at the first mention ("Ситник",
// later "Ситника"), by a given name and patronymic ("Зинаида Петровна"), or by a given name
// alone when that is all a later mention says.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "src/redact/register_index.h"
#include "src/redact/tokenizer.h"

namespace fieldnotes::redact {

class WordFactsCache;
struct ChunkScan;

class PersonNumbering {
 public:
  // Learned surname forms kept per session (about 50 MB at most); past this, nothing new is
  // learned and a later bare mention of a new surname is found only by its shape.
  static constexpr std::size_t kMaxLearnedForms = 500'000;

  PersonNumbering(const RegisterIndex& index, WordFactsCache& facts) : index_(index), facts_(facts) {}
  ~PersonNumbering() {  // surname forms and patronymics learned from testimony
    wipe_map(learned_);
    wipe_map(given_patronymic_);
  }
  PersonNumbering(const PersonNumbering&) = delete;
  PersonNumbering& operator=(const PersonNumbering&) = delete;

  // "Client A", "Witness B"... in order of first mention, or the person's pseudonym.
  std::string label_for(std::uint32_t person);
  // The number of the unregistered person named by tokens [first, last] of `scan`; learns
  // the surname forms of the mention for later ones.
  int number_for(ChunkScan& scan, std::size_t first, std::size_t last);
  // Person number of a learned surname form, 0 if the word is not one.
  int learned_number(const WordText& word);
  // A number for a person nothing else identifies.
  int new_number() { return ++last_number_; }

 private:
  void learn(ChunkScan& scan, const Token& word, int number);

  const RegisterIndex& index_;
  WordFactsCache& facts_;
  std::unordered_map<std::uint32_t, std::string> person_label_;
  std::map<std::string, int> role_counter_;
  int last_number_ = 0;
  std::unordered_map<std::string, int> learned_;            // key of a learned surname form -> person number
  std::unordered_map<std::uint32_t, int> given_group_;      // name group -> last person number
  std::unordered_map<std::string, int> given_patronymic_;   // name group + patronymic stem -> person number
};

}  // namespace fieldnotes::redact
