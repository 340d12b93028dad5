#include "src/search.h"

#include <cstdint>

#include "crypto/secret.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::core {

namespace {

// The code point at s[i] and its length; an invalid or truncated sequence is one byte of
// U+FFFD (which is no letter, so it separates words).
char32_t decode(std::string_view s, std::size_t i, std::size_t* len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *len = 1;
    return b0;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
    *len = 2;  // two bytes (Cyrillic, Latin with diacritics, « »): always valid, no validity scan
    return (static_cast<char32_t>(b0 & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
  }
  const std::size_t valid = text::valid_prefix(s.substr(i, 4));
  if (valid == 0) {
    *len = 1;
    return 0xFFFD;
  }
  std::size_t j = i;
  const char32_t c = text::next_code_point(s.substr(0, i + valid), j);
  *len = j - i;
  return c;
}

// The code point that ends just before s[end], as decode() reads it, and where it starts;
// false at the start of the text. A byte that does not end a valid sequence is read as U+FFFD.
bool previous_code_point(std::string_view s, std::size_t end, char32_t* c, std::size_t* start) {
  if (end == 0) return false;
  std::size_t p = end - 1;
  while (p > 0 && end - p < 4 && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80) --p;
  std::size_t len = 0;
  *c = decode(s, p, &len);
  if (p + len != end) {  // no valid sequence ends here: the last byte is one U+FFFD
    *c = 0xFFFD;
    p = end - 1;
  }
  *start = p;
  return true;
}

bool is_word_cp(char32_t c) { return (c >= '0' && c <= '9') || text::is_letter(c); }

// Marks that transliterations put between two letters of one word for ь and ъ, and apostrophes.
bool is_joiner(char32_t c) {
  return c == '\'' || c == '"' || c == '`' || c == 0x2019 || c == 0x2BC || c == 0x2B9 || c == 0x2BA || c == 0x2032 ||
         c == 0x2033;
}

// End of the word that starts at s[i]; its letters and digits (joiners dropped) appended to
// *letters when given.
std::size_t scan_word(std::string_view s, std::size_t i, std::u32string* letters) {
  const std::size_t n = s.size();
  while (i < n) {
    std::size_t len = 0;
    const char32_t c = decode(s, i, &len);
    if (is_word_cp(c)) {
      if (letters) letters->push_back(c);
      i += len;
      continue;
    }
    if (!is_joiner(c) || i + len >= n) break;
    std::size_t next_len = 0;
    if (!is_word_cp(decode(s, i + len, &next_len))) break;
    i += len;  // the joiner, then the letter after it on the next turn
  }
  return i;
}

bool is_ascii_alnum(unsigned char b) { return (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z'); }

// Start of the next word at or after s[i] (s.size() if none).
std::size_t next_word(std::string_view s, std::size_t i) {
  const auto* u = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size() && u[i] < 0x80 && !is_ascii_alnum(u[i])) ++i;  // spaces and ASCII punctuation
  while (i < s.size()) {
    std::size_t len = 0;
    if (is_word_cp(decode(s, i, &len))) return i;
    i += len;
  }
  return i;
}

// The key of the word at s[i] into *key; returns the word's end.
std::size_t word_key(std::string_view s, std::size_t i, std::u32string& letters, std::string* key) {
  letters.clear();
  const std::size_t end = scan_word(s, i, &letters);
  *key = text::key_of(letters);
  return end;
}

// Whether the letter or digit at s[pos] begins a word: the character before it is no letter
// or digit, nor a joiner that follows one (scan_word's rule, read backwards).
bool starts_word(std::string_view s, std::size_t pos) {
  char32_t before = 0, joined = 0;
  std::size_t before_start = 0, joined_start = 0;
  if (!previous_code_point(s, pos, &before, &before_start)) return true;
  if (is_word_cp(before)) return false;
  if (!is_joiner(before)) return true;
  return !previous_code_point(s, before_start, &joined, &joined_start) || !is_word_cp(joined);
}

// Whether the character before t[pos] is an ASCII letter or digit or a Cyrillic letter
// (U+0400..U+047F, two bytes after 0xD0 or 0xD1): then t[pos] does not begin a word.
bool follows_plain_letter(const unsigned char* t, std::size_t pos) {
  if (pos == 0) return false;
  const unsigned char b = t[pos - 1];
  if (b < 0x80) return is_ascii_alnum(b);
  return b < 0xC0 && pos >= 2 && (t[pos - 2] == 0xD0 || t[pos - 2] == 0xD1);
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

void wipe_u32(std::u32string& s) { crypto::wipe(s.data(), s.size() * sizeof(char32_t)); }

}  // namespace

void search_fold(std::string_view text, std::string* out) {
  std::u32string letters;
  std::string key;
  for (std::size_t i = next_word(text, 0); i < text.size(); i = next_word(text, i)) {
    i = word_key(text, i, letters, &key);
    if (key.empty()) continue;
    if (!out->empty() && out->back() != ' ') out->push_back(' ');
    out->append(key);
    crypto::wipe(key);
  }
  wipe_u32(letters);
}

std::string search_fold(std::string_view text) {
  std::string out;
  search_fold(text, &out);
  return out;
}

SearchQuery::SearchQuery(std::string_view query) {
  std::u32string letters;
  std::string key;
  char32_t last_letter = 0;
  for (std::size_t i = next_word(query, 0); i < query.size(); i = next_word(query, i)) {
    i = word_key(query, i, letters, &key);
    if (key.empty()) continue;
    words_.push_back(key);
    last_letter = text::to_lower(letters.back());
  }
  if (words_.empty()) return;
  // A last word that may end inside a spelling of one sound: "t" of "ts", "s" of "sh", "i" of
  // "io" (ё), "o" of "ou"... Its last key letter is left open (three letters kept at least).
  const std::string& last = words_.back();
  const bool may_be_cut = last.back() == 'i' || std::u32string_view(U"tszkcpo").find(last_letter) != std::u32string_view::npos;
  if (may_be_cut && last.size() >= 4) open_last_ = last.substr(0, last.size() - 1);
  const char first = words_.front()[0];
  for (char32_t c = 0; c < start_.size(); ++c) {
    if (!is_word_cp(c)) continue;
    const std::string chars = text::first_key_chars(c);
    start_[c] = chars == "*" || chars.find(first) != std::string::npos;
  }
  // A byte is interesting when it can be the first byte of a code point that may start the
  // query (ASCII), the second byte of such a Cyrillic letter (after 0xD0 or 0xD1, which say
  // nothing by themselves), or the lead byte of any other code point that may.
  for (unsigned b = 0; b < 0x80; ++b) interesting_[b] = start_[b];
  for (unsigned b = 0x80; b < 0xC0; ++b) interesting_[b] = start_[0x400 + (b & 0x3F)] || start_[0x440 + (b & 0x3F)];
  for (unsigned b = 0xC2; b < 0xE0; ++b) {
    if (b == 0xD0 || b == 0xD1) continue;
    const char32_t first_cp = (static_cast<char32_t>(b) & 0x1F) << 6;
    for (char32_t c = first_cp; c < first_cp + 0x40; ++c) interesting_[b] = interesting_[b] || may_start(c);
  }
  for (unsigned b = 0xE0; b < 0xF5; ++b) interesting_[b] = other_start_;
}

bool SearchQuery::may_start(char32_t c) const { return c < start_.size() ? start_[c] : other_start_; }

bool SearchQuery::last_word_matches(const std::string& key) const {
  return starts_with(key, words_.back()) || (!open_last_.empty() && starts_with(key, open_last_));
}

// Whether the query's words match the words of `text` from the word starting at `pos`.
bool SearchQuery::matches_at(std::string_view text, std::size_t pos) const {
  std::u32string letters;
  std::string key;
  bool hit = true;
  for (std::size_t k = 0; k < words_.size() && hit;) {
    if (pos >= text.size()) {
      hit = false;
      break;
    }
    pos = next_word(text, word_key(text, pos, letters, &key));
    if (key.empty()) continue;  // a word with no key (a lone ь) is skipped, as search_fold does
    hit = k + 1 < words_.size() ? key == words_[k] : last_word_matches(key);
    ++k;
  }
  crypto::wipe(key);
  wipe_u32(letters);
  return hit;
}

bool SearchQuery::matches(std::string_view text) const {
  if (words_.empty()) return false;
  const auto* t = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  // Looks only at bytes that can begin a candidate word (see interesting_); each is then
  // decoded, checked to begin a word, and only then are words folded and compared.
  const bool* interesting = interesting_.data();
  auto any_of_8 = [&](std::size_t i) {
    return interesting[t[i]] | interesting[t[i + 1]] | interesting[t[i + 2]] | interesting[t[i + 3]] |
           interesting[t[i + 4]] | interesting[t[i + 5]] | interesting[t[i + 6]] | interesting[t[i + 7]];
  };
  for (std::size_t i = 0; i < n; ++i) {
    while (i + 8 <= n && !any_of_8(i)) i += 8;  // most bytes: eight table reads, one branch
    if (i >= n) break;
    if (!interesting[t[i]]) continue;
    std::size_t start = i;
    if (t[i] >= 0x80 && t[i] < 0xC0) {  // a continuation byte counts only after a Cyrillic lead
      if (i == 0 || (t[i - 1] != 0xD0 && t[i - 1] != 0xD1)) continue;
      start = i - 1;
    }
    if (follows_plain_letter(t, start)) continue;  // inside a word: the common case, without decoding
    std::size_t len = 0;
    const char32_t c = decode(text, start, &len);
    if (!is_word_cp(c) || !may_start(c) || !starts_word(text, start)) continue;
    if (matches_at(text, start)) return true;
    i = start + len - 1;
  }
  return false;
}

}  // namespace fieldnotes::core
