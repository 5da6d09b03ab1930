// Helpers shared by memd's benchmark programs: machine and load description, clocks,
// process CPU and memory readings, percentiles, seeded Zipfian text generation, scratch
// directories and a wait for background work to finish. Not part of memd; thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace memd::bench {

// ---- machine, load, clocks -------------------------------------------------------------

// One line describing the machine: nproc, CPU model (/proc/cpuinfo), RAM (/proc/meminfo),
// kernel, the current date and time in UTC, and the memd source revision.
std::string DescribeMachine();
// The memd source revision the benchmark was built from, recorded at build time by
// bench/revision.cmake: `git describe --always --dirty`, plus a digest of the uncommitted
// diff when dirty; "unknown" outside a git tree.
std::string SourceRevision();
// The 1-, 5- and 15-minute load averages as "a b c" (from /proc/loadavg).
std::string LoadAverages();
// The 1-minute load average.
double LoadAverage1();
// Seconds on a monotonic clock.
double NowSeconds();
// CPU seconds consumed by the calling thread (CLOCK_THREAD_CPUTIME_ID). On a machine
// shared with other jobs this is a steadier cost measure than wall time for
// single-threaded work: time slices lost to other processes do not count.
double ThreadCpuSeconds();
// User + system CPU seconds consumed by this process so far (all threads).
double ProcessCpuSeconds();
// Resident set size of this process in KiB (VmRSS in /proc/self/status); -1 if unknown.
std::int64_t VmRssKib();

// Waits until the process has been nearly idle (CPU use below idle_fraction of one core
// over a window_seconds window) for one window, polling; the caller's own thread must be
// sleeping meanwhile, so the CPU that remains is background work (e.g. memd's graph
// building thread). Returns the seconds waited, or -1 on timeout.
double WaitForIdleProcess(double timeout_seconds, double window_seconds = 1.0, double idle_fraction = 0.05);

// ---- statistics ------------------------------------------------------------------------

// The p-th percentile (0..100) of values by the nearest-rank method; 0 if empty.
double Percentile(std::vector<double> values, double p);
double Median(std::vector<double> values);
double Mean(const std::vector<double>& values);

// ---- text generation -------------------------------------------------------------------

// Ranks 0..n-1 drawn with probability proportional to 1 / (rank + 1)^s.
class ZipfSampler {
 public:
  ZipfSampler(std::size_t n, double s);
  std::size_t Sample(std::mt19937_64& rng) const;

 private:
  std::vector<double> cdf_;
};

// A seeded vocabulary of English-like words: the most frequent ranks are ~300 real common
// English words (function words first), the rest are pronounceable pseudo-words built from
// syllables; texts draw words by Zipf(1.0) rank, so frequencies look like natural language.
// With probability identifier_rate a word slot holds a code identifier instead
// (e.g. "parse_http_request", "loadUserConfig"), built from the vocabulary's words.
class TextGenerator {
 public:
  TextGenerator(std::size_t vocabulary_size, std::uint64_t seed, double identifier_rate = 0.03);

  // A text of `words` words with sentence punctuation and capitals.
  std::string Text(std::mt19937_64& rng, int words) const;
  // A search query of `words` words drawn from the same distribution (lower case, no punctuation).
  std::string Query(std::mt19937_64& rng, int words) const;
  const std::vector<std::string>& vocabulary() const { return vocabulary_; }

 private:
  std::string Word(std::mt19937_64& rng) const;
  std::string Identifier(std::mt19937_64& rng) const;

  std::vector<std::string> vocabulary_;
  ZipfSampler zipf_;
  double identifier_rate_;
};

// ---- files ---------------------------------------------------------------------------

// A fresh directory under $TMPDIR (or /tmp), removed recursively on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Total size in bytes of the regular files under path (recursively); 0 if absent.
std::uint64_t DirectoryBytes(const std::string& path);

// Aborts the program with a message when a required step fails.
[[noreturn]] void Die(const std::string& message);

}  // namespace memd::bench
