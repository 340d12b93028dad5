// Search scan benchmark: SearchQuery::matches over dense testimony (one name in four words,
// Cyrillic and Latin spellings, punctuation and quotes as in real statements), for queries
// that match nowhere and share their first letter with many names, against two baselines run
// in the same process on the same text: memmem of the query's bytes (the floor of any scan)
// and search_fold of the whole text (folding everything, then comparing).
// Usage: bench_search [MB]   (default: 50). docs/PERFORMANCE.md records the figures.
#include <cstring>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "src/search.h"

using namespace fieldnotes;
using Clock = std::chrono::steady_clock;

namespace {

const char* kNames[] = {"Юрий", "Кирилл", "Андреевич", "Петровна", "Дегтярёв", "Лобанова", "Шестаков", "Трифонов",
                        "Кузнецов", "Павленко", "Семёнов", "Голубев", "Карпенко", "Пётр", "Полина", "Прохоров",
                        "Ковальчук", "Коваленко", "Yuriy", "Kirill", "Petrovna", "Degtyarev", "Shestakov",
                        "Kuznetsov", "Pavlenko", "Semyonov", "Karpenko", "Prokhorov", "Polina", "Kovalchuk"};
const char* kWords[] = {"свидетель", "сказал", "что", "командир", "роты", "забрал", "телефон", "и", "в", "на",
                        "отказался", "идти", "штурм", "после", "этого", "мать", "сына", "звонил", "марта", "года",
                        "позвонил", "писал", "приказ", "полка", "прокурор", "протокол", "the", "witness", "said",
                        "phone", "unit", "commander", "took", "in", "March", "prosecutor", "в/ч", "31612", "2024"};
const char* kGaps[] = {" ", " ", " ", ", ", ". ", ".\n", " — ", " «", "» ", " (", ") ", ": "};

std::string make_text(std::size_t bytes, std::mt19937& rng) {
  std::string s;
  s.reserve(bytes + 64);
  while (s.size() < bytes) {
    if (rng() % 4 == 0) s += kNames[rng() % (sizeof kNames / sizeof *kNames)];
    else s += kWords[rng() % (sizeof kWords / sizeof *kWords)];
    s += kGaps[rng() % (sizeof kGaps / sizeof *kGaps)];
  }
  return s;
}

double secs(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Best of three runs of `scan` over every record; returns seconds.
template <typename Scan>
double best_of_3(const std::vector<std::string>& records, Scan scan, std::size_t* hits) {
  double best = 1e9;
  for (int rep = 0; rep < 3; ++rep) {
    std::size_t n = 0;
    const auto a = Clock::now();
    for (const auto& r : records) n += scan(r) ? 1 : 0;
    best = std::min(best, secs(a, Clock::now()));
    *hits = n;
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mb = argc > 1 ? std::stoul(argv[1]) : 50;
  std::mt19937 rng(7);
  std::vector<std::string> records;  // records of 2 KiB, as bench_vault's
  std::size_t total = 0;
  while (total < mb * 1000000) {
    records.push_back(make_text(2048, rng));
    total += records.back().size();
  }
  const double mbytes = static_cast<double>(total) / 1e6;
  std::printf("text: %zu records, %.1f MB, one name in four words\n", records.size(), mbytes);

  std::size_t hits = 0;
  std::string folded;
  const double fold = best_of_3(records, [&](const std::string& r) {
    folded.clear();
    core::search_fold(r, &folded);
    return folded.empty();
  }, &hits);
  std::printf("baseline search_fold (whole text)  %7.1f MB/s\n", mbytes / fold);

  // Queries that match nowhere, each sharing its first letter with many words of the text,
  // and one that matches in many records.
  for (const char* query : {"Петренко", "Pyotrovsky", "Kovalev", "Дегтярёв Пётр", "Kuznetsov"}) {
    const core::SearchQuery q(query);
    const std::string raw = query;
    std::size_t raw_hits = 0;
    const double floor = best_of_3(records, [&](const std::string& r) {
      return memmem(r.data(), r.size(), raw.data(), raw.size()) != nullptr;
    }, &raw_hits);
    const double scan = best_of_3(records, [&](const std::string& r) { return q.matches(r); }, &hits);
    std::printf("query %-16s matches %5.1f%% (memmem %5.1f%%)  %7.1f MB/s  %5.2fx memmem's time  %5.2fx faster than search_fold\n",
                query, 100.0 * static_cast<double>(hits) / static_cast<double>(records.size()),
                100.0 * static_cast<double>(raw_hits) / static_cast<double>(records.size()), mbytes / scan, scan / floor,
                fold / scan);
  }
}
