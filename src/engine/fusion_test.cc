#include "engine/fusion.h"

#include <gtest/gtest.h>

namespace memd::engine {
namespace {

using index::ScoredSlot;

TEST(FusionTest, ReciprocalRankRewardsAgreement) {
  std::vector<ScoredSlot> lexical{{1, 9.0f}, {2, 5.0f}, {3, 1.0f}};
  std::vector<ScoredSlot> vector{{2, 0.9f}, {4, 0.8f}, {1, 0.1f}};
  RankingOptions options;
  options.fusion = Fusion::kReciprocalRank;
  options.rrf_k = 60;
  options.vector_weight = 0.5;  // plain RRF
  auto hits = Fuse({lexical, vector, {}, {}}, options, 10);
  ASSERT_EQ(hits.size(), 4u);
  // slot 2: 1/62 + 1/61 beats slot 1: 1/61 + 1/63.
  EXPECT_EQ(hits[0].slot, 2u);
  EXPECT_EQ(hits[1].slot, 1u);
  EXPECT_DOUBLE_EQ(hits[0].score, 1.0 / 62 + 1.0 / 61);
  EXPECT_EQ(hits[0].explain.lexical_rank, 2);
  EXPECT_EQ(hits[0].explain.vector_rank, 1);
  EXPECT_EQ(hits[0].explain.fusion, "rrf(k=60)");
  EXPECT_EQ(hits[2].slot, 4u);
  EXPECT_FALSE(hits[2].explain.lexical_rank.has_value());  // slot 4 only in the vector list
}

TEST(FusionTest, WeightedScoreNormalisesBm25ByItsMaximum) {
  std::vector<ScoredSlot> lexical{{1, 10.0f}, {2, 5.0f}};
  std::vector<ScoredSlot> vector{{2, 0.5f}};
  RankingOptions options;
  options.fusion = Fusion::kWeightedScore;
  options.vector_weight = 0.4;
  auto hits = Fuse({lexical, vector, {}, {}}, options, 10);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].slot, 1u);
  EXPECT_NEAR(hits[0].score, 0.6, 1e-6);
  EXPECT_NEAR(hits[1].score, 0.6 * 0.5 + 0.4 * 0.5, 1e-6);
}

TEST(FusionTest, WeightedScoreCountsExtraScoresOfPresentCandidatesOnly) {
  FusionInput input;
  input.lexical = {{1, 10.0f}, {2, 5.0f}};
  input.vector = {{3, 0.9f}, {2, 0.5f}};
  input.vector_extra = {{1, 0.25f}, {2, 0.99f}, {9, 1.0f}};  // 2 is ranked: ignored; 9 absent: ignored
  input.lexical_extra = {{3, 2.5f}};
  RankingOptions options;
  options.fusion = Fusion::kWeightedScore;
  options.vector_weight = 0.4;
  auto hits = Fuse(input, options, 10);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].slot, 1u);
  EXPECT_NEAR(hits[0].score, 0.6 + 0.4 * 0.25, 1e-6);
  EXPECT_EQ(hits[0].explain.vector_score, 0.25f);
  EXPECT_FALSE(hits[0].explain.vector_rank.has_value());
  EXPECT_EQ(hits[1].slot, 3u);  // 0.51: its BM25 completed
  EXPECT_NEAR(hits[1].score, 0.6 * 0.25 + 0.4 * 0.9, 1e-6);
  EXPECT_EQ(hits[1].explain.lexical_score, 2.5f);
  EXPECT_FALSE(hits[1].explain.lexical_rank.has_value());
  EXPECT_EQ(hits[2].slot, 2u);  // 0.50
  EXPECT_NEAR(hits[2].score, 0.6 * 0.5 + 0.4 * 0.5, 1e-6);
}

TEST(FusionTest, ReciprocalRankReportsExtraScoresWithoutCountingThem) {
  FusionInput input;
  input.lexical = {{1, 10.0f}};
  input.vector = {{2, 0.5f}};
  input.vector_extra = {{1, 0.3f}};
  RankingOptions options;
  options.fusion = Fusion::kReciprocalRank;
  options.vector_weight = 0.5;
  auto hits = Fuse(input, options, 10);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].slot, 1u);
  EXPECT_DOUBLE_EQ(hits[0].score, 1.0 / 61);
  EXPECT_EQ(hits[0].explain.vector_score, 0.3f);
  EXPECT_FALSE(hits[0].explain.vector_rank.has_value());
}

TEST(FusionTest, TruncatesToKWithDeterministicTies) {
  std::vector<ScoredSlot> lexical{{5, 1.0f}, {3, 1.0f}};
  std::vector<ScoredSlot> vector{{3, 1.0f}, {5, 1.0f}};
  RankingOptions options;
  auto hits = Fuse({lexical, vector, {}, {}}, options, 1);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].slot, 3u);  // equal RRF sums: lower slot first
  EXPECT_TRUE(Fuse({}, options, 5).empty());
}

TEST(FusionTest, SingleKeepsRawScores) {
  auto hits = Single({{7, 0.75f}, {8, 0.5f}}, /*is_vector=*/true, 1);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FLOAT_EQ(hits[0].score, 0.75f);
  EXPECT_EQ(hits[0].explain.fusion, "cosine");
}

}  // namespace
}  // namespace memd::engine
