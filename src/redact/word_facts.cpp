#include "src/redact/word_facts.h"

#include <algorithm>

namespace fieldnotes::redact {

const WordFacts& WordFactsCache::lookup(const std::string& key) {
  if (auto it = facts_.find(key); it != facts_.end()) return it->second;
  const RegisterIndex& im = index_;
  const Gazetteer& gz = Gazetteer::get();
  WordFacts ki;
  if (auto it = im.forms.find(key); it != im.forms.end()) {
    ki.hits = &it->second;
  } else {
    const auto maybe_typo = [&] {
      const std::string& k = key;
      if (im.typo_prefixes.count(RegisterIndex::prefix2(k))) return true;
      if (k.size() > 2 && im.typo_prefixes.count(RegisterIndex::prefix2(std::string_view(k).substr(1)))) return true;
      const char p02[2] = {k[0], k.size() > 2 ? k[2] : '\0'};
      return im.typo_prefixes.count(RegisterIndex::prefix2(std::string_view(p02, 2))) > 0;
    };
    if (key.size() + 1 >= kTypoMinKey && !im.typo.empty() && maybe_typo()) {
      // Missing letter, extra letter, or one substituted letter.
      std::vector<RegisterIndex::Hit> th;
      auto merge = [&](const std::vector<RegisterIndex::Hit>& v) {
        for (auto& h : v)
          if (h.part == kFamily) th.push_back(h);
      };
      if (auto t1 = im.typo.find(key); t1 != im.typo.end()) merge(t1->second);
      if (key.size() >= kTypoMinKey) {
        std::string del;
        for (std::size_t d = 0; d < key.size(); ++d) {
          del.assign(key, 0, d);
          del.append(key, d + 1, std::string::npos);
          if (auto f = im.forms.find(del); f != im.forms.end()) merge(f->second);
          if (auto f = im.typo.find(del); f != im.typo.end()) merge(f->second);
        }
      }
      if (!th.empty()) {
        std::stable_sort(th.begin(), th.end(), [](const auto& a, const auto& b) { return a.person < b.person; });
        ki.typo = std::move(th);
        ki.is_typo = true;
      }
    }
  }
  ki.non_name = gz.non_names.count(key) > 0;
  ki.place = gz.places.count(key) > 0;
  ki.non_name_place_title = ki.non_name || ki.place || gz.titles.count(key) > 0;
  ki.ambiguous = gz.ambiguous.count(key) > 0;
  if (auto g = gz.given.find(key); g != gz.given.end()) ki.given = &g->second;
  WordFacts& ref = facts_.emplace(key, std::move(ki)).first->second;
  if (ref.is_typo) ref.hits = &ref.typo;
  return ref;
}

bool WordFactsCache::trim() {
  if (facts_.size() <= kMaxEntries) return false;
  wipe_map(facts_);
  ++epoch_;
  return true;
}

}  // namespace fieldnotes::redact
