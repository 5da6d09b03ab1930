// beir_eval: loads a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) into a
// fresh memd cube and reports nDCG@10 and Recall@100 for lexical, vector and hybrid search.
//
//   beir_eval DIR [--split test|train] [--fusion rrf|weighted] ...   (beir_eval --help lists all)
//
// Index title + text of each document. Tune only on train; report on test.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "embed/hash_embedder.h"
#include "memd/engine.h"
#include "util/temp_dir.h"

namespace {

using namespace memd;

struct Args {
  std::string dir;
  std::string split = "test";
  std::string modes = "lexical,vector,hybrid";
  std::string data;
  RankingOptions ranking;
  embed::HashEmbedderOptions embedder;
};

// Declares every option on app, bound to args.
void AddOptions(CLI::App& app, Args* args) {
  app.add_option("dir", args->dir, "BEIR dataset directory (corpus.jsonl, queries.jsonl, qrels/)")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--split", args->split, "qrels split to score")
      ->check(CLI::IsMember({"test", "train", "dev"}));
  app.add_option("--modes", args->modes, "comma-separated: lexical, vector, hybrid");
  app.add_option("--data", args->data, "data directory to keep (default: a temporary one)");
  app.add_option("--fusion", args->ranking.fusion, "hybrid fusion")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Fusion>{
          {"rrf", Fusion::kReciprocalRank}, {"weighted", Fusion::kWeightedScore}}))
      ->type_name("rrf|weighted");
  app.add_option("--rrf-k", args->ranking.rrf_k, "RRF constant");
  app.add_option("--vector-weight", args->ranking.vector_weight,
                 "weighted fusion: weight of the vector score");
  app.add_option("--k1", args->ranking.bm25_k1, "BM25 k1");
  app.add_option("--b", args->ranking.bm25_b, "BM25 b");
  app.add_option("--candidates", args->ranking.candidates, "BM25 candidates per hybrid search");
  app.add_option("--vector-candidates", args->ranking.vector_candidates,
                 "vector candidates per hybrid search");
  auto& e = args->embedder;
  const std::string hash = "Hash embedder";
  app.add_option("--dim", e.dimension, "dimension")->group(hash);
  app.add_option("--word-weight", e.word_weight, "word feature weight")->group(hash);
  app.add_option("--identifier-weight", e.identifier_weight, "identifier feature weight")->group(hash);
  app.add_option("--bigram-weight", e.bigram_weight, "bigram feature weight")->group(hash);
  app.add_option("--ngram-weight", e.ngram_weight, "character n-gram weight")->group(hash);
  app.add_option("--ngram-min", e.ngram_min, "shortest n-gram")->group(hash);
  app.add_option("--ngram-max", e.ngram_max, "longest n-gram")->group(hash);
}

std::vector<boost::json::object> ReadJsonl(const std::string& path) {
  std::ifstream in(path);
  std::vector<boost::json::object> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    out.push_back(boost::json::parse(line).as_object());
  }
  return out;
}

// qrels: query id -> (doc id -> relevance)
std::map<std::string, std::map<std::string, int>> ReadQrels(const std::string& path) {
  std::ifstream in(path);
  std::map<std::string, std::map<std::string, int>> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string q, d;
    int score = 0;
    if (fields >> q >> d >> score) out[q][d] = score;
  }
  return out;
}

double NdcgAt10(const std::vector<std::string>& ranked, const std::map<std::string, int>& relevant) {
  double dcg = 0;
  for (std::size_t i = 0; i < ranked.size() && i < 10; ++i) {
    auto it = relevant.find(ranked[i]);
    if (it != relevant.end()) dcg += (std::pow(2.0, it->second) - 1) / std::log2(static_cast<double>(i) + 2);
  }
  std::vector<int> ideal;
  for (const auto& [doc, rel] : relevant) ideal.push_back(rel);
  std::sort(ideal.rbegin(), ideal.rend());
  double idcg = 0;
  for (std::size_t i = 0; i < ideal.size() && i < 10; ++i) {
    idcg += (std::pow(2.0, ideal[i]) - 1) / std::log2(static_cast<double>(i) + 2);
  }
  return idcg > 0 ? dcg / idcg : 0;
}

