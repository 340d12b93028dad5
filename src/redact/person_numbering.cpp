#include "src/redact/person_numbering.h"

#include <cstring>
#include <string_view>
#include <vector>

#include "src/redact/chunk_scan.h"
#include "src/redact/gazetteer.h"
#include "src/redact/morphology.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"
#include "src/redact/word_facts.h"

namespace fieldnotes::redact {

namespace {

const char* role_label(const std::string& role) {
  const std::string r = text::lower_ascii(role);
  if (r == "client") return "Client";
  if (r == "relative") return "Relative";
  if (r == "witness") return "Witness";
  if (r == "lawyer") return "Lawyer";
  if (r == "official") return "Official";
  return "Person";
}

// Key of a patronymic without its case ending: up to -вн-/-чн- (-овна, -ична) or -вич/-ич.
std::string patronymic_stem(const std::string& key) {
  for (const char* m : {"vn", "Cn", "viC", "iC"}) {
    const std::size_t at = key.rfind(m);
    if (at != std::string::npos) return key.substr(0, at + std::strlen(m));
  }
  return key;
}

}  // namespace

std::string PersonNumbering::label_for(std::uint32_t p) {
  auto it = person_label_.find(p);
  if (it != person_label_.end()) return it->second;
  const auto& person = index_.people[p];
  std::string label;
  if (!person.pseudonym.empty()) {
    label = person.pseudonym;
  } else {
    const std::string role = role_label(person.role);
    int& n = role_counter_[role];
    std::string letters;
    int x = n++;
    do {
      letters.insert(letters.begin(), static_cast<char>('A' + x % 26));
      x = x / 26 - 1;
    } while (x >= 0);
    label = role + " " + letters;
  }
  person_label_.emplace(p, label);
  return label;
}

int PersonNumbering::learned_number(const WordText& word) {
  const WordFacts& facts = facts_.of(word);
  if (facts.learned != 0 || facts.learned_absent_at == learned_.size()) return facts.learned;
  if (auto it = learned_.find(word.key); it != learned_.end()) facts.learned = it->second;
  else facts.learned_absent_at = learned_.size();
  return facts.learned;
}

void PersonNumbering::learn(ChunkScan& scan, const Token& t, int number) {
  const Gazetteer& gz = Gazetteer::get();
  // Memory stays bounded on endless input: past the cap, nothing new is learned (a later
  // bare mention of a new surname is then found only by its shape).
  if (learned_.size() > kMaxLearnedForms) return;
  if (learned_number(scan.text_of(t)) != 0) return;  // forms already known
  learned_.emplace(scan.text_of(t).key, number);
  const std::u32string cyr = text::cyrillic_reading(scan.text_of(t).low);
  std::vector<std::u32string> stems{cyr};
  static const std::u32string_view kEnds[] = {U"ом", U"ем", U"ым", U"им", U"ой", U"ою", U"ові", U"а", U"у", U"е", U"ы", U"і", U"и"};
  for (auto e : kEnds)
    if (cyr.size() > e.size() + 2 && cyr.compare(cyr.size() - e.size(), e.size(), e) == 0)
      stems.push_back(cyr.substr(0, cyr.size() - e.size()));
  for (const auto& st : stems)
    for (const auto& f : morph::surname_forms(st)) {
      const std::string k = text::key_of(f);
      if (k.size() >= 3 && !gz.given.count(k) && !gz.places.count(k) && !gz.non_names.count(k)) learned_.emplace(k, number);
    }
  if (t.latin) learned_.emplace(scan.text_of(t).key + "s", number);
}

int PersonNumbering::number_for(ChunkScan& scan, std::size_t first, std::size_t last) {
  const Gazetteer& gz = Gazetteer::get();
  const std::vector<Token>& toks = scan.tokens();
  int num = -1;
  for (std::size_t k = first; k <= last && num < 0; ++k) {
    if (toks[k].initial || scan.given_name[k]) continue;
    if (const int known = learned_number(scan.text_of(toks[k])); known != 0) num = known;
  }
  // A given name and a patronymic without a surname ("Зинаида Петровна", "Зинаиды Петровны"):
  // one person at every mention, keyed on the name group and the patronymic's stem.
  std::string name_key;
  {
    std::uint32_t group = 0;
    bool has_given = false, other = false;
    std::string patronymic;
    for (std::size_t k = first; k <= last; ++k) {
      if (toks[k].initial) continue;
      if (scan.given_name[k]) {
        if (auto g = gz.given_name(scan.text_of(toks[k]).key, toks[k].latin)) {
          group = g->group;
          has_given = true;
        }
      } else if (morph::patronymic_in_any_case(scan.text_of(toks[k]).low)) {
        patronymic = patronymic_stem(scan.text_of(toks[k]).key);
      } else {
        other = true;
      }
    }
    if (has_given && !patronymic.empty() && !other) name_key = std::to_string(group) + ' ' + patronymic;
  }
  if (num < 0 && !name_key.empty())
    if (auto it = given_patronymic_.find(name_key); it != given_patronymic_.end()) num = it->second;
  if (num < 0) {
    bool only_given = true;
    for (std::size_t k = first; k <= last; ++k)
      if (!toks[k].initial && !scan.given_name[k]) only_given = false;
    if (only_given)
      for (std::size_t k = first; k <= last && num < 0; ++k)
        if (scan.given_name[k])
          if (auto g = gz.given_name(scan.text_of(toks[k]).key, toks[k].latin))
            if (auto it = given_group_.find(g->group); it != given_group_.end()) num = it->second;
  }
  if (num < 0) num = ++last_number_;
  if (!name_key.empty()) given_patronymic_[name_key] = num;
  for (std::size_t k = first; k <= last; ++k) {
    if (toks[k].initial) continue;
    if (scan.given_name[k]) {
      if (auto g = gz.given_name(scan.text_of(toks[k]).key, toks[k].latin)) given_group_[g->group] = num;
    } else if (morph::patronymic_in_any_case(scan.text_of(toks[k]).low)) {
      continue;
    } else {
      learn(scan, toks[k], num);
    }
  }
  return num;
}

}  // namespace fieldnotes::redact
