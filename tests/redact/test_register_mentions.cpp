// Tests of the register-mention stage (register_mentions.cpp): initials, longest match, families.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;

TEST_CASE("register: initials with the surname in both orders, and initials alone", "[register][initials]") {
  const std::vector<PersonEntry> reg{person("Дмитрий Александрович Орехов")};
  for (const char* t : {"Д. Орехов подписал", "Орехов Д.А. подписал", "Orekhov D.A. signed", "D. A. Orekhov signed",
                        "подписал Д.А.О."}) {
    const std::string out = run(reg, t);
    INFO(t << " -> " << out);
    CHECK_FALSE(contains(out, "Орехов"));
    CHECK_FALSE(contains(out, "Orekhov"));
    CHECK_FALSE(contains(out, "Д.А."));
  }
  // A no-break space after the initial, as word processors type it.
  CHECK_FALSE(contains(run(reg, "Д.\u00a0Орехов подписал"), "Орехов"));
  CHECK(contains(run(reg, "Д.\u00a0Орехов подписал"), "Client A подписал"));
  // Two initials alone that fit nobody stay.
  CHECK(contains(run(reg, "см. Т.В. выше"), "Т.В."));
}

TEST_CASE("longest match: a disclosed name stays whole, a client with the same first name goes", "[register][longest]") {
  PersonEntry lawyer = person("Павел Чиков", "lawyer");
  lawyer.disclose = Disclose::kPublic;
  const std::vector<PersonEntry> reg{person("Павел Смирнов"), lawyer};
  const std::string out = run(reg, "Павел Чиков подал жалобу. Павел не пришёл. Pavel Chikov spoke.");
  CHECK(contains(out, "Павел Чиков"));
  CHECK(contains(out, "Pavel Chikov"));
  CHECK_FALSE(contains(out, "Павел не"));
}

TEST_CASE("register: a surname alone names the family member whose form it is", "[register][family]") {
  const std::vector<PersonEntry> reg{person("Кочетков Дмитрий Андреевич", "client"), person("Кочеткова Вера Степановна", "relative"),
                                     person("Мельник Оксана Петрівна", "witness"), person("Мельник Андрій Іванович", "client")};
  // "Мельника" declines only for the man; "Вера Кочеткова" fits only her. ("Кочеткова" alone
  // is her nominative and his genitive alike: the first registered is named.)
  CHECK(run(reg, "Вера Кочеткова плакала. Дмитрия Кочеткова забрали. Мельника били. Оксана Мельник плакала.") ==
        "Relative A плакала. Client A забрали. Client B били. Witness A плакала.");
  // A woman's own case forms name her even when the man is registered first.
  CHECK(run({person("Кочетков Дмитрий", "client"), person("Кочеткова Вера", "relative")},
            "Мы позвонили Кочетковой. Кочеткову забрали.") == "Мы позвонили Relative A. Client A забрали.");
  // With no man of the family registered, the case form is still redacted, named after her.
  CHECK(run({person("Мельник Оксана Петрівна", "witness")}, "Мельника били.") == "Witness A били.");
}

TEST_CASE("heuristics: another member of a registered family is a different person", "[heuristic][register]") {
  std::vector<Span> rep;
  const std::string out = run({person("Александр Ладыгин")}, "Raisa Ladygina came; Ladygin stayed.", &rep);
  CHECK_FALSE(contains(out, "Raisa"));
  CHECK_FALSE(contains(out, "Ladygina"));
  CHECK(contains(out, "[PERSON 1]"));
  CHECK(contains(out, "Client A stayed"));
}
