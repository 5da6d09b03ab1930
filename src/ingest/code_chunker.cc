// Structure-aware chunking of code (see chunk.h for the contract).
//
// A scanner per family turns the text into per-line facts: for brace languages the brace
// depth before and after each line (ignoring braces in comments, strings, raw strings,
// char literals and preprocessor lines), the paren depth and the last code character; for
// Python the indentation depth of each logical line (continuations inside brackets,
// triple-quoted strings and after a backslash belong to their logical line).
//
// A "unit at level L" of a line range is a run of lines that ends where the nesting returns
// to L and something closes: a block closed back to L, a ';' at paren depth 0, a blank line
// or a preprocessor line (braces); or that starts at a logical line of depth <= L that is
// not a continuation clause (else/elif/except/finally) or a decorated definition (Python).
// Comment lines belong to the unit below them, blank lines to the one above.
//
// EmitRange cuts a range into its units at a level; a unit that fits in max_bytes is one
// piece, a bigger one is cut into its units one level deeper (a class into members, a
// function into statement groups), and when no level is left its lines are packed.
// Members are labelled with their definition name qualified by the enclosing types
// ("Outer::Inner::Method"); pieces of a function keep the function's name.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/chunk.h"
#include "ingest/chunk_util.h"
#include "ingest/code_symbols.h"

