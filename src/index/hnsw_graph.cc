#include "index/hnsw_graph.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <new>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "index/int8_code.h"
#include "util/mapped_file.h"

// Nodes hold int8 codes (index/int8_code.h), not float vectors, and the distance is
// Int8Space below. hnswlib's "manual vectorisation" (USE_SSE) also turns on its software
// prefetching of neighbour vectors during search (bench/vector_bench). That prefetch loop
// reads the link id one past the end of a full link list,
// a 4-byte heap over-read that cannot fault (it stays inside the allocator's chunk) but that
// ASan reports; sanitizer builds therefore compile hnswlib without it. Its SSE distance
// functions are static, but its CPU-feature probes are non-inline global functions defined
// in the header: they are renamed here so that another translation unit including hnswlib
// (the raw-hnswlib baseline of the benchmarks) links beside this one.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_MANUAL_VECTORIZATION
#endif
#define cpuid memd_hnswlib_cpuid
#define xgetbv memd_hnswlib_xgetbv
#define AVXCapable memd_hnswlib_AVXCapable
#define AVX512Capable memd_hnswlib_AVX512Capable
#include <hnswlib/hnswlib.h>
#undef cpuid
#undef xgetbv
#undef AVXCapable
#undef AVX512Capable

#if defined(__SANITIZE_THREAD__)
#define MEMD_HNSW_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MEMD_HNSW_TSAN 1
#endif
#endif
#ifdef MEMD_HNSW_TSAN
// hnswlib's addPoint takes per-node mutexes in data-dependent order (it supports concurrent
// inserts). memd never inserts concurrently: every graph mutation runs under VectorIndex's
// exclusive lock, and searches take none of these mutexes. So TSan's lock-order reports for
// them cannot be real deadlocks. (If another part of memd ever needs TSan suppressions,
// merge them here: a program has one __tsan_default_suppressions.)
extern "C" const char* __tsan_default_suppressions() { return "deadlock:hnswlib\n"; }
#endif

namespace memd::index {
namespace {

using Graph = hnswlib::HierarchicalNSW<float>;

// Searches jump between random nodes of the level-0 block: backing it with huge pages
// saves a TLB miss on most of those jumps. Called whenever the block is (re)allocated.
void AdviseLevel0HugePages(Graph& g) {
  AdviseHugePages(g.data_level0_memory_, g.max_elements_ * g.size_data_per_element_);
}

// Inner-product "distance" 1 - a.b between the vectors two int8 codes approximate.
class Int8Space : public hnswlib::SpaceInterface<float> {
 public:
  explicit Int8Space(std::size_t dimension) : dimension_(dimension) {}
  std::size_t get_data_size() override { return Int8CodeBytes(dimension_); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return Int8CodeDistance(); }
  void* get_dist_func_param() override { return &dimension_; }

