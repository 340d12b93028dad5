// libFuzzer target for the bundle reader: the decrypted payload of a bundle (tar, manifest,
// sums, signature) is attacker-controlled once a sender's age key is known.
// Build: cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DFIELDNOTES_FUZZ=ON
//        cmake --build build-fuzz --target fuzz_bundle && build-fuzz/tests/fuzz/fuzz_bundle -max_total_time=60
// Property checked besides "no crash": an accepted signed bundle has a 32-hex-digit id, a
// positive sequence and records whose bodies are valid UTF-8 (tar_write of what was read
// round-trips).
#include <cstdint>
#include <cstdlib>

#include "crypto/secret.h"
#include "src/bundle.h"
#include "src/tar.h"
#include "src/strings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool ok = fieldnotes::crypto::init();
  if (!ok) std::abort();
  std::span<const uint8_t> in(data, size);
  std::array<uint8_t, 32> fh{};
  for (bool allow : {false, true}) {
    auto r = fieldnotes::core::open_payload(in, "age1recipient", false, fh, allow);
    if (!r) continue;
    if (r->kind == fieldnotes::core::BundleKind::kSigned && (r->bundle_id.size() != 32 || r->sequence < 1)) std::abort();
    for (const auto& rec : r->records)
      if (!fieldnotes::core::is_valid_utf8(rec.body)) std::abort();
  }
  auto t = fieldnotes::core::tar_read(in);
  if (t) {
    auto again = fieldnotes::core::tar_write(*t);
    if (!again) std::abort();
    auto back = fieldnotes::core::tar_read(*again);
    if (!back || back->size() != t->size()) std::abort();
    for (std::size_t i = 0; i < t->size(); ++i)
      if ((*back)[i].path != (*t)[i].path || (*back)[i].data != (*t)[i].data) std::abort();
  }
  return 0;
}
