#include "server/metrics.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <utility>

namespace memd::server {
namespace {

// Appends s with the escapes of the exposition format: HELP text escapes \ and newline; label
// values additionally escape the double quote.
void AppendEscaped(std::string_view s, bool escape_quote, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '"':
        if (escape_quote) {
          out->append("\\\"");
        } else {
          out->push_back(c);
        }
        break;
      default: out->push_back(c);
    }
  }
}

void AppendHeader(const MetricFamily& family, std::string_view type, std::string* out) {
  out->append("# HELP ").append(family.name()).push_back(' ');
  AppendEscaped(family.help(), /*escape_quote=*/false, out);
  out->append("\n# TYPE ").append(family.name()).push_back(' ');
  out->append(type).push_back('\n');
}

// Appends `name{l1="v1",...,extra}` (no braces when there are no labels at all).
void AppendSeries(std::string_view name, std::string_view suffix, const std::vector<std::string>& label_names,
                  const std::vector<std::string>& label_values, std::string_view extra_name,
                  std::string_view extra_value, std::string* out) {
  out->append(name).append(suffix);
  if (label_names.empty() && extra_name.empty()) return;
  out->push_back('{');
  bool first = true;
  auto pair = [&](std::string_view n, std::string_view v) {
    if (!first) out->push_back(',');
    first = false;
    out->append(n).append("=\"");
    AppendEscaped(v, /*escape_quote=*/true, out);
    out->push_back('"');
  };
  for (std::size_t i = 0; i < label_names.size(); ++i) pair(label_names[i], label_values[i]);
  if (!extra_name.empty()) pair(extra_name, extra_value);
  out->push_back('}');
}

void AppendSample(std::string_view name, std::string_view suffix, const std::vector<std::string>& label_names,
                  const std::vector<std::string>& label_values, double value, std::string* out,
                  std::string_view extra_name = {}, std::string_view extra_value = {}) {
  AppendSeries(name, suffix, label_names, label_values, extra_name, extra_value, out);
  out->push_back(' ');
  out->append(FormatMetricValue(value)).push_back('\n');
}

// Adds v to an atomic double with a compare-exchange loop (what fetch_add compiles to anyway,
// spelled out so the memory order is explicit).
void AtomicAdd(std::atomic<double>& a, double v) {
  double old = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(old, old + v, std::memory_order_relaxed, std::memory_order_relaxed)) {
  }
}

bool IsMetricName(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsLabelName(std::string_view s) {
  if (s.empty() || s.starts_with("__")) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// The map key of a label-value combination: each value prefixed by its length (4 raw bytes), so
// that no two different combinations share a key whatever bytes the values hold. Values beyond
// n are ignored and missing ones are empty (see Family::With).
std::string ChildKey(std::span<const std::string_view> values, std::size_t n) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < n && i < values.size(); ++i) total += 4 + values[i].size();
  std::string key;
  key.reserve(total + 4 * n);
  for (std::size_t i = 0; i < n; ++i) {
    std::string_view v = i < values.size() ? values[i] : std::string_view();
    const auto size = static_cast<std::uint32_t>(v.size());
    key.append(reinterpret_cast<const char*>(&size), sizeof size);
    key.append(v);
  }
  return key;
}

template <typename Child>
std::unique_ptr<Child> MakeChild(const std::vector<double>& bounds) {
  if constexpr (std::is_same_v<Child, Histogram>) {
    return std::make_unique<Histogram>(bounds);
  } else {
    return std::make_unique<Child>();
  }
}

template <typename Child>
constexpr std::string_view TypeName() {
  if constexpr (std::is_same_v<Child, Counter>) return "counter";
  if constexpr (std::is_same_v<Child, Gauge>) return "gauge";
  if constexpr (std::is_same_v<Child, Histogram>) return "histogram";
}

// An unlabelled gauge or counter whose value is computed at scrape time.
class CallbackMetric final : public MetricFamily {
 public:
  CallbackMetric(std::string name, std::string help, const char* type, std::function<double()> fn)
      : MetricFamily(std::move(name), std::move(help), {}), type_(type), fn_(std::move(fn)) {}

  void RenderTo(std::string* out) const override {
    AppendHeader(*this, type_, out);
    double value;
    try {
      value = fn_();
    } catch (...) {
      return;  // documented: the sample is left out of this scrape
    }
    AppendSample(name(), "", {}, {}, value, out);
  }

