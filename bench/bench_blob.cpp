// Attachment blobs: seal (attach) and open (extract) throughput on a large file, against raw
// libsodium on the same buffers and Debian's `age` on the same file in the same run, with peak
// RSS. Figures: docs/PERFORMANCE.md, "Attachments".
//
// Usage: bench_blob [MiB] [rounds]   (default 1024 MiB, 5 interleaved rounds). Files go to $TMPDIR (or /tmp)
// and are removed at the end.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <sodium.h>

#include "crypto/blob_stream.h"

using namespace fieldnotes;
namespace fs = std::filesystem;

extern char** environ;

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Runs a command; returns false if it could not run or failed. Adds its peak RSS (KiB) to *rss.
bool run(const std::vector<std::string>& argv, long* rss) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return false;
  int status = 0;
  struct rusage ru {};
  if (wait4(pid, &status, 0, &ru) < 0) return false;
  if (rss) *rss = std::max(*rss, ru.ru_maxrss);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool have(const char* tool) {
  const std::string cmd = std::string("command -v ") + tool + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

std::string read_line(const fs::path& p) {
  std::ifstream f(p);
  std::string s;
  std::getline(f, s);
  return s;
}

double gbs(uint64_t bytes, double secs) { return static_cast<double>(bytes) / secs / 1e9; }

// Raw libsodium: ChaCha20-Poly1305-IETF over 64 KiB chunks of one 1 MiB buffer, `total` bytes in
// all, split over `threads` threads. The same primitive and chunk size as the blob format, with
// no I/O, padding or ordering.
void raw_sodium(uint64_t total, int threads, bool xchacha) {
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&] {
      std::vector<uint8_t> buf(1 << 20), key(32);
      randombytes_buf(buf.data(), buf.size());
      randombytes_buf(key.data(), key.size());
      uint8_t nonce[24] = {};
      uint8_t tag[16];
      const uint64_t mine = total / static_cast<uint64_t>(threads);
      for (uint64_t done = 0; done < mine; done += buf.size()) {
        for (std::size_t off = 0; off < buf.size(); off += crypto::kBlobChunkBytes) {
          nonce[0]++;
          if (xchacha)
            crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
                buf.data() + off, tag, nullptr, buf.data() + off, crypto::kBlobChunkBytes,
                nullptr, 0, nullptr, nonce, key.data());
          else
            crypto_aead_chacha20poly1305_ietf_encrypt_detached(
                buf.data() + off, tag, nullptr, buf.data() + off, crypto::kBlobChunkBytes,
                nullptr, 0, nullptr, nonce, key.data());
        }
      }
    });
  }
  for (auto& th : ts) th.join();
}

}  // namespace

