// The vectors of docs/FORMAT.md: files named after what they break, each with an `expect:`
// line (ok, wrong-key, corrupt, unsupported), headers, a blank line, then the bytes in hex.
#include <catch2/catch.hpp>

#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "crypto/kdf.h"
#include "vault/envelope.h"
#include "tests/test_support.h"
#include "vault/keyslots.h"

using namespace fieldnotes;
using namespace fieldnotes::vault;
using crypto::SecretBuffer;
namespace fs = std::filesystem;
using namespace fieldnotes::test;

namespace {

std::string code_name(Code c) {
  switch (c) {
    case Code::kOk: return "ok";
    case Code::kWrongKey: return "wrong-key";
    case Code::kCorrupt: return "corrupt";
    case Code::kUnsupported: return "unsupported";
    default: return "other";
  }
}

std::vector<fs::path> files_in(const char* sub) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(FIELDNOTES_VECTORS) / sub)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("keyslots vectors") {
  REQUIRE(sodium_init() >= 0);
  auto files = files_in("keyslots");
  REQUIRE(files.size() >= 10);
  for (const auto& p : files) {
    auto v = load_vector(p);
    INFO(p.filename().string());
    const std::string& pw = v.headers.at("passphrase");
    std::span<const uint8_t> pws(reinterpret_cast<const uint8_t*>(pw.data()), pw.size());
    auto f = KeyslotFile::parse(v.bytes);
    Code got = f.status().code();
    Result<SecretBuffer> master = Status{Code::kInvalidInput, ""};
    if (f.is_ok()) {
      master = f->unlock(SlotKind::kPassphrase, pws);
      got = master.status().code();
    }
    CHECK(code_name(got) == v.headers.at("expect"));
    if (v.headers.at("expect") == "ok" && master.is_ok()) {
      auto want = unhex(v.headers.at("master-key"));
      CHECK(crypto::ct_equal(master->bytes(), want));
      auto kek = f->open_epoch(*master, 1);
      REQUIRE(kek.is_ok());
      CHECK(crypto::ct_equal(kek->bytes(), unhex(v.headers.at("epoch-1-kek"))));
      CHECK(f->is_test_profile());
      if (f->major == kKeyslotsMajor) {
        // canonical: serialising what was parsed gives the same bytes
        CHECK(f->serialize(*master) == v.bytes);
      }
    }
  }
}

TEST_CASE("a version-1 key-slot file migrates to exactly the version-2 vector") {
  REQUIRE(sodium_init() >= 0);
  auto v1 = load_vector(fs::path(FIELDNOTES_VECTORS) / "keyslots" / "version_1_good");
  auto v2 = load_vector(fs::path(FIELDNOTES_VECTORS) / "keyslots" / "good");
  auto f = KeyslotFile::parse(v1.bytes);
  REQUIRE(f.is_ok());
  CHECK(f->major == 1);
  auto master = SecretBuffer::copy_of(unhex(v1.headers.at("master-key")));
  CHECK(f->mac_verifies(master));
  // The vectors were written by tests/vectors/tools/make_keyslots_vectors.py, a second
  // implementation: the slots carry over unchanged, the MAC and checksum agree.
  f->sequence = 7;
  CHECK(f->serialize(master) == v2.bytes);
}

TEST_CASE("envelope vectors") {
  REQUIRE(sodium_init() >= 0);
  auto files = files_in("envelope");
  REQUIRE(files.size() >= 4);
  for (const auto& p : files) {
    auto v = load_vector(p);
    INFO(p.filename().string());
    auto key = SecretBuffer::copy_of(unhex(v.headers.at("record-key")));
    auto r = envelope_open(key, v.headers.at("table"), v.headers.at("field"), v.headers.at("uuid"), v.bytes);
    CHECK(code_name(r.status().code()) == v.headers.at("expect"));
    if (r.is_ok()) CHECK(crypto::ct_equal(r->bytes(), unhex(v.headers.at("plaintext-hex"))));
  }
}
