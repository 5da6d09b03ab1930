// Metrics: counters, gauges and histograms with labels, rendered in the Prometheus text
// exposition format 0.0.4 (what GET /metrics serves).
//
// Hot path: a child metric (one combination of label values) is updated with relaxed atomics
// only, never a lock. Looking a child up by its label values (Family::With) takes a shared
// lock and a hash lookup, so code on a hot path looks children up once and keeps the reference;
// references stay valid for the life of the registry. Render() is the slow path: it locks,
// sorts and formats everything, and evaluates callback gauges.
//
// Every distinct label-value combination creates a child that lives as long as the registry.
// Callers must map unbounded input (raw URL paths, unknown HTTP methods) to a small fixed set
// ("other") before calling With. As a safety net, a family holds at most
// max_children_per_family children; further combinations share one overflow child whose
// label values are all kOverflowLabelValue, so memory stays bounded whatever clients send.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "memd/status.h"

namespace memd::server {

// Histogram bucket upper bounds (seconds) for request latencies of a fast server: 100 us to 10 s.
inline constexpr double kDefaultLatencyBuckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                    0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                    1,      2.5,     5,      10};

// The label value of the overflow child of a family that reached its cap on children.
inline constexpr std::string_view kOverflowLabelValue = "__overflow__";

// A monotonically increasing value. Thread-safe and lock-free.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds 1. One atomic integer add.
  void Inc() { count_.fetch_add(1, std::memory_order_relaxed); }
  // Adds v. Negative, NaN and infinite v are ignored (a counter never goes down).
  void Add(double v);
  // The current total.
  double Value() const;

 private:
  std::atomic<std::uint64_t> count_{0};  // whole increments from Inc()
  std::atomic<double> extra_{0.0};       // everything added with Add()
};

// A value that goes up and down. Thread-safe and lock-free.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Inc(double v = 1.0) { Add(v); }
  void Dec(double v = 1.0) { Add(-v); }
  void Add(double v);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Counts observations into fixed buckets and keeps their sum. Thread-safe and lock-free:
// Observe is one bucket search, one atomic integer add and one atomic double add.
// A scrape running concurrently with Observe may see a sum that lags the counts by the
// observations in flight; the bucket counts and _count are always consistent with each other.
class Histogram {
 public:
  // bounds: strictly increasing finite upper bounds; the +Inf bucket is implicit. The span must
  // outlive the histogram (the family owns it).
  explicit Histogram(std::span<const double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Records v (for latencies: seconds). NaN is ignored.
  void Observe(double v);

  // A consistent-enough copy for rendering and tests: per-bucket (not cumulative) counts, one
  // per bound plus the +Inf bucket, and the sum of observations.
  struct Snapshot {
    std::vector<std::uint64_t> counts;
    double sum = 0;
  };
  Snapshot Read() const;

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1 entries
  std::atomic<double> sum_{0.0};
};

// The part of a metric family shared by every metric type: name, help, label names and the
// rendering hook. Created only by MetricsRegistry.
class MetricFamily {
 public:
  virtual ~MetricFamily() = default;
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends this family's HELP, TYPE and sample lines to *out.
  virtual void RenderTo(std::string* out) const = 0;

 protected:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

// A family of metrics of one type (Counter, Gauge or Histogram) that share a name and label
// names and differ by label values. Thread-safe.
template <typename Child>
class Family final : public MetricFamily {
 public:
  // Returns the child for these label values (one per label name, in the same order), creating
  // it on first use. The reference is valid for the life of the registry. A family without
  // labels has exactly one child, With({}), which exists (and is rendered) from the start.
  // Once the family holds its maximum of children, new combinations get the overflow child.
  // Too few values are padded with "" and extra values are ignored; both are caller bugs, not
  // errors, so that a metric can never take the server down. Costs a shared lock and a hash
  // lookup (plus an allocation of the lookup key): keep the reference on hot paths.
  Child& With(std::initializer_list<std::string_view> label_values);
  Child& With(std::span<const std::string> label_values);

  void RenderTo(std::string* out) const override;

 private:
  friend class MetricsRegistry;
  struct Entry {
    std::vector<std::string> label_values;
    std::unique_ptr<Child> child;
  };

  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds, std::size_t max_children);
  Child& WithValues(std::span<const std::string_view> label_values);

  std::vector<double> bounds_;  // histograms only
  const std::size_t max_children_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Entry>> children_;  // guarded by mu_
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Owns every metric family of a process and renders them. Thread-safe: registration, updates
// and Render may run concurrently. Families render in registration order; children of a family
// render sorted by label values, so the output is deterministic.
class MetricsRegistry {
 public:
  static constexpr std::size_t kDefaultMaxChildrenPerFamily = 10'000;

  // max_children_per_family caps the children of each family (see the overflow child above).
  explicit MetricsRegistry(std::size_t max_children_per_family = kDefaultMaxChildrenPerFamily)
      : max_children_per_family_(max_children_per_family) {}
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registers a family and returns it; the pointer is valid for the life of the registry.
  // Errors (nothing is registered): InvalidArgument if name is not a valid metric name
  // ([a-zA-Z_:][a-zA-Z0-9_:]*), a label name is not valid ([a-zA-Z_][a-zA-Z0-9_]*, not starting
  // with "__"), label names repeat, or (histograms) a label is named "le" or the bounds are not
  // strictly increasing finite numbers; AlreadyExists if the name is taken.
  Result<CounterFamily*> RegisterCounter(std::string name, std::string help,
                                         std::vector<std::string> label_names = {});
  Result<GaugeFamily*> RegisterGauge(std::string name, std::string help,
                                     std::vector<std::string> label_names = {});
  Result<HistogramFamily*> RegisterHistogram(
      std::string name, std::string help, std::vector<std::string> label_names = {},
      std::vector<double> bounds = {std::begin(kDefaultLatencyBuckets), std::end(kDefaultLatencyBuckets)});

  // Registers an unlabelled gauge whose value is fn(), called at every Render (so it may read
  // engine state, process memory, free disk...). fn runs on the scraping thread with no
  // registry lock held, so it may take its own locks. If fn throws, the sample is left out of
  // that scrape. Errors as for RegisterGauge, and InvalidArgument if fn is empty.
  Status RegisterGaugeCallback(std::string name, std::string help, std::function<double()> fn);
  // The same for a counter: fn() must never decrease (e.g. a total kept elsewhere).
  Status RegisterCounterCallback(std::string name, std::string help, std::function<double()> fn);

  // The whole registry in the Prometheus text format 0.0.4 (Content-Type:
  // "text/plain; version=0.0.4; charset=utf-8"). Cost: linear in the number of children.
  std::string Render() const;

 private:
  Status CheckNewFamily(const std::string& name, const std::vector<std::string>& label_names) const;
  Status RegisterCallback(std::string name, std::string help, const char* type, std::function<double()> fn);

  const std::size_t max_children_per_family_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<MetricFamily>> families_;  // guarded by mu_
};

// Formats v as a Prometheus sample value: integers without a fraction ("42"), other finite
// values in the shortest form that round-trips ("0.00025", "1.5e-07"), and "NaN", "+Inf", "-Inf".
std::string FormatMetricValue(double v);

// Resident set size of this process in bytes, read from /proc/self/statm; 0 if unavailable.
std::uint64_t ProcessResidentBytes();

}  // namespace memd::server
