// Record search without a plaintext index: the vault decrypts, this folds and scans.
//
// Folding makes one key for spellings a lawyer treats as the same: case, ё/е, and Latin
// transliterations of Cyrillic ("Degtyarev", "Degtiarev" and "Дегтярёв" fold alike). It is
// deliberately many-to-one: a search may find a little more than asked, never less.
#pragma once

#include <string>
#include <string_view>

namespace fieldnotes::core {

// Appends the search key of `text` to *out: lowercase ASCII letters and digits, words
// separated by single spaces, Cyrillic transliterated and spelling variants merged.
void search_fold(std::string_view text, std::string* out);
std::string search_fold(std::string_view text);

class SearchQuery {
 public:
  explicit SearchQuery(std::string_view query);
  bool empty() const { return key_.empty(); }
  // True iff the folded query occurs in the folded text.
  bool matches(std::string_view text) const;

 private:
  std::string key_;
};

}  // namespace fieldnotes::core
