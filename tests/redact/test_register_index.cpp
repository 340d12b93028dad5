// Tests of the compiled register (register_index.cpp): case forms, transliterations, diminutives, typos.
#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <vector>

#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;

TEST_CASE("register: Russian case forms of surname, given name and patronymic", "[register][morph]") {
  const std::vector<PersonEntry> reg{person("Лобанов Кирилл Андреевич")};
  for (const char* form : {"Лобанова", "Лобанову", "Лобановым", "Лобанове", "Кирилла", "Кириллу", "Кириллом",
                           "Кирилле", "Андреевича", "Андреевичу"}) {
    const std::string text = std::string("Вчера ") + form + " видели в части.";
    INFO(form);
    CHECK_FALSE(contains(run(reg, text), form));
  }
  // The plural family form and the feminine.
  CHECK_FALSE(contains(run(reg, "Мы, Лобановы, просим."), "Лобановы"));
  CHECK_FALSE(contains(run(reg, "у Лобановых нет новостей"), "Лобановых"));
  CHECK_FALSE(contains(run(reg, "Пришла Лобанова."), "Лобанова"));
}

TEST_CASE("register: fleeting vowels and -ий names", "[register][morph]") {
  CHECK_FALSE(contains(run({person("Павел Смирнов")}, "Я видел Павла вчера."), "Павла"));
  CHECK_FALSE(contains(run({person("Лев Смирнов")}, "Я видел Льва вчера."), "Льва"));
  CHECK_FALSE(contains(run({person("Юрий Смирнов")}, "Письмо от Юрия пришло."), "Юрия"));
  CHECK_FALSE(contains(run({person("Пётр Смирнов")}, "Петра забрали."), "Петра"));
}

TEST_CASE("register: Ukrainian forms", "[register][morph]") {
  const std::vector<PersonEntry> reg{person("Гнатюк Ганна Петрівна", "witness"), person("Сергій Коваль")};
  const std::string out = run(reg, "Я, Гнатюк Ганна Петрівна, бачила Сергія. Сергієві погрожували. Сергію було 20.");
  CHECK_FALSE(contains(out, "Гнатюк"));
  CHECK_FALSE(contains(out, "Сергія"));
  CHECK_FALSE(contains(out, "Сергієві"));
  CHECK_FALSE(contains(out, "Сергію"));
  CHECK(contains(out, "бачила"));
}

TEST_CASE("register: lower-case nominatives of names and long surname forms", "[register][lowercase]") {
  const std::vector<PersonEntry> reg{person("Дмитрий Лобанов"), person("Николай Гнатюк")};
  const std::string out = run(reg, "дима сказал, что у лобановых всё хорошо. коли так, добре.");
  CHECK_FALSE(contains(out, "дима"));
  CHECK_FALSE(contains(out, "лобановых"));
  CHECK(contains(out, "коли так"));  // an inflected first name (Коля -> коли) is a common word
}

TEST_CASE("register: -ский and -енко surnames", "[register][morph]") {
  CHECK_FALSE(contains(run({person("Игорь Бельский")}, "Передал адвокату Бельскому справку"), "Бельскому"));
  CHECK_FALSE(contains(run({person("Анна Бельская")}, "у Бельской нет"), "Бельской"));
  CHECK_FALSE(contains(run({person("Олег Петренко")}, "Петренко сказал"), "Петренко"));
}

TEST_CASE("register: transliterations of a Cyrillic entry", "[register][translit]") {
  const std::vector<PersonEntry> reg{person("Евгений Павлович Щукин")};
  const std::string out =
      run(reg, "Evgeniy Shchukin and Yevgeny Schukin; Evgenij Pavlovich; the Shchukins; Mrs Shchukina.");
  for (const char* w : {"Evgeniy", "Shchukin", "Yevgeny", "Schukin", "Evgenij", "Pavlovich", "Shchukins", "Shchukina"}) {
    INFO(w);
    CHECK_FALSE(contains(out, w));
  }
  CHECK(contains(out, "Mrs"));
}

TEST_CASE("register: a Latin entry matches Cyrillic text and its case forms", "[register][translit]") {
  const std::vector<PersonEntry> reg{person("Ruslan Olegovich Zima")};
  const std::string out = run(reg, "Руслану Зиме предъявлено обвинение. Документы Зимы у нас. Зимнего наступления не было.");
  CHECK_FALSE(contains(out, "Руслану"));
  CHECK_FALSE(contains(out, "Зиме"));
  CHECK_FALSE(contains(out, "Зимы"));
  CHECK(contains(out, "Зимнего"));  // an ordinary word that shares the stem stays
}

