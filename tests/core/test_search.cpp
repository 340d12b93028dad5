// Tests of search (src/search.h): search_fold and SearchQuery over every spelling of a name.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "src/search.h"
#include "tests/text/romanisations.h"

using namespace fieldnotes;
using namespace fieldnotes::core;

TEST_CASE("search folds scripts and transliteration schemes alike") {
  std::string k = search_fold("Дегтярёв");
  for (const char* v : {"Degtyarev", "Degtyaryov", "Degtiarev", "Degtjarev", "DEGTYAREV", "Дегтярев", "ДЕГТЯРЁВ", "Dehtiarev"})
    CHECK(search_fold(v) == k);
  CHECK(search_fold("Юрий") == search_fold("Yuriy"));
  CHECK(search_fold("Юрий") == search_fold("Iurii"));
  CHECK(search_fold("Щербаков") == search_fold("Shcherbakov"));
  CHECK(search_fold("Щербаков") == search_fold("Scherbakov"));
  CHECK(search_fold("Цой") == search_fold("Tsoy"));
  CHECK(search_fold("Хабаров") == search_fold("Khabarov"));
  CHECK(search_fold("Григорій") == search_fold("Hryhorii"));
  CHECK(search_fold("Kirill") == search_fold("Kiril"));
  CHECK(search_fold("Petrov") != search_fold("Ivanov"));
}

TEST_CASE("search matches at word starts, across punctuation, not inside words") {
  SearchQuery q("Degtyarev");
  CHECK(q.matches("Показания: Дегтярёв сказал"));
  CHECK(q.matches("«Дегтярёва» — мать"));        // case ending, Russian quotes
  CHECK(q.matches("—Дегтярёв"));                  // an em dash glued to the word
  CHECK(q.matches("(DEGTIAREV)"));
  CHECK_FALSE(q.matches("Петров и Иванов"));
  CHECK_FALSE(q.matches(""));
  SearchQuery part("arev");
  CHECK_FALSE(part.matches("Дегтярёв"));
  SearchQuery two("Юрий Дегтярёв");
  CHECK(two.matches("клиент Yuri Degtyarev, 1990"));
  CHECK_FALSE(two.matches("Юрий Петров и Дегтярёв"));
  SearchQuery num("12345");
  CHECK(num.matches("в/ч 12345"));
  CHECK(num.matches("в/ч12345") == false);  // the fold joins "ч12345" into one word
  CHECK(SearchQuery("   ").empty());
  CHECK(SearchQuery("ь").empty());
}

TEST_CASE("search finds a record from every spelling the comparison key folds, both ways") {
  for (const auto& name : testdata::romanisations()) {
    const std::string cyrillic_record = std::string("Показания: ") + name.cyrillic + " сказал, что";
    for (const char* spelling : name.spellings) {
      INFO(name.cyrillic << " / " << spelling);
      CHECK(SearchQuery(spelling).matches(cyrillic_record));
      CHECK(SearchQuery(name.cyrillic).matches(std::string("the witness ") + spelling + ", said"));
    }
  }
  // A Ukrainian form found from the Russian one, and the example.
  CHECK(SearchQuery("Дегтярев").matches("Свідок Дегтярьов сказав"));
  // A last word cut inside one sound still finds the name ("ts" is ц).
  CHECK(SearchQuery("Kuznet").matches("свидетель Кузнецов"));
  CHECK(SearchQuery("Solovi").matches("Соловьёв"));
  CHECK_FALSE(SearchQuery("Kuznets").matches("Кузьмин"));
}

TEST_CASE("search matches agree with folding the whole text (randomised)") {
  // Reference: fold the whole text into word keys, then compare the query's keys word by word
  // (the last one as a prefix, or with its open last letter) at every word.
  auto split = [](const std::string& folded) {
    std::vector<std::string> words;
    for (std::size_t p = 0; p < folded.size();) {
      std::size_t q = folded.find(' ', p);
      if (q == std::string::npos) q = folded.size();
      words.push_back(folded.substr(p, q - p));
      p = q + 1;
    }
    return words;
  };
  auto prefix = [](const std::string& s, const std::string& p) { return !p.empty() && s.compare(0, p.size(), p) == 0; };
  auto reference = [&](const std::string& query, const std::string& text) {
    const SearchQuery q(query);
    const auto& keys = q.keys();
    const auto words = split(search_fold(text));
    if (keys.empty()) return false;
    for (std::size_t w = 0; w + keys.size() <= words.size(); ++w) {
      bool ok = true;
      for (std::size_t k = 0; k + 1 < keys.size() && ok; ++k) ok = words[w + k] == keys[k];
      const std::string& last = words[w + keys.size() - 1];
      if (ok && (prefix(last, keys.back()) || prefix(last, q.open_last()))) return true;
    }
    return false;
  };
  const char* pieces[] = {"Дегтярёв", "дегтярева", "ДЕГТЯРЁВ", "Degtyarev", "degtiarev", "Юрий", "Yuriy", "Щербаков",
                          "Shcherbakov", "Ёлкин", "Yolkin", "Елкин", "ьвов", "Їжак", "Yizhak", "Ґанна", "Hanna",
                          "O'Brien", "obrien", "Дід", "12345", "в/ч", "«", "»", "—", "–", "…", " ", " ", "\n", ", ",
                          ".", "(", ")", "'", "’", "ä", "é", "№", "€", "x", "д", "Д", "ь", "\xff", "\xd0",
                          "\"", "`", "ʹ", "ʼ", "″", "\xe2\x80", "\x90", "Čerkasov", "Ščerbakov", "Іван", "ĳ", "ǆ", "ª"};
  const char* queries[] = {"Cherkasov", "Degtyarev", "Дегтярёв", "Юрий", "Yuri", "Shcherbakov", "Yolkin", "Елкин", "Їжак", "Ганна",
                           "OBrien", "12345", "ь", "дід", "x", "Д"};
  std::mt19937 rng(2026);
  for (int round = 0; round < 4000; ++round) {
    std::string text;
    int len = static_cast<int>(rng() % 12);
    for (int k = 0; k < len; ++k) text += pieces[rng() % (sizeof pieces / sizeof *pieces)];
    for (const char* q : queries) {
      INFO("query " << q << " text " << text);
      CHECK(SearchQuery(q).matches(text) == reference(q, text));
    }
  }
}
