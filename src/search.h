// Record search without a plaintext index: the vault decrypts, this folds and scans.
//
// Folding makes one key for spellings a lawyer treats as the same: case, ё/е, and Latin
// transliterations of Cyrillic ("Degtyarev", "Degtiarev" and "Дегтярёв" fold alike). It is
// deliberately many-to-one: a search may find a little more than asked, never less.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace fieldnotes::core {

// Appends the search key of `text` to *out: lowercase ASCII letters and digits, words
// separated by single spaces, Cyrillic transliterated and spelling variants merged.
void search_fold(std::string_view text, std::string* out);
std::string search_fold(std::string_view text);

// A query matches where its folded form starts a word of the folded text and continues from
// there ("Degtyar" finds "Дегтярёва"; "arev" does not). Word starts make the scan fast: only
// words whose first letter can fold to the query's first letter are folded at all.
class SearchQuery {
 public:
  explicit SearchQuery(std::string_view query);
  bool empty() const { return key_.empty(); }
  bool matches(std::string_view text) const;

 private:
  bool could_start(std::string_view text, std::size_t pos, std::size_t* len) const;
  std::string key_;
  std::array<bool, 128> ascii_start_{};   // raw ASCII letters/digits that may fold to key_[0]
  std::array<bool, 64> cyr_start_{};      // U+0410..U+044F folded to an index 0..31 twice
  bool other_start_ = false;              // letters outside those tables (rare): always fold
  // Bytes at which a candidate word start may begin (ASCII letters, second bytes of allowed
  // Cyrillic letters, lead bytes of other scripts): the scan looks only at those.
  std::array<bool, 256> interesting_{};
};

}  // namespace fieldnotes::core
