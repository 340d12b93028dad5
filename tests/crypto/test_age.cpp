// crypto/age: HKDF (RFC 5869), Bech32 keys, the C2SP age testkit (every vector), round trips,
// misuse and corruption, and interop with Debian's age / age-keygen when installed.
#include <catch2/catch.hpp>

#include <sodium.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/age.h"
#include "crypto/bech32.h"
#include "crypto/hkdf.h"
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

// The stage at which `r` was refused; kNone when it succeeded (so a check for a refusal fails
// rather than throws on an unexpected success).
template <typename T>
AgeFailure stage_of(const Outcome<T, AgeRefusal>& r) {
  return r.is_ok() ? AgeFailure::kNone : r.failure().stage;
}

std::string sha256_hex(std::span<const uint8_t> b) {
  std::array<uint8_t, crypto_hash_sha256_BYTES> h;
  crypto_hash_sha256(h.data(), b.data(), b.size());
  return hex(h);
}


std::vector<uint8_t> inflate_zlib(std::span<const uint8_t> in) {
  std::vector<uint8_t> out;
  z_stream zs{};
  REQUIRE(inflateInit(&zs) == Z_OK);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  std::array<uint8_t, 65536> buf;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = buf.data();
    zs.avail_out = buf.size();
    rc = inflate(&zs, Z_NO_FLUSH);
    REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
    out.insert(out.end(), buf.data(), buf.data() + (buf.size() - zs.avail_out));
  }
  inflateEnd(&zs);
  return out;
}

std::vector<uint8_t> random_plaintext(std::size_t n) {
  std::vector<uint8_t> p(n);
  random_bytes(p);
  return p;
}

AgeDecryptOptions with_passphrase(std::string pass) {
  AgeDecryptOptions o;
  o.passphrase = [pass]() -> Result<SecretBuffer> { return SecretBuffer::copy_of(bytes_of(pass)); };
  return o;
}

}  // namespace

// ---------------------------------------------------------------------------------------

