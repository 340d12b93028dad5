// Attachment blobs: seal (attach) and open (extract) throughput on a large file, against raw
// libsodium on the same buffers and Debian's `age` on the same file in the same run, with peak
// RSS. Figures: docs/PERFORMANCE.md, "Attachments".
//
// Usage: bench_blob [MiB] [runs]   (default 1024 MiB, best of 3). Files go to $TMPDIR (or /tmp)
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

double best_of(int runs, const std::function<bool()>& f) {
  double best = 1e30;
  for (int i = 0; i < runs; ++i) {
    const double t0 = now();
    if (!f()) return -1;
    best = std::min(best, now() - t0);
  }
  return best;
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
double raw_sodium(uint64_t total, int threads, int runs, bool xchacha) {
  return best_of(runs, [&] {
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
      ts.emplace_back([&, t] {
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
        (void)t;
      });
    }
    for (auto& th : ts) th.join();
    return true;
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (!crypto::init()) return 1;
  const uint64_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1024;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
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
  std::printf("file: %llu MiB in %s, best of %d\n", static_cast<unsigned long long>(mib),
              dir.c_str(), runs);

  const crypto::SecretBuffer key = crypto::SecretBuffer::random(crypto::kBlobKeyBytes);
  const std::string ad_s = "bench attachment";
  const std::span<const uint8_t> ad(reinterpret_cast<const uint8_t*>(ad_s.data()), ad_s.size());

  auto seal = [&](int threads) {
    return best_of(runs, [&] {
      int in = ::open(plain.c_str(), O_RDONLY);
      int out = ::open(sealed.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      auto r = crypto::blob_seal(in, out, key, ad, threads);
      ::close(in);
      ::close(out);
      if (!r.is_ok()) std::printf("seal failed: %s\n", r.status().message().c_str());
      return r.is_ok();
    });
  };
  auto open = [&](int threads) {
    return best_of(runs, [&] {
      int in = ::open(sealed.c_str(), O_RDONLY);
      int out = ::open(opened.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      auto r = crypto::blob_open(in, out, key, ad, threads);
      ::close(in);
      ::close(out);
      if (!r.is_ok()) std::printf("open failed: %s\n", r.status().message().c_str());
      return r.is_ok() && r->plaintext_bytes == total;
    });
  };
  auto check = [&] {
    return best_of(runs, [&] {
      int in = ::open(sealed.c_str(), O_RDONLY);
      auto r = crypto::blob_check(in, key, ad);
      ::close(in);
      return r.is_ok();
    });
  };

  const double seal1 = seal(1), open1 = open(1);
  const double seal2 = seal(2), open2 = open(2), check2 = check();
  const uint64_t sealed_bytes = fs::file_size(sealed);
  struct rusage self {};
  getrusage(RUSAGE_SELF, &self);
  const long rss_kib = self.ru_maxrss;

  const double raw1 = raw_sodium(total, 1, runs, false);
  const double raw2 = raw_sodium(total, 2, runs, false);
  const double rawx = raw_sodium(total, 1, runs, true);

  std::printf("\n%-44s %8s %9s\n", "figure", "seconds", "GB/s");
  auto row = [&](const char* what, double s) {
    if (s < 0) std::printf("%-44s   failed\n", what);
    else std::printf("%-44s %8.3f %9.2f\n", what, s, gbs(total, s));
  };
  row("blob_seal, 1 thread (attach)", seal1);
  row("blob_open, 1 thread (extract)", open1);
  row("blob_seal, 2 threads (attach)", seal2);
  row("blob_open, 2 threads (extract)", open2);
  row("blob_check (verify, 2 threads)", check2);
  row("raw chacha20poly1305-ietf, 1 thread, memory", raw1);
  row("raw chacha20poly1305-ietf, 2 threads, memory", raw2);
  row("raw xchacha20poly1305-ietf, 1 thread, memory", rawx);

  double age_enc = -1, age_dec = -1;
  long age_rss = 0;
  if (have("age") && have("age-keygen")) {
    const fs::path id = dir / "identity.txt", rec = dir / "recipient.txt";
    if (run({"age-keygen", "-o", id.string()}, nullptr) &&
        std::system(("age-keygen -y " + id.string() + " > " + rec.string()).c_str()) == 0) {
      const std::string r = read_line(rec);
      const fs::path age_out = dir / "plain.age", age_dec_out = dir / "plain.dec";
      age_enc = best_of(runs, [&] {
        return run({"age", "-r", r, "-o", age_out.string(), plain.string()}, &age_rss);
      });
      age_dec = best_of(runs, [&] {
        return run({"age", "-d", "-i", id.string(), "-o", age_dec_out.string(), age_out.string()},
                   &age_rss);
      });
    }
    row("age -r (encrypt), same file", age_enc);
    row("age -d (decrypt), same file", age_dec);
  } else {
    std::printf("age not installed: no age baseline (apt-get install age)\n");
  }

  std::printf("\nsealed size: %llu bytes for %llu (padding + tags: %.3f%%)\n",
              static_cast<unsigned long long>(sealed_bytes), static_cast<unsigned long long>(total),
              100.0 * static_cast<double>(sealed_bytes - total) / static_cast<double>(total));
  std::printf("peak RSS of this process (seal + open): %ld KiB\n", rss_kib);
  if (age_rss > 0) std::printf("peak RSS of age: %ld KiB\n", age_rss);
  if (age_enc > 0 && age_dec > 0) {
    std::printf("ratio vs age (age time / our time, >= 1.0 is the goal): attach %.2f, extract %.2f\n",
                age_enc / seal2, age_dec / open2);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
