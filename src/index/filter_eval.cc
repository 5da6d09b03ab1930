// Filter::Evaluate: evaluation of a filter over FilterColumns to a bitset of slots.

#include <algorithm>
#include <bit>
#include <cstring>
#include <string_view>

#include "index/filter.h"
#include "index/filter_columns_impl.h"
#include "index/filter_node.h"

namespace memd::index {
namespace {

using Node = Filter::Node;

// ORs bits into a bitset, keeping the current word in a register while consecutive bits
// fall into it: posting lists and columns are mostly in slot order, and a read-modify-write
// of memory per bit would serialise on store forwarding.
class BitSink {
 public:
  explicit BitSink(Bitset* out) : words_(out->mutable_words().data()) {}
  ~BitSink() { Flush(); }
  BitSink(const BitSink&) = delete;
  BitSink& operator=(const BitSink&) = delete;

  // REQUIRES: s < the bitset's size.
  void Add(std::size_t s, bool bit) {
    const std::size_t word = s / 64;
    if (word != word_) {
      Flush();
      word_ = word;
    }
    bits_ |= static_cast<std::uint64_t>(bit) << (s % 64);
  }

 private:
  void Flush() {
    if (bits_ != 0) words_[word_] |= bits_;
    bits_ = 0;
  }
  std::uint64_t* words_;
  std::size_t word_ = 0;
  std::uint64_t bits_ = 0;
};

class Evaluator {
 public:
  Evaluator(const FilterColumns::Impl& c, const Bitset& live) : c_(c), n_(live.size()), base_(live) {
    Bitset present = c.present;
    present.Resize(n_);
    base_.And(present);
  }

  // The slots of base_ that match root; all of them when root is null.
  Bitset Run(const Node* root) {
    if (root == nullptr) return base_;
    Bitset result = Eval(*root);
    result.And(base_);
    return result;
  }

 private:
  // May include slots outside base_ (stale entries); callers AND with base_ in the end.
  Bitset Eval(const Node& node) {
    switch (node.type) {
      case Node::Type::kAnd: {
        Bitset result = Eval(node.children[0]);
        for (std::size_t i = 1; i < node.children.size() && !IsEmpty(result); ++i) {
          const Node& child = node.children[i];
          if (child.type == Node::Type::kNot) {
            result.AndNot(Eval(child.children[0]));
          } else if (child.type == Node::Type::kCondition && child.negate) {
            result.AndNot(Test(child));
          } else {
            result.And(Eval(child));
          }
        }
        return result;
      }
      case Node::Type::kOr: {
        Bitset result = Eval(node.children[0]);
        for (std::size_t i = 1; i < node.children.size(); ++i) result.Or(Eval(node.children[i]));
        return result;
      }
      case Node::Type::kNot:
        return Complement(Eval(node.children[0]));
      case Node::Type::kCondition:
        return node.negate ? Complement(Test(node)) : Test(node);
    }
    return Empty();
  }

  Bitset Empty() const { return Bitset(n_); }
  Bitset Complement(const Bitset& set) const {
    Bitset result = base_;
    result.AndNot(set);
    return result;
  }
  static bool IsEmpty(const Bitset& set) {
    return std::all_of(set.words().begin(), set.words().end(), [](std::uint64_t w) { return w == 0; });
  }
  void SetAll(const std::vector<Slot>& slots, Bitset* out) const {
    BitSink sink(out);
    for (Slot s : slots) {
      if (s < n_) sink.Add(s, true);
    }
  }

  // The slots passing node's test, before negation.
  Bitset Test(const Node& node) {
    switch (node.field) {
      case FilterField::kKind: return TestString(node, c_.kind);
      case FilterField::kSource: return TestString(node, c_.source);
      case FilterField::kTags: return TestTags(node);
      case FilterField::kCreatedAt: return TestRange(node, c_.created_at);
      case FilterField::kUpdatedAt: return TestRange(node, c_.updated_at);
      case FilterField::kMetadata: return TestMetadata(node);
    }
    return Empty();
  }

