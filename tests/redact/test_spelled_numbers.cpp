// Tests of numbers spelled out in words (spelled_numbers.cpp): number words and their zones.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "src/redact/patterns.h"
#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;

namespace {
std::string found_string(std::string_view s, std::vector<patterns::Found> f) {
  std::sort(f.begin(), f.end(), [](const auto& a, const auto& b) {
    return std::tie(a.begin, a.end, a.reason) < std::tie(b.begin, b.end, b.reason);
  });
  std::string out;
  for (const auto& x : f)
    out += std::to_string(x.begin) + "-" + std::to_string(x.end) + " " + x.reason + " " + std::string(s.substr(x.begin, x.end - x.begin)) + "\n";
  return out;
}
}  // namespace

TEST_CASE("patterns: numbers read aloud", "[pattern][spelled]") {
  const std::string out = run({}, "мой номер плюс семь девять восемь девять, три ноль два, пятнадцать, восемьдесят восемь.");
  CHECK(contains(out, "[PHONE]"));
  CHECK_FALSE(contains(out, "девять"));
  CHECK(run({}, "Триста тридцать седьмая статья") == "Триста тридцать седьмая статья");
}

TEST_CASE("patterns: number words decided per word", "[pattern][perf]") {
  for (const char* w : {"семь", "Семь", "СЕМЬ", "one", "ONE", "Twenty", "п'ять", "дев'яносто", "чотири", "ЧОТИРИ", "oh"})
    CHECK(patterns::maybe_number_word(w));
  for (const char* w : {"семья", "сказал", "o", "on", "onex", "плюс", "thousand", "и", "в"})
    CHECK_FALSE(patterns::maybe_number_word(w));
  // Characters outside ASCII and basic Cyrillic are not decided here (their case folding may
  // make a number word: "ſix", Kelvin sign...).
  CHECK(patterns::maybe_number_word("ſix"));
  CHECK(patterns::maybe_number_word("п’ять"));
  CHECK(patterns::maybe_number_word("zeé"));
  CHECK(patterns::maybe_number_word("СЕМЬé"));
  // ... unless the first two characters rule the word out: no number word starts with "zz".
  CHECK_FALSE(patterns::maybe_number_word("zzzé"));
  CHECK_FALSE(patterns::maybe_number_word("Сказалé"));
  std::string low;
  CHECK(patterns::simple_lower("ПЯТЬ Ёж Five", low));
  CHECK(low == "пять ёж five");
  CHECK_FALSE(patterns::simple_lower("naïve", low));
}

// The spelled-number pattern is run only around runs of words that can be number words (the
// engine's word pass): the result must be that of a scan of the whole text.
TEST_CASE("patterns: spelled numbers found around number words as by a whole-text scan", "[pattern][perf]") {
  const std::vector<std::string> texts = {
      "звоните плюс семь девять восемь девять, три ноль два один один, спасибо",
      "номер: one two three four five six. Then plus one-two-three-four-five end",
      "xone, two, three, four, five sevenx; ONE TWO THREE FOUR FIVE SIX",
      "seven, eight — nine ten eleven twelve thirteen",
      "ſix one two three four five, п’ять сім вісім дев’ять нуль",
      "плюс  , семь ноль ноль три два один\nодин два три\nчетыре пять шесть семь восемь",
      "four five six seven",
      "oh oh seven oh oh seven oh oh seven",
  };
  for (const auto& t : texts) {
    const auto words = letter_runs(t);
    CHECK(found_string(t, patterns::find_all(t, &words)) == found_string(t, patterns::find_all(t)));
  }
  // Random texts of number words, other words and separators.
  const char* pool[] = {"one", "two", "семь", "Три", "ноль", "плюс", "plus", "п'ять", "дев'ять", "word", "xone",
                        "sevenx", "ſix", "и", "12", "double", "сто", "сказал"};
  const char* seps[] = {" ", ", ", "-", " - ", "\n", ". ", ",", "  "};
  std::uint64_t r = 12345;
  auto next = [&]() { r = r * 6364136223846793005ULL + 1442695040888963407ULL; return static_cast<std::size_t>(r >> 33); };
  for (int round = 0; round < 200; ++round) {
    std::string t;
    for (int i = 0; i < 40; ++i) {
      t += pool[next() % std::size(pool)];
      t += seps[next() % std::size(seps)];
    }
    const auto words = letter_runs(t);
    REQUIRE(found_string(t, patterns::find_all(t, &words)) == found_string(t, patterns::find_all(t)));
  }
}
