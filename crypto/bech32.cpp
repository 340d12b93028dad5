#include "crypto/bech32.h"

#include <cstdlib>

namespace fieldnotes::crypto {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

uint32_t polymod_step(uint32_t chk, uint8_t v) {
  static constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
                                       0x2a1462b3};
  uint32_t b = chk >> 25;
  chk = ((chk & 0x1ffffff) << 5) ^ v;
  for (int i = 0; i < 5; ++i)
    if ((b >> i) & 1) chk ^= kGen[i];
  return chk;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// Checksum over the lower-cased hrp and the 5-bit values.
uint32_t checksum_of(std::string_view hrp, const uint8_t* values, std::size_t n) {
  uint32_t chk = 1;
  for (char c : hrp) chk = polymod_step(chk, static_cast<uint8_t>(lower(c)) >> 5);
  chk = polymod_step(chk, 0);
  for (char c : hrp) chk = polymod_step(chk, static_cast<uint8_t>(lower(c)) & 31);
  for (std::size_t i = 0; i < n; ++i) chk = polymod_step(chk, values[i]);
  return chk;
}

}  // namespace

Result<Bech32Decoded> bech32_decode(std::string_view s) {
  const Status bad{Code::kInvalidInput, "malformed bech32 key string"};
  if (s.size() > kBech32MaxChars) return bad;
  bool has_lower = false, has_upper = false;
  for (char c : s) {
    if (c < 33 || c > 126) return bad;
    has_lower |= (c >= 'a' && c <= 'z');
    has_upper |= (c >= 'A' && c <= 'Z');
  }
  if (has_lower && has_upper) return bad;
  std::size_t pos = s.rfind('1');
  if (pos == std::string_view::npos || pos == 0 || s.size() - pos - 1 < 6) return bad;
  std::string_view hrp = s.substr(0, pos), rest = s.substr(pos + 1);
  SecretBuffer values(rest.size());
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const char* p = nullptr;
    char c = lower(rest[i]);
    for (const char* q = kCharset; *q; ++q)
      if (*q == c) p = q;
    if (p == nullptr) return bad;
    values.data()[i] = static_cast<uint8_t>(p - kCharset);
  }
  if (checksum_of(hrp, values.data(), values.size()) != 1) {
    return Status{Code::kInvalidInput, "bech32 key string has a bad checksum (mistyped?)"};
  }
  const std::size_t n5 = values.size() - 6;
  SecretBuffer data(n5 * 5 / 8);
  uint32_t acc = 0;
  int bits = 0;
  std::size_t out = 0;
  for (std::size_t i = 0; i < n5; ++i) {
    acc = ((acc << 5) | values.data()[i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      data.data()[out++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  // convertbits(pad=false): fewer than 5 leftover bits, all zero.
  if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) return bad;
  acc = 0;
  return Bech32Decoded{std::string(hrp), std::move(data)};
}

SecretBuffer bech32_encode(std::string_view hrp, std::span<const uint8_t> data) {
  if (hrp.empty()) std::abort();
  bool up = false;
  for (char c : hrp) up |= (c >= 'A' && c <= 'Z');
  const std::size_t n5 = (data.size() * 8 + 4) / 5;
  SecretBuffer values(n5 + 6);
  uint32_t acc = 0;
  int bits = 0;
  std::size_t j = 0;
  for (uint8_t b : data) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.data()[j++] = static_cast<uint8_t>((acc >> bits) & 31);
    }
  }
  if (bits > 0) values.data()[j++] = static_cast<uint8_t>((acc << (5 - bits)) & 31);
  uint32_t chk = checksum_of(hrp, values.data(), n5 + 6) ^ 1;  // six zero values appended
  for (int i = 0; i < 6; ++i) values.data()[n5 + i] = static_cast<uint8_t>((chk >> (5 * (5 - i))) & 31);
  SecretBuffer out(hrp.size() + 1 + n5 + 6);
  std::size_t k = 0;
  for (char c : hrp) out.data()[k++] = static_cast<uint8_t>(c);
  out.data()[k++] = '1';
  for (std::size_t i = 0; i < n5 + 6; ++i) {
    char c = kCharset[values.data()[i]];
    out.data()[k++] = static_cast<uint8_t>(up ? upper(c) : c);
  }
  acc = 0;
  return out;
}

}  // namespace fieldnotes::crypto
