// Tests of the identifier stage (find_identifiers.cpp): the register's own phones, identifiers, addresses.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;

TEST_CASE("register: phones in any formatting, 8 and +7 trunk prefixes", "[register][phone]") {
  PersonEntry p = person("Юрий Дегтярёв");
  p.phones = {"+7 916 555-01-23"};
  for (const char* t : {"+79165550123", "8 (916) 555-01-23", "8-916-555-01-23", "+7 (916) 555 01 23", "89165550123"}) {
    std::vector<Span> rep;
    const std::string out = run({p}, std::string("звонил с ") + t + " вчера", &rep);
    INFO(t);
    CHECK(contains(out, "[PHONE]"));
    REQUIRE(rep.size() == 1);
    CHECK(rep[0].registered);
  }
}

TEST_CASE("register: identifiers and addresses ignore spacing and look-alike letters", "[register][identifier]") {
  PersonEntry p = person("Евгений Щукин");
  p.identifiers = {"АС 7730214"};
  p.addresses = {"ул. Кольцовская, д. 48, кв. 17"};
  const std::string out = run({p}, "ID AS7730214. Адрес: ул.Кольцовская д.48 кв.17 (Воронеж).");
  CHECK_FALSE(contains(out, "7730214"));
  CHECK_FALSE(contains(out, "Кольцовская"));
  CHECK(contains(out, "Воронеж"));
}