 private:
  const char* type_;
  std::function<double()> fn_;
};

}  // namespace

std::string FormatMetricValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::to_chars_result r;
  double a = std::fabs(v);
  if (a < 1e15 && v == std::trunc(v)) {
    r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
  } else if (a >= 1e-5 && a < 1e15) {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  } else {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  }
  return std::string(buf, r.ptr);
}

std::uint64_t ProcessResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? resident_pages * static_cast<std::uint64_t>(page) : 0;
}

// ---- Counter, Gauge, Histogram

void Counter::Add(double v) {
  if (!(v >= 0) || std::isinf(v)) return;  // also rejects NaN
  AtomicAdd(extra_, v);
}

double Counter::Value() const {
  return static_cast<double>(count_.load(std::memory_order_relaxed)) + extra_.load(std::memory_order_relaxed);
}

void Gauge::Add(double v) { AtomicAdd(value_, v); }

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds), counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::Observe(double v) {
  if (std::isnan(v)) return;
  // Bucket i counts observations <= bounds_[i]; a linear scan beats a binary search for the
  // ~16 bounds we use, and latencies mostly land in the first buckets.
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, v);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.counts.resize(bounds_.size() + 1);
  for (std::size_t i = 0; i < s.counts.size(); ++i) s.counts[i] = counts_[i].load(std::memory_order_relaxed);
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

// ---- Family

template <typename Child>
Family<Child>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                      std::vector<double> bounds, std::size_t max_children)
    : MetricFamily(std::move(name), std::move(help), std::move(label_names)),
      bounds_(std::move(bounds)),
      max_children_(std::max<std::size_t>(1, max_children)) {
  if (this->label_names().empty()) WithValues({});  // the single child exists from the start
}

template <typename Child>
Child& Family<Child>::With(std::initializer_list<std::string_view> label_values) {
  return WithValues(std::span<const std::string_view>(label_values.begin(), label_values.size()));
}

template <typename Child>
Child& Family<Child>::With(std::span<const std::string> label_values) {
  std::vector<std::string_view> views(label_values.begin(), label_values.end());
  return WithValues(views);
}

template <typename Child>
Child& Family<Child>::WithValues(std::span<const std::string_view> given) {
  const std::size_t n = label_names().size();
  std::string key = ChildKey(given, n);
  {
    std::shared_lock lock(mu_);
    auto it = children_.find(key);
    if (it != children_.end()) return *it->second->child;
  }
  std::unique_lock lock(mu_);
  std::vector<std::string_view> overflow;
  if (children_.size() >= max_children_ && !children_.contains(key)) {
    // Full: this combination is counted in the overflow child (which may exceed the cap by one).
    overflow.assign(n, kOverflowLabelValue);
    given = overflow;
    key = ChildKey(given, n);
  }
  auto [it, inserted] = children_.try_emplace(std::move(key));
  if (inserted) {
    auto entry = std::make_unique<Entry>();
    entry->label_values.assign(given.begin(), given.begin() + std::min(n, given.size()));
    entry->label_values.resize(n);  // pads with "" (documented)
    entry->child = MakeChild<Child>(bounds_);
    it->second = std::move(entry);
  }
  return *it->second->child;
}

