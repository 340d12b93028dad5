// Redaction benchmark: throughput of one Session over ~100 MB of synthetic testimony with
// registers of 10, 1,000 and 10,000 people; register compile time; peak memory.
// Baseline in the same process: search_fold (a table-driven transliteration fold) over the
// same text. Usage: bench_redact [MB] [people...]   (default: 100 10 1000 10000)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "src/redact/engine.h"
#include "src/search.h"

using namespace fieldnotes;
using Clock = std::chrono::steady_clock;

namespace {

const char* kFirst[] = {"Юрий", "Кирилл", "Андрей", "Сергей", "Дмитрий", "Алексей", "Иван", "Павел", "Олег", "Никита",
                        "Галина", "Анна", "Ольга", "Мария", "Елена", "Наталья", "Тарас", "Богдан", "Оксана", "Микола"};
const char* kPatr[] = {"Андреевич", "Петрович", "Сергеевич", "Иванович", "Олегович", "Андреевна", "Петровна", "Сергеевна"};
const char* kSurRoots[] = {"Дегтяр", "Лобан", "Шестак", "Трифон", "Орех", "Соколов", "Кузнец", "Морозов", "Волк", "Зайц",
                           "Павл", "Семён", "Голуб", "Виноград", "Карп", "Лебед", "Медвед", "Гусев", "Титов", "Комар"};
const char* kSurEnd[] = {"ов", "ев", "ин", "енко", "ук", "ский"};
const char* kWords[] = {"свидетель", "сказал", "что", "командир", "роты", "забрал", "телефон", "и", "в", "на",
                        "отказался", "идти", "штурм", "после", "этого", "мать", "сына", "звонил", "марта", "года",
                        "the", "witness", "said", "that", "unit", "commander", "took", "phone", "in", "March"};

std::string surname(std::mt19937& rng, int i) {
  return std::string(kSurRoots[i % 20]) + kSurEnd[(i / 20) % 6] + (i >= 120 ? std::string(1, "абвгдежзиклмнопрстуф"[0]) : "");
}

std::vector<redact::PersonEntry> make_register(int n, std::mt19937& rng) {
  std::vector<redact::PersonEntry> out;
  for (int i = 0; i < n; ++i) {
    redact::PersonEntry p;
    // distinct surnames beyond the roots: add a numbered syllable in Cyrillic letters
    static const char* kSyl[] = {"ба", "ве", "ги", "до", "жу", "зя", "ко", "ли", "мо", "ну", "пе", "ро", "си", "ту", "фа", "хе"};
    std::string sur = std::string(kSurRoots[i % 20]) + kSyl[(i / 20) % 16] + kSyl[(i / 320) % 16] + kSurEnd[i % 6];
    p.name = sur + " " + kFirst[rng() % 20] + " " + kPatr[rng() % 8];
    p.role = "client";
    p.phones = {"+7 916 " + std::to_string(100 + i % 900) + "-" + std::to_string(10 + i % 90) + "-" + std::to_string(10 + (i / 90) % 90)};
    out.push_back(std::move(p));
  }
  return out;
}

std::string make_text(std::size_t bytes, const std::vector<redact::PersonEntry>& reg, std::mt19937& rng) {
  std::string s;
  s.reserve(bytes + 256);
  while (s.size() < bytes) {
    int r = static_cast<int>(rng() % 40);
    if (r == 0 && !reg.empty()) {
      // A surname (the first word of a register name). One entry for both calls: cutting one
      // name at another's length left invalid UTF-8 in the text (repaired, at a cost).
      const std::string& name = reg[rng() % reg.size()].name;
      s += name.substr(0, name.find(' '));
    }
    else if (r == 1) s += "+7 916 555-01-" + std::to_string(10 + rng() % 90);
    else if (r == 2) s += std::string(kFirst[rng() % 20]);
    else s += kWords[rng() % 30];
    s += (rng() % 15 == 0) ? ".\n" : " ";
  }
  return s;
}

double now_s() { return std::chrono::duration<double>(Clock::now().time_since_epoch()).count(); }

long peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mb = argc > 1 ? std::stoul(argv[1]) : 100;
  std::vector<int> sizes;
  for (int i = 2; i < argc; ++i) sizes.push_back(std::stoi(argv[i]));
  if (sizes.empty()) sizes = {10, 1000, 10000};
  std::mt19937 rng(7);
  // The text mentions people of a 10,000-person register whichever registers are measured, so
  // that `bench_redact 100 1000` redacts the same text as the full run (with 1,000 registered,
  // nine mentions in ten are of people the register does not hold: found by heuristics).
  auto full_reg = make_register(std::max(10000, *std::max_element(sizes.begin(), sizes.end())), rng);
  std::string text = make_text(mb << 20, full_reg, rng);
  std::printf("text: %.1f MB; peak RSS before engines: %ld MiB\n", static_cast<double>(text.size()) / 1e6, peak_rss_mib());

  double t0 = now_s();
  std::string folded;
  folded.reserve(text.size());
  core::search_fold(text, &folded);
  double base = now_s() - t0;
  std::printf("baseline search_fold: %.2f s, %.1f MB/s\n", base, static_cast<double>(text.size()) / 1e6 / base);
  folded.clear();
  folded.shrink_to_fit();

  constexpr std::size_t kChunk = 1 << 20;  // as `fieldnotes redact` feeds the engine
  for (int n : sizes) {
    std::vector<redact::PersonEntry> reg(full_reg.begin(), full_reg.begin() + n);
    double c0 = now_s();
    auto engine = redact::Engine::compile(reg);
    double compile = now_s() - c0;
    redact::Session session(*engine);
    std::size_t out_bytes = 0;
    double r0 = now_s();
    for (std::size_t off = 0; off < text.size();) {
      std::size_t end = std::min(text.size(), off + kChunk);
      while (end < text.size() && text[end - 1] != '\n') ++end;
      out_bytes += session.redact(std::string_view(text).substr(off, end - off)).size();
      off = end;
    }
    double t = now_s() - r0;
    std::printf("people %5d: compile %.3f s; redact %.2f s, %.1f MB/s (%.2fx the baseline's time); out %.1f MB; peak RSS %ld MiB\n",
                n, compile, t, static_cast<double>(text.size()) / 1e6 / t, t / base, static_cast<double>(out_bytes) / 1e6, peak_rss_mib());
  }
}
