// Tests of the shared text module (src/text/): UTF-8 validation and repair, and the comparison
// key that search and redaction both compare names by — table-driven over the romanisation
// schemes the project claims (docs/REDACTION.md, "Normalisation").
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "src/text/name_key.h"
#include "src/text/utf8.h"
#include "tests/text/romanisations.h"

namespace text = fieldnotes::text;
using fieldnotes::testdata::romanisations;

namespace {

std::string key(std::string_view w) { return text::key_of_utf8(w); }

}  // namespace


TEST_CASE("comparison key folds Cyrillic and the transliteration schemes", "[key]") {
  CHECK(key("Дегтярёв") == key("Degtyaryov"));
  CHECK(key("Дегтярёв") == key("Degtyarev"));
  CHECK(key("Дегтярёв") == key("Degtiarev"));
  CHECK(key("Дегтярёв") == key("Degtjarjov"));
  CHECK(key("Щукин") == key("Shchukin"));
  CHECK(key("Щукин") == key("Schukin"));
  CHECK(key("Хромов") == key("Khromov"));
  CHECK(key("Хромов") == key("Hromov"));
  CHECK(key("Цветков") == key("Tsvetkov"));
  CHECK(key("Цветков") == key("Tzvetkov"));
  CHECK(key("Цветков") == key("Cvetkov"));
  CHECK(key("Юлия") == key("Yulia"));
  CHECK(key("Юлия") == key("Iuliia"));
  CHECK(key("Юлия") == key("Julija"));
  CHECK(key("Семён") == key("Semyon"));
  CHECK(key("Семён") == key("Semen"));
  CHECK(key("Семён") == key("Semion"));
  CHECK(key("Евгений") == key("Yevgeniy"));
  CHECK(key("Евгений") == key("Evgenij"));
  CHECK(key("Дмитрий") == key("Dmitry"));
  CHECK(key("Дмитрий") == key("Dmitrii"));
  CHECK(key("Гаврилюк") == key("Havryliuk"));
  CHECK(key("Гаврилюк") == key("Gavrilyuk"));
  CHECK(key("Яковлєв") == key("Яковлев"));     // Ukrainian є
  CHECK(key("Хмельов") == key("Хмелёв"));      // Ukrainian ьо = ё
  CHECK(key("Жуков") == key("Zhukov"));
  CHECK(key("Жуков") != key("Joukov"));  // French j is not read as ж
  CHECK(key("Чайкин") == key("Tschaikin"));    // German tsch = ч
  CHECK(key("Вадим") == key("Wadim"));         // German w = в
  CHECK(key("Щербина") == key("Ŝerbina"));      // ISO 9 ŝ = щ
  CHECK(key("Шевчук") == key("Ševčuk"));       // ISO 9 / scientific
}

TEST_CASE("comparison key folds look-alike letters and ignores NFD marks", "[key]") {
  CHECK(key("Орexов") == key("Орехов"));       // Latin e and x inside a Cyrillic word
  CHECK(key("Оrekhov") == key("Orekhov"));     // Cyrillic О inside a Latin word
  CHECK(key("Сем\xD0\xB5\xCC\x88н") == key("Семён"));  // е + combining diaeresis
  CHECK(key("Орехов") != key("Орлов"));        // near miss
  CHECK(key("Иванов") != key("Ивановская"));
}

TEST_CASE("invalid UTF-8 becomes U+FFFD and never passes through", "[utf8]") {
  bool changed = false;
  const std::string bad = std::string("a\xFF") + "b\xC0\xAF" + "c\xED\xA0\x80" + "d\xE2\x82";
  const std::string fixed = text::repair_utf8(bad, &changed);
  CHECK(changed);
  CHECK(fixed.find('\xFF') == std::string::npos);
  CHECK(fixed.find("\xEF\xBF\xBD") != std::string::npos);
}

