// fieldnotes search TEXT [--json]
#include <map>
#include <mutex>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "src/search.h"

namespace fieldnotes::cli {

using json = nlohmann::json;

namespace {

struct SearchOptions {
  std::string text;
};

void run_search(const SearchOptions& o) {
  core::SearchQuery q(o.text);
  if (q.empty()) fail(kExitUsage, "nothing to search for", "give a word, a name or a number");
  with_unlocked_vault([&](vault::Vault& v) {
    std::mutex mu;
    std::map<int64_t, std::string> titles;
    auto hits = v.find_records([&](const vault::Record& r) {  // called on two threads
      bool hit = q.matches(r.header.title) || q.matches(r.header.case_name) || q.matches(r.body);
      for (const auto& t : r.header.tags) hit = hit || q.matches(t);
      for (const auto& p : r.header.people) hit = hit || q.matches(p);
      if (hit) {
        std::lock_guard<std::mutex> g(mu);
        titles[r.id] = r.header.title;
      }
      return hit;
    });
    if (!hits) fail(hits.status(), "cannot search the records");
    json out = json::array();
    for (int64_t id : *hits) {
      if (globals().json) out.push_back({{"id", id}, {"title", titles[id]}});
      else std::cout << id << "\t" << titles[id] << "\n";
    }
    if (globals().json) std::cout << out.dump(2) << "\n";
  });
}

}  // namespace

void register_search(CLI::App& app) {
  auto q = std::make_shared<SearchOptions>();
  auto* qc = app.add_subcommand("search", "find records (any case, ё/е, Latin or Cyrillic spelling)");
  qc->add_option("text", q->text, "what to find")->required();
  qc->callback([q] { run_search(*q); });
}

}  // namespace fieldnotes::cli