TEST_CASE("HKDF-SHA256 matches RFC 5869 test cases 1-3") {
  struct Case { std::string ikm, salt, info; size_t len; std::string prk, okm; };
  const Case cases[] = {
      {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
       "f0f1f2f3f4f5f6f7f8f9", 42,
       "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
      {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a"
       "2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
       "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a"
       "8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
       "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9da"
       "dbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
       82, "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41"
       "c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
      {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
       "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
  };
  for (const auto& c : cases) {
    auto ikm = unhex(c.ikm), salt = unhex(c.salt), info = unhex(c.info);
    SecretBuffer prk = hkdf_sha256_extract(salt, ikm);
    CHECK(hex(prk.bytes()) == c.prk);
    SecretBuffer okm = hkdf_sha256_expand(prk.bytes(), info, c.len);
    CHECK(hex(okm.bytes()) == c.okm);
    SecretBuffer okm2 = hkdf_sha256(ikm, salt, std::string(info.begin(), info.end()), c.len);
    CHECK(hex(okm2.bytes()) == c.okm);
  }
}

TEST_CASE("age keys: Bech32 identities and recipients parse, print and reject typos") {
  // The testkit identity; its recipient as age-keygen -y prints it.
  const std::string sk = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
  auto id = AgeIdentity::parse(sk);
  REQUIRE(id);
  CHECK(id->to_string().view() == sk);
  std::string r = id->recipient().to_string();
  CHECK(r.starts_with("age1"));
  CHECK(r.size() == 62);
  auto rp = AgeRecipient::parse(r);
  REQUIRE(rp);
  CHECK(*rp == id->recipient());

  std::string lower = sk;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  CHECK_FALSE(AgeIdentity::parse(lower));                        // hrp is case-sensitive
  std::string mixed = sk;
  mixed[20] = static_cast<char>(::tolower(mixed[20]));
  CHECK(AgeIdentity::parse(mixed).status().code() == Code::kInvalidInput);
  std::string typo = sk;
  typo[30] = typo[30] == 'Q' ? 'P' : 'Q';
  CHECK(AgeIdentity::parse(typo).status().code() == Code::kInvalidInput);
  CHECK(AgeIdentity::parse(sk).status().message().find(sk) == std::string::npos);
  CHECK_FALSE(AgeRecipient::parse(sk));                          // an identity is no recipient
  CHECK_FALSE(AgeIdentity::parse(r));
  CHECK_FALSE(AgeRecipient::parse("age1"));
  CHECK_FALSE(AgeRecipient::parse(""));
  std::string rtypo = r;
  rtypo[10] = rtypo[10] == 'q' ? 'p' : 'q';
  CHECK_FALSE(AgeRecipient::parse(rtypo));

  AgeIdentity g = AgeIdentity::generate();
  auto g2 = AgeIdentity::parse(g.to_string().view());
  REQUIRE(g2);
  CHECK(ct_equal(g.secret().bytes(), g2->secret().bytes()));
  CHECK(AgeRecipient::parse(g.recipient().to_string())->bytes()[0] == g.recipient().bytes()[0]);
  CHECK_FALSE(AgeIdentity::from_secret(std::vector<uint8_t>(31)));
}

// ---------------------------------------------------------------------------------------
// The C2SP age testkit: every file runs.

namespace {

struct Vector {
  std::string name;
  std::multimap<std::string, std::string> headers;
  std::vector<uint8_t> body;
};

Vector load_testkit_file(const fs::path& p) {
  Vector v;
  v.name = p.filename().string();
  auto raw = read_file(p);
  std::size_t pos = 0;
  for (;;) {
    auto nl = std::find(raw.begin() + static_cast<long>(pos), raw.end(), '\n');
    REQUIRE(nl != raw.end());
    std::string line(raw.begin() + static_cast<long>(pos), nl);
    pos = static_cast<std::size_t>(nl - raw.begin()) + 1;
    if (line.empty()) break;
    auto colon = line.find(": ");
    REQUIRE(colon != std::string::npos);
    v.headers.emplace(line.substr(0, colon), line.substr(colon + 2));
  }
  v.body.assign(raw.begin() + static_cast<long>(pos), raw.end());
  auto c = v.headers.find("compressed");
  if (c != v.headers.end()) {
    REQUIRE(c->second == "zlib");
    v.body = inflate_zlib(v.body);
  }
  return v;
}

bool expectation_met(const std::string& expect, AgeFailure f) {
  if (expect == "success") return f == AgeFailure::kNone;
  if (expect == "no match") return f == AgeFailure::kNoMatch;
  if (expect == "header failure") return f == AgeFailure::kHeader || f == AgeFailure::kUnsupported;
  if (expect == "armor failure") return f == AgeFailure::kArmor;
  if (expect == "HMAC failure") return f == AgeFailure::kHeaderMac;
  if (expect == "payload failure") return f == AgeFailure::kPayload;
  FAIL("unknown expect: " << expect);
  return false;
}

}  // namespace

TEST_CASE("age testkit: every vector gives its expected result and payload hash") {
  const fs::path dir = FIELDNOTES_AGE_TESTKIT_DIR;
  if (!fs::is_directory(dir)) {
    std::cout << "SKIPPED: age testkit not found at " << dir << " (no vector was run)\n";
    WARN("SKIPPED: age testkit not found at " << dir);
    return;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  CHECK(files.size() == 143);

  // Recipient types we do not implement. A vector using one is skipped, never passed; the
  // count of skips is bounded by the count of vectors that mention such a type.
  const std::vector<std::string> unsupported_markers = {"AGE-SECRET-KEY-PQ-", "mlkem768x25519",
                                                        "p256tag", "AGE-PLUGIN-"};
  int passed = 0, skipped = 0, failed = 0, unsupported_type_vectors = 0;
  std::vector<std::string> skipped_names;
  for (const auto& p : files) {
    Vector v = load_testkit_file(p);
    INFO("vector " << v.name);
    const std::string expect = v.headers.find("expect")->second;
    std::string all(v.body.begin(), v.body.end());
    for (const auto& [k, val] : v.headers) all += "\n" + val;
    if (std::any_of(unsupported_markers.begin(), unsupported_markers.end(),
                    [&](const std::string& m) { return all.find(m) != std::string::npos; })) {
      ++unsupported_type_vectors;
    }

    std::vector<AgeIdentity> ids;
    std::string unsupported;
    auto range = v.headers.equal_range("identity");
    for (auto it = range.first; it != range.second; ++it) {
      if (!it->second.starts_with("AGE-SECRET-KEY-1")) {
        unsupported = it->second.substr(0, it->second.find('1'));
        continue;
      }
      auto id = AgeIdentity::parse(it->second);
      REQUIRE(id);
      ids.push_back(std::move(id.value()));
    }
    if (!unsupported.empty()) {
      ++skipped;
      skipped_names.push_back(v.name + " (identity type " + unsupported + ")");
      continue;
    }
    AgeDecryptOptions opts;
    auto pass = v.headers.find("passphrase");
    int asked = 0;
    if (pass != v.headers.end()) {
      opts.passphrase = [&]() -> Result<SecretBuffer> {
        ++asked;
        return SecretBuffer::copy_of(bytes_of(pass->second));
      };
    }

    const bool armored = v.headers.count("armored") && v.headers.find("armored")->second == "yes";
    if (expect == "success") CHECK(age_is_armored(v.body) == armored);

    auto r = age_decrypt(v.body, ids, opts);
    bool ok = expectation_met(expect, stage_of(r));
    if (ok && expect == "success") {
      ok = sha256_hex(r.value().bytes()) == v.headers.find("payload")->second;
    }
    if (ok && !r.is_ok()) {
      // The Code agrees with the stage.
      switch (stage_of(r)) {
        case AgeFailure::kNoMatch:
          ok = r.status().code() == (asked > 0 ? Code::kWrongKey : Code::kNotThisKey);
          break;
        case AgeFailure::kUnsupported: ok = r.status().code() == Code::kUnsupported; break;
        default: ok = r.status().code() == Code::kCorrupt; break;
      }
    }
    if (v.name == "version_unsupported" || v.name == "scrypt_work_factor_23") {
      ok = ok && stage_of(r) == AgeFailure::kUnsupported;
    }
    if (ok) {
      ++passed;
    } else {
      ++failed;
      FAIL_CHECK(v.name << ": expected " << expect << ", got " << age_failure_name(stage_of(r))
                        << " (" << r.status().message() << ")");
    }
  }
  std::cout << "age testkit: " << files.size() << " vectors: " << passed << " passed, " << skipped
            << " skipped (unsupported recipient types), " << failed << " failed\n";
  for (const auto& s : skipped_names) std::cout << "  skipped: " << s << "\n";
  WARN("age testkit: " << passed << " passed, " << skipped
                       << " skipped (post-quantum hybrid recipients: unsupported by this implementation), " << failed
                       << " failed");
  CHECK(failed == 0);
  CHECK(skipped <= unsupported_type_vectors);
  CHECK(skipped <= 19);  // the hybrid (mlkem768x25519) vectors of this testkit snapshot
  for (const auto& s : skipped_names) CHECK(s.find("hybrid") != std::string::npos);
  CHECK(passed + skipped == static_cast<int>(files.size()));
}

// ---------------------------------------------------------------------------------------
// Round trips and misuse

TEST_CASE("age round trip: sizes around chunk boundaries, one and several recipients") {
  AgeIdentity a = AgeIdentity::generate(), b = AgeIdentity::generate(), c = AgeIdentity::generate();
  std::vector<AgeRecipient> to = {a.recipient(), b.recipient()};
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, kAgeChunkBytes - 1, kAgeChunkBytes,
                        kAgeChunkBytes + 1, 2 * kAgeChunkBytes, 3 * kAgeChunkBytes + 17}) {
    INFO("size " << n);
    auto pt = random_plaintext(n);
    auto file = age_encrypt(pt, to);
    REQUIRE(file);
    CHECK(age_is_binary(file.value()));
    CHECK(age_is_age_file(file.value()));
    CHECK_FALSE(age_is_armored(file.value()));
    for (const AgeIdentity* id : {&a, &b}) {
      std::vector<AgeIdentity> ids;
      ids.push_back(AgeIdentity::from_secret(id->secret().bytes()).value());
      auto r = age_decrypt(file.value(), ids);
      REQUIRE(r);
      CHECK(std::equal(pt.begin(), pt.end(), r.value().data(), r.value().data() + r.value().size()));
      CHECK(r.value().size() == n);
    }
    std::vector<AgeIdentity> wrong;
    wrong.push_back(AgeIdentity::from_secret(c.secret().bytes()).value());
    auto r = age_decrypt(file.value(), wrong);
    CHECK(stage_of(r) == AgeFailure::kNoMatch);
    CHECK(r.status().code() == Code::kNotThisKey);
  }
}

TEST_CASE("age: the wrong identity first, the right one second, still opens") {
  AgeIdentity a = AgeIdentity::generate(), c = AgeIdentity::generate();
  std::vector<AgeRecipient> to = {a.recipient()};
  auto file = age_encrypt(bytes_of("synthetic note"), to);
  REQUIRE(file);
  std::vector<AgeIdentity> ids;
  ids.push_back(std::move(c));
  ids.push_back(std::move(a));
  auto r = age_decrypt(file.value(), ids);
  REQUIRE(r);
  CHECK(r.value().view() == "synthetic note");
}

TEST_CASE("age: a flipped bit anywhere in a file is refused") {
  AgeIdentity a = AgeIdentity::generate();
  std::vector<AgeRecipient> to = {a.recipient()};
  auto pt = random_plaintext(300);
  auto file = age_encrypt(pt, to).value();
  std::vector<AgeIdentity> ids;
  ids.push_back(AgeIdentity::from_secret(a.secret().bytes()).value());
  for (std::size_t i = 0; i < file.size(); ++i) {
    for (uint8_t bit : {uint8_t{0x01}, uint8_t{0x80}}) {
      auto bad = file;
      bad[i] ^= bit;
      auto r = age_decrypt(bad, ids);
      INFO("byte " << i << " bit " << int(bit));
      CHECK_FALSE(r.is_ok());
    }
  }
  // Multi-chunk: flips in every chunk and at chunk edges.
  auto big_pt = random_plaintext(3 * kAgeChunkBytes + 5);
  auto big = age_encrypt(big_pt, to).value();
  const std::size_t header = big.size() - (big_pt.size() + 4 * kAgeTagBytes);
  for (std::size_t off : {header, header + 16, header + 16 + kAgeChunkBytes + 15,
                          header + 16 + kAgeChunkBytes + 16, big.size() - 1, big.size() - 17}) {
    auto bad = big;
    bad[off] ^= 0x20;
    INFO("offset " << off);
    CHECK(stage_of(age_decrypt(bad, ids)) != AgeFailure::kNone);
  }
}

TEST_CASE("age: truncation at every chunk boundary, and appended data, are payload failures") {
  AgeIdentity a = AgeIdentity::generate();
  std::vector<AgeRecipient> to = {a.recipient()};
  std::vector<AgeIdentity> ids;
  ids.push_back(AgeIdentity::from_secret(a.secret().bytes()).value());
  for (std::size_t n : {3 * kAgeChunkBytes, 3 * kAgeChunkBytes + 100}) {
    auto pt = random_plaintext(n);
    auto file = age_encrypt(pt, to).value();
    const std::size_t chunks = (n + kAgeChunkBytes - 1) / kAgeChunkBytes;
    const std::size_t payload_start = file.size() - (n + chunks * kAgeTagBytes);
    for (std::size_t k = 0; k < chunks; ++k) {
      const std::size_t boundary = payload_start + k * (kAgeChunkBytes + kAgeTagBytes);
      for (std::size_t cut : {boundary, boundary + 1, boundary + kAgeTagBytes,
                              boundary + kAgeChunkBytes + kAgeTagBytes - 1}) {
        if (cut >= file.size()) continue;
        INFO("n " << n << " cut at " << cut);
        std::vector<uint8_t> t(file.begin(), file.begin() + static_cast<long>(cut));
        auto r = age_decrypt(t, ids);
        CHECK(stage_of(r) == AgeFailure::kPayload);
        CHECK(r.status().code() == Code::kCorrupt);
      }
    }
    for (std::size_t extra : {1, 16, 17, 1000}) {
      auto longer = file;
      longer.insert(longer.end(), extra, 0);
      CHECK(stage_of(age_decrypt(longer, ids)) == AgeFailure::kPayload);
    }
    // Header only, and header with a short nonce: header failures.
    std::vector<uint8_t> head(file.begin(), file.begin() + static_cast<long>(payload_start - 16));
    CHECK(stage_of(age_decrypt(head, ids)) == AgeFailure::kHeader);
  }
}

TEST_CASE("age: streaming encryptor in odd-sized writes equals the one-shot format") {
  AgeIdentity a = AgeIdentity::generate();
  std::vector<AgeRecipient> to = {a.recipient()};
  auto pt = random_plaintext(2 * kAgeChunkBytes + 333);
  std::vector<uint8_t> out;
  auto enc = AgeEncryptor::to_recipients(to, [&](std::span<const uint8_t> b) {
    out.insert(out.end(), b.begin(), b.end());
    return Status::ok();
  });
  REQUIRE(enc);
  for (std::size_t i = 0; i < pt.size(); i += 7777) {
    REQUIRE(enc->write(std::span(pt).subspan(i, std::min<std::size_t>(7777, pt.size() - i))));
  }
  REQUIRE(enc->finish());
  CHECK_FALSE(enc->finish());
  CHECK_FALSE(enc->write(pt));
  std::vector<AgeIdentity> ids;
  ids.push_back(std::move(a));
  auto r = age_decrypt(out, ids);
  REQUIRE(r);
  CHECK(r.value().size() == pt.size());
  CHECK(std::equal(pt.begin(), pt.end(), r.value().data()));

  // A sink that fails stops the encryption.
  auto failing = AgeEncryptor::to_recipients(to, [](std::span<const uint8_t>) {
    return Status{Code::kIo, "disk full"};
  });
  CHECK(failing.status().code() == Code::kIo);
  CHECK_FALSE(AgeEncryptor::to_recipients({}, [](std::span<const uint8_t>) { return Status::ok(); }));
}

TEST_CASE("age: passphrase files (scrypt) round trip, wrong passphrase, work factor cap") {
  auto pt = bytes_of("synthetic passphrase bundle");
  SecretBuffer pass = SecretBuffer::copy_of(bytes_of("correct horse"));
  auto file = age_encrypt_passphrase(pt, pass, 10);
  REQUIRE(file);
  int asked = 0;
  AgeDecryptOptions o;
  o.passphrase = [&]() -> Result<SecretBuffer> {
    ++asked;
    return SecretBuffer::copy_of(bytes_of("correct horse"));
  };
  auto r = age_decrypt(file.value(), {}, o);
  REQUIRE(r);
  CHECK(r.value().view() == "synthetic passphrase bundle");
  CHECK(asked == 1);

  auto wrong = age_decrypt(file.value(), {}, with_passphrase("wrong horse"));
  CHECK(stage_of(wrong) == AgeFailure::kNoMatch);
  CHECK(wrong.status().code() == Code::kWrongKey);

  AgeDecryptOptions capped = with_passphrase("correct horse");
  capped.max_scrypt_work_factor = 9;
  auto over = age_decrypt(file.value(), {}, capped);
  CHECK(stage_of(over) == AgeFailure::kUnsupported);
  CHECK(over.status().code() == Code::kUnsupported);

  // The prompt is not called for an X25519 file, and a cancelled prompt is passed through.
  AgeIdentity a = AgeIdentity::generate();
  std::vector<AgeRecipient> to = {a.recipient()};
  auto xfile = age_encrypt(pt, to).value();
  asked = 0;
  CHECK(stage_of(age_decrypt(xfile, {}, o)) == AgeFailure::kNoMatch);
  CHECK(asked == 0);
  AgeDecryptOptions cancel;
  cancel.passphrase = []() -> Result<SecretBuffer> { return Status{Code::kRefused, "cancelled"}; };
  auto cr = age_decrypt(file.value(), {}, cancel);
  CHECK(cr.status().code() == Code::kRefused);
  // Identities alone do not open a passphrase file.
  std::vector<AgeIdentity> ids;
  ids.push_back(std::move(a));
  CHECK(age_decrypt(file.value(), ids).status().code() == Code::kNotThisKey);

  CHECK_FALSE(age_encrypt_passphrase(pt, SecretBuffer(), 10));
  CHECK_FALSE(age_encrypt_passphrase(pt, pass, 0));
  CHECK_FALSE(age_encrypt_passphrase(pt, pass, kAgeScryptMaxWorkFactor + 1));
  CHECK(stage_of(age_decrypt(file.value(), {})) == AgeFailure::kNoMatch);
}

TEST_CASE("age armor: round trip, strictness, detection") {
  AgeIdentity a = AgeIdentity::generate();
  std::vector<AgeRecipient> to = {a.recipient()};
  std::vector<AgeIdentity> ids;
  ids.push_back(AgeIdentity::from_secret(a.secret().bytes()).value());
  for (std::size_t n : {std::size_t{0}, std::size_t{5}, std::size_t{1000}}) {
    auto pt = random_plaintext(n);
    auto armored = age_encrypt(pt, to, /*armor=*/true);
    REQUIRE(armored);
    std::string text(armored->begin(), armored->end());
    CHECK(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
    CHECK(text.ends_with("-----END AGE ENCRYPTED FILE-----\n"));
    CHECK(age_is_armored(armored.value()));
    CHECK(age_is_age_file(armored.value()));
    auto r = age_decrypt(armored.value(), ids);
    REQUIRE(r);
    CHECK(r.value().size() == n);
    auto bin = age_dearmor(armored.value());
    REQUIRE(bin);
    CHECK(age_armor(bin.value()) == armored.value());  // parse then serialise: same bytes
  }
  CHECK_FALSE(age_is_age_file(bytes_of("hello")));
  CHECK(stage_of(age_dearmor(bytes_of("-----BEGIN AGE ENCRYPTED FILE-----\n"))) == AgeFailure::kArmor);
}

// ---------------------------------------------------------------------------------------
// Interop with Debian's age

TEST_CASE("age interop: fieldnotes <-> age / age-keygen binaries") {
  if (!have_tool("age") || !have_tool("age-keygen")) {
    std::cout << "SKIPPED: age / age-keygen not installed (apt-get install age)\n";
    WARN("SKIPPED: age interop, binaries not installed");
    return;
  }
  TempDir tmp;
  const fs::path key = tmp.path / "key.txt";
  REQUIRE(std::system(("age-keygen -o " + key.string() + " 2>/dev/null").c_str()) == 0);
  std::string keytext;
  {
    auto raw = read_file(key);
    keytext.assign(raw.begin(), raw.end());
  }
  std::string secret_line, public_line;
  std::istringstream ks(keytext);
  for (std::string l; std::getline(ks, l);) {
    if (l.starts_with("AGE-SECRET-KEY-1")) secret_line = l;
    if (l.starts_with("# public key: ")) public_line = l.substr(14);
  }
  auto id = AgeIdentity::parse(secret_line);
  wipe(secret_line);
  wipe(keytext);
  REQUIRE(id);
  CHECK(id->recipient().to_string() == public_line);  // same Bech32 and X25519 as age-keygen
  std::vector<AgeIdentity> ids;
  ids.push_back(std::move(id.value()));

  auto pt = random_plaintext(2 * kAgeChunkBytes + 12345);
  write_file(tmp.path / "plain", pt);

  SECTION("fieldnotes encrypts (binary and armored), age -d decrypts") {
    std::vector<AgeRecipient> to = {ids[0].recipient(), AgeIdentity::generate().recipient()};
    for (bool armor : {false, true}) {
      auto file = age_encrypt(pt, to, armor);
      REQUIRE(file);
      write_file(tmp.path / "ours.age", file.value());
      fs::remove(tmp.path / "out");
      CHECK(std::system(("age -d -i " + key.string() + " -o " + (tmp.path / "out").string() + " " +
                         (tmp.path / "ours.age").string())
                            .c_str()) == 0);
      CHECK(read_file(tmp.path / "out") == pt);
    }
  }
  SECTION("age -r encrypts (binary and armored), fieldnotes decrypts") {
    for (std::string flags : {"", "-a "}) {
      fs::remove(tmp.path / "theirs.age");
      CHECK(std::system(("age " + flags + "-r " + public_line + " -o " +
                         (tmp.path / "theirs.age").string() + " " + (tmp.path / "plain").string())
                            .c_str()) == 0);
      auto file = read_file(tmp.path / "theirs.age");
      CHECK(age_is_armored(file) == !flags.empty());
      auto r = age_decrypt(file, ids);
      REQUIRE(r);
      CHECK(r.value().size() == pt.size());
      CHECK(std::equal(pt.begin(), pt.end(), r.value().data()));
    }
  }
  SECTION("passphrase files both ways (age -p needs a terminal: driven through script(1))") {
    if (!have_tool("script")) {
      std::cout << "SKIPPED: script(1) not installed; age -p reads only from a terminal\n";
      WARN("SKIPPED: age -p interop needs script(1)");
      return;
    }
    // Debian's age 1.1 has no non-terminal passphrase input (no AGE_PASSPHRASE variable);
    // script(1) gives it a pseudo-terminal fed from our pipe.
    const std::string pw = "synthetic-test-passphrase";
    fs::path theirs = tmp.path / "p.age";
    std::string cmd = "printf '" + pw + "\\n" + pw + "\\n' | timeout 60 script -qec 'age -p -o " +
                      theirs.string() + " " + (tmp.path / "plain").string() + "' /dev/null >/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    auto r = age_decrypt(read_file(theirs), {}, with_passphrase(pw));
    REQUIRE(r);
    CHECK(r.value().size() == pt.size());

    auto ours = age_encrypt_passphrase(pt, SecretBuffer::copy_of(bytes_of(pw)), 12);
    REQUIRE(ours);
    write_file(tmp.path / "ours-p.age", ours.value());
    cmd = "printf '" + pw + "\\n' | timeout 60 script -qec 'age -d -o " +
          (tmp.path / "out-p").string() + " " + (tmp.path / "ours-p.age").string() +
          "' /dev/null >/dev/null";
    CHECK(std::system(cmd.c_str()) == 0);
    CHECK(read_file(tmp.path / "out-p") == pt);
  }
}

TEST_CASE("age: header size cap, unknown stanzas, unusable recipients") {
  AgeIdentity a = AgeIdentity::generate();
  std::vector<AgeIdentity> ids;
  ids.push_back(AgeIdentity::from_secret(a.secret().bytes()).value());
  // A header past kAgeMaxHeaderBytes (unknown stanzas only) is refused as a header failure
  // without scanning further.
  std::string h = "age-encryption.org/v1\n";
  while (h.size() <= kAgeMaxHeaderBytes) h += "-> grease abc\n\n";
  h += "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
  auto r = age_decrypt(bytes_of(h), ids);
  CHECK(stage_of(r) == AgeFailure::kHeader);
  CHECK(r.status().message().find("limit") != std::string::npos);
  // The same, below the cap: unknown stanzas are skipped, so "no match".
  std::string small = "age-encryption.org/v1\n-> grease abc\n\n--- "
                      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
  CHECK(stage_of(age_decrypt(bytes_of(small), ids)) == AgeFailure::kNoMatch);
  // Encrypting to the all-zero point (low order) is refused.
  std::array<uint8_t, kAgeX25519Bytes> zero{};
  std::vector<AgeRecipient> bad = {AgeRecipient::from_bytes(zero)};
  CHECK(age_encrypt(bytes_of("x"), bad).status().code() == Code::kInvalidInput);
}
