#include "src/bundle.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "crypto/aead.h"
#include "src/tar.h"
#include "src/strings.h"

namespace fieldnotes::core {

using json = nlohmann::json;
using crypto::SecretBuffer;

namespace {

constexpr const char* kManifest = "MANIFEST.json";
constexpr const char* kSums = "SHA256SUMS";
constexpr const char* kSig = "SHA256SUMS.minisig";
constexpr const char* kFormat = "fieldnotes-bundle";

std::string hex(std::span<const uint8_t> b) { return to_hex(b); }

std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string trusted_comment(const std::string& id, int64_t seq) {
  return "fieldnotes bundle " + id + " sequence " + std::to_string(seq);
}

Result<crypto::MinisignSecretKey> signing_key(const vault::IdentityKeys& keys) {
  return crypto::MinisignSecretKey::from_ed25519(keys.ed25519_seed.bytes(), keys.minisign_key_id);
}

// The one place a Status code becomes a BundleError (bundle.h gives the pairs); the two
// refusals are named where they are decided, with refused().
BundleFailure failed(Status status) {
  switch (status.code()) {
    case Code::kNotThisKey: return {BundleError::kNotForThisVault, std::move(status)};
    case Code::kWrongKey: return {BundleError::kWrongPassphrase, std::move(status)};
    case Code::kCorrupt:
    case Code::kInvalidInput: return {BundleError::kDamaged, std::move(status)};
    case Code::kUnsupported: return {BundleError::kUnsupported, std::move(status)};
    default: return {BundleError::kUnreadable, std::move(status)};
  }
}

BundleFailure refused(BundleError why, std::string message) { return {why, Status{Code::kRefused, std::move(message)}}; }

BundleFailure bad(const std::string& why) { return failed(Status{Code::kCorrupt, "the bundle is refused: " + why}); }

bool is_hex(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// First "# " line as the title; the whole Markdown is the body.
ReceivedRecord record_from_markdown(std::string_view md, std::string_view fallback) {
  ReceivedRecord r;
  std::size_t nl = md.find('\n');
  std::string_view first = md.substr(0, nl);
  if (first.rfind("# ", 0) == 0) r.title = std::string(trim(first.substr(2)));
  if (r.title.empty()) r.title = std::string(fallback);
  r.body = Plaintext(md);
  return r;
}

}  // namespace

std::string fingerprint_of(const crypto::AgeRecipient& age, const crypto::MinisignPublicKey& minisign) {
  std::vector<uint8_t> in;
  std::string label = "fieldnotes fingerprint v1";
  in.insert(in.end(), label.begin(), label.end());
  in.insert(in.end(), age.bytes().begin(), age.bytes().end());
  in.insert(in.end(), minisign.key().begin(), minisign.key().end());
  auto h = crypto::hash_sha256(in);
  static constexpr char kB32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::size_t bit = 0;
  for (int c = 0; c < 16; ++c) {  // 80 bits
    unsigned v = 0;
    for (int i = 0; i < 5; ++i, ++bit) v = (v << 1) | ((h[bit / 8] >> (7 - bit % 8)) & 1u);
    if (c > 0 && c % 4 == 0) out.push_back('-');
    out.push_back(kB32[v]);
  }
  return out;
}

Result<PublicIdentity> public_identity(const vault::IdentityKeys& keys) {
  auto id = crypto::AgeIdentity::from_secret(keys.x25519_secret.bytes());
  if (!id) return id.status();
  auto sk = signing_key(keys);
  if (!sk) return sk.status();
  PublicIdentity p{id->recipient(), sk->public_key(), {}};
  p.fingerprint = fingerprint_of(p.age, p.minisign);
  return p;
}

Result<std::vector<uint8_t>> make_bundle(const BundleInput& in, const vault::IdentityKeys& sender) {
  if (in.records_markdown.empty()) return Status{Code::kInvalidInput, "nothing to share"};
  if (in.records_markdown.size() > kMaxBundleRecords) return Status{Code::kInvalidInput, "too many records for one bundle"};
  if (in.recipients.empty() && in.passphrase == nullptr) return Status{Code::kInvalidInput, "no recipient"};
  auto me = public_identity(sender);
  if (!me) return me.status();
  auto sk = signing_key(sender);
  if (!sk) return sk.status();

  std::array<uint8_t, 16> idb;
  crypto::random_bytes(idb);
  const std::string bundle_id = hex(idb);

  std::vector<TarEntry> files;
  json records = json::array();
  json attachments = json::array();
  for (std::size_t i = 0; i < in.records_markdown.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "records/%04zu.md", i + 1);
    const std::string_view md = in.records_markdown[i];
    files.push_back({name, std::vector<uint8_t>(md.begin(), md.end())});
    records.push_back(name);
    if (i < in.attachments.size()) {
      for (std::size_t k = 0; k < in.attachments[i].size(); ++k) {
        const auto& a = in.attachments[i][k];
        std::string ext = is_safe_path(a.extension) && a.extension.find('/') == std::string::npos ? a.extension : "bin";
        char aname[64];
        std::snprintf(aname, sizeof aname, "attachments/%04zu-%02zu.", i + 1, k + 1);
        files.push_back({aname + ext, a.data});
        attachments.push_back({{"file", aname + ext}, {"record", name}, {"cleaned", a.cleaned}});
      }
    }
  }
  json recipients = json::array();
  for (const auto& r : in.recipients) recipients.push_back(r.to_string());
  json manifest = {{"format", kFormat},
                   {"version", kBundleVersion},
                   {"bundle_id", bundle_id},
                   {"sequence", in.sequence},
                   {"created", iso_time(in.created)},
                   {"sender", {{"age", me->age.to_string()}, {"minisign", me->minisign.to_base64()}, {"fingerprint", me->fingerprint}}},
                   {"recipients", recipients},
                   {"passphrase", in.recipients.empty()},
                   {"redacted", in.redacted},
                   {"records", records},
                   {"attachments", attachments}};
  std::string mj = manifest.dump(2) + "\n";
  files.insert(files.begin(), TarEntry{kManifest, std::vector<uint8_t>(mj.begin(), mj.end())});

