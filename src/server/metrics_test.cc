#include "server/metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "util/temp_dir.h"

namespace memd::server {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(MetricsTest, RendersASmallRegistryExactly) {
  MetricsRegistry registry;
  auto requests = registry.RegisterCounter("memd_http_requests_total", "HTTP requests served.",
                                           {"method", "route", "status"});
  ASSERT_TRUE(requests.ok()) << requests.status().ToString();
  auto connections = registry.RegisterGauge("memd_http_connections", "Open HTTP connections.");
  ASSERT_TRUE(connections.ok());
  auto latency =
      registry.RegisterHistogram("memd_search_duration_seconds", "Search latency.", {"mode"}, {0.001, 0.01, 0.1});
  ASSERT_TRUE(latency.ok());
  ASSERT_TRUE(registry.RegisterGaugeCallback("memd_ready", "1 when ready.", [] { return 1.0; }).ok());

  (*requests)->With({"POST", "/v1/memories", "201"}).Inc();
  (*requests)->With({"GET", "/v1/search", "200"}).Inc();
  (*requests)->With({"GET", "/v1/search", "200"}).Add(2);
  (*connections)->With({}).Set(3);
  (*connections)->With({}).Dec();
  HistogramFamily& h = **latency;
  h.With({"hybrid"}).Observe(0.0005);
  h.With({"hybrid"}).Observe(0.01);  // on a bound: counted in that bucket
  h.With({"hybrid"}).Observe(2.5);