namespace memd::ingest {
namespace {

using chunking::LineIndex;
using chunking::Piece;

constexpr int kMaxLevel = 64;

using Range = std::pair<int, int>;  // first and last line, inclusive

// What the chunker needs to know about a family of languages.
class Model {
 public:
  virtual ~Model() = default;
  virtual std::vector<Range> Split(int a, int b, int level) const = 0;
  virtual std::optional<Definition> DefinitionOf(int a, int b, int level) const = 0;
  virtual int MaxLevel(int a, int b) const = 0;
};

// ---- brace languages ---------------------------------------------------------------------

struct BraceSyntax {
  bool preprocessor = false;           // '#' lines: C, C++, Objective-C, CUDA, C#
  bool single_quote_strings = false;   // 'text': JS/TS, PHP, Dart, Groovy
  bool char_literals = false;          // 'c': C family, Java, Rust, Go, Kotlin, Scala
  bool backtick_strings = false;       // `text` spanning lines: JS/TS templates, Go raw strings
  bool triple_quote_strings = false;   // """text""": Java, Kotlin, Swift, Scala, Groovy, Dart
  bool multiline_strings = false;      // "text" may span lines: Rust
  bool cpp_raw_strings = false;        // R"delim(...)delim"
  bool rust_raw_strings = false;       // r#"..."#
  bool hash_comments = false;          // # comment: PHP
};

BraceSyntax SyntaxFor(std::string_view lang) {
  BraceSyntax s;
  const bool c_family = lang == "c" || lang == "cpp" || lang == "cuda" || lang == "objective-c" || lang == "objective-cpp";
  s.preprocessor = c_family || lang == "csharp";
  s.cpp_raw_strings = lang == "cpp" || lang == "cuda" || lang == "objective-cpp";
  s.single_quote_strings = lang == "javascript" || lang == "typescript" || lang == "php" || lang == "dart" ||
                           lang == "groovy" || lang == "css" || lang == "scss" || lang == "less";
  s.char_literals = !s.single_quote_strings;
  s.backtick_strings = lang == "javascript" || lang == "typescript" || lang == "go";
  s.triple_quote_strings = lang == "java" || lang == "kotlin" || lang == "swift" || lang == "scala" ||
                           lang == "groovy" || lang == "dart";
  s.multiline_strings = lang == "rust";
  s.rust_raw_strings = lang == "rust";
  s.hash_comments = lang == "php";
  return s;
}

struct BraceLine {
  int depth_before = 0;
  int depth_after = 0;
  int max_depth = 0;
  int parens_after = 0;
  bool blank = true;
  bool comment_only = false;
  bool preprocessor = false;
  char last_code = 0;
};

bool IsIdent(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

std::vector<BraceLine> ScanBraces(const LineIndex& lines, const BraceSyntax& syn) {
  enum class Mode { kCode, kBlockComment, kString };
  std::vector<BraceLine> out(static_cast<std::size_t>(lines.size()));
  Mode mode = Mode::kCode;
  std::string delim;        // end of the current string
  bool escapes = true;      // backslash escapes in the current string
  bool multiline = false;   // the current string may span lines
  bool preproc_continues = false;
  int depth = 0;
  int parens = 0;
  for (int i = 0; i < lines.size(); ++i) {
    BraceLine& info = out[static_cast<std::size_t>(i)];
    const std::string_view line = lines.Line(i);
    info.depth_before = info.max_depth = depth;
    info.blank = lines.Blank(i);
    bool has_code = false;
    const std::size_t first = line.find_first_not_of(" \t");
    if (mode == Mode::kCode && syn.preprocessor &&
        (preproc_continues || (first != std::string_view::npos && line[first] == '#'))) {
      // A preprocessor line (and its continuations): braces here are macro text.
      info.preprocessor = true;
      preproc_continues = !line.empty() && line.back() == '\\';
      info.depth_after = depth;
      info.parens_after = parens;
      info.last_code = ';';
      continue;
    }
    std::size_t j = 0;
    while (j < line.size()) {
      const char c = line[j];
      if (mode == Mode::kBlockComment) {
        const std::size_t end = line.find("*/", j);
        if (end == std::string_view::npos) {
          j = line.size();
        } else {
          mode = Mode::kCode;
          j = end + 2;
        }
        continue;
      }
      if (mode == Mode::kString) {
        if (escapes && c == '\\') {
          j += 2;
          continue;
        }
        if (line.compare(j, delim.size(), delim) == 0) {
          mode = Mode::kCode;
          j += delim.size();
          info.last_code = '"';
          continue;
        }
        ++j;
        continue;
      }
      // Code.
      if (c == ' ' || c == '\t') {
        ++j;
        continue;
      }
      if (c == '/' && j + 1 < line.size() && line[j + 1] == '/') break;
      if (c == '#' && syn.hash_comments) break;
      if (c == '/' && j + 1 < line.size() && line[j + 1] == '*') {
        mode = Mode::kBlockComment;
        j += 2;
        continue;
      }
      has_code = true;
      info.last_code = c;
      if (c == '{') {
        info.max_depth = std::max(info.max_depth, ++depth);
      } else if (c == '}') {
        depth = std::max(0, depth - 1);
      } else if (c == '(' || c == '[') {
        ++parens;
      } else if (c == ')' || c == ']') {
        parens = std::max(0, parens - 1);
      } else if (c == '"') {
        mode = Mode::kString;
        escapes = true;
        multiline = syn.multiline_strings;
        delim = "\"";
        if (syn.triple_quote_strings && line.compare(j, 3, "\"\"\"") == 0) {
          delim = "\"\"\"";
          multiline = true;
          j += 3;
          continue;
        }
        if (syn.cpp_raw_strings && j > 0 && line[j - 1] == 'R') {
          const std::size_t open = line.find('(', j + 1);
          if (open != std::string_view::npos && open - j - 1 <= 16) {
            delim = ")" + std::string(line.substr(j + 1, open - j - 1)) + "\"";
            escapes = false;
            multiline = true;
            j = open + 1;
            continue;
          }
        }
      } else if (c == 'r' && syn.rust_raw_strings && (j == 0 || !IsIdent(line[j - 1]) || line[j - 1] == 'b')) {
        std::size_t k = j + 1;
        while (k < line.size() && line[k] == '#') ++k;
        if (k < line.size() && line[k] == '"') {
          mode = Mode::kString;
          escapes = false;
          multiline = true;
          delim = "\"" + std::string(k - j - 1, '#');
          j = k + 1;
          continue;
        }
      } else if (c == '`' && syn.backtick_strings) {
        mode = Mode::kString;
        escapes = true;
        multiline = true;
        delim = "`";
      } else if (c == '\'') {
        if (syn.single_quote_strings) {
          mode = Mode::kString;
          escapes = true;
          multiline = false;
          delim = "'";
        } else if (syn.char_literals) {
          // 'x', '\n', '\u{1F600}'; anything else (a Rust lifetime 'a) is not a literal.
          if (j + 1 < line.size() && line[j + 1] == '\\') {
            const std::size_t close = line.find('\'', j + 3);
            if (close != std::string_view::npos && close - j <= 12) {
              j = close + 1;
              continue;
            }
          } else if (j + 1 < line.size()) {
            std::size_t k = j + 2;
            while (k < line.size() && (static_cast<unsigned char>(line[k]) & 0xC0) == 0x80) ++k;
            if (k < line.size() && line[k] == '\'') {
              j = k + 1;
              continue;
            }
          }
        }
      }
      ++j;
    }
    if (mode == Mode::kString && !multiline) mode = Mode::kCode;  // an unterminated string ends here
    info.depth_after = depth;
    info.parens_after = parens;
    info.comment_only = !has_code && !info.blank;
    if (mode != Mode::kCode) info.last_code = 0;  // inside a comment or string: no statement end
  }
  return out;
}

class BraceModel : public Model {
 public:
  BraceModel(const LineIndex& lines, std::string_view language)
      : lines_(lines), language_(language), info_(ScanBraces(lines, SyntaxFor(language))) {}

  std::vector<Range> Split(int a, int b, int level) const override {
    std::vector<Range> units;
    int start = a;
    for (int i = a; i < b; ++i) {
      const BraceLine& l = info_[static_cast<std::size_t>(i)];
      if (l.depth_after > level) continue;
      bool boundary = false;
      if (l.blank) {
        boundary = l.parens_after == 0;
      } else if (l.comment_only) {
        boundary = false;
      } else if (l.preprocessor) {
        boundary = true;
      } else if (l.depth_before > level || l.max_depth > level) {
        boundary = true;  // a block closed back to this level
      } else if (l.last_code == ';' && l.parens_after == 0) {
        boundary = true;
      }
      if (boundary) {
        AddUnit(&units, start, i);
        start = i + 1;
      }
    }
    AddUnit(&units, start, b);
    return units;
  }

  std::optional<Definition> DefinitionOf(int a, int b, int level) const override {
    for (int i = a; i <= b; ++i) {
      const BraceLine& l = info_[static_cast<std::size_t>(i)];
      if (l.depth_before == level && !l.blank && !l.comment_only && !l.preprocessor) {
        if (auto def = FindDefinition(lines_.Line(i), language_)) {
          // Only a line before the unit's block opens can name it, and the unit must open one.
          if (OpensBlock(i, b, level)) return def;
          return std::nullopt;
        }
      }
      if (l.max_depth > level || l.depth_after > level) break;
    }
    return std::nullopt;
  }

  int MaxLevel(int a, int b) const override {
    int m = 0;
    for (int i = a; i <= b; ++i) m = std::max(m, info_[static_cast<std::size_t>(i)].max_depth);
    return m;
  }

 private:
  bool OpensBlock(int from, int b, int level) const {
    for (int i = from; i <= b; ++i) {
      if (info_[static_cast<std::size_t>(i)].max_depth > level) return true;
    }
    return false;
  }

  // True for a blank line or one of only closers ("}", "};", "});").
  bool Trivial(int i) const {
    if (info_[static_cast<std::size_t>(i)].blank) return true;
    if (info_[static_cast<std::size_t>(i)].comment_only || info_[static_cast<std::size_t>(i)].preprocessor) return false;
    std::string_view line = lines_.Line(i);
    const std::size_t comment = line.find("//");
    if (comment != std::string_view::npos) line = line.substr(0, comment);
    return line.find_first_not_of(" \t});,") == std::string_view::npos;
  }

  // Appends [start, end], folding a unit of only blank lines and closers into the previous.
  void AddUnit(std::vector<Range>* units, int start, int end) const {
    if (start > end) return;
    bool all_trivial = true;
    for (int i = start; i <= end && all_trivial; ++i) all_trivial = Trivial(i);
    if (all_trivial && !units->empty()) {
      units->back().second = end;
      return;
    }
    units->push_back({start, end});
  }

  const LineIndex& lines_;
  std::string_view language_;
  std::vector<BraceLine> info_;
};

// ---- Python -------------------------------------------------------------------------------

struct PyLine {
  bool logical_start = false;  // starts a logical line (not a continuation)
  bool blank = true;
  bool comment_only = false;
  bool decorator = false;
  bool clause = false;         // else/elif/except/finally: continues a compound statement
  int depth = -1;              // indentation depth of a logical code line; -1 otherwise
};

bool StartsWithKeyword(std::string_view s, std::string_view kw) {
  return s.substr(0, kw.size()) == kw && (s.size() == kw.size() || s[kw.size()] == ':' || s[kw.size()] == ' ' ||
                                          s[kw.size()] == '(');
}

std::vector<PyLine> ScanPython(const LineIndex& lines) {
  std::vector<PyLine> out(static_cast<std::size_t>(lines.size()));
  std::string triple;  // the open triple-quote delimiter, if any
  int brackets = 0;
  bool continuation = false;
  std::vector<int> indents = {0};
  for (int i = 0; i < lines.size(); ++i) {
    PyLine& info = out[static_cast<std::size_t>(i)];
    const std::string_view line = lines.Line(i);
    info.blank = lines.Blank(i);
    info.logical_start = triple.empty() && brackets == 0 && !continuation;
    continuation = false;
    int indent = 0;
    std::size_t first = 0;
    for (; first < line.size() && (line[first] == ' ' || line[first] == '\t'); ++first) {
      indent = line[first] == '\t' ? (indent / 8 + 1) * 8 : indent + 1;
    }
    const std::string_view code = line.substr(first);
    if (info.logical_start && !info.blank) {
      if (code.front() == '#') {
        info.comment_only = true;
      } else {
        while (indents.size() > 1 && indents.back() > indent) indents.pop_back();
        if (indent > indents.back()) indents.push_back(indent);
        info.depth = static_cast<int>(indents.size()) - 1;
        info.decorator = code.front() == '@';
        info.clause = StartsWithKeyword(code, "else") || StartsWithKeyword(code, "elif") ||
                      StartsWithKeyword(code, "except") || StartsWithKeyword(code, "finally");
      }
    }
    // Track strings, brackets and continuations to the end of the line.
    std::size_t j = 0;
    bool comment = false;
    while (j < line.size()) {
      const char c = line[j];
      if (!triple.empty()) {
        if (c == '\\') {
          j += 2;
          continue;
        }
        if (line.compare(j, 3, triple) == 0) {
          j += 3;
          triple.clear();
          continue;
        }
        ++j;
        continue;
      }
      if (c == '#') {
        comment = true;
        break;
      }
      if (c == '"' || c == '\'') {
        if (line.compare(j, 3, std::string(3, c)) == 0) {
          triple.assign(3, c);
          j += 3;
          continue;
        }
        // A one-line string.
        std::size_t k = j + 1;
        while (k < line.size() && line[k] != c) k += line[k] == '\\' ? 2 : 1;
        j = k + 1;
        continue;
      }
      if (c == '(' || c == '[' || c == '{') ++brackets;
      if (c == ')' || c == ']' || c == '}') brackets = std::max(0, brackets - 1);
      ++j;
    }
    if (!comment && triple.empty() && !line.empty() && line.back() == '\\') continuation = true;
  }
  return out;
}

class PythonModel : public Model {
 public:
  explicit PythonModel(const LineIndex& lines) : lines_(lines), info_(ScanPython(lines)) {}

  std::vector<Range> Split(int a, int b, int level) const override {
    std::vector<Range> units;
    int start = a;
    int prev_code = -1;  // previous logical code line at depth <= level
    for (int i = a; i <= b; ++i) {
      const PyLine& l = info_[static_cast<std::size_t>(i)];
      if (l.depth < 0 || l.depth > level) continue;
      const bool code_before = prev_code >= start;  // the current unit already holds code
      const bool after_decorator = code_before && info_[static_cast<std::size_t>(prev_code)].decorator;
      prev_code = i;
      if (!code_before || l.clause || after_decorator) continue;
      // A new unit starts here, with the comment lines right above it.
      int s = i;
      while (s - 1 > start && info_[static_cast<std::size_t>(s - 1)].comment_only) --s;
      units.push_back({start, s - 1});
      start = s;
    }
    units.push_back({start, b});
    return units;
  }

  std::optional<Definition> DefinitionOf(int a, int b, int level) const override {
    for (int i = a; i <= b; ++i) {
      const PyLine& l = info_[static_cast<std::size_t>(i)];
      if (l.depth != level || l.decorator) continue;
      return FindDefinition(lines_.Line(i), "python");
    }
    return std::nullopt;
  }

  int MaxLevel(int a, int b) const override {
    int m = 0;
    for (int i = a; i <= b; ++i) m = std::max(m, info_[static_cast<std::size_t>(i)].depth);
    return m;
  }

 private:
  const LineIndex& lines_;
  std::vector<PyLine> info_;
};

// ---- the emitter --------------------------------------------------------------------------

struct Scope {
  std::string qualifier;     // "Outer::Inner"
  bool in_function = false;  // inside a function: pieces keep its name
};

class Emitter {
 public:
  Emitter(const LineIndex& lines, const Model& model, std::string_view language, const ChunkOptions& options)
      : lines_(lines), model_(model), separator_(ScopeSeparator(language)), options_(options) {}

  std::vector<Piece> Run() {
    if (lines_.size() > 0) EmitRange(0, lines_.size() - 1, 0, Scope());
    return std::move(pieces_);
  }

 private:
  std::string Join(const std::string& scope, const std::string& name) const {
    if (scope.empty()) return name;
    if (name.empty()) return scope;
    // "void Foo::Bar()" inside "namespace Foo": do not say Foo::Foo::Bar.
    if (name.compare(0, scope.size() + separator_.size(), scope + std::string(separator_)) == 0) return name;
    return scope + std::string(separator_) + name;
  }

  std::string Label(const Scope& scope, int a, int b, int level) const {
    if (scope.in_function) return scope.qualifier;
    if (const auto def = model_.DefinitionOf(a, b, level); def && !def->label.empty()) {
      return Join(scope.qualifier, def->label);
    }
    // A container without a name ("namespace {", "extern \"C\" {"): name what it holds.
    if (level < kMaxLevel && model_.MaxLevel(a, b) > level) {
      std::vector<std::string> members;
      for (const auto& [ma, mb] : model_.Split(a, b, level + 1)) {
        if (const auto def = model_.DefinitionOf(ma, mb, level + 1)) members.push_back(Join(scope.qualifier, def->label));
      }
      if (!members.empty()) return chunking::JoinLabels(members);
    }
    return scope.qualifier;
  }

  void AddPiece(int a, int b, std::string label) {
    Piece p;
    p.begin = lines_.Begin(a);
    p.end = lines_.End(b);
    chunking::AddLabel(p, label);
    pieces_.push_back(std::move(p));
  }

  void EmitRange(int a, int b, int level, const Scope& scope) {
    if (level > kMaxLevel || level > model_.MaxLevel(a, b)) {
      chunking::PackLines(lines_, a, b, options_.max_bytes, scope.qualifier, &pieces_);
      return;
    }
    const std::vector<Range> units = model_.Split(a, b, level);
    for (const auto& [ua, ub] : units) {
      if (lines_.Bytes(ua, ub) > options_.max_bytes || IsNamespace(scope, ua, ub, level)) {
        EmitUnit(ua, ub, level, scope);  // namespaces are containers, never units
      } else {
        AddPiece(ua, ub, Label(scope, ua, ub, level));
      }
    }
  }

  bool IsNamespace(const Scope& scope, int a, int b, int level) const {
    if (scope.in_function || level >= kMaxLevel || model_.MaxLevel(a, b) <= level) return false;
    const auto def = model_.DefinitionOf(a, b, level);
    return def && def->is_namespace;
  }

  // A unit over max_bytes (or a namespace): cut into its members one level deeper.
  void EmitUnit(int a, int b, int level, const Scope& scope) {
    Scope inner = scope;
    if (!scope.in_function) {
      if (const auto def = model_.DefinitionOf(a, b, level)) {
        inner.qualifier = Join(scope.qualifier, def->qualifier);
        inner.in_function = !def->is_type;
      }
    }
    EmitRange(a, b, level + 1, inner);
  }

  const LineIndex& lines_;
  const Model& model_;
  std::string_view separator_;
  const ChunkOptions& options_;
  std::vector<Piece> pieces_;
};

}  // namespace

std::vector<Chunk> ChunkCode(std::string_view text, const FileType& type, const ChunkOptions& options) {
  if (type.structure == CodeStructure::kNone) {
    ChunkOptions no_overlap = options;
    no_overlap.overlap_bytes = 0;
    return ChunkText(text, no_overlap);
  }
  const LineIndex lines(text);
  std::vector<Piece> pieces;
  if (type.structure == CodeStructure::kIndentation) {
    const PythonModel model(lines);
    pieces = Emitter(lines, model, type.language, options).Run();
  } else {
    const BraceModel model(lines, type.language);
    pieces = Emitter(lines, model, type.language, options).Run();
  }
  return chunking::ToChunks(lines, chunking::MergeTiny(std::move(pieces), options.min_bytes, options.max_bytes));
}

}  // namespace memd::ingest
