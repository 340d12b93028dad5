// Tests of person numbering (person_numbering.cpp): labels and numbers kept across mentions and chunks.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;

TEST_CASE("replacements are keyed on the person, consistent across chunks", "[replacement]") {
  PersonEntry named = person("Марк Ясенев", "lawyer");
  named.pseudonym = "Юрист 1";
  const std::vector<PersonEntry> reg{person("Юлия Орехова", "relative"), person("Дмитрий Орехов"),
                                     person("Тамара Орехова", "relative"), named};
  auto engine = Engine::compile(reg);
  Session s(*engine);
  const std::string a = s.redact("Дмитрий Орехов и Юлия Орехова. Марк Ясенев.\n");
  const std::string b = s.redact("Юлию видели. Дима пропал. Тамара Орехова плачет.\n");
  CHECK(contains(a, "Client A"));
  CHECK(contains(a, "Relative A"));
  CHECK(contains(a, "Юрист 1"));
  CHECK(contains(b, "Relative A видели"));
  CHECK(contains(b, "Client A пропал"));
  CHECK(contains(b, "Relative B"));
}

TEST_CASE("unregistered people are numbered, the same surname keeps its number", "[replacement][heuristic]") {
  const std::string out = run({}, "Сослуживец Олег Пронин рассказал всё. Позже Пронина перевели, а Пронин молчит.");
  CHECK(contains(out, "[PERSON 1]"));
  CHECK_FALSE(contains(out, "[PERSON 2]"));
  CHECK_FALSE(contains(out, "Пронин"));
}

TEST_CASE("replacements: a given name and patronymic keep one number in every case", "[replace][heuristic]") {
  const std::string out = run({}, "Соседка Зинаида Петровна видела всё. Я звонил Зинаиде Петровне вчера. "
                                  "Зинаиды Петровны не было дома. Иван Петрович пришёл, а Ивану Петровичу не звонили.");
  CHECK(out == "Соседка [PERSON 1] видела всё. Я звонил [PERSON 1] вчера. [PERSON 1] не было дома. "
               "[PERSON 2] пришёл, а [PERSON 2] не звонили.");
}