  Bitset TestString(const Node& node, const StringColumn& column) {
    Bitset result = Empty();
    if (node.test == FilterTest::kContains) {
      const std::string& needle = node.values[0].string;
      for (std::uint32_t id = 0; id < column.pool.size(); ++id) {
        if (column.pool.Get(id).find(needle) != std::string::npos) SetAll(column.postings[id], &result);
      }
      return result;
    }
    for (const FilterScalar& value : node.values) {
      std::uint32_t id = column.pool.Find(value.string);
      if (id != kNoId) SetAll(column.postings[id], &result);
    }
    return result;
  }

  Bitset TestTags(const Node& node) {
    if (node.test == FilterTest::kAny) {
      Bitset result = Empty();
      for (const FilterScalar& value : node.values) {
        std::uint32_t id = c_.tags.Find(value.string);
        if (id != kNoId) SetAll(c_.tag_postings[id], &result);
      }
      return result;
    }
    if (node.values.empty()) return base_;  // all of nothing
    // Intersect starting from the shortest posting list.
    std::vector<const std::vector<Slot>*> lists;
    for (const FilterScalar& value : node.values) {
      std::uint32_t id = c_.tags.Find(value.string);
      if (id == kNoId) return Empty();
      lists.push_back(&c_.tag_postings[id]);
    }
    std::sort(lists.begin(), lists.end(), [](auto* a, auto* b) { return a->size() < b->size(); });
    Bitset result = Empty();
    SetAll(*lists[0], &result);
    for (std::size_t i = 1; i < lists.size(); ++i) {
      Bitset next = Empty();
      SetAll(*lists[i], &next);
      result.And(next);
    }
    return result;
  }

  // Slots whose time is in [node.lo, node.hi]. Unsigned wrap-around turns lo <= x <= hi
  // into one comparison; each run of 64 flags is computed branch-free (the compiler
  // vectorises it) and then packed into a word eight flags at a time.
  Bitset TestRange(const Node& node, const std::vector<Timestamp>& times) {
    Bitset result = Empty();
    const std::size_t limit = std::min(n_, times.size());
    const std::uint64_t lo = static_cast<std::uint64_t>(node.lo);
    const std::uint64_t width = static_cast<std::uint64_t>(node.hi) - lo;
    std::uint64_t* words = result.mutable_words().data();
    const Timestamp* t = times.data();
    std::size_t base = 0;
    if constexpr (std::endian::native == std::endian::little) {
      std::uint8_t flags[64];
      for (; base + 64 <= limit; base += 64) {
        for (std::size_t j = 0; j < 64; ++j) flags[j] = static_cast<std::uint64_t>(t[base + j]) - lo <= width;
        std::uint64_t bits = 0;
        for (std::size_t k = 0; k < 8; ++k) {
          std::uint64_t eight;
          std::memcpy(&eight, flags + 8 * k, 8);
          // Gathers the low bit of each of the eight bytes into the top byte, in order.
          bits |= ((eight * 0x0102040810204080ULL) >> 56) << (8 * k);
        }
        words[base / 64] = bits;
      }
    }
    for (; base < limit; ++base) {
      if (static_cast<std::uint64_t>(t[base]) - lo <= width) words[base / 64] |= std::uint64_t{1} << (base % 64);
    }
    return result;
  }

  // The cell a filter scalar would have in the columns; false if no slot can have it.
  bool FindCell(const FilterScalar& value, Cell* cell) const {
    switch (value.type) {
      case FilterScalar::Type::kNull: *cell = Cell{CellType::kNull, 0}; return true;
      case FilterScalar::Type::kBool: *cell = Cell{CellType::kBool, value.boolean ? 1u : 0u}; return true;
      case FilterScalar::Type::kNumber:
        *cell = Cell{CellType::kNumber, std::bit_cast<std::uint64_t>(value.number)};
        return true;
      case FilterScalar::Type::kString: {
        std::uint32_t id = c_.strings.Find(value.string);
        *cell = Cell{CellType::kString, id};
        return id != kNoId;
      }
    }
    return false;
  }

  void SetFromIndex(const ValueIndex& index, std::uint32_t path, const FilterScalar& value, Bitset* out) const {
    Cell cell;
    if (!FindCell(value, &cell)) return;
    auto it = index.find(ValueKey{path, cell});
    if (it != index.end()) SetAll(it->second, out);
  }