double RecallAt100(const std::vector<std::string>& ranked, const std::map<std::string, int>& relevant) {
  int positives = 0, found = 0;
  std::set<std::string> top(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(100, ranked.size())));
  for (const auto& [doc, rel] : relevant) {
    if (rel <= 0) continue;
    ++positives;
    found += top.contains(doc);
  }
  return positives > 0 ? static_cast<double>(found) / positives : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  CLI::App app("Scores memd's search on a BEIR dataset: nDCG@10 and Recall@100 per mode.", "beir_eval");
  AddOptions(app, &args);
  CLI11_PARSE(app, argc, argv);
  auto tmp = TempDir::Create("memd-beir-");
  if (!tmp.ok()) return 1;
  EngineOptions options;
  options.data_dir = args.data.empty() ? tmp->path() : args.data;
  options.durability = Durability::kNormal;
  options.ranking = args.ranking;
  auto embedder = embed::MakeHashEmbedder(args.embedder);
  if (!embedder.ok()) {
    std::fprintf(stderr, "beir_eval: %s\n", embedder.status().ToString().c_str());
    return 2;
  }
  options.embedder = std::shared_ptr<const Embedder>(std::move(*embedder));
  auto engine = Engine::Open(options);
  if (!engine.ok()) {
    std::fprintf(stderr, "beir_eval: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  const CubeRef cube{"eval", "beir"};

  auto t0 = std::chrono::steady_clock::now();
  auto corpus = ReadJsonl(args.dir + "/corpus.jsonl");
  std::map<std::string, std::string> memory_to_doc;
  std::vector<NewMemory> batch;
  std::vector<std::string> batch_docs;
  auto flush = [&]() {
    if (batch.empty()) return true;
    auto r = (*engine)->AddBatch(cube, batch);
    if (!r.ok()) {
      std::fprintf(stderr, "beir_eval: add failed: %s\n", r.status().ToString().c_str());
      return false;
    }
    for (std::size_t i = 0; i < r->size(); ++i) memory_to_doc[(*r)[i].id] = batch_docs[i];
    batch.clear();
    batch_docs.clear();
    return true;
  };
  for (const auto& doc : corpus) {
    NewMemory m;
    std::string title(doc.at("title").as_string());
    std::string text(doc.at("text").as_string());
    m.text = title.empty() ? text : title + "\n" + text;
    m.kind = "document";
    m.metadata = boost::json::serialize(boost::json::object{{"doc", doc.at("_id")}});
    batch.push_back(std::move(m));
    batch_docs.emplace_back(doc.at("_id").as_string());
    if (batch.size() == 1000 && !flush()) return 1;
  }
  if (!flush()) return 1;
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  auto qrels = ReadQrels(args.dir + "/qrels/" + args.split + ".tsv");
  std::map<std::string, std::string> queries;
  for (const auto& q : ReadJsonl(args.dir + "/queries.jsonl")) {
    std::string id(q.at("_id").as_string());
    if (qrels.contains(id)) queries[id] = std::string(q.at("text").as_string());
  }
  std::printf("dataset %s: %zu documents loaded in %.2f s; %zu %s queries\n", args.dir.c_str(), corpus.size(),
              load_s, queries.size(), args.split.c_str());

  std::stringstream modes(args.modes);
  std::string mode_name;
  while (std::getline(modes, mode_name, ',')) {
    auto mode = ParseSearchMode(mode_name);
    if (!mode) {
      std::fprintf(stderr, "beir_eval: unknown mode %s\n", mode_name.c_str());
      return 2;
    }
    double ndcg = 0, recall = 0;
    auto start = std::chrono::steady_clock::now();
    // nDCG@10 from a top-10 search, as a caller asking for 10 results gets them (hybrid
    // search reads each ranking less deep for a small k); Recall@100 from a top-100 search.
    auto search = [&](const std::string& text, int top_k) -> Result<std::vector<std::string>> {
      SearchRequest request;
      request.query = text;
      request.top_k = top_k;
      request.mode = *mode;
      MEMD_ASSIGN_OR_RETURN(auto hits, (*engine)->Search(cube.user, {cube.project}, request));
      std::vector<std::string> ranked;
      for (const auto& h : hits) ranked.push_back(memory_to_doc[h.memory.id]);
      return ranked;
    };
    for (const auto& [qid, text] : queries) {
      auto top10 = search(text, 10);
      auto top100 = top10.ok() ? search(text, 100) : top10;
      if (!top100.ok()) {
        std::fprintf(stderr, "beir_eval: search failed: %s\n", top100.status().ToString().c_str());
        return 1;
      }
      ndcg += NdcgAt10(*top10, qrels[qid]);
      recall += RecallAt100(*top100, qrels[qid]);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double n = static_cast<double>(queries.size());
    std::printf("%-8s nDCG@10 %.4f  Recall@100 %.4f  (%.2f ms per query for its top-10 and top-100 searches)\n", mode_name.c_str(), ndcg / n, recall / n,
                1000 * seconds / n);
  }
  return 0;
}
