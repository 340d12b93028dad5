#include "crypto/base64.h"

#include <sodium.h>

namespace fieldnotes::crypto {
namespace {

int variant_of(Base64Padding p) {
  return p == Base64Padding::kPadded ? sodium_base64_VARIANT_ORIGINAL
                                     : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
}

bool in_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '/';
}

}  // namespace

std::string base64_encode(std::span<const uint8_t> in, Base64Padding padding) {
  const int v = variant_of(padding);
  std::string out(sodium_base64_encoded_len(in.size(), v), '\0');
  sodium_bin2base64(out.data(), out.size(), in.data(), in.size(), v);
  out.pop_back();  // NUL
  return out;
}

std::optional<std::vector<uint8_t>> base64_decode_strict(std::string_view in,
                                                         Base64Padding padding) {
  std::size_t body = in.size();
  if (padding == Base64Padding::kPadded) {
    if (in.size() % 4 != 0) return std::nullopt;
    while (body > 0 && in.size() - body < 2 && in[body - 1] == '=') --body;
  }
  for (std::size_t i = 0; i < body; ++i)
    if (!in_alphabet(in[i])) return std::nullopt;
  // libsodium checks the padding count and that the trailing bits are zero.
  std::vector<uint8_t> out(in.size() / 4 * 3 + 3);
  std::size_t n = 0;
  if (sodium_base642bin(out.data(), out.size(), in.data(), in.size(), nullptr, &n, nullptr,
                        variant_of(padding)) != 0) {
    return std::nullopt;
  }
  out.resize(n);
  return out;
}

}  // namespace fieldnotes::crypto
