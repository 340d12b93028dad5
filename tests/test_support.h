// Small helpers shared by the test files: temp directories, whole-file I/O, snapshots of a
// directory, hex, tool lookup.
#pragma once

#include <catch2/catch.hpp>
#include <sodium.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace fieldnotes::test {

// A private directory under $TMPDIR, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "fn-test-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline void write_file(const std::filesystem::path& p, std::span<const uint8_t> b) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  REQUIRE(f.good());
}

inline std::vector<uint8_t> read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline std::vector<uint8_t> unhex(const std::string& h) {
  std::vector<uint8_t> out(h.size() / 2 + 1);
  size_t n = 0;
  REQUIRE(sodium_hex2bin(out.data(), out.size(), h.data(), h.size(), "\n ", &n, nullptr) == 0);
  out.resize(n);
  return out;
}

inline std::string hex(std::span<const uint8_t> b) {
  std::string s(b.size() * 2 + 1, '\0');
  sodium_bin2hex(s.data(), s.size(), b.data(), b.size());
  s.pop_back();
  return s;
}

// Every regular file under `dir` with its bytes: equal snapshots mean an unchanged vault.
inline std::map<std::string, std::vector<uint8_t>> snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::vector<uint8_t>> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files[std::filesystem::relative(e.path(), dir).string()] = read_file(e.path());
  return files;
}

// A vector file (docs/FORMAT.md): "name: value" header lines, a blank line, then bytes in hex.
struct VectorFile {
  std::map<std::string, std::string> headers;
  std::vector<uint8_t> bytes;
};

inline VectorFile load_vector(const std::filesystem::path& p) {
  std::ifstream f(p);
  VectorFile v;
  std::string line, h;
  bool body = false;
  while (std::getline(f, line)) {
    if (!body && line.empty()) {
      body = true;
      continue;
    }
    if (body) {
      h += line;
      continue;
    }
    auto colon = line.find(": ");
    REQUIRE(colon != std::string::npos);
    v.headers[line.substr(0, colon)] = line.substr(colon + 2);
  }
  v.bytes = unhex(h);
  return v;
}

inline bool have_tool(const char* name) {
  return std::system((std::string("command -v ") + name + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace fieldnotes::test