  Bitset TestMetadata(const Node& node) {
    Bitset result = Empty();
    const std::uint32_t path = c_.paths.Find(node.path);
    if (path == kNoId) return result;
    const PathColumn& column = c_.columns[path];
    static const FilterScalar kNoValue;
    const FilterScalar& first = node.values.empty() ? kNoValue : node.values[0];
    switch (node.test) {
      case FilterTest::kIn:
        for (const FilterScalar& value : node.values) SetFromIndex(c_.eq_index, path, value, &result);
        return result;
      case FilterTest::kContains:
        SetFromIndex(c_.element_index, path, first, &result);
        if (first.type == FilterScalar::Type::kString) {
          ScanStrings(column, [&](const std::string& s) { return s.find(first.string) != std::string::npos; },
                      &result);
        }
        return result;
      default:
        break;
    }
    if (first.type == FilterScalar::Type::kNumber) {
      const double v = first.number;
      switch (node.test) {
        case FilterTest::kGt: ScanNumbers(column, [v](double d) { return d > v; }, &result); break;
        case FilterTest::kGte: ScanNumbers(column, [v](double d) { return d >= v; }, &result); break;
        case FilterTest::kLt: ScanNumbers(column, [v](double d) { return d < v; }, &result); break;
        default: ScanNumbers(column, [v](double d) { return d <= v; }, &result); break;
      }
      return result;
    }
    const FilterTest test = node.test;
    ScanStrings(
        column,
        [&](const std::string& s) {
          int order = s.compare(first.string);
          return test == FilterTest::kGt    ? order > 0
                 : test == FilterTest::kGte ? order >= 0
                 : test == FilterTest::kLt  ? order < 0
                                            : order <= 0;
        },
        &result);
    return result;
  }

  // Sets the slots of column's numbers that pass, branch-free: comparisons of unordered
  // data mispredict half the time.
  template <typename Pass>
  void ScanNumbers(const PathColumn& column, Pass pass, Bitset* out) const {
    if (n_ == 0) return;
    BitSink sink(out);
    for (std::size_t i = 0; i < column.slots.size(); ++i) {
      const Slot slot = column.slots[i];
      const bool in_range = slot < n_;
      sink.Add(in_range ? slot : 0, in_range & (column.types[i] == CellType::kNumber) &
                                        pass(std::bit_cast<double>(column.payloads[i])));
    }
  }

  // Sets the slots of column's strings that pass. When the string pool is not much larger
  // than the column, the predicate is evaluated once per pool string and the column is
  // then scanned branch-free; otherwise once per string cell.
  template <typename Pass>
  void ScanStrings(const PathColumn& column, Pass pass, Bitset* out) const {
    if (n_ == 0 || c_.strings.size() == 0) return;  // no strings at all
    if (c_.strings.size() > 8 * column.slots.size()) {
      for (std::size_t i = 0; i < column.slots.size(); ++i) {
        if (column.types[i] == CellType::kString && column.slots[i] < n_ &&
            pass(c_.strings.Get(static_cast<std::uint32_t>(column.payloads[i])))) {
          out->Set(column.slots[i]);
        }
      }
      return;
    }
    std::vector<std::uint8_t> passes(c_.strings.size());
    for (std::uint32_t id = 0; id < passes.size(); ++id) passes[id] = pass(c_.strings.Get(id));
    BitSink sink(out);
    for (std::size_t i = 0; i < column.slots.size(); ++i) {
      const Slot slot = column.slots[i];
      const bool in_range = slot < n_;
      const bool is_string = column.types[i] == CellType::kString;
      const std::size_t id = is_string ? static_cast<std::size_t>(column.payloads[i]) : 0;
      sink.Add(in_range ? slot : 0, in_range & is_string & (passes[id] != 0));
    }
  }

  const FilterColumns::Impl& c_;
  const std::size_t n_;
  Bitset base_;  // live slots that are present in the columns
};

}  // namespace

Bitset Filter::Evaluate(const FilterColumns& columns, const Bitset& live) const {
  Evaluator evaluator(*columns.impl_, live);
  return evaluator.Run(root_.get());
}

}  // namespace memd::index