template <typename Child>
void Family<Child>::RenderTo(std::string* out) const {
  AppendHeader(*this, TypeName<Child>(), out);
  std::vector<const Entry*> entries;
  {
    std::shared_lock lock(mu_);
    entries.reserve(children_.size());
    for (const auto& [key, entry] : children_) entries.push_back(entry.get());
  }
  // Entries are never removed, so the pointers stay valid after the lock is dropped.
  std::sort(entries.begin(), entries.end(),
            [](const Entry* a, const Entry* b) { return a->label_values < b->label_values; });
  for (const Entry* e : entries) {
    if constexpr (std::is_same_v<Child, Histogram>) {
      Histogram::Snapshot s = e->child->Read();
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < s.counts.size(); ++i) {
        cumulative += s.counts[i];
        std::string le = i < bounds_.size() ? FormatMetricValue(bounds_[i]) : "+Inf";
        AppendSample(name(), "_bucket", label_names(), e->label_values, static_cast<double>(cumulative), out, "le",
                     le);
      }
      AppendSample(name(), "_sum", label_names(), e->label_values, s.sum, out);
      AppendSample(name(), "_count", label_names(), e->label_values, static_cast<double>(cumulative), out);
    } else {
      AppendSample(name(), "", label_names(), e->label_values, e->child->Value(), out);
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// ---- MetricsRegistry

Status MetricsRegistry::CheckNewFamily(const std::string& name, const std::vector<std::string>& label_names) const {
  if (!IsMetricName(name)) {
    return Status::InvalidArgument("metric name \"" + name + "\" is not valid; use [a-zA-Z_:][a-zA-Z0-9_:]*");
  }
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    if (!IsLabelName(label_names[i])) {
      return Status::InvalidArgument("label name \"" + label_names[i] + "\" of metric " + name +
                                     " is not valid; use [a-zA-Z_][a-zA-Z0-9_]* not starting with __");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (label_names[j] == label_names[i]) {
        return Status::InvalidArgument("label name \"" + label_names[i] + "\" repeats in metric " + name);
      }
    }
  }
  // Caller holds mu_.
  for (const auto& f : families_) {
    if (f->name() == name) return Status::AlreadyExists("metric " + name + " is already registered");
  }
  return Status::OK();
}

Result<CounterFamily*> MetricsRegistry::RegisterCounter(std::string name, std::string help,
                                                        std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  MEMD_RETURN_IF_ERROR(CheckNewFamily(name, label_names));
  auto* family = new CounterFamily(std::move(name), std::move(help), std::move(label_names), {}, max_children_per_family_);
  families_.emplace_back(family);
  return family;
}

Result<GaugeFamily*> MetricsRegistry::RegisterGauge(std::string name, std::string help,
                                                    std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  MEMD_RETURN_IF_ERROR(CheckNewFamily(name, label_names));
  auto* family = new GaugeFamily(std::move(name), std::move(help), std::move(label_names), {}, max_children_per_family_);
  families_.emplace_back(family);
  return family;
}

Result<HistogramFamily*> MetricsRegistry::RegisterHistogram(std::string name, std::string help,
                                                            std::vector<std::string> label_names,
                                                            std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  MEMD_RETURN_IF_ERROR(CheckNewFamily(name, label_names));
  if (std::find(label_names.begin(), label_names.end(), "le") != label_names.end()) {
    return Status::InvalidArgument("histogram " + name + " may not have a label named \"le\"; rename it");
  }
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1]))) {
      return Status::InvalidArgument("bucket bounds of histogram " + name +
                                     " must be strictly increasing finite numbers (+Inf is implicit)");
    }
  }
  auto* family = new HistogramFamily(std::move(name), std::move(help), std::move(label_names), std::move(bounds),
                                     max_children_per_family_);
  families_.emplace_back(family);
  return family;
}

Status MetricsRegistry::RegisterCallback(std::string name, std::string help, const char* type,
                                         std::function<double()> fn) {
  std::lock_guard lock(mu_);
  MEMD_RETURN_IF_ERROR(CheckNewFamily(name, {}));
  if (!fn) return Status::InvalidArgument("callback of " + std::string(type) + " " + name + " is empty");
  families_.push_back(
      std::make_unique<CallbackMetric>(std::move(name), std::move(help), type, std::move(fn)));
  return Status::OK();
}

Status MetricsRegistry::RegisterGaugeCallback(std::string name, std::string help,
                                              std::function<double()> fn) {
  return RegisterCallback(std::move(name), std::move(help), "gauge", std::move(fn));
}

Status MetricsRegistry::RegisterCounterCallback(std::string name, std::string help,
                                                std::function<double()> fn) {
  return RegisterCallback(std::move(name), std::move(help), "counter", std::move(fn));
}

std::string MetricsRegistry::Render() const {
  std::vector<const MetricFamily*> families;
  {
    std::lock_guard lock(mu_);
    families.reserve(families_.size());
    for (const auto& f : families_) families.push_back(f.get());
  }
  // Families are never removed, so rendering (and running callbacks) needs no registry lock.
  std::string out;
  for (const MetricFamily* f : families) f->RenderTo(&out);
  return out;
}

}  // namespace memd::server
