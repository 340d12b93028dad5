// Tests of unregistered people (unregistered_people.cpp, name_heuristics.cpp): names found, near misses kept.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;

TEST_CASE("heuristics: gazetteer names, surname shapes, ranks, call signs", "[heuristic]") {
  const std::string out = run({},
                              "Командир, капитан Шестаков, забрал телефон. Рома Трифонов написал. "
                              "Позывной «Шмель». Captain Lyakhov and Sgt. Moore came; a soldier called Marat. "
                              "Oleg Pronin agreed.");
  for (const char* w : {"Шестаков", "Рома", "Трифонов", "Шмель", "Lyakhov", "Moore", "Marat", "Oleg", "Pronin"}) {
    INFO(w);
    CHECK_FALSE(contains(out, w));
  }
  CHECK(contains(out, "забрал телефон"));
}

TEST_CASE("heuristics: Cyrillic case forms of unregistered names and diminutives", "[heuristic]") {
  const std::string out = run({}, "Это телефон Кости. Вадику угрожают. Я позвонила Светке. Петю забрали.");
  for (const char* w : {"Кости", "Вадику", "Светке", "Петю"}) {
    INFO(w);
    CHECK_FALSE(contains(out, w));
  }
}

TEST_CASE("heuristics: places, months, law articles and ordinary words stay", "[heuristic][near-miss]") {
  const char* texts[] = {
      "Его держали в Ростове, потом в Саратове и Стаханове.",
      "Moved from Rostov to Stakhanov in May; hearing in June.",
      "Статья 332 УК РФ; ч. 5 ст. 337 УК РФ; Article 337(5).",
      "Ленинградская область, Новочеркасский гарнизонный военный суд.",
      "Надежды уже почти нет. Ответа не было.",
      "May we meet on 9 May? Summary. Next steps. Red Cross, Telegram, Signal.",
      "Дружина живе в Гомелі. Родину виселили.",
  };
  for (const char* t : texts) {
    INFO(t);
    CHECK(run({}, t) == t);
  }
}

TEST_CASE("heuristics: organisations, outlets and lists of towns stay", "[heuristic][near-miss]") {
  const char* texts[] = {
      "По данным «Медиазоны», в Пскове, Тамбове и Иванове задержаны отказники.",
      "Уголовный кодекс Российской Федерации; Верховный суд отказал. Выводов пока нет.",
      "Українська Гельсінська спілка з прав людини; Верховна Рада ухвалила закон.",
      "The Movement of Conscientious Objectors and OVD-Info reported new cases in Pskov.",
      "Проект «Идите лесом» помогает. Канал «Вёрстка» опубликовал расследование.",
  };
  for (const char* t : texts) {
    INFO(t);
    CHECK(run({}, t) == t);
  }
}

TEST_CASE("heuristics: quoted nicknames need a cue", "[heuristic][callsign]") {
  CHECK_FALSE(contains(run({}, "командир, якого вони звали «Кедр», наказав"), "Кедр"));
  CHECK_FALSE(contains(run({}, "Охороняв їх якийсь «Шаман»."), "Шаман"));
  CHECK_FALSE(contains(run({}, "a commander, call sign \"Fox\". He left."), "Fox"));
  CHECK_FALSE(contains(run({}, "known only as \"Sova\" and Kolya."), "Sova"));
  CHECK_FALSE(contains(run({}, "(Бурлаков Егор и «Малой», имени не знает)"), "Малой"));
  CHECK(contains(run({}, "(\"Storm\" detachment)"), "Storm"));
}

TEST_CASE("heuristics: call signs with the cue further back, after the name, or after a verb of naming", "[heuristic][callsign]") {
  CHECK(run({}, "Позывной у командира подвала «Клёст».") == "Позывной у командира подвала «[PERSON 1]».");
  CHECK(run({}, "Он называл себя «Сибиряк».") == "Он называл себя «[PERSON 1]».");
  CHECK(run({}, "Він називав себе «Сибіряк».") == "Він називав себе «[PERSON 1]».");
  CHECK(run({}, "Представился: «Гром».") == "Представился: «[PERSON 1]».");
  CHECK(run({}, "«Ёж» (позывной, командир роты) бил нас.") == "«[PERSON 1]» (позывной, командир роты) бил нас.");
  // Near misses: a quoted title with no cue, a cue in another sentence, a lower-case word.
  CHECK(run({}, "Он читал «Известия» каждый день.") == "Он читал «Известия» каждый день.");
  CHECK(run({}, "Позывной мы не знаем. Он смотрел «Дождь».") == "Позывной мы не знаем. Он смотрел «Дождь».");
  CHECK(run({}, "Он называл себя «патриотом».") == "Он называл себя «патриотом».");
}

TEST_CASE("heuristics: a car make with its model, religions and nationalities are not people", "[heuristic][keep]") {
  for (const char* text : {"He drove a Renault Logan.", "They came in a Toyota Camry.", "Мы ехали на Рено Логан.",
                           "He is Russian, she is Ukrainian.", "A Baptist pastor came.", "An Orthodox priest came."}) {
    INFO(text);
    CHECK(run({}, text) == text);
  }
  // People named like a make, a model or a religion are still people: only a make followed
  // by a model is kept, and a word that is a given name's own spelling is never a non-name.
  CHECK(run({}, "Sgt. Logan Harris said so.") == "Sgt. [PERSON 1] said so.");
  CHECK(run({}, "Мы видели, как Лада Петрова плакала.") == "Мы видели, как [PERSON 1] плакала.");
  CHECK(run({}, "Свідок Шкода Петро Іванович.") == "Свідок [PERSON 1].");
  CHECK(run({}, "На Шкоде Иван приехал.") != "На Шкоде Иван приехал.");
  CHECK(run({}, "Свидетель Ислам Ахмедов сказал.") == "Свидетель [PERSON 1] сказал.");
  CHECK(run({}, "Командир Муслим кричал.") == "Командир [PERSON 1] кричал.");
  CHECK(run({}, "Christian Weber testified.") == "[PERSON 1] testified.");
}

TEST_CASE("heuristics: a given name is not read as a case of a town", "[heuristic][places]") {
  // "Ивана", "Ивану", "Иваном" were cases of "Ивано-" (Ивано-Франковск): the name leaked.
  CHECK(run({}, "Мы видели Ивана Петровича.") == "Мы видели [PERSON 1].");
  CHECK(run({}, "Мы не звонили Ивану.") == "Мы не звонили [PERSON 1].");
  CHECK(run({}, "Иваном Петровичем гордились.") == "[PERSON 1] гордились.");
  CHECK(run({}, "Он жил в Ивано-Франковске.") == "Он жил в Ивано-Франковске.");
}

TEST_CASE("heuristics: a given name is not a month's case form", "[heuristic][names]") {
  // "Юлия" and "июля" share a comparison key, so do "Марта" and "марта": the name was lost.
  CHECK(run({}, "His wife Yulia called.") == "His wife [PERSON 1] called.");
  CHECK(run({}, "Его жена Юлия звонила.") == "Его жена [PERSON 1] звонила.");
  CHECK(run({}, "Соседка Марта видела.") == "Соседка [PERSON 1] видела.");
  // The months themselves stay.
  CHECK(run({}, "Это было 12 марта и 3 июля, в июле.") == "Это было 12 марта и 3 июля, в июле.");
  CHECK(run({}, "It was on 3 July and in March.") == "It was on 3 July and in March.");
}