int main(int argc, char** argv) {
  if (!crypto::init()) return 1;
  const uint64_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1024;
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  const uint64_t total = mib << 20;
  const char* tmp = std::getenv("TMPDIR");
  const fs::path dir = fs::path(tmp && *tmp ? tmp : "/tmp") /
                       ("fieldnotes-bench-blob-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path plain = dir / "plain", sealed = dir / "sealed", opened = dir / "opened";

  {  // A file of random bytes (synthetic), written in 1 MiB pieces.
    std::vector<uint8_t> buf(1 << 20);
    int fd = ::open(plain.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    for (uint64_t i = 0; i < mib; ++i) {
      randombytes_buf(buf.data(), buf.size());
      if (::write(fd, buf.data(), buf.size()) != static_cast<ssize_t>(buf.size())) return 1;
    }
    ::close(fd);
  }
  std::printf("file: %llu MiB in %s\n", static_cast<unsigned long long>(mib), dir.c_str());

  const crypto::SecretBuffer key = crypto::SecretBuffer::random(crypto::kBlobKeyBytes);
  const std::string ad_s = "bench attachment";
  const std::span<const uint8_t> ad(reinterpret_cast<const uint8_t*>(ad_s.data()), ad_s.size());

  // Every figure is measured once per round and the rounds interleave, so that load from other
  // processes on the machine hits ours and age's alike; each figure is its best round, and the
  // ratios against age are also given per round (median).
  struct Figure {
    const char* name;
    std::function<bool()> run;
    std::vector<fs::path> outputs;
    std::vector<double> times;
  };
  auto seal_fn = [&](int threads) {
    return [&, threads] {
      int in = ::open(plain.c_str(), O_RDONLY);
      int out = ::open(sealed.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      auto r = crypto::blob_seal(in, out, key, ad, threads);
      ::close(in);
      ::close(out);
      if (!r.is_ok()) std::printf("seal failed: %s\n", r.status().message().c_str());
      return r.is_ok();
    };
  };
  auto open_fn = [&](int threads) {
    return [&, threads] {
      int in = ::open(sealed.c_str(), O_RDONLY);
      int out = ::open(opened.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      auto r = crypto::blob_open(in, out, key, ad, threads);
      ::close(in);
      ::close(out);
      if (!r.is_ok()) std::printf("open failed: %s\n", r.status().message().c_str());
      return r.is_ok() && r->plaintext_bytes == total;
    };
  };
  auto raw_fn = [&](int threads, bool xchacha) {
    return [&, threads, xchacha] {
      raw_sodium(total, threads, xchacha);
      return true;
    };
  };

  std::vector<Figure> figs;
  figs.push_back({"blob_seal, 1 thread (attach)", seal_fn(1), {sealed}, {}});
  figs.push_back({"blob_open, 1 thread (extract)", open_fn(1), {opened}, {}});
  figs.push_back({"blob_seal, 2 threads (attach)", seal_fn(2), {sealed}, {}});
  figs.push_back({"blob_open, 2 threads (extract)", open_fn(2), {opened}, {}});
  figs.push_back({"blob_check (verify, 2 threads)", [&] {
                    int in = ::open(sealed.c_str(), O_RDONLY);
                    auto r = crypto::blob_check(in, key, ad);
                    ::close(in);
                    return r.is_ok();
                  }, {}, {}});
  figs.push_back({"raw chacha20poly1305-ietf, 1 thread, memory", raw_fn(1, false), {}, {}});
  figs.push_back({"raw chacha20poly1305-ietf, 2 threads, memory", raw_fn(2, false), {}, {}});
  figs.push_back({"raw xchacha20poly1305-ietf, 1 thread, memory", raw_fn(1, true), {}, {}});

  long age_rss = 0;
  const fs::path id = dir / "identity.txt", rec = dir / "recipient.txt";
  const fs::path age_out = dir / "plain.age", age_dec_out = dir / "plain.dec";
  std::string recipient;
  const bool age = have("age") && have("age-keygen") &&
                   std::system(("age-keygen -o " + id.string() + " 2>/dev/null").c_str()) == 0 &&
                   std::system(("age-keygen -y " + id.string() + " > " + rec.string()).c_str()) == 0;
  if (age) {
    recipient = read_line(rec);
    figs.push_back({"age -r (encrypt), same file", [&] {
                      return run({"age", "-r", recipient, "-o", age_out.string(), plain.string()},
                                 &age_rss);
                    }, {age_out}, {}});
    figs.push_back({"age -d (decrypt), same file", [&] {
                      return run({"age", "-d", "-i", id.string(), "-o", age_dec_out.string(),
                                  age_out.string()}, &age_rss);
                    }, {age_dec_out}, {}});
  } else {
    std::printf("age not installed: no age baseline (apt-get install age)\n");
  }

  for (int round = 0; round < runs; ++round) {
    for (Figure& f : figs) {
      for (const auto& p : f.outputs) {
        std::error_code ec;
        fs::remove(p, ec);
      }
      const double t0 = now();
      const bool ok = f.run();
      f.times.push_back(ok ? now() - t0 : -1);
    }
  }
  const uint64_t sealed_bytes = fs::file_size(sealed);
  struct rusage self {};
  getrusage(RUSAGE_SELF, &self);
  const long rss_kib = self.ru_maxrss;

  std::printf("\n%-46s %8s %9s   (best of %d rounds)\n", "figure", "seconds", "GB/s", runs);
  for (const Figure& f : figs) {
    const double best = *std::min_element(f.times.begin(), f.times.end());
    if (*std::min_element(f.times.begin(), f.times.end()) < 0)
      std::printf("%-46s   failed\n", f.name);
    else
      std::printf("%-46s %8.3f %9.2f\n", f.name, best, gbs(total, best));
  }
  auto median_ratio = [&](const Figure& theirs, const Figure& ours) {
    std::vector<double> r;
    for (std::size_t i = 0; i < ours.times.size(); ++i) r.push_back(theirs.times[i] / ours.times[i]);
    std::sort(r.begin(), r.end());
    return r[r.size() / 2];
  };
  if (age) {
    const Figure& enc = figs[figs.size() - 2];
    const Figure& dec = figs[figs.size() - 1];
    auto best = [](const Figure& f) { return *std::min_element(f.times.begin(), f.times.end()); };
    std::printf("\nratio vs age (age time / our time; goal >= 1.0), 2 threads:\n");
    std::printf("  best vs best:       attach %.2f, extract %.2f\n", best(enc) / best(figs[2]),
                best(dec) / best(figs[3]));
    std::printf("  median per round:   attach %.2f, extract %.2f\n", median_ratio(enc, figs[2]),
                median_ratio(dec, figs[3]));
  }

  std::printf("\nsealed size: %llu bytes for %llu (padding + tags: %.3f%%)\n",
              static_cast<unsigned long long>(sealed_bytes), static_cast<unsigned long long>(total),
              100.0 * static_cast<double>(sealed_bytes - total) / static_cast<double>(total));
  std::printf("peak RSS of this process (seal + open): %ld KiB\n", rss_kib);
  if (age_rss > 0) std::printf("peak RSS of age: %ld KiB\n", age_rss);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