TEST_CASE("register: diminutives", "[register][diminutive]") {
  const std::vector<PersonEntry> reg{person("Юрий Дегтярёв"), person("Александр Ладыгин"), person("Дмитрий Орехов")};
  const std::string out = run(reg, "Юра и Юрка, Yura, Саша и Шура, Sasha, Дима и Dima пришли.");
  for (const char* w : {"Юра", "Юрка", "Yura", "Саша", "Шура", "Sasha", "Дима", "Dima"}) {
    INFO(w);
    CHECK_FALSE(contains(out, w));
  }
  CHECK(contains(out, "пришли"));
}

TEST_CASE("register: productive diminutives of short forms", "[register][diminutive]") {
  const std::vector<PersonEntry> reg{person("Мария Никишина"), person("Татьяна Яковлева"), person("Дмитрий Орехов")};
  const std::string out = run(reg, "Машенька, Машуля, Танечка, Танюша, Димочка и Mashenka пришли.");
  for (const char* w : {"Машенька", "Машуля", "Танечка", "Танюша", "Димочка", "Mashenka"}) {
    INFO(w);
    CHECK_FALSE(contains(out, w));
  }
}

TEST_CASE("gazetteer: common diminutives of registered given names", "[register][names]") {
  // A register entry with the full name covers the everyday diminutives the name list gives
  // (Russian and Ukrainian, some in an oblique case) and labels them as that person.
  const std::vector<std::tuple<const char*, const char*, const char*>> cases = {
      {"Платон Гусев", "Вчера с Платошей говорили.", "Платошей"},
      {"Антон Рябов", "Передай Антохе привет.", "Антохе"},
      {"Ульяна Фомина", "Уляша звонила вечером.", "Уляша"},
      {"Святослав Вахрушев", "Мы видели Славу в суде.", "Славу"},
      {"Артём Лунин", "Тёмыч пропал в марте.", "Тёмыч"},
      {"Наталья Серова", "Наташка плакала.", "Наташка"},
      {"Петро Коваль", "Я бачила Петрика вчора.", "Петрика"},
      {"Остап Гнатюк", "Остапчика забрали.", "Остапчика"},
      {"Сергій Мельник", "Сергійко дзвонив уночі.", "Сергійко"},
      {"Микола Ткач", "Миколці погрожували.", "Миколці"},
      {"Оксана Лисенко", "Оксанку допитали.", "Оксанку"},
      {"Іван Кравець", "Івасик пише рідко.", "Івасик"},
  };
  for (const auto& [name, text, form] : cases) {
    const std::string out = run({person(name)}, text);
    INFO(name << ": " << text << " -> " << out);
    CHECK_FALSE(contains(out, form));
    CHECK(contains(out, "Client A"));
  }
  // Near misses: ordinary words that look like a diminutive of a registered name stay
  // (Слава with no Вячеслав/Ярослав/Святослав registered; серёжка "earring", валик "roller"
  // and улочка "lane" are marked as ordinary words; Тоха and Маня are left out of the list
  // because their case forms share a key with "Того" and "Many").
  const std::vector<PersonEntry> reg{person("Сергей Лунин"), person("Валентин Котов"), person("Ульяна Фомина"),
                                     person("Антон Рябов"), person("Мария Гусева")};
  for (const char* t : {"Слава богу, все живы.", "У неё пропала серёжка.", "Купили валик и краску.",
                        "Там тихая улочка и магазин.", "Того же дня его увезли.", "Many soldiers refused."}) {
    INFO(t);
    CHECK(run(reg, t) == t);
  }
}

TEST_CASE("register: one-letter typos only in long surnames", "[register][typo]") {
  const std::vector<PersonEntry> reg{person("Ильдар Галимзянов"), person("Иван Орлов")};
  CHECK_FALSE(contains(run(reg, "Галимзяков задержан"), "Галимзяков"));  // substitution
  CHECK_FALSE(contains(run(reg, "Галимянов задержан"), "Галимянов"));    // deletion
  CHECK(contains(run(reg, "Город Орлав далеко"), "Орлав"));              // 5 letters: no typo rule
}
