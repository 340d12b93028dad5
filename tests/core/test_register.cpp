// Tests of the register's JSON form (src/register.h): parsing, canonical form, refusals.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "src/register.h"

using namespace fieldnotes;
using namespace fieldnotes::core;

TEST_CASE("register JSON: valid entries and canonical form") {
  auto r = parse_register(R"([{"name": "Юрий Дегтярёв", "aliases": ["Yura", ""], "role": "client",
    "phones": ["+7 916 555-01-23"], "disclose": false, "pseudonym": "Client A"},
    {"name": "Pavel Chikov", "role": "lawyer", "disclose": true},
    {"name": "X", "disclose": "co-counsel"}])");
  REQUIRE(r.is_ok());
  REQUIRE(r->size() == 3);
  CHECK((*r)[0].aliases == std::vector<std::string>{"Yura"});
  CHECK((*r)[0].disclose == redact::Disclose::kNever);
  CHECK((*r)[1].disclose == redact::Disclose::kPublic);
  CHECK((*r)[2].disclose == redact::Disclose::kCoCounsel);
  CHECK((*r)[2].role == "other");
  auto text = person_to_json((*r)[0]);
  REQUIRE(text);
  auto back = parse_person(*text);
  REQUIRE(back.is_ok());
  CHECK(back->name == "Юрий Дегтярёв");
  CHECK(back->phones == (*r)[0].phones);
  CHECK(back->pseudonym == "Client A");
  CHECK(parse_register("[]").is_ok());
}

TEST_CASE("register JSON: everything else is refused, naming the entry") {
  for (const char* bad : {"{}", "null", "[", "[1]", "[{\"name\": 5}]", "[{\"name\": \"  \"}]",
                          "[{\"name\": \"a\", \"role\": \"spy\"}]", "[{\"name\": \"a\", \"aliases\": \"b\"}]",
                          "[{\"name\": \"a\", \"aliases\": [1]}]", "[{\"name\": \"a\", \"x\": 1}]",
                          "[{\"name\": \"a\", \"disclose\": 1}]", "[{\"role\": \"client\"}]"}) {
    INFO(bad);
    auto r = parse_register(bad);
    CHECK(r.status().code() == Code::kInvalidInput);
  }
  auto r = parse_register(R"([{"name": "ok"}, {"name": "b", "role": "spy"}])");
  CHECK(r.status().message().find("entry 2") != std::string::npos);
  std::string longname(2000, 'a');
  CHECK_FALSE(parse_register("[{\"name\": \"" + longname + "\"}]").is_ok());
}

TEST_CASE("register: an entry with a field that is not UTF-8 is refused, not thrown") {
  redact::PersonEntry p;
  p.name = "\xff\xfe";
  CHECK(person_to_json(p).status().code() == Code::kInvalidInput);
  p.name = "Юрий Дегтярёв";
  p.aliases = {"Юра", "\xd0"};
  CHECK(person_to_json(p).status().code() == Code::kInvalidInput);
  p.aliases = {"Юра"};
  CHECK(person_to_json(p).is_ok());
}
