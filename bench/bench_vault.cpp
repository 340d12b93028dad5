// Vault benchmark: batch import, list and search against a bare SQLCipher read of the same rows
// in the same run. Usage: bench_vault [N ...]   (default: 10000 100000)
// Prints one line per figure; docs/PERFORMANCE.md records them.
#include <sodium.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "crypto/kdf.h"
#include "src/search.h"
#include "vault/keyslots.h"
#include "vault/vault.h"

using namespace fieldnotes;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double secs(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Synthetic testimony of ~2 KiB: Russian and English words, a few names and numbers.
std::string make_body(std::mt19937& rng, std::size_t size) {
  static const char* words[] = {"свидетель", "сказал", "что", "командир", "роты", "забрал", "телефон",
                                "the", "witness", "said", "that", "unit", "commander", "took", "phone",
                                "Иванов", "Petrov", "в/ч", "12345", "2024", "года", "марта", "refused",
                                "отказался", "идти", "на", "штурм", "Воронеж", "Kharkiv", "mother"};
  std::string s;
  std::uniform_int_distribution<std::size_t> pick(0, sizeof words / sizeof *words - 1);
  while (s.size() < size) {
    s += words[pick(rng)];
    s += (rng() % 13 == 0) ? ".\n" : " ";
  }
  s.resize(size);
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();  // whole UTF-8
  if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
  return s;
}

void run(std::size_t n) {
  std::string t = (fs::temp_directory_path() / "fn-bench-XXXXXX").string();
  if (!mkdtemp(t.data())) return;
  fs::path dir = fs::path(t) / "v";
  auto pass = crypto::SecretBuffer::copy_of(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("bench"), 5));
  (void)vault::Vault::create(dir, pass, crypto::KdfProfile::kTest);
  auto v = std::move(vault::Vault::open(dir, {vault::SlotKind::kPassphrase, crypto::SecretBuffer::copy_of(pass.bytes())})).value();

  std::mt19937 rng(42);
  std::vector<std::string> bodies(n);
  for (auto& b : bodies) b = make_body(rng, 2048);
  bodies[n / 2] += " Дегтярёв";
  std::vector<vault::NewRecord> rs(n);
  for (std::size_t i = 0; i < n; ++i) {
    rs[i].header.title = "Record " + std::to_string(i);
    rs[i].header.case_name = "Case " + std::to_string(i % 50);
    rs[i].body = bodies[i];
  }
  auto t0 = Clock::now();
  constexpr std::size_t kBatch = 10000;  // as `import` of a directory of this many files
  for (std::size_t i = 0; i < n; i += kBatch) {
    std::vector<vault::NewRecord> batch(rs.begin() + static_cast<long>(i), rs.begin() + static_cast<long>(std::min(n, i + kBatch)));
    auto ids = v->add_records(batch);
    if (!ids) { std::fprintf(stderr, "import failed: %s\n", ids.status().message().c_str()); return; }
  }
  auto t1 = Clock::now();
  std::printf("import   n=%zu  %.2f s  %.0f records/s\n", n, secs(t0, t1), static_cast<double>(n) / secs(t0, t1));

  // Bare SQLCipher read of the same rows: the floor.
  double bare = 1e9, list = 1e9, search = 1e9;
  for (int rep = 0; rep < 3; ++rep) {
    v.reset();
    // Re-open so that each measurement starts with a cold SQLCipher page cache.
    auto a = Clock::now();
    {
      auto f = vault::KeyslotFile::parse([&] {
        std::vector<uint8_t> b(fs::file_size(dir / "keyslots"));
        FILE* fp = std::fopen((dir / "keyslots").c_str(), "rb");
        std::size_t got = std::fread(b.data(), 1, b.size(), fp);
        std::fclose(fp);
        b.resize(got);
        return b;
      }());
      auto master = f->unlock(vault::SlotKind::kPassphrase, pass.bytes());
      auto db = std::move(vault::Database::open(dir / "vault.db", crypto::kdf_derive_subkey(*master, crypto::Subkey::kDatabase), false)).value();
      a = Clock::now();
      auto q = std::move(db.prepare("SELECT id, uuid, epoch, wrapped_key, header, body FROM records ORDER BY id")).value();
      std::size_t bytes = 0;
      for (auto step = q.step(); step.is_ok() && *step == vault::Step::kRow; step = q.step())
        bytes += q.blob(3).size() + q.blob(4).size() + q.blob(5).size() + q.text(1).size();
      auto b = Clock::now();
      bare = std::min(bare, secs(a, b));
      if (rep == 0) std::printf("bare     n=%zu  read %.1f MB of sealed rows\n", n, static_cast<double>(bytes) / 1e6);
    }
    v = std::move(vault::Vault::open(dir, {vault::SlotKind::kPassphrase, crypto::SecretBuffer::copy_of(pass.bytes())})).value();
    a = Clock::now();
    std::size_t listed = 0;
    (void)v->for_each_record(false, [&](const vault::Record&) { ++listed; return true; });
    auto b = Clock::now();
    list = std::min(list, secs(a, b));
    core::SearchQuery q("Degtyarev");
    std::size_t hits = 0;
    a = Clock::now();
    auto found = v->find_records([&](const vault::Record& r) { return q.matches(r.header.title) || q.matches(r.body); });
    hits = found ? found->size() : 0;
    b = Clock::now();
    search = std::min(search, secs(a, b));
    if (hits != 1 || listed != n) std::fprintf(stderr, "wrong results: hits %zu listed %zu\n", hits, listed);
  }
  std::printf("bare     n=%zu  %.3f s (SQLCipher full-table read, best of 3)\n", n, bare);
  std::printf("list     n=%zu  %.3f s  ratio to bare %.2f\n", n, list, list / bare);
  std::printf("search   n=%zu  %.3f s  ratio to bare %.2f\n", n, search, search / bare);
  v.reset();
  fs::remove_all(t);
}

}  // namespace

int main(int argc, char** argv) {
  if (!crypto::init()) return 1;
  std::vector<std::size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::stoul(argv[i]));
  if (sizes.empty()) sizes = {10000, 100000};
  for (auto n : sizes) run(n);
}
