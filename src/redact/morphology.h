// Russian and Ukrainian declension of names, by rule: every case form of a first name,
// patronymic or surname is generated up front, so matching is a hash lookup per word.
// Works on lower-case Cyrillic (Latin names go through text::cyrillic_reading first).
// See docs/REDACTION.md, "Case forms".
#pragma once

#include <string>
#include <vector>

namespace fieldnotes::redact::morph {

// All case forms (the nominative included) of a first name or diminutive:
// Павел -> павла, павлу, павлом...; Юрий -> юрия...; Саша -> саши, саше, сашу, сашей...
// With `possessive`, also the colloquial possessive of names in -а/-я (Лёша -> Лёшин, Лёшина):
// used for register names only, since in a gazetteer it collides with nouns (Родя -> Родину).
std::vector<std::u32string> given_forms(const std::u32string& nominative, bool possessive = false);

// All case forms of a patronymic, both languages: Андреевич -> андреевича...,
// Петровна -> петровны..., петрівна, петрівни...
std::vector<std::u32string> patronymic_forms(const std::u32string& nominative);

// All case forms of a surname, both genders and the plural where the type has them:
// Орехов -> орехова, орехову, ореховым, ореховой, ореховы, ореховых...; -ский/-ская;
// -енко, -ых and -дзе are indeclinable. `primary` receives the forms of the entry's own
// gender (so that a masculine form prefers the man of a family).
std::vector<std::u32string> surname_forms(const std::u32string& nominative,
                                          std::vector<std::u32string>* primary = nullptr);

// True if the word (lower-case Cyrillic) has the shape of a patronymic: the nominative, and the
// masculine cases (Петровича, Петровичу). Feminine oblique cases are left out on purpose:
// their shape is that of common adjectives ("Основной" = основн-ой), so callers that score
// any capitalised word use this one.
bool looks_like_patronymic(const std::u32string& w);
// Also the feminine cases (Петровне, Петровны, Петровной), read through their nominative: for
// callers that already know the word stands in a name next to a given name.
bool patronymic_in_any_case(const std::u32string& w);

// Strength of the surname shape of a lower-case word: 0 none, 1 weak (-ук, -ак, -ко, -ец...),
// 2 strong (-ин/-ина, -енко, -ский/-ская, -чук, -швили...), 3 very strong (-ов/-ев/-ова and
// their case forms; -ov/-eva in Latin): the -ин shape is also that of many nouns
// (Дружина, Родину), so callers trust it only away from the start of a sentence.
int surname_shape(const std::u32string& w);

// True if the word is an adjectival form in -ский/-цкий/-ская/-ського... (a surname or an
// adjective such as "Ленинградская": the caller decides by context).
bool is_adjectival_sky(const std::u32string& w);

}  // namespace fieldnotes::redact::morph
