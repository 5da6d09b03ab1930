#include "bench_util.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <thread>
#include <unordered_set>

#include "bench_revision.h"  // generated at build time by bench/revision.cmake

namespace memd::bench {
namespace fs = std::filesystem;

namespace {

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value after "key<spaces>:" on the first matching line of a /proc file.
std::string ProcField(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    return value;
  }
  return "";
}

// Common English words, most frequent first (function words, then everyday content words).
constexpr const char* kCommonWords[] = {
    "the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not",
    "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were",
    "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would", "who",
    "so", "no", "out", "up", "into", "them", "some", "could", "other", "than", "then", "what", "time", "its",
    "only", "new", "about", "over", "may", "first", "also", "after", "any", "like", "these", "should", "use",
    "work", "user", "file", "data", "system", "code", "test", "server", "request", "error", "memory", "project",
    "function", "value", "query", "index", "search", "result", "config", "build", "change", "version", "update",
    "release", "team", "meeting", "design", "review", "issue", "bug", "fix", "feature", "database", "table",
    "client", "service", "api", "network", "cache", "latency", "thread", "process", "model", "document", "note",
    "message", "agent", "task", "plan", "deploy", "cluster", "storage", "disk", "log", "metric", "alert", "token",
    "session", "account", "password", "email", "customer", "order", "payment", "invoice", "report", "week",
    "month", "year", "today", "tomorrow", "morning", "people", "person", "group", "company", "market", "price",
    "product", "question", "answer", "problem", "solution", "reason", "example", "idea", "point", "part", "place",
    "case", "number", "way", "day", "thing", "world", "life", "hand", "child", "eye", "woman", "man", "home",
    "school", "state", "family", "student", "country", "city", "room", "water", "book", "story", "word",
    "business", "area", "money", "night", "week", "side", "kind", "head", "house", "program", "job", "name",
    "car", "office", "door", "health", "art", "war", "history", "party", "result", "morning", "reason", "research",
    "girl", "boy", "level", "paper", "music", "form", "food", "policy", "law", "language", "field", "decision",
    "make", "know", "take", "see", "come", "think", "look", "want", "give", "find", "tell", "ask", "seem", "feel",
    "try", "leave", "call", "keep", "start", "show", "hear", "play", "run", "move", "live", "believe", "bring",
    "happen", "write", "provide", "sit", "stand", "lose", "pay", "meet", "include", "continue", "set", "learn",
    "lead", "understand", "watch", "follow", "stop", "create", "speak", "read", "allow", "add", "spend", "grow",
    "open", "walk", "win", "offer", "remember", "love", "consider", "appear", "buy", "wait", "serve", "die",
    "send", "expect", "stay", "fall", "cut", "reach", "kill", "remain", "suggest", "raise", "pass", "sell",
    "require", "decide", "return", "explain", "hope", "develop", "carry", "break", "receive", "agree", "support",
    "hit", "produce", "eat", "cover", "catch", "draw", "choose", "good", "great", "small", "large", "big", "long",
    "little", "old", "high", "different", "local", "important", "early", "young", "public", "bad", "same", "able",
    "late", "hard", "major", "better", "economic", "strong", "possible", "whole", "free", "military", "true",
    "federal", "international", "full", "special", "easy", "clear", "recent", "certain", "personal", "slow",
    "fast", "quick", "simple", "empty", "broken", "stable", "remote"};

// Syllables for pseudo-words.
constexpr const char* kOnsets[] = {"b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t",
                                   "v", "w", "z", "br", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "sl", "st",
                                   "str", "th", "tr", "ch", "sp", "sc", "qu", ""};
constexpr const char* kVowels[] = {"a", "e", "i", "o", "u", "a", "e", "i", "o", "a", "e", "ea", "ee", "ou", "y"};
constexpr const char* kCodas[] = {"", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "ng", "rt", "x"};

template <typename T, std::size_t N>
const T& Pick(const T (&array)[N], std::mt19937_64& rng) {
  return array[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

}  // namespace

// ---- machine, load, clocks -------------------------------------------------------------

std::string DescribeMachine() {
  std::string cpu = ProcField("/proc/cpuinfo", "model name");
  std::string mem = ProcField("/proc/meminfo", "MemTotal");
  double mem_gib = std::atof(mem.c_str()) / (1024.0 * 1024.0);
  struct utsname uts;
  std::string kernel = uname(&uts) == 0 ? std::string(uts.sysname) + " " + uts.release : "?";
  std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  char buf[512];
  std::snprintf(buf, sizeof(buf), "nproc=%ld, CPU \"%s\", RAM %.1f GiB, %s, %s, memd %s", sysconf(_SC_NPROCESSORS_ONLN),
                cpu.c_str(), mem_gib, kernel.c_str(), date, SourceRevision().c_str());
  return buf;
}

std::string SourceRevision() { return MEMD_BENCH_REVISION; }

std::string LoadAverages() {
  std::string s = ReadSmallFile("/proc/loadavg");
  std::istringstream in(s);
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

double LoadAverage1() { return std::atof(LoadAverages().c_str()); }

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double ThreadCpuSeconds() {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double ProcessCpuSeconds() {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::int64_t VmRssKib() {
  std::string v = ProcField("/proc/self/status", "VmRSS");
  if (v.empty()) return -1;
  return std::atoll(v.c_str());
}

double WaitForIdleProcess(double timeout_seconds, double window_seconds, double idle_fraction) {
  const double start = NowSeconds();
  for (;;) {
    const double cpu0 = ProcessCpuSeconds();
    const double t0 = NowSeconds();
    std::this_thread::sleep_for(std::chrono::duration<double>(window_seconds));
    const double used = ProcessCpuSeconds() - cpu0;
    const double elapsed = NowSeconds() - t0;
    if (used < idle_fraction * elapsed) return NowSeconds() - start;
    if (NowSeconds() - start > timeout_seconds) return -1;
  }
}

// ---- statistics ------------------------------------------------------------------------

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  std::size_t i = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return values[std::min(i, values.size() - 1)];
}

double Median(std::vector<double> values) { return Percentile(std::move(values), 50); }

double Mean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

// ---- text generation -------------------------------------------------------------------

ZipfSampler::ZipfSampler(std::size_t n, double s) : cdf_(n) {
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total += 1.0 / std::pow(static_cast<double>(i + 1), s);
    cdf_[i] = total;
  }
  for (double& c : cdf_) c /= total;
}

std::size_t ZipfSampler::Sample(std::mt19937_64& rng) const {
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  auto it = std::lower_bound(cdf_.begin(), cdf_.end(), u);
  return std::min(static_cast<std::size_t>(it - cdf_.begin()), cdf_.size() - 1);
}

TextGenerator::TextGenerator(std::size_t vocabulary_size, std::uint64_t seed, double identifier_rate)
    : zipf_(vocabulary_size, 1.0), identifier_rate_(identifier_rate) {
  std::mt19937_64 rng(seed);
  std::unordered_set<std::string> seen;
  for (const char* w : kCommonWords) {
    if (vocabulary_.size() >= vocabulary_size) break;
    if (seen.insert(w).second) vocabulary_.push_back(w);
  }
  const std::size_t common = vocabulary_.size();
  while (vocabulary_.size() < vocabulary_size) {
    // 1..4 syllables, mostly 2: English words average ~5 letters.
    const int syllables = 1 + std::discrete_distribution<int>({30, 45, 20, 5})(rng);
    std::string w;
    for (int i = 0; i < syllables; ++i) {
      w += Pick(kOnsets, rng);
      w += Pick(kVowels, rng);
      if (i == syllables - 1 || std::uniform_int_distribution<int>(0, 3)(rng) == 0) w += Pick(kCodas, rng);
    }
    if (w.size() >= 3 && seen.insert(w).second) vocabulary_.push_back(std::move(w));
  }
  // Ranks beyond the common words are shuffled so that word length does not follow rank.
  std::shuffle(vocabulary_.begin() + static_cast<std::ptrdiff_t>(common), vocabulary_.end(), rng);
}

std::string TextGenerator::Word(std::mt19937_64& rng) const { return vocabulary_[zipf_.Sample(rng)]; }

std::string TextGenerator::Identifier(std::mt19937_64& rng) const {
  const int parts = std::uniform_int_distribution<int>(2, 3)(rng);
  const bool camel = std::uniform_int_distribution<int>(0, 2)(rng) == 0;
  std::string id;
  for (int i = 0; i < parts; ++i) {
    // Identifier parts are content words: skip the ~60 most frequent (function) ranks.
    std::string part;
    do {
      std::size_t rank = zipf_.Sample(rng);
      if (rank < 60) continue;
      part = vocabulary_[rank];
    } while (part.empty());
    if (camel) {
      if (i > 0) part[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(part[0])));
    } else if (i > 0) {
      id += '_';
    }
    id += part;
  }
  return id;
}

std::string TextGenerator::Text(std::mt19937_64& rng, int words) const {
  std::string text;
  bool sentence_start = true;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int i = 0; i < words; ++i) {
    std::string w = u(rng) < identifier_rate_ ? Identifier(rng) : Word(rng);
    if (sentence_start && w.find('_') == std::string::npos) {
      w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
    }
    if (!text.empty()) text += ' ';
    text += w;
    sentence_start = false;
    if (i + 1 == words) {
      text += '.';
    } else if (u(rng) < 0.08) {
      text += '.';
      sentence_start = true;
    } else if (u(rng) < 0.05) {
      text += ',';
    }
  }
  return text;
}

std::string TextGenerator::Query(std::mt19937_64& rng, int words) const {
  std::string q;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int i = 0; i < words; ++i) {
    if (!q.empty()) q += ' ';
    q += u(rng) < identifier_rate_ ? Identifier(rng) : Word(rng);
  }
  return q;
}

// ---- files ---------------------------------------------------------------------------

ScratchDir::ScratchDir(std::string_view prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + std::string(prefix) + "XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) Die("cannot create a scratch directory from " + pattern);
  path_ = buf.data();
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::uint64_t DirectoryBytes(const std::string& path) {
  std::error_code ec;
  std::uint64_t total = 0;
  if (!fs::exists(path, ec)) return 0;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

void Die(const std::string& message) {
  std::fprintf(stderr, "FATAL: %s\n", message.c_str());
  std::exit(1);
}

}  // namespace memd::bench
