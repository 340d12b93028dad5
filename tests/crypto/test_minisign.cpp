// crypto/minisign: sign/verify, every tampering refused with its code, key formats, and
// interop with Debian's minisign binary when installed.
#include <catch2/catch.hpp>

#include <sodium.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "crypto/minisign.h"
#include "crypto/secret.h"

using namespace fieldnotes;
using namespace fieldnotes::crypto;
namespace fs = std::filesystem;

#include "tests/test_support.h"

namespace {

using namespace fieldnotes::test;

struct Init {
  Init() { if (!crypto::init()) std::abort(); }
} const init_once;

std::vector<uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
void write_text(const fs::path& p, std::string_view s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}

// Replaces line `n` (0-based) of a signature file.
std::string with_line(const std::string& sig, int n, const std::string& line) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < sig.size()) {
    auto e = sig.find('\n', pos);
    lines.push_back(sig.substr(pos, e - pos));
    pos = e + 1;
  }
  lines[static_cast<std::size_t>(n)] = line;
  std::string out;
  for (auto& l : lines) out += l + "\n";
  return out;
}

std::string line_of(const std::string& sig, int n) {
  std::size_t pos = 0;
  for (int i = 0; i < n; ++i) pos = sig.find('\n', pos) + 1;
  return sig.substr(pos, sig.find('\n', pos) - pos);
}

// Flips one bit of the decoded bytes of a base64 line at byte `i`.
std::string flip_b64(const std::string& line, std::size_t i) {
  std::vector<uint8_t> raw(line.size());
  std::size_t n = 0;
  REQUIRE(sodium_base642bin(raw.data(), raw.size(), line.data(), line.size(), nullptr, &n, nullptr,
                            sodium_base64_VARIANT_ORIGINAL) == 0);
  raw[i] ^= 1;
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), n, sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();
  return out;
}

}  // namespace

TEST_CASE("minisign: sign then verify returns the trusted comment") {
  MinisignSecretKey sk = MinisignSecretKey::generate();
  auto msg = bytes_of("SHA256SUMS of a synthetic bundle\n");
  auto sig = minisign_sign(sk, msg, "bundle 42 seq 7", "signature from fieldnotes");
  REQUIRE(sig);
  CHECK(sig->starts_with("untrusted comment: signature from fieldnotes\nRU"));  // base64("ED")
  auto tc = minisign_verify(sk.public_key(), msg, sig.value());
  REQUIRE(tc);
  CHECK(tc.value() == "bundle 42 seq 7");
  // CRLF line ends are tolerated.
  std::string crlf;
  for (char c : sig.value()) { if (c == '\n') crlf += '\r'; crlf += c; }
  CHECK(minisign_verify(sk.public_key(), msg, crlf));
}

TEST_CASE("minisign: tampering is refused with a typed failure") {
  MinisignSecretKey sk = MinisignSecretKey::generate();
  MinisignPublicKey pk = sk.public_key();
  auto msg = bytes_of("synthetic message");
  std::string sig = minisign_sign(sk, msg, "trusted").value();

  auto other = bytes_of("synthetic messagE");
  CHECK(minisign_verify(pk, other, sig).status().code() == Code::kCorrupt);
  CHECK(minisign_verify(pk, {}, sig).status().code() == Code::kCorrupt);
  CHECK(minisign_verify(pk, msg, with_line(sig, 2, "trusted comment: trusteD")).status().code() ==
        Code::kCorrupt);
  CHECK(minisign_verify(pk, msg, with_line(sig, 1, flip_b64(line_of(sig, 1), 10 + 5)))
            .status().code() == Code::kCorrupt);  // signature byte
  CHECK(minisign_verify(pk, msg, with_line(sig, 3, flip_b64(line_of(sig, 3), 5)))
            .status().code() == Code::kCorrupt);  // global signature byte
  CHECK(minisign_verify(pk, msg, with_line(sig, 1, flip_b64(line_of(sig, 1), 3)))
            .status().code() == Code::kNotThisKey);  // key id
  CHECK(minisign_verify(pk, msg, with_line(sig, 1, flip_b64(line_of(sig, 1), 1)))
            .status().code() == Code::kUnsupported);  // "ED" -> "EE"
  CHECK(minisign_verify(pk, msg, with_line(sig, 0, "comment: x")).status().code() ==
        Code::kInvalidInput);
  CHECK(minisign_verify(pk, msg, with_line(sig, 2, "trusted: x")).status().code() ==
        Code::kInvalidInput);
  CHECK(minisign_verify(pk, msg, sig.substr(0, sig.size() / 2)).status().code() ==
        Code::kInvalidInput);
  CHECK(minisign_verify(pk, msg, sig + "extra line\n").status().code() == Code::kInvalidInput);
  CHECK(minisign_verify(pk, msg, "").status().code() == Code::kInvalidInput);

  MinisignSecretKey sk2 = MinisignSecretKey::generate();
  CHECK(minisign_verify(sk2.public_key(), msg, sig).status().code() == Code::kNotThisKey);
  // Same key id, different key: the signature does not verify.
  auto imposter = MinisignPublicKey::from_parts(pk.key_id(), sk2.public_key().key());
  CHECK(minisign_verify(imposter, msg, sig).status().code() == Code::kCorrupt);

  CHECK_FALSE(minisign_sign(sk, msg, "two\nlines"));
  CHECK_FALSE(minisign_sign(sk, msg, "ok", "un\rtrusted"));
  CHECK_FALSE(minisign_sign(sk, msg, std::string(kMinisignMaxCommentBytes + 1, 'x')));
}

