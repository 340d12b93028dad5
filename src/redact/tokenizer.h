// The engine's tokenizer: splits a chunk of valid UTF-8 into words (letters of any script,
// with Ukrainian and Irish apostrophes inside), and notes for each word what the later stages
// ask of it: capital letters, initials, sentence starts, quotes. Keys and lower-case forms of
// capitalised words are computed once per spelling and session (SpellingCache); those of
// lower-case words only when a rule asks (ensure_key).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/plaintext.h"
#include "src/redact/spelling_hash.h"

namespace fieldnotes::redact {

struct WordFacts;

// Words longer than this (in code points) are never names and get no key.
constexpr std::size_t kMaxWordCodePoints = 48;

// Key and lower-case spelling of a token that has them (capitalised words, and lower-case
// words once a rule asks): kept apart from Token so that the token array, walked by every
// stage, stays small (most tokens are ordinary lower-case words and never need them).
struct WordText {
  std::string key;
  std::u32string low;
  // Shape of a capitalised word (read by tokenize; constant for a given spelling).
  bool cap = false, allcaps = false, latin = false, second_upper = false;
  std::size_t letters = 0;
  // The key's facts, valid while `facts_epoch` is the session's (see WordFactsCache::of).
  mutable const WordFacts* facts = nullptr;
  mutable std::uint64_t facts_epoch = 0;

  WordText() = default;
  WordText(const WordText&) = default;
  WordText(WordText&&) = default;
  WordText& operator=(const WordText&) = default;
  WordText& operator=(WordText&&) = default;
  ~WordText() {  // the key and letters of a word of testimony
    wipe_string(key);
    wipe_string(low);
  }
};
// The key of every token: index 0 is the empty entry of tokens without a key. Entries are
// pointers, either into `owned` (a deque: entries never move, so references stay valid while
// later tokens get theirs) or into the session's cache of capitalised spellings.
struct WordTexts {
  std::deque<WordText> owned;
  std::vector<const WordText*> ptr;
  const WordText& operator[](std::size_t i) const { return *ptr[i]; }
  std::size_t size() const { return ptr.size(); }
  void clear() {
    owned.clear();
    ptr.clear();
    ptr.push_back(&owned.emplace_back());
  }
  std::uint32_t add(WordText t) {
    ptr.push_back(&owned.emplace_back(std::move(t)));
    return static_cast<std::uint32_t>(ptr.size() - 1);
  }
  std::uint32_t add(const WordText* t) {
    ptr.push_back(t);
    return static_cast<std::uint32_t>(ptr.size() - 1);
  }
};
// Capitalised spellings seen in the session -> key, lower-case form and shape, so that the key
// of "Орехов" is computed once, not at every mention. Bounded (cleared between chunks).
using SpellingCache = std::unordered_map<std::string, WordText, SpellingHasher, std::equal_to<>>;
constexpr std::size_t kMaxCachedSpellings = 1u << 16;

struct Token {
  std::size_t b = 0, e = 0;
  std::uint32_t text_id = 0;  // index into WordTexts (0: no key)
  bool cap = false;
  bool allcaps = false;
  bool latin = false;
  bool initial = false;     // one capital letter (or a Latin digraph: Yu, Zh...) then '.'
  bool sent_start = false;
  bool quoted = false;      // «X» / "X"
  bool blocked = false;     // inside an identifier span
  bool lazy = false;        // lower-case word: key computed only when asked (ensure_key)
  bool lowercase_hit = false;  // matched a register spelling without a capital letter
  std::uint8_t consumed = 0;  // 1: part of a register mention (kept or redacted), 2: unregistered person
};

// Words of one chunk, with the tables that go with them.
struct Words {
  std::vector<Token> tokens;
  WordTexts texts;                                             // their keys
  std::vector<std::pair<std::size_t, std::size_t>> spans;     // their [b, e), for patterns::find_all
  std::vector<std::uint32_t> capitalised;                     // indices of capitalised tokens (initials among them)
  const WordText& text_of(const Token& t) const { return texts[t.text_id]; }
};

// Fills `words` (buffers reused across chunks, so their memory is allocated once per session).
void tokenize(std::string_view s, Words& words, SpellingCache& cache);

// Gap between two tokens allows them to belong to one name: spaces only, or the dot of an
// initial ("Д. Орехов", "D.A.").
bool joinable(std::string_view s, const Token& a, const Token& b);

// Key of a lower-case word, asked for by a rule; memoised with the capitalised spellings
// (the key and lower-case form are functions of the spelling alone).
void ensure_key(std::string_view s, Token& t, WordTexts& texts, SpellingCache& cache);

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace fieldnotes::redact