 private:
  std::size_t dimension_;
};

// The fixed-size header hnswlib 0.6.2 writes at the start of a saved index (saveIndex), in
// that order. Multi-byte fields are host order; memd only supports little-endian hosts.
struct GraphHeader {
  std::uint64_t offset_level0;
  std::uint64_t max_elements;
  std::uint64_t element_count;
  std::uint64_t size_data_per_element;
  std::uint64_t label_offset;
  std::uint64_t offset_data;
  std::int32_t max_level;
  std::uint32_t entry_point;
  std::uint64_t max_m;
  std::uint64_t max_m0;
  std::uint64_t m;
  double mult;
  std::uint64_t ef_construction;
};
constexpr std::size_t kHeaderBytes = 6 * 8 + 4 + 4 + 3 * 8 + 8 + 8;

constexpr int kMaxM = 1024;    // keeps 2*m within hnswlib's 16-bit list count
constexpr int kMaxLevel = 64;  // levels are ~log(n)/log(m); 64 is far beyond reach
constexpr std::size_t kMinCapacity = 1024;

template <typename T>
void ReadPod(const char*& p, T* value) {
  std::memcpy(value, p, sizeof(T));
  p += sizeof(T);
}

Status GraphCorruption(const std::string& path, const std::string& what) {
  return Status::Corruption("vector graph file " + path + " is corrupt (" + what +
                            "); delete the cube's index snapshot to rebuild it from the store");
}

// Checks the header of a saved graph against what this index expects, before hnswlib reads
// the file (hnswlib trusts every header field).
Status CheckHeader(const std::string& path, const GraphHeader& h, int dimension, std::size_t expected_nodes,
                   std::uint64_t file_size) {
  if (h.offset_level0 != 0) return GraphCorruption(path, "bad level-0 offset");
  if (h.element_count != expected_nodes) {
    return GraphCorruption(path, "holds " + std::to_string(h.element_count) + " nodes, expected " +
                                     std::to_string(expected_nodes));
  }
  if (h.m < 2 || h.m > static_cast<std::uint64_t>(kMaxM) || h.max_m != h.m || h.max_m0 != 2 * h.m) {
    return GraphCorruption(path, "bad link counts");
  }
  const std::uint64_t links0 = h.max_m0 * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint);
  const std::uint64_t vector_bytes = Int8CodeBytes(static_cast<std::size_t>(dimension));
  if (h.offset_data != links0 || h.label_offset != links0 + vector_bytes ||
      h.size_data_per_element != links0 + vector_bytes + sizeof(hnswlib::labeltype)) {
    return GraphCorruption(
        path, "element layout does not match int8 codes of dimension " + std::to_string(dimension));
  }
  if (!std::isfinite(h.mult) || h.mult <= 0 || h.mult > 10)
    return GraphCorruption(path, "bad level multiplier");
  if (h.ef_construction < h.m || h.ef_construction > 100000)
    return GraphCorruption(path, "bad ef_construction");
  if (h.element_count == 0) {
    if (h.max_level != -1) return GraphCorruption(path, "empty graph with levels");
  } else if (h.max_level < 0 || h.max_level > kMaxLevel || h.entry_point >= h.element_count) {
    return GraphCorruption(path, "bad entry point");
  }
  // Node data plus at least the 4-byte upper-layer size of every node.
  const std::uint64_t per_node = h.size_data_per_element + sizeof(std::uint32_t);
  if (h.element_count > (file_size - kHeaderBytes) / per_node) return GraphCorruption(path, "file too short");
  return Status::OK();
}

// Checks a graph hnswlib has just loaded: every label is a slot and unique, every link points
// at an existing node on a level that node has, and the entry point is on the top level.
// hnswlib follows links without bounds checks, so this must pass before any search.
Status CheckLoaded(const std::string& path, const Graph& g) {
  const std::size_t n = g.cur_element_count;
  if (g.label_lookup_.size() != n) return GraphCorruption(path, "duplicate labels");
  const int max_level = g.maxlevel_;
  for (std::size_t i = 0; i < n; ++i) {
    if (g.getExternalLabel(static_cast<hnswlib::tableint>(i)) > std::numeric_limits<Slot>::max()) {
      return GraphCorruption(path, "label out of range");
    }
    if (g.element_levels_[i] < 0 || g.element_levels_[i] > max_level)
      return GraphCorruption(path, "bad node level");
  }
  if (n > 0 && g.element_levels_[g.enterpoint_node_] != max_level) {
    return GraphCorruption(path, "entry point is not on the top level");
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto id = static_cast<hnswlib::tableint>(i);
    for (int level = 0; level <= g.element_levels_[i]; ++level) {
      hnswlib::linklistsizeint* list = g.get_linklist_at_level(id, level);
      const std::size_t count = g.getListCount(list);
      if (count > (level == 0 ? g.maxM0_ : g.maxM_)) return GraphCorruption(path, "link list too long");
      const auto* links = reinterpret_cast<const hnswlib::tableint*>(list + 1);
      for (std::size_t j = 0; j < count; ++j) {
        if (links[j] >= n || g.element_levels_[links[j]] < level)
          return GraphCorruption(path, "dangling link");
      }
    }
  }
  return Status::OK();
}

std::uint64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace

struct HnswGraph::Impl {
  explicit Impl(int dimension) : space(static_cast<std::size_t>(dimension)) {}
  Int8Space space;  // must outlive graph (it holds the distance function)
  std::unique_ptr<Graph> graph;
  std::size_t upper_link_bytes = 0;  // link lists above level 0, kept for MemoryBytes (O(1))
};

HnswGraph::HnswGraph(std::unique_ptr<Impl> impl, int dimension)
    : impl_(std::move(impl)), dimension_(dimension) {}
HnswGraph::~HnswGraph() = default;

Result<std::unique_ptr<HnswGraph>> HnswGraph::Create(int dimension, int m, int ef_construction,
                                                     std::size_t capacity) {
  if (dimension <= 0 || m < 2 || m > kMaxM || ef_construction < 1) {
    return Status::InvalidArgument("bad HNSW parameters: dimension " + std::to_string(dimension) + ", m " +
                                   std::to_string(m) + " (2.." + std::to_string(kMaxM) +
                                   "), ef_construction " + std::to_string(ef_construction));
  }
  auto impl = std::make_unique<Impl>(dimension);
  try {
    impl->graph =
        std::make_unique<Graph>(&impl->space, std::max(capacity, kMinCapacity), static_cast<std::size_t>(m),
                                static_cast<std::size_t>(ef_construction), /*random_seed=*/100);
    impl->graph->metric_hops = 0;
    impl->graph->metric_distance_computations = 0;
    impl->graph->setEf(1);  // the beam is the n of each Search
    AdviseLevel0HugePages(*impl->graph);
  } catch (const std::exception& e) {
    return Status::ResourceExhausted(std::string("cannot create the HNSW graph: ") + e.what());
  }
  return std::unique_ptr<HnswGraph>(new HnswGraph(std::move(impl), dimension));
}

namespace {

// Reads exactly n bytes at offset; Corruption if the file ends first.
Status PreadAll(int fd, void* out, std::size_t n, std::uint64_t offset, const std::string& path) {
  auto* p = static_cast<char*>(out);
  while (n > 0) {
    ssize_t got = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0)
      return Status::IOError("cannot read vector graph file " + path + ": " + std::strerror(errno));
    if (got == 0) return GraphCorruption(path, "file too short");
    p += got;
    n -= static_cast<std::size_t>(got);
    offset += static_cast<std::uint64_t>(got);
  }
  return Status::OK();
}

// Fills a graph constructed with the file's parameters from hnswlib's file layout (see
// GraphHeader; then the level-0 block of every node, then per node a u32 byte size and its
// upper-level link lists). hnswlib's own loader makes two passes with a seek and a
// buffered read per node, which dominated opening a large cube; this reads the level-0
// block straight into place and the rest in one read. Node fields are checked later
// (CheckLoaded). REQUIRES: the graph is empty; h passed CheckHeader.
Status ReadNodes(int fd, const std::string& path, const GraphHeader& h, std::uint64_t file_size, Graph& g) {
  const std::uint64_t n = h.element_count;
  if (g.size_data_per_element_ != h.size_data_per_element || g.offsetData_ != h.offset_data ||
      g.label_offset_ != h.label_offset || g.maxM_ != h.max_m || g.maxM0_ != h.max_m0) {
    return GraphCorruption(path, "element layout differs from the graph's parameters");
  }
  const std::uint64_t level0 = n * h.size_data_per_element;
  AdviseLevel0HugePages(g);
  MEMD_RETURN_IF_ERROR(PreadAll(fd, g.data_level0_memory_, level0, kHeaderBytes, path));
  std::string upper(file_size - kHeaderBytes - level0, '\0');
  MEMD_RETURN_IF_ERROR(PreadAll(fd, upper.data(), upper.size(), kHeaderBytes + level0, path));

  // From here the destructor frees every list whose node has a level above 0: levels are
  // zero (constructor) until a list is allocated.
  g.cur_element_count = n;
  g.label_lookup_.reserve(n);
  const char* p = upper.data();
  const char* end = p + upper.size();
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto id = static_cast<hnswlib::tableint>(i);
    g.linkLists_[i] = nullptr;
    g.label_lookup_.emplace(g.getExternalLabel(id), id);
    std::uint32_t bytes = 0;
    if (end - p < static_cast<std::ptrdiff_t>(sizeof(bytes))) return GraphCorruption(path, "file too short");
    ReadPod(p, &bytes);
    if (bytes == 0) continue;
    if (bytes % g.size_links_per_element_ != 0 || bytes / g.size_links_per_element_ > kMaxLevel) {
      return GraphCorruption(path, "bad upper-level size");
    }
    if (end - p < static_cast<std::ptrdiff_t>(bytes)) return GraphCorruption(path, "file too short");
    g.linkLists_[i] = static_cast<char*>(std::malloc(bytes));
    if (g.linkLists_[i] == nullptr)
      return Status::ResourceExhausted("not enough memory to load vector graph file " + path);
    std::memcpy(g.linkLists_[i], p, bytes);
    g.element_levels_[i] = static_cast<int>(bytes / g.size_links_per_element_);
    p += bytes;
  }
  if (p != end) return GraphCorruption(path, "trailing bytes");
  g.enterpoint_node_ = n > 0 ? h.entry_point : static_cast<hnswlib::tableint>(-1);
  g.maxlevel_ = h.max_level;
  g.mult_ = h.mult;
  g.revSize_ = 1.0 / h.mult;
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<HnswGraph>> HnswGraph::Load(const std::string& path, int dimension,
                                                   std::size_t expected_nodes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open vector graph file " + path + ": " + std::strerror(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return Status::IOError("cannot stat vector graph file " + path + ": " + std::strerror(errno));
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  if (file_size < kHeaderBytes) return GraphCorruption(path, "shorter than its header");
  char raw[kHeaderBytes];
  MEMD_RETURN_IF_ERROR(PreadAll(fd, raw, kHeaderBytes, 0, path));
  GraphHeader h;
  const char* p = raw;
  ReadPod(p, &h.offset_level0);
  ReadPod(p, &h.max_elements);
  ReadPod(p, &h.element_count);
  ReadPod(p, &h.size_data_per_element);
  ReadPod(p, &h.label_offset);
  ReadPod(p, &h.offset_data);
  ReadPod(p, &h.max_level);
  ReadPod(p, &h.entry_point);
  ReadPod(p, &h.max_m);
  ReadPod(p, &h.max_m0);
  ReadPod(p, &h.m);
  ReadPod(p, &h.mult);
  ReadPod(p, &h.ef_construction);
  MEMD_RETURN_IF_ERROR(CheckHeader(path, h, dimension, expected_nodes, file_size));

  auto impl = std::make_unique<Impl>(dimension);
  try {
    impl->graph = std::make_unique<Graph>(
        &impl->space, std::max<std::size_t>(expected_nodes + expected_nodes / 2, kMinCapacity),
        static_cast<std::size_t>(h.m), static_cast<std::size_t>(h.ef_construction),
        /*random_seed=*/100);
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("not enough memory to load vector graph file " + path);
  } catch (const std::exception& e) {
    return Status::ResourceExhausted("cannot load vector graph file " + path + ": " + e.what());
  }
  Graph& g = *impl->graph;
  g.metric_hops = 0;
  g.metric_distance_computations = 0;
  g.setEf(1);  // the beam is the n of each Search
  MEMD_RETURN_IF_ERROR(ReadNodes(fd, path, h, file_size, g));
  MEMD_RETURN_IF_ERROR(CheckLoaded(path, g));
  for (std::size_t i = 0; i < g.cur_element_count; ++i) {
    impl->upper_link_bytes += static_cast<std::size_t>(g.element_levels_[i]) * g.size_links_per_element_;
  }
  g.num_deleted_ = 0;
  for (std::size_t i = 0; i < g.cur_element_count; ++i) {
    if (g.isMarkedDeleted(static_cast<hnswlib::tableint>(i))) ++g.num_deleted_;
  }
  return std::unique_ptr<HnswGraph>(new HnswGraph(std::move(impl), dimension));
}

Status HnswGraph::Insert(Slot slot, const float* vector) {
  Graph& g = *impl_->graph;
  try {
    auto it = g.label_lookup_.find(slot);
    const bool new_node = it == g.label_lookup_.end();
    if (!new_node) {
      if (!g.isMarkedDeleted(it->second)) {
        return Status::Internal("slot " + std::to_string(slot) + " is already in the HNSW graph");
      }
    } else if (g.cur_element_count >= g.max_elements_) {
      g.resizeIndex(std::max(g.max_elements_ * 2, kMinCapacity));
      AdviseLevel0HugePages(g);
    }
    std::vector<std::uint8_t> code(Int8CodeBytes(static_cast<std::size_t>(dimension_)));
    EncodeInt8(vector, static_cast<std::size_t>(dimension_), code.data());
    g.addPoint(code.data(), slot);
    if (new_node) {
      const int level = g.element_levels_[g.label_lookup_.at(slot)];
      impl_->upper_link_bytes += static_cast<std::size_t>(level) * g.size_links_per_element_;
    }
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("not enough memory to grow the HNSW graph");
  } catch (const std::exception& e) {
    return Status::Internal(std::string("HNSW insert failed: ") + e.what());
  }
  return Status::OK();
}

Status HnswGraph::MarkDeleted(Slot slot) {
  Graph& g = *impl_->graph;
  auto it = g.label_lookup_.find(slot);
  if (it == g.label_lookup_.end() || g.isMarkedDeleted(it->second)) {
    return Status::NotFound("slot " + std::to_string(slot) + " has no live node in the HNSW graph");
  }
  g.markDeletedInternal(it->second);
  return Status::OK();
}

Status HnswGraph::Search(const float* query, std::size_t n, std::vector<Slot>* out) const {
  const Graph& g = *impl_->graph;
  if (n == 0) return Status::OK();
  try {
    std::uint8_t stack_code[1024];
    std::vector<std::uint8_t> heap_code;
    const std::size_t bytes = Int8CodeBytes(static_cast<std::size_t>(dimension_));
    std::uint8_t* code = stack_code;
    if (bytes > sizeof stack_code) {
      heap_code.resize(bytes);
      code = heap_code.data();
    }
    EncodeInt8(query, static_cast<std::size_t>(dimension_), code);
    auto top = g.searchKnn(code, n);
    while (!top.empty()) {
      out->push_back(static_cast<Slot>(top.top().second));
      top.pop();
    }
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("not enough memory for an HNSW search");
  } catch (const std::exception& e) {
    return Status::Internal(std::string("HNSW search failed: ") + e.what());
  }
  return Status::OK();
}

Status HnswGraph::Save(const std::string& path) const {
  Graph& g = *impl_->graph;
  std::uint64_t expected = kHeaderBytes + g.cur_element_count * g.size_data_per_element_;
  for (std::size_t i = 0; i < g.cur_element_count; ++i) {
    expected +=
        sizeof(std::uint32_t) + static_cast<std::uint64_t>(g.element_levels_[i]) * g.size_links_per_element_;
  }
  try {
    g.saveIndex(path);
  } catch (const std::exception& e) {
    return Status::IOError("cannot write vector graph file " + path + ": " + e.what());
  }
  // saveIndex reports no I/O errors: check the size. Durability is the caller's (the
  // snapshot writer fsyncs every file).
  const std::uint64_t written = FileSize(path);
  if (written != expected) {
    return Status::IOError("short write of vector graph file " + path + " (" + std::to_string(written) +
                           " of " + std::to_string(expected) + " bytes); check free disk space");
  }
  return Status::OK();
}

void HnswGraph::ForEachNode(const std::function<bool(Slot, bool, const std::uint8_t*)>& fn) const {
  const Graph& g = *impl_->graph;
  for (std::size_t i = 0; i < g.cur_element_count; ++i) {
    const auto id = static_cast<hnswlib::tableint>(i);
    if (!fn(static_cast<Slot>(g.getExternalLabel(id)), g.isMarkedDeleted(id),
            reinterpret_cast<const std::uint8_t*>(g.getDataByInternalId(id)))) {
      return;
    }
  }
}

int HnswGraph::m() const { return static_cast<int>(impl_->graph->M_); }
int HnswGraph::ef_construction() const { return static_cast<int>(impl_->graph->ef_construction_); }
std::size_t HnswGraph::node_count() const { return impl_->graph->cur_element_count; }
std::size_t HnswGraph::deleted_count() const { return impl_->graph->num_deleted_; }

std::size_t HnswGraph::MemoryBytes() const {
  const Graph& g = *impl_->graph;
  std::size_t bytes = g.max_elements_ * (g.size_data_per_element_ + sizeof(std::mutex) + sizeof(int) +
                                         sizeof(char*) + sizeof(hnswlib::vl_type));
  bytes += Graph::max_update_element_locks * sizeof(std::mutex);
  bytes += impl_->upper_link_bytes;
  // label_lookup_: one hash node (next pointer, key, value, cached hash) plus a bucket each.
  bytes += g.label_lookup_.size() * (4 * sizeof(void*) + sizeof(void*));
  return bytes;
}

}  // namespace memd::index