TEST_CASE("minisign: public key forms and raw Ed25519 keys") {
  MinisignSecretKey sk = MinisignSecretKey::generate();
  MinisignPublicKey pk = sk.public_key();
  std::string one = pk.to_base64();
  CHECK(one.starts_with("RW"));
  CHECK(one.size() == 56);
  CHECK(MinisignPublicKey::parse(one).value() == pk);
  std::string file = pk.to_file();
  CHECK(file.starts_with("untrusted comment: minisign public key " + pk.key_id_hex() + "\n"));
  CHECK(MinisignPublicKey::parse(file).value() == pk);
  CHECK(pk.key_id_hex().size() == 16);
  CHECK(MinisignPublicKey::parse("RWQ").status().code() == Code::kInvalidInput);
  CHECK(MinisignPublicKey::parse("garbage\nlines\nhere").status().code() == Code::kInvalidInput);

  std::array<uint8_t, 32> seed;
  random_bytes(seed);
  std::array<uint8_t, 32> pkbytes;
  SecretBuffer sk64(64);
  crypto_sign_ed25519_seed_keypair(pkbytes.data(), sk64.data(), seed.data());
  MinisignKeyId id = MinisignSecretKey::derive_key_id(pkbytes);
  CHECK(id == MinisignSecretKey::derive_key_id(pkbytes));
  auto a = MinisignSecretKey::from_ed25519(seed, id);
  auto b = MinisignSecretKey::from_ed25519(sk64.bytes(), id);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->public_key() == b->public_key());
  CHECK(std::equal(pkbytes.begin(), pkbytes.end(), a->public_key().key().begin()));
  auto msg = bytes_of("m");
  CHECK(minisign_verify(b->public_key(), msg, minisign_sign(a.value(), msg, "t").value()));
  sk64.data()[40] ^= 1;  // public half no longer matches the seed
  CHECK(MinisignSecretKey::from_ed25519(sk64.bytes(), id).status().code() == Code::kInvalidInput);
  CHECK_FALSE(MinisignSecretKey::from_ed25519(std::vector<uint8_t>(31), id));
}

TEST_CASE("minisign interop: Debian's minisign verifies ours, we verify its signatures") {
  if (!have_tool("minisign")) {
    std::cout << "SKIPPED: minisign not installed (apt-get install minisign)\n";
    WARN("SKIPPED: minisign interop, binary not installed");
    return;
  }
  TempDir tmp;
  const fs::path msg = tmp.path / "SHA256SUMS";
  const std::string content = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.md\n";
  write_text(msg, content);
  auto msgb = bytes_of(content);

  SECTION("our signature passes minisign -V with -P and with -p; tampering fails") {
    MinisignSecretKey sk = MinisignSecretKey::generate();
    write_text(tmp.path / "SHA256SUMS.minisig",
               minisign_sign(sk, msgb, "bundle 1 to 2 recipients").value());
    write_text(tmp.path / "pub.key", sk.public_key().to_file());
    const std::string base = "minisign -q -V -m " + msg.string() + " ";
    CHECK(std::system((base + "-P " + sk.public_key().to_base64()).c_str()) == 0);
    CHECK(std::system((base + "-p " + (tmp.path / "pub.key").string()).c_str()) == 0);
    write_text(msg, content + "x");
    CHECK(std::system((base + "-P " + sk.public_key().to_base64() + " 2>/dev/null").c_str()) != 0);
  }
  SECTION("minisign -G -W (no password) then -S: we verify, and refuse legacy -l") {
    const std::string pub = (tmp.path / "m.pub").string(), sec = (tmp.path / "m.key").string();
    REQUIRE(std::system(("minisign -G -W -p " + pub + " -s " + sec + " >/dev/null").c_str()) == 0);
    REQUIRE(std::system(("minisign -S -s " + sec + " -m " + msg.string() +
                         " -t 'made by minisign' >/dev/null")
                            .c_str()) == 0);
    auto pk = MinisignPublicKey::parse(read_text(pub));
    REQUIRE(pk);
    auto tc = minisign_verify(pk.value(), msgb, read_text(tmp.path / "SHA256SUMS.minisig"));
    REQUIRE(tc);
    CHECK(tc.value() == "made by minisign");
    auto tampered = msgb;
    tampered[0] ^= 1;
    CHECK(minisign_verify(pk.value(), tampered, read_text(tmp.path / "SHA256SUMS.minisig"))
              .status().code() == Code::kCorrupt);
    if (std::system(("minisign -S -l -s " + sec + " -m " + msg.string() + " >/dev/null 2>&1").c_str()) == 0) {
      CHECK(minisign_verify(pk.value(), msgb, read_text(tmp.path / "SHA256SUMS.minisig"))
                .status().code() == Code::kUnsupported);
    }
  }
}
