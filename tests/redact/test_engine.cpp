// Tests of the whole redaction engine (engine.cpp): robustness on degenerate registers and texts.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;

TEST_CASE("robustness: empty, one-letter and empty register names", "[robustness]") {
  std::vector<PersonEntry> reg{person(""), person("Я"), person("A B"), person("Иван Орлов")};
  const std::string out = run(reg, "Я и A видели Орлова.");
  CHECK(contains(out, "Я и A видели"));
  CHECK_FALSE(contains(out, "Орлова"));
  CHECK(run(reg, "").empty());
}

TEST_CASE("robustness: long digit runs and 10 MB without a space take linear time", "[robustness][slow]") {
  auto engine = Engine::compile({person("Дмитрий Орехов")});
  Session s(*engine);
  const std::string digits(2'000'000, '7');
  const auto t0 = std::chrono::steady_clock::now();
  const std::string out1 = s.redact(digits);
  CHECK_FALSE(contains(out1, "7777777777"));
  std::string blob;
  blob.reserve(10'000'000);
  while (blob.size() < 10'000'000) blob += "абвгдеёжзabcdef0123456789.-_";
  const std::string out2 = s.redact(blob);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(seconds < 30.0);
  CHECK_FALSE(out2.empty());
}

TEST_CASE("robustness: a register of 10,000 people compiles and matches", "[robustness][slow]") {
  std::vector<PersonEntry> reg;
  const char* given[] = {"Дмитрий", "Юрий", "Ольга", "Мария", "Сергей"};
  for (int i = 0; i < 10'000; ++i) {
    PersonEntry p = person(std::string(given[i % 5]) + " Фамилиев" + std::string(static_cast<std::size_t>(i % 7) * 2, 'x') +
                           std::to_string(i));
    reg.push_back(p);
  }
  reg.push_back(person("Ильдар Галимзянов"));
  auto engine = Engine::compile(reg);
  Session s(*engine);
  CHECK_FALSE(contains(s.redact("Галимзянова задержали."), "Галимзянова"));
}