  std::vector<std::pair<std::string, std::string>> sums;
  for (const auto& f : files) sums.emplace_back(f.path, hex(crypto::hash_sha256(f.data)));
  std::sort(sums.begin(), sums.end());
  std::string sums_text;
  for (const auto& [path, h] : sums) sums_text += h + "  " + path + "\n";
  auto sig = crypto::minisign_sign(*sk, bytes_of(sums_text), trusted_comment(bundle_id, in.sequence),
                                   "signature from fieldnotes " + me->fingerprint);
  if (!sig) return sig.status();
  files.push_back({kSums, std::vector<uint8_t>(sums_text.begin(), sums_text.end())});
  files.push_back({kSig, std::vector<uint8_t>(sig->begin(), sig->end())});

  auto tar = tar_write(files);
  for (auto& f : files) crypto::wipe(f.data.data(), f.data.size());
  if (!tar) return tar.status();
  Result<crypto::AgeBytes> out = in.recipients.empty()
      ? crypto::age_encrypt_passphrase(*tar, *in.passphrase, in.scrypt_work_factor)
      : crypto::age_encrypt(*tar, in.recipients);
  crypto::wipe(tar->data(), tar->size());
  if (!out) return out.status();
  return std::move(out).value();
}

BundleOutcome open_bundle(std::span<const uint8_t> file, const vault::IdentityKeys& me,
                          const OpenOptions& options) {
  if (file.size() > kMaxBundleBytes) return failed(Status{Code::kInvalidInput, "the file is larger than 1 GiB"});
  if (!crypto::age_is_age_file(file)) return failed(Status{Code::kInvalidInput, "not an age-encrypted file"});
  auto id = crypto::AgeIdentity::from_secret(me.x25519_secret.bytes());
  if (!id) return failed(id.status());
  auto mine = public_identity(me);
  if (!mine) return failed(mine.status());
  bool asked = false;
  crypto::AgeDecryptOptions dopts;
  if (options.passphrase) {
    dopts.passphrase = [&]() {
      asked = true;
      return options.passphrase();
    };
  }
  std::array<crypto::AgeIdentity, 1> ids{std::move(id).value()};
  auto plain = crypto::age_decrypt(file, ids, dopts);
  if (!plain) {
    Status st = plain.status();
    switch (plain.failure().stage) {
      case crypto::AgeFailure::kNoMatch:
        return failed(st.code() == Code::kWrongKey ? Status{Code::kWrongKey, "wrong passphrase for this bundle"}
                                                   : Status{Code::kNotThisKey, "the bundle is not addressed to this vault"});
      case crypto::AgeFailure::kUnsupported:
        return failed(Status{Code::kUnsupported, "the bundle uses an unsupported age feature: " + st.message()});
      case crypto::AgeFailure::kInvalidInput:
        return failed(st);
      default:
        return failed(Status{Code::kCorrupt, "the bundle does not decrypt (" + st.message() + "): damaged or modified"});
    }
  }
  return open_payload(plain->bytes(), mine->age.to_string(), asked, crypto::hash_sha256(file), options.allow_unsigned);
}

BundleOutcome open_payload(std::span<const uint8_t> payload, const std::string& my_recipient,
                           bool by_passphrase, std::span<const uint8_t> file_hash, bool allow_unsigned) {
  OpenedBundle out;
  out.by_passphrase = by_passphrase;
  const bool asked = by_passphrase;

  bool is_tar = payload.size() >= 512 && payload.size() % 512 == 0 &&
                std::string_view(reinterpret_cast<const char*>(payload.data()) + 257, 5) == "ustar";
  std::vector<TarEntry> entries;
  if (is_tar) {
    auto t = tar_read(payload);
    if (!t) return failed(Status{Code::kCorrupt, t.status().message()});
    entries = std::move(t).value();
  }
  std::map<std::string, const TarEntry*> by_name;
  for (const auto& e : entries) by_name[e.path] = &e;
  bool is_ours = by_name.count(kManifest) != 0;

  if (!is_ours) {
    if (!allow_unsigned)
      return refused(BundleError::kUnsigned, "the file is not a signed fieldnotes bundle, so its sender cannot be verified");
    out.bundle_id = "unsigned-" + hex(file_hash);
    out.redacted = false;
    if (is_tar) {
      out.kind = BundleKind::kUnsignedTar;
      for (const auto& e : entries) {
        std::string_view p = e.path;
        bool text = p.size() > 3 && (p.substr(p.size() - 3) == ".md" || p.substr(p.size() - 4) == ".txt");
        if (!text) continue;
        std::string_view content(reinterpret_cast<const char*>(e.data.data()), e.data.size());
        if (!is_valid_utf8(content)) return failed(Status{Code::kInvalidInput, "\"" + e.path + "\" in the archive is not valid UTF-8"});
        std::string stem(p.substr(p.rfind('/') == std::string_view::npos ? 0 : p.rfind('/') + 1));
        out.records.push_back(ReceivedRecord{stem.substr(0, stem.rfind('.')), Plaintext(content), {}});
      }
      if (out.records.empty()) return failed(Status{Code::kInvalidInput, "the archive holds no .txt or .md files"});
    } else {
      out.kind = BundleKind::kUnsignedText;
      std::string_view content(reinterpret_cast<const char*>(payload.data()), payload.size());
      if (!is_valid_utf8(content)) return failed(Status{Code::kInvalidInput, "the decrypted file is neither a tar archive nor UTF-8 text"});
      if (trim(content).empty()) return failed(Status{Code::kInvalidInput, "the decrypted file is empty"});
      out.records.push_back(ReceivedRecord{"Received text", Plaintext(content), {}});
    }
    return out;
  }

  // A fieldnotes bundle: every check before anything is returned.
  for (const char* need : {kSums, kSig})
    if (!by_name.count(need)) return bad(std::string("it has no ") + need);
  auto text_of = [](const TarEntry* e) {
    return std::string_view(reinterpret_cast<const char*>(e->data.data()), e->data.size());
  };
  std::string_view sums = text_of(by_name[kSums]);
  std::map<std::string, std::string> listed;
  std::size_t pos = 0;
  while (pos < sums.size()) {
    std::size_t nl = sums.find('\n', pos);
    if (nl == std::string_view::npos) return bad("SHA256SUMS is malformed");
    std::string_view line = sums.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.size() < 67 || line.substr(64, 2) != "  " || !is_hex(line.substr(0, 64), 64)) return bad("SHA256SUMS is malformed");
    std::string path(line.substr(66));
    if (!is_safe_path(path) || path == kSums || path == kSig) return bad("SHA256SUMS names an unexpected file");
    if (!listed.emplace(path, std::string(line.substr(0, 64))).second) return bad("SHA256SUMS lists a file twice");
  }
  for (const auto& e : entries) {
    if (e.path == kSums || e.path == kSig) continue;
    auto it = listed.find(e.path);
    if (it == listed.end()) return bad("\"" + e.path + "\" is not in SHA256SUMS");
    if (hex(crypto::hash_sha256(e.data)) != it->second) return bad("the hash of \"" + e.path + "\" does not match");
  }
  for (const auto& [path, h] : listed)
    if (!by_name.count(path)) return bad("\"" + path + "\" is listed but missing");

