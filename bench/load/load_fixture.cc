// Writes the data of the HTTP load test (bench/load/run.sh): memories.jsonl, N memories of
// English-like Zipfian text (bench_util TextGenerator, the same generator as the engine
// benchmarks) for `memd add --jsonl`, and queries.txt, Q distinct queries of 2 to 5 words
// from the same vocabulary, one per line (lower-case words only, so they embed in JSON as is).
//
// Run: build-bench/bench/load_fixture OUT_DIR [--memories 100000] [--queries 20000] [--seed 7]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <unordered_set>

#include "bench_util.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: load_fixture OUT_DIR [--memories N] [--queries N] [--seed S]\n");
    return 2;
  }
  const std::string out = argv[1];
  std::size_t memories = 100000;
  std::size_t queries = 20000;
  std::uint64_t seed = 7;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const auto value = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--memories") memories = value;
    else if (flag == "--queries") queries = value;
    else if (flag == "--seed") seed = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  memd::bench::TextGenerator gen(50000, seed);
  std::mt19937_64 rng(seed);
  std::FILE* m = std::fopen((out + "/memories.jsonl").c_str(), "w");
  std::FILE* q = std::fopen((out + "/queries.txt").c_str(), "w");
  if (m == nullptr || q == nullptr) {
    std::fprintf(stderr, "cannot write into %s\n", out.c_str());
    return 1;
  }
  static const char* kKinds[] = {"fact", "note", "code", "message", "document"};
  for (std::size_t i = 0; i < memories; ++i) {
    std::string text = gen.Text(rng, 20 + static_cast<int>(rng() % 40));
    std::string escaped;
    for (char c : text) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c);
    }
    std::fprintf(m, "{\"text\":\"%s\",\"kind\":\"%s\",\"tags\":[\"t%zu\"]}\n", escaped.c_str(), kKinds[i % 5], i % 20);
  }
  std::unordered_set<std::string> seen;
  while (seen.size() < queries) {
    std::string query = gen.Query(rng, 2 + static_cast<int>(rng() % 4));
    if (query.find('"') != std::string::npos || query.find('\\') != std::string::npos) continue;
    if (seen.insert(query).second) std::fprintf(q, "%s\n", query.c_str());
  }
  std::fclose(m);
  std::fclose(q);
  std::printf("wrote %zu memories and %zu queries into %s\n", memories, queries, out.c_str());
  return 0;
}
