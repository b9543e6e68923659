// Runs a fuzz target without libFuzzer (the g++ build, under ctest): every
// file of the given corpus folders (seeds, and every crash found so far,
// kept as a regression test), then mutations of them for --seconds.
// scripts/fuzz builds the same targets with clang's libFuzzer instead.
#include <dirent.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::string> ReadCorpus(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(dir + "/" + e->d_name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  closedir(d);
  return out;
}

uint64_t Next(uint64_t& s) {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--seconds=", 10) == 0) {
      seconds = std::atof(argv[i] + 10);
    } else {
      for (auto& c : ReadCorpus(argv[i])) corpus.push_back(std::move(c));
    }
  }
  for (const auto& c : corpus) LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(c.data()), c.size());
  if (corpus.empty()) corpus.push_back("");
  uint64_t seed = 0x9E3779B97F4A7C15ull, runs = 0;
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    std::string input = corpus[Next(seed) % corpus.size()];
    int edits = 1 + static_cast<int>(Next(seed) % 8);
    for (int k = 0; k < edits; ++k) {
      uint64_t r = Next(seed);
      size_t at = input.empty() ? 0 : r % (input.size() + 1);
      switch ((r >> 32) % 4) {
        case 0: input.insert(at, 1, static_cast<char>(Next(seed))); break;
        case 1: if (at < input.size()) input[at] = static_cast<char>(Next(seed)); break;
        case 2: if (at < input.size()) input.erase(at, 1 + Next(seed) % 8); break;
        default: input.insert(at, input.substr(0, std::min<size_t>(input.size(), 16))); break;
      }
      if (input.size() > 64 << 10) input.resize(64 << 10);
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    ++runs;
  }
  std::printf("%zu corpus inputs, %llu mutated runs: no crash\n", corpus.size(), static_cast<unsigned long long>(runs));
  return 0;
}