  json m = json::parse(text_of(by_name[kManifest]), nullptr, false);
  if (m.is_discarded() || !m.is_object()) return bad("MANIFEST.json is not a JSON object");
  try {
    if (m.at("format") != kFormat) return bad("MANIFEST.json is not a fieldnotes manifest");
    if (!m.at("version").is_number_integer() || m.at("version") != kBundleVersion)
      return failed(Status{Code::kUnsupported, "bundle version " + m.at("version").dump() + " is not supported by this fieldnotes"});
    out.bundle_id = m.at("bundle_id").get<std::string>();
    if (!is_hex(out.bundle_id, 32)) return bad("the bundle id is malformed");
    out.sequence = m.at("sequence").get<int64_t>();
    if (out.sequence < 1) return bad("the sequence number is malformed");
    out.sender_age = m.at("sender").at("age").get<std::string>();
    out.sender_minisign = m.at("sender").at("minisign").get<std::string>();
    out.redacted = m.at("redacted").get<bool>();
    bool passphrase = m.at("passphrase").get<bool>();
    auto sender_age = crypto::AgeRecipient::parse(out.sender_age);
    auto sender_sig = crypto::MinisignPublicKey::parse(out.sender_minisign);
    if (!sender_age || !sender_sig) return bad("the sender's keys are malformed");
    out.sender_fingerprint = fingerprint_of(*sender_age, *sender_sig);
    if (m.at("sender").value("fingerprint", "") != out.sender_fingerprint) return bad("the sender's fingerprint does not match the keys");
    // The signature: over SHA256SUMS (which covers the manifest), by the key the manifest names.
    auto tc = crypto::minisign_verify(*sender_sig, bytes_of(sums), text_of(by_name[kSig]));
    if (!tc) return bad("the signature does not verify (" + tc.status().message() + ")");
    if (*tc != trusted_comment(out.bundle_id, out.sequence)) return bad("the signed comment does not match the manifest");
    // Addressed to us: a bundle re-encrypted to someone else is refused.
    if (asked) {
      if (!passphrase) return refused(BundleError::kReencrypted, "the bundle was re-encrypted: it was made for X25519 recipients, not a passphrase");
    } else {
      bool found = false;
      for (const auto& r : m.at("recipients")) found = found || (r.is_string() && r.get<std::string>() == my_recipient);
      if (!found) return refused(BundleError::kReencrypted, "the bundle was re-encrypted: this vault is not among the recipients its sender signed");
    }
    std::set<std::string> seen;
    for (const auto& r : m.at("records")) {
      std::string path = r.get<std::string>();
      if (!by_name.count(path) || path.rfind("records/", 0) != 0 || !seen.insert(path).second)
        return bad("MANIFEST.json lists a record that is not in the bundle");
      std::string_view md = text_of(by_name[path]);
      if (!is_valid_utf8(md)) return bad("a record is not valid UTF-8");
      out.records.push_back(record_from_markdown(md, path));
    }
    if (out.records.size() > kMaxBundleRecords) return bad("too many records");
    std::map<std::string, std::size_t> index;
    std::size_t n = 0;
    for (const auto& r : m.at("records")) index[r.get<std::string>()] = n++;
    for (const auto& a : m.value("attachments", json::array())) {
      std::string path = a.at("file").get<std::string>();
      std::string rec = a.at("record").get<std::string>();
      if (!by_name.count(path) || path.rfind("attachments/", 0) != 0 || !seen.insert(path).second || !index.count(rec))
        return bad("MANIFEST.json lists an attachment that is not in the bundle");
      const auto* e = by_name[path];
      out.records[index[rec]].attachments.push_back({path, e->data, a.at("cleaned").get<bool>()});
    }
  } catch (const json::exception&) {
    return bad("MANIFEST.json is missing a field or has a field of the wrong type");
  }
  return out;
}

}  // namespace fieldnotes::core
