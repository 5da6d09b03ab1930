// Shared fixture for engine tests: a fresh data directory, a controllable clock, and
// helpers to reopen the engine on the same directory.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "memd/engine.h"
#include "util/temp_dir.h"

namespace memd::testing {

// A memory with only its text set (the other fields at their defaults).
inline NewMemory MemoryText(std::string text) {
  NewMemory m;
  m.text = std::move(text);
  return m;
}

// A search request with only its query set.
inline SearchRequest Query(std::string query) {
  SearchRequest r;
  r.query = std::move(query);
  return r;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("memd-engine-test-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = std::make_unique<TempDir>(std::move(*dir));
    Reopen();
  }

  EngineOptions Options() {
    EngineOptions options;
    options.data_dir = dir_->path() + "/data";
    options.durability = Durability::kNormal;  // tests do not need power-loss safety
    options.clock = [this] { return now_.load(); };
    return options;
  }

  // Closes the engine (if open) and opens it again on the same directory.
  void Reopen() { Reopen(Options()); }
  void Reopen(EngineOptions options) {
    engine_.reset();
    auto engine = Engine::Open(std::move(options));
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(*engine);
  }

  std::string Add(const CubeRef& cube, const std::string& text, const std::string& kind = "fact") {
    NewMemory m;
    m.text = text;
    m.kind = kind;
    auto r = engine_->Add(cube, m);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : std::string();
  }

  std::vector<std::string> SearchIds(const CubeRef& cube, const std::string& query, SearchMode mode = SearchMode::kHybrid,
                                     const std::string& filter = "", int top_k = 10) {
    SearchRequest request;
    request.query = query;
    request.mode = mode;
    request.filter = filter;
    request.top_k = top_k;
    auto hits = engine_->Search(cube.user, {cube.project}, request);
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    std::vector<std::string> ids;
    if (hits.ok()) {
      for (const auto& h : *hits) ids.push_back(h.memory.id);
    }
    return ids;
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Engine> engine_;
  std::atomic<Timestamp> now_{1'800'000'000'000};
  const CubeRef alpha_{"alice", "alpha"};
  const CubeRef beta_{"alice", "beta"};
  const CubeRef bob_{"bob", "alpha"};
};

}  // namespace memd::testing
