// Record search without a plaintext index: the vault decrypts, this folds and scans.
//
// Words are compared by the comparison key of src/text/name_key.h — the key the redaction
// engine matches names by — so that search finds a name in every spelling redaction takes for
// the same name: Cyrillic and every Latin transliteration scheme of Russian and Ukrainian
// (ISO 9, GOST, BGN/PCGS, passport, scientific, French, German...), Ukrainian and Russian
// forms, diacritics, apostrophes and primes for ь and ъ. Folding is deliberately many-to-one:
// a search may find a little more than asked, never less (docs/SEARCH.md).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace fieldnotes::core {

// Appends the search key of `text` to *out: the comparison key of each word, separated by
// single spaces. A word is a run of letters (any script, combining marks included) and digits;
// apostrophes, primes and quotes between two of its letters (O'Brien, Ob"edkov, Ilʹin) are
// dropped, as the transliteration schemes use them for ь and ъ. Invalid UTF-8 separates words.
void search_fold(std::string_view text, std::string* out);
std::string search_fold(std::string_view text);

// A query matches where its words match consecutive words of the text (punctuation between
// them ignored): every query word but the last by equal key, the last as the start of a word
// ("Degtyar" finds "Дегтярёва"; "arev" does not). A last word cut inside a spelling of one
// sound ("Kuznet" for Kuznetsov, whose "ts" is one letter) also matches with its last key
// letter open. Only words whose first letter can begin the query's key are folded at all.
class SearchQuery {
 public:
  explicit SearchQuery(std::string_view query);
  bool empty() const { return words_.empty(); }
  bool matches(std::string_view text) const;
  // For tests: the keys of the query's words, and the last one with its last letter open
  // (empty when the last word cannot end inside a spelling of one sound).
  const std::vector<std::string>& keys() const { return words_; }
  const std::string& open_last() const { return open_last_; }

 private:
  bool matches_at(std::string_view text, std::size_t pos) const;
  bool last_word_matches(const std::string& key) const;
  bool may_start(char32_t c) const;

  std::vector<std::string> words_;   // keys of the query's words
  std::string open_last_;            // the last key without its last letter, when it may be cut
  std::array<bool, 0x500> start_{};  // code points below U+0500 whose words may match
  bool other_start_ = true;          // code points above: always folded
  std::array<bool, 256> interesting_{};  // bytes where a candidate word may begin
};

}  // namespace fieldnotes::core
