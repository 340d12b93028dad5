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
#include "vault/keyslots.h"

using namespace fieldnotes;
using namespace fieldnotes::vault;
using crypto::SecretBuffer;
namespace fs = std::filesystem;

namespace {

struct Vector {
  std::map<std::string, std::string> headers;
  std::vector<uint8_t> bytes;
};

std::vector<uint8_t> unhex(const std::string& h) {
  std::vector<uint8_t> out(h.size() / 2 + 1);
  size_t n = 0;
  REQUIRE(sodium_hex2bin(out.data(), out.size(), h.data(), h.size(), "\n ", &n, nullptr) == 0);
  out.resize(n);
  return out;
}

Vector load(const fs::path& p) {
  std::ifstream f(p);
  Vector v;
  std::string line, hex;
  bool body = false;
  while (std::getline(f, line)) {
    if (!body && line.empty()) { body = true; continue; }
    if (body) { hex += line; continue; }
    auto colon = line.find(": ");
    REQUIRE(colon != std::string::npos);
    v.headers[line.substr(0, colon)] = line.substr(colon + 2);
  }
  v.bytes = unhex(hex);
  return v;
}

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
    Vector v = load(p);
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
      // canonical: serialising what was parsed gives the same bytes
      CHECK(f->serialize(*master) == v.bytes);
      CHECK(f->is_test_profile());
    }
  }
}

TEST_CASE("envelope vectors") {
  REQUIRE(sodium_init() >= 0);
  auto files = files_in("envelope");
  REQUIRE(files.size() >= 4);
  for (const auto& p : files) {
    Vector v = load(p);
    INFO(p.filename().string());
    auto key = SecretBuffer::copy_of(unhex(v.headers.at("record-key")));
    auto r = envelope_open(key, v.headers.at("table"), v.headers.at("field"), v.headers.at("uuid"), v.bytes);
    CHECK(code_name(r.status().code()) == v.headers.at("expect"));
    if (r.is_ok()) CHECK(crypto::ct_equal(r->bytes(), unhex(v.headers.at("plaintext-hex"))));
  }
}
