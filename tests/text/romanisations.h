// A table of names in every romanisation the comparison key claims to fold (test data).
#pragma once

#include <vector>

namespace fieldnotes::testdata {

// Every spelling of one name in the schemes the key claims to fold: Russian BGN/PCGS, ICAO
// (passport 2013), passport 1997, Library of Congress, scientific and ISO 9 diacritics, German
// (w, j, tsch), French (ou), primes and quotes for ь and ъ, Ukrainian KMU 2010 for the
// Ukrainian forms. Shared with tests/core/test_search.cpp (search finds each).
struct NameSpellings {
  const char* cyrillic;
  std::vector<const char*> spellings;
};
inline const std::vector<NameSpellings>& romanisations() {
  static const std::vector<NameSpellings> table = {
      {"Дегтярёв", {"Degtyaryov", "Degtyarev", "Degtiarev", "Degtjarëv", "Degtjarjow", "Degtiariov", "Дегтярьов"}},
      {"Щербаков", {"Shcherbakov", "Ŝerbakov", "Scherbakov"}},
      {"Цветаева", {"Tsvetaeva", "Cvetaeva", "Tsvetayeva", "Tsvetaïeva", "Tzvetaeva"}},
      {"Чайковский", {"Chaykovskiy", "Chajkovskij", "Čajkovskij", "Tschaikowski", "Chaikovskii"}},
      {"Ильин", {"Ilyin", "Il'in", "Ilʹin", "Iljin", "Il\"in", "Ilin"}},
      {"Объедков", {"Ob\"edkov", "Obʺedkov", "Obyedkov", "Ob'yedkov", "Obedkov"}},
      {"Юлия", {"Yuliya", "Iuliia", "Julija", "Ûliâ", "Julia", "Youlia"}},
      {"Хрущёв", {"Khrushchev", "Khrushchyov", "Hruŝëv"}},
      {"Жуков", {"Zhukov", "Žukov"}},
      {"Семён", {"Semyon", "Semion", "Semen", "Sëmen"}},
      {"Григорій", {"Hryhorii", "Hryhoriy", "Grigorij", "Григорий"}},
      {"Олексій", {"Oleksii", "Oleksiy", "Oleksij"}},
      {"Хмельов", {"Хмелёв", "Khmelyov"}},
      {"Євген", {"Yevhen", "Ievgen", "Jewgen", "Евген"}},
      {"Кирилл", {"Kirill", "Kiril"}},
  };
  return table;
}


}  // namespace fieldnotes::testdata