  EXPECT_EQ(registry.Render(),
            "# HELP memd_http_requests_total HTTP requests served.\n"
            "# TYPE memd_http_requests_total counter\n"
            "memd_http_requests_total{method=\"GET\",route=\"/v1/search\",status=\"200\"} 3\n"
            "memd_http_requests_total{method=\"POST\",route=\"/v1/memories\",status=\"201\"} 1\n"
            "# HELP memd_http_connections Open HTTP connections.\n"
            "# TYPE memd_http_connections gauge\n"
            "memd_http_connections 2\n"
            "# HELP memd_search_duration_seconds Search latency.\n"
            "# TYPE memd_search_duration_seconds histogram\n"
            "memd_search_duration_seconds_bucket{mode=\"hybrid\",le=\"0.001\"} 1\n"
            "memd_search_duration_seconds_bucket{mode=\"hybrid\",le=\"0.01\"} 2\n"
            "memd_search_duration_seconds_bucket{mode=\"hybrid\",le=\"0.1\"} 2\n"
            "memd_search_duration_seconds_bucket{mode=\"hybrid\",le=\"+Inf\"} 3\n"
            "memd_search_duration_seconds_sum{mode=\"hybrid\"} 2.5105\n"
            "memd_search_duration_seconds_count{mode=\"hybrid\"} 3\n"
            "# HELP memd_ready 1 when ready.\n"
            "# TYPE memd_ready gauge\n"
            "memd_ready 1\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelpText) {
  MetricsRegistry registry;
  auto family = registry.RegisterCounter("memd_odd_total", "Help with \\ and\nnewline and \"quotes\".", {"v"});
  ASSERT_TRUE(family.ok());
  (*family)->With({"a\\b\"c\nd"}).Inc();
  EXPECT_EQ(registry.Render(),
            "# HELP memd_odd_total Help with \\\\ and\\nnewline and \"quotes\".\n"
            "# TYPE memd_odd_total counter\n"
            "memd_odd_total{v=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(MetricsTest, UnlabelledHistogramUsesDefaultLatencyBucketsAndRendersFromTheStart) {
  MetricsRegistry registry;
  ASSERT_TRUE(registry.RegisterHistogram("memd_add_duration_seconds", "Add latency.").ok());
  std::string text = registry.Render();
  EXPECT_NE(text.find("memd_add_duration_seconds_bucket{le=\"0.0001\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("memd_add_duration_seconds_bucket{le=\"0.00025\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("memd_add_duration_seconds_bucket{le=\"10\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("memd_add_duration_seconds_bucket{le=\"+Inf\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("memd_add_duration_seconds_sum 0\nmemd_add_duration_seconds_count 0\n"), std::string::npos)
      << text;
}

TEST(MetricsTest, LabelledFamilyWithoutChildrenRendersOnlyItsHeader) {
  MetricsRegistry registry;
  ASSERT_TRUE(registry.RegisterCounter("memd_rate_limited_total", "Refused requests.", {"kind"}).ok());
  EXPECT_EQ(registry.Render(),
            "# HELP memd_rate_limited_total Refused requests.\n"
            "# TYPE memd_rate_limited_total counter\n");
}

TEST(MetricsTest, WithReturnsTheSameChildForTheSameValues) {
  MetricsRegistry registry;
  auto family = registry.RegisterCounter("memd_x_total", "x", {"a", "b"});
  ASSERT_TRUE(family.ok());
  Counter& first = (*family)->With({"1", "2"});
  std::vector<std::string> values = {"1", "2"};
  EXPECT_EQ(&first, &(*family)->With(values));
  EXPECT_NE(&first, &(*family)->With({"12", ""}));  // concatenation does not collide
  EXPECT_NE(&first, &(*family)->With({"1", "3"}));
}

TEST(MetricsTest, WithPadsMissingValuesAndDropsExtraOnes) {
  MetricsRegistry registry;
  auto family = registry.RegisterGauge("memd_y", "y", {"a", "b"});
  ASSERT_TRUE(family.ok());
  (*family)->With({"only"}).Set(1);
  (*family)->With({"p", "q", "ignored"}).Set(2);
  EXPECT_EQ(&(*family)->With({"only", ""}), &(*family)->With({"only"}));
  EXPECT_EQ(registry.Render(),
            "# HELP memd_y y\n# TYPE memd_y gauge\nmemd_y{a=\"only\",b=\"\"} 1\nmemd_y{a=\"p\",b=\"q\"} 2\n");
}

TEST(MetricsTest, FamilyBeyondItsChildCapCountsNewCombinationsInOneOverflowChild) {
  MetricsRegistry registry(/*max_children_per_family=*/2);
  auto family = registry.RegisterCounter("memd_m_total", "m", {"method", "status"});
  ASSERT_TRUE(family.ok());
  (*family)->With({"GET", "200"}).Inc();
  (*family)->With({"POST", "200"}).Inc();
  (*family)->With({"FOO1", "200"}).Inc();  // e.g. junk HTTP methods from a client
  (*family)->With({"FOO2", "200"}).Add(2);
  (*family)->With({"GET", "200"}).Inc();  // existing children still work
  EXPECT_EQ(&(*family)->With({"FOO3", "x"}), &(*family)->With({"__overflow__", "__overflow__"}));
  EXPECT_EQ(registry.Render(),
            "# HELP memd_m_total m\n# TYPE memd_m_total counter\n"
            "memd_m_total{method=\"GET\",status=\"200\"} 2\n"
            "memd_m_total{method=\"POST\",status=\"200\"} 1\n"
            "memd_m_total{method=\"__overflow__\",status=\"__overflow__\"} 3\n");
}

TEST(MetricsTest, RejectsInvalidNamesDuplicatesAndBadBuckets) {
  MetricsRegistry registry;
  EXPECT_EQ(registry.RegisterCounter("9lives", "h").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.RegisterCounter("has-dash", "h").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.RegisterCounter("ok_total", "h", {"__reserved"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.RegisterCounter("ok_total", "h", {"a", "a"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.RegisterHistogram("h_seconds", "h", {"le"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.RegisterHistogram("h_seconds", "h", {}, {1, 1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.RegisterHistogram("h_seconds", "h", {}, {1, kInf}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(registry.RegisterGaugeCallback("cb", "h", nullptr).ok());
  ASSERT_TRUE(registry.RegisterCounter("ok_total", "h").ok());
  EXPECT_EQ(registry.RegisterGauge("ok_total", "h").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(registry.RegisterGaugeCallback("ok_total", "h", [] { return 0.0; }).code(), StatusCode::kAlreadyExists);
  // Only the one valid registration rendered.
  EXPECT_EQ(registry.Render(), "# HELP ok_total h\n# TYPE ok_total counter\nok_total 0\n");
}

TEST(MetricsTest, CounterCallbackRendersAsACounterWithItsCurrentValue) {
  MetricsRegistry registry;
  double total = 5;
  ASSERT_TRUE(registry.RegisterCounterCallback("memd_things_total", "Things.", [&] { return total; }).ok());
  EXPECT_FALSE(registry.RegisterCounterCallback("empty_total", "h", nullptr).ok());
  EXPECT_EQ(registry.RegisterCounterCallback("memd_things_total", "h", [] { return 0.0; }).code(),
            StatusCode::kAlreadyExists);
  total = 7;
  EXPECT_EQ(registry.Render(),
            "# HELP memd_things_total Things.\n# TYPE memd_things_total counter\nmemd_things_total 7\n");
}

TEST(MetricsTest, CounterIgnoresNegativeAndNonFiniteAdds) {
  Counter c;
  c.Inc();
  c.Add(0.5);
  c.Add(-3);
  c.Add(kNaN);
  c.Add(kInf);
  EXPECT_DOUBLE_EQ(c.Value(), 1.5);
}

TEST(MetricsTest, HistogramIgnoresNaNAndCountsLargeValuesInInf) {
  const double bounds[] = {1, 2};
  Histogram h(bounds);
  h.Observe(kNaN);
  h.Observe(-1);
  h.Observe(1.5);
  h.Observe(1e9);
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.counts, (std::vector<std::uint64_t>{1, 1, 1}));
  EXPECT_DOUBLE_EQ(s.sum, 1e9 + 0.5);
}

TEST(MetricsTest, CallbackGaugeIsEvaluatedAtEachRenderAndSkippedWhenItThrows) {
  MetricsRegistry registry;
  double value = 1;
  ASSERT_TRUE(registry.RegisterGaugeCallback("memd_memories", "Memories.", [&] { return value; }).ok());
  ASSERT_TRUE(registry
                  .RegisterGaugeCallback("memd_broken", "Throws.",
                                         []() -> double { throw std::runtime_error("no data dir"); })
                  .ok());
  EXPECT_NE(registry.Render().find("memd_memories 1\n"), std::string::npos);
  value = 12345678901;
  std::string text = registry.Render();
  EXPECT_NE(text.find("memd_memories 12345678901\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE memd_broken gauge\n"), std::string::npos);
  EXPECT_EQ(text.find("\nmemd_broken "), std::string::npos) << text;
}

TEST(MetricsTest, FormatsValuesSoPrometheusCanParseThem) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(-0.0), "0");
  EXPECT_EQ(FormatMetricValue(42), "42");
  EXPECT_EQ(FormatMetricValue(-7), "-7");
  EXPECT_EQ(FormatMetricValue(0.0001), "0.0001");
  EXPECT_EQ(FormatMetricValue(0.00025), "0.00025");
  EXPECT_EQ(FormatMetricValue(2.5), "2.5");
  EXPECT_EQ(FormatMetricValue(0.1 + 0.2), "0.30000000000000004");  // round-trips exactly
  EXPECT_EQ(FormatMetricValue(1.5e-7), "1.5e-07");
  EXPECT_EQ(FormatMetricValue(1e20), "1e+20");
  EXPECT_EQ(FormatMetricValue(kNaN), "NaN");
  EXPECT_EQ(FormatMetricValue(kInf), "+Inf");
  EXPECT_EQ(FormatMetricValue(-kInf), "-Inf");
}

TEST(MetricsTest, ProcessResidentBytesIsPlausible) {
  std::uint64_t rss = ProcessResidentBytes();
  EXPECT_GT(rss, 1u << 20);   // a gtest binary uses more than 1 MiB
  EXPECT_LT(rss, 1ull << 40);  // and less than 1 TiB
}

TEST(MetricsConcurrencyTest, ConcurrentUpdatesLookupsAndRendersLoseNothing) {
  MetricsRegistry registry;
  auto requests = registry.RegisterCounter("memd_http_requests_total", "Requests.", {"route", "status"});
  auto latency = registry.RegisterHistogram("memd_http_request_duration_seconds", "Latency.", {"route"});
  auto connections = registry.RegisterGauge("memd_http_connections", "Connections.");
  ASSERT_TRUE(requests.ok() && latency.ok() && connections.ok());
  constexpr int kThreads = 8;
  constexpr int kIterations = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string route = "/r" + std::to_string(t % 4);
      for (int i = 0; i < kIterations; ++i) {
        (*requests)->With({route, i % 2 ? "200" : "500"}).Inc();
        (*latency)->With({route}).Observe(0.001 * (i % 7));
        (*connections)->With({}).Inc();
        (*connections)->With({}).Dec();
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 20; ++i) EXPECT_FALSE(registry.Render().empty());
  });
  for (auto& th : threads) th.join();

  double total = 0;
  std::uint64_t observations = 0;
  for (int r = 0; r < 4; ++r) {
    std::string route = "/r" + std::to_string(r);
    total += (*requests)->With({route, "200"}).Value() + (*requests)->With({route, "500"}).Value();
    for (std::uint64_t c : (*latency)->With({route}).Read().counts) observations += c;
  }
  EXPECT_EQ(total, kThreads * kIterations);
  EXPECT_EQ(observations, static_cast<std::uint64_t>(kThreads) * kIterations);
  EXPECT_EQ((*connections)->With({}).Value(), 0);
}

// promtool (Debian package "prometheus") is the reference parser and linter of the format.
TEST(MetricsPromtoolTest, PromtoolAcceptsTheRenderedServerMetrics) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) GTEST_SKIP() << "promtool is not installed";
  MetricsRegistry registry;
  auto requests = registry.RegisterCounter("memd_http_requests_total", "HTTP requests by method, route and status.",
                                           {"method", "route", "status"});
  auto duration = registry.RegisterHistogram("memd_http_request_duration_seconds", "HTTP request latency.",
                                             {"method", "route"});
  auto limited = registry.RegisterCounter("memd_rate_limited_total", "Requests refused by rate limits.", {"kind"});
  auto build = registry.RegisterGauge("memd_build_info", "Build information; always 1.", {"version"});
  auto hits = registry.RegisterCounter("memd_cache_hits_total", "Result cache hits.");
  ASSERT_TRUE(requests.ok() && duration.ok() && limited.ok() && build.ok() && hits.ok());
  ASSERT_TRUE(registry.RegisterHistogram("memd_search_duration_seconds", "Search latency.").ok());
  ASSERT_TRUE(registry
                  .RegisterGaugeCallback("memd_process_resident_memory_bytes", "Resident memory.",
                                         [] { return static_cast<double>(ProcessResidentBytes()); })
                  .ok());
  ASSERT_TRUE(registry.RegisterGaugeCallback("memd_disk_free_bytes", "Free disk.", [] { return 1.5e12; }).ok());
  (*requests)->With({"GET", "/v1/search", "200"}).Inc();
  (*requests)->With({"POST", "/v1/memories", "500"}).Inc();
  (*duration)->With({"GET", "/v1/search"}).Observe(0.00042);
  (*limited)->With({"ip"}).Inc();
  (*build)->With({"0.1.0 \"dev\"\n"}).Set(1);
  (*hits)->With({}).Add(3);

  auto dir = TempDir::Create("memd-metrics-");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  std::string path = dir->Child("metrics.txt");
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::string text = registry.Render();
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  std::string command = "promtool check metrics < '" + path + "' > '" + path + ".out' 2>&1";
  int rc = std::system(command.c_str());
  std::string out;
  if (FILE* o = std::fopen((path + ".out").c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, o)) > 0) out.append(buf, n);
    std::fclose(o);
  }
  EXPECT_EQ(rc, 0) << "promtool output:\n" << out << "\ninput:\n" << text;
}

}  // namespace
}  // namespace memd::server