namespace {

// The definition of RFC 3629, one sequence at a time: the reference for the word-at-a-time
// validator.
std::size_t reference_valid_prefix(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t n = b0 < 0x80 ? 1 : (b0 >= 0xC2 && b0 <= 0xDF) ? 2 : (b0 >= 0xE0 && b0 <= 0xEF) ? 3 : (b0 >= 0xF0 && b0 <= 0xF4) ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    char32_t c = n == 1 ? b0 : b0 & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return i;
      c = (c << 6) | (b & 0x3F);
    }
    const char32_t min = n == 1 ? 0 : n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return i;
    i += n;
  }
  return s.size();
}

}  // namespace

TEST_CASE("UTF-8 validation agrees with RFC 3629 on random text", "[utf8]") {
  // Valid pieces of every length and the invalid forms: stray and missing continuations,
  // overlong leads (C0, C1, E0 80, F0 80), surrogates, code points past U+10FFFF, F5..FF.
  const char* pieces[] = {"a", "Z", " ", ".", "\n", "д", "Ё", "é", "—", "«", "€", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF",
                          "\x80", "\xBF", "\xC0\xAF", "\xC1\xBF", "\xC2", "\xDF", "\xE0\x80\x80", "\xE2\x82",
                          "\xED\xA0\x80", "\xF0\x80\x80\x80", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF"};
  std::mt19937 rng(20261122);
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const int count = static_cast<int>(rng() % 40);
    for (int k = 0; k < count; ++k) {
      // Mostly valid text, as in testimony, so that long valid runs reach the fast path.
      const std::size_t pick = rng() % 100 < 90 ? rng() % 13 : rng() % std::size(pieces);
      s += pieces[pick];
    }
    const std::size_t from = s.empty() ? 0 : rng() % s.size();
    INFO(round);
    REQUIRE(text::valid_prefix(s) == reference_valid_prefix(s));
    REQUIRE(text::valid_prefix(std::string_view(s).substr(from)) == reference_valid_prefix(std::string_view(s).substr(from)));
  }
}

TEST_CASE("comparison key: every claimed romanisation of each name folds to the Cyrillic key", "[key][romanisation]") {
  for (const auto& name : romanisations())
    for (const char* spelling : name.spellings) {
      INFO(name.cyrillic << " / " << spelling);
      CHECK(key(spelling) == key(name.cyrillic));
    }
  // Different names stay apart.
  const auto& all = romanisations();
  for (std::size_t a = 0; a < all.size(); ++a)
    for (std::size_t b = a + 1; b < all.size(); ++b) CHECK(key(all[a].cyrillic) != key(all[b].cyrillic));
}

TEST_CASE("first_key_chars is a superset: no word's key begins outside it", "[key]") {
  // Every first letter the tables know, followed by every short continuation of the letters
  // that take part in multi-letter spellings, in both cases and both scripts.
  std::u32string firsts;
  for (char32_t c = 'A'; c <= 'Z'; ++c) firsts += {c, static_cast<char32_t>(c + 32)};
  for (char32_t c = 0x400; c < 0x460; ++c) firsts += c;
  firsts += U"ґҐїЇєЄčšžŝëïûâéèáíóúýÿ0123456789";
  const std::u32string follow = U"hsczkuoeaiyjтсхьоеяa";
  std::vector<std::u32string> tails = {U""};
  for (char32_t a : follow) {
    tails.push_back(std::u32string(1, a));
    for (char32_t b : follow) tails.push_back(std::u32string{a, b});
  }
  for (char32_t c : firsts) {
    const std::string allowed = text::first_key_chars(c);
    if (allowed == "*") continue;
    for (const auto& tail : tails) {
      const std::string k = text::key_of(std::u32string(1, c) + tail + U"в");
      if (k.empty()) continue;
      INFO("first " << static_cast<std::uint32_t>(c) << " key " << k);
      CHECK(allowed.find(k[0]) != std::string::npos);
    }
  }
}
