#include "ingest/code_symbols.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace memd::ingest {
namespace {

constexpr std::size_t kMaxLabelBytes = 160;

bool IsIdentStart(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || u >= 0x80;
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

struct Token {
  std::string_view text;
  std::size_t begin = 0;
  std::size_t end = 0;
};

std::vector<Token> Identifiers(std::string_view s, std::size_t limit) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size() && i < limit) {
    if (s[i] == '"' || s[i] == '\'' || s[i] == '`') break;  // do not read into strings
    if (s[i] == '/' && i + 1 < s.size() && (s[i + 1] == '/' || s[i + 1] == '*')) break;
    if (IsIdentStart(s[i])) {
      const std::size_t b = i;
      while (i < s.size() && IsIdentChar(s[i])) ++i;
      out.push_back({s.substr(b, i - b), b, i});
    } else {
      ++i;
    }
  }
  return out;
}

bool OneOf(std::string_view word, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

bool IsControlKeyword(std::string_view w) {
  return OneOf(w, {"if",       "else",   "for",     "while",  "do",       "switch",        "case",     "return",
                   "catch",    "try",    "throw",   "goto",   "break",    "continue",      "default",  "sizeof",
                   "new",      "delete", "typedef", "import", "package",  "from",          "await",    "yield",
                   "assert",   "static_assert", "foreach", "elseif", "match", "loop",        "synchronized",
                   "with",     "lock",   "using",   "defer",  "go",       "select",        "when",     "guard",
                   "repeat",   "alignof", "decltype", "typeof", "instanceof", "finally",   "except",   "elif",
                   "__attribute__", "alignas", "noexcept", "requires", "static_cast", "reinterpret_cast",
                   "const_cast", "dynamic_cast", "function", "super", "this"});
}

// Drops a balanced <...> ending s (generic arguments: "foo<T>" -> "foo").
std::string_view DropTrailingGenerics(std::string_view s) {
  s = Trim(s);
  if (s.empty() || s.back() != '>') return s;
  int depth = 0;
  for (std::size_t i = s.size(); i > 0; --i) {
    const char c = s[i - 1];
    if (c == '>') ++depth;
    if (c == '<' && --depth == 0) return Trim(s.substr(0, i - 1));
  }
  return s;
}

// Drops a leading "template <...>" clause (C++).
std::string_view DropTemplatePrefix(std::string_view s) {
  if (s.substr(0, 8) != "template") return s;
  std::size_t i = 8;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i >= s.size() || s[i] != '<') return s;
  int depth = 0;
  for (; i < s.size(); ++i) {
    if (s[i] == '<') ++depth;
    if (s[i] == '>' && --depth == 0) return Trim(s.substr(i + 1));
  }
  return {};  // the clause continues on the next line
}

std::string Clip(std::string_view s) {
  s = Trim(s);
  if (s.size() <= kMaxLabelBytes) return std::string(s);
  std::size_t cut = kMaxLabelBytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "…";
}

// The identifier (possibly qualified with :: or . and with ~) ending s.
std::string_view TrailingQualifiedName(std::string_view s) {
  std::size_t i = s.size();
  while (i > 0) {
    const char c = s[i - 1];
    if (IsIdentChar(c) || c == '~' || c == '.' || c == ':') {
      --i;
    } else {
      break;
    }
  }
  std::string_view name = s.substr(i);
  while (!name.empty() && (name.front() == ':' || name.front() == '.')) name.remove_prefix(1);
  return name;
}

std::string_view LastComponent(std::string_view name) {
  const std::size_t a = name.rfind("::");
  const std::size_t b = name.rfind('.');
  std::size_t cut = 0;
  if (a != std::string_view::npos) cut = a + 2;
  if (b != std::string_view::npos && b + 1 > cut) cut = b + 1;
  return name.substr(cut);
}

bool AllCapsMacro(std::string_view name) {
  if (name.size() < 2) return false;
  bool has_letter = false;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') {
      has_letter = true;
    } else if (!(c == '_' || (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return has_letter;
}

// The text between the '(' at open and its matching ')' on this line (or to the end).
std::string_view Arguments(std::string_view s, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')' && --depth == 0) return s.substr(open + 1, i - open - 1);
  }
  return s.substr(open + 1);
}

// Drops leading annotations and attributes: "@Override", "@Get('/x')", "[[nodiscard]]",
// Rust's "pub(crate)" visibility.
std::string_view DropAttributes(std::string_view s, std::string_view language) {
  while (!s.empty()) {
    if (s.front() == '@') {
      std::size_t i = 1;
      while (i < s.size() && (IsIdentChar(s[i]) || s[i] == '.')) ++i;
      if (i < s.size() && s[i] == '(') {
        int depth = 0;
        for (; i < s.size(); ++i) {
          if (s[i] == '(') ++depth;
          if (s[i] == ')' && --depth == 0) {
            ++i;
            break;
          }
        }
      }
      s = Trim(s.substr(std::min(i, s.size())));
      continue;
    }
    if (s.substr(0, 2) == "[[") {
      const std::size_t close = s.find("]]");
      if (close == std::string_view::npos) return {};
      s = Trim(s.substr(close + 2));
      continue;
    }
    if (language == "rust" && s.substr(0, 4) == "pub(") {
      const std::size_t close = s.find(')');
      if (close == std::string_view::npos) return {};
      s = Trim(s.substr(close + 1));
      continue;
    }
    break;
  }
  return s;
}

std::optional<Definition> Make(std::string_view label, std::string_view qualifier, bool is_type) {
  if (Trim(label).empty()) return std::nullopt;
  return Definition{Clip(label), Clip(qualifier), is_type, false};
}

std::optional<Definition> PythonDefinition(std::string_view s) {
  if (s.substr(0, 6) == "async ") s = Trim(s.substr(6));
  bool is_type = false;
  if (s.substr(0, 4) == "def ") {
    s.remove_prefix(4);
  } else if (s.substr(0, 6) == "class ") {
    s.remove_prefix(6);
    is_type = true;
  } else {
    return std::nullopt;
  }
  s = Trim(s);
  std::size_t n = 0;
  while (n < s.size() && IsIdentChar(s[n])) ++n;
  if (n == 0) return std::nullopt;
  return Make(s.substr(0, n), s.substr(0, n), is_type);
}

// "impl<T: X> a::Trait for Type<T> where ... {" -> label "impl a::Trait for Type", qualifier "Type".
std::optional<Definition> RustImpl(std::string_view rest) {
  rest = Trim(rest);
  if (!rest.empty() && rest.front() == '<') {
    int depth = 0;
    std::size_t i = 0;
    for (; i < rest.size(); ++i) {
      if (rest[i] == '<') ++depth;
      if (rest[i] == '>' && --depth == 0) break;
    }
    rest = Trim(rest.substr(std::min(rest.size(), i + 1)));
  }
  const std::size_t brace = rest.find('{');
  if (brace != std::string_view::npos) rest = rest.substr(0, brace);
  const std::size_t where = rest.find(" where");
  if (where != std::string_view::npos) rest = rest.substr(0, where);
  rest = Trim(rest);
  std::string label = "impl ";
  std::string_view type = rest;
  const std::size_t for_pos = rest.find(" for ");
  if (for_pos != std::string_view::npos) {
    label.append(DropTrailingGenerics(rest.substr(0, for_pos)));
    label.append(" for ");
    type = Trim(rest.substr(for_pos + 5));
  }
  type = DropTrailingGenerics(type);
  label.append(type);
  return Make(label, type, true);
}

// "func (s *Server) Start(" -> Server.Start; "func Start(" -> Start.
std::optional<Definition> GoFunc(std::string_view rest) {
  rest = Trim(rest);
  std::string receiver;
  if (!rest.empty() && rest.front() == '(') {
    const std::size_t close = rest.find(')');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view recv = DropTrailingGenerics(rest.substr(1, close - 1));
    receiver = std::string(TrailingQualifiedName(recv));
    rest = Trim(rest.substr(close + 1));
  }
  std::size_t n = 0;
  while (n < rest.size() && IsIdentChar(rest[n])) ++n;
  if (n == 0) return std::nullopt;
  const std::string name = receiver.empty() ? std::string(rest.substr(0, n)) : receiver + "." + std::string(rest.substr(0, n));
  return Make(name, name, false);
}

// A call whose first argument is a string, opening a block: describe("parser", () => {,
// app.get("/users", (req, res) => { -- labelled with the string.
std::optional<Definition> JsCallWithStringArgument(std::string_view name, std::string_view args) {
  args = Trim(args);
  if (args.empty() || (args.front() != '\'' && args.front() != '"' && args.front() != '`')) return std::nullopt;
  const char quote = args.front();
  const std::size_t close = args.find(quote, 1);
  if (close == std::string_view::npos) return std::nullopt;
  const std::string label = std::string(name) + "(" + std::string(args.substr(0, close + 1)) + ")";
  return Make(label, label, false);
}

bool IsJs(std::string_view lang) { return lang == "javascript" || lang == "typescript"; }
bool IsCLike(std::string_view lang) {
  return lang == "c" || lang == "cpp" || lang == "cuda" || lang == "objective-c" || lang == "objective-cpp";
}

}  // namespace

std::string_view ScopeSeparator(std::string_view language) {
  return IsCLike(language) || language == "rust" || language == "php" ? "::" : ".";
}

std::optional<Definition> FindDefinition(std::string_view line, std::string_view language) {
  std::string_view s = Trim(line);
  if (s.empty()) return std::nullopt;
  if (language == "python") return PythonDefinition(s);
  if (s.substr(0, 2) == "//" || s.substr(0, 2) == "/*" || s.front() == '*') return std::nullopt;  // comments
  s = DropAttributes(s, language);
  if (s.empty() || s.front() == '#' || s.front() == '}' || s.front() == ')' || s.front() == '[') {
    // Preprocessor and Rust attribute lines, closers ("} else {").
    return std::nullopt;
  }
  if (IsCLike(language)) {
    s = DropTemplatePrefix(s);
    if (s.empty()) return std::nullopt;
    if (s.substr(0, 10) == "extern \"C\"" && s.find('{') != std::string_view::npos) {
      return Definition{"", "", true, true};
    }
  }
  const std::size_t paren = s.find('(');
  const std::size_t stop = std::min({paren, s.find('{'), s.find('='), s.size()});
  const std::vector<Token> tokens = Identifiers(s, stop);
  if (!tokens.empty() && IsControlKeyword(tokens.front().text) && tokens.front().text != "function") {
    return std::nullopt;
  }
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    const std::string_view t = tokens[k].text;
    if (OneOf(t, {"class", "struct", "union", "enum", "interface", "trait", "namespace", "mod", "record", "object",
                  "protocol", "extension", "module", "type"})) {
      std::size_t n = k + 1;
      if (t == "enum" && n < tokens.size() && OneOf(tokens[n].text, {"class", "struct"})) ++n;
      // Attributes and export macros between the keyword and the name: "class MEMD_API Foo".
      while (n + 1 < tokens.size() && AllCapsMacro(tokens[n].text) && tokens[n + 1].begin > tokens[n].end) ++n;
      const bool is_namespace = t == "namespace" || t == "mod" || t == "module";
      if (n >= tokens.size()) {
        if (t == "type" || t == "module" || t == "object" || t == "record") continue;  // used as a plain word
        if (t == "namespace" && s.find('{') != std::string_view::npos) return Definition{"", "", true, true};
        return std::nullopt;  // an anonymous struct or enum
      }
      const Token& name_token = tokens[n];
      std::string_view name = name_token.text;
      std::size_t end = name_token.end;
      // A qualified name: "namespace a::b", "class Outer::Inner".
      while (end + 2 < s.size() && s.substr(end, 2) == "::" && IsIdentStart(s[end + 2])) {
        std::size_t e = end + 2;
        while (e < s.size() && IsIdentChar(s[e])) ++e;
        end = e;
      }
      name = s.substr(name_token.begin, end - name_token.begin);
      if (IsCLike(language) && (t == "struct" || t == "union" || t == "enum" || t == "class")) {
        // "struct foo *make(void) {": a function returning a struct, not a struct definition.
        std::string_view after = Trim(s.substr(end));
        if (after.substr(0, 5) == "final") after = Trim(after.substr(5));
        if (!after.empty() && !OneOf(after.substr(0, 1), {"{", ":", ";", "<"})) break;
      }
      if (t == "type" && (language == "go" || IsJs(language) || language == "rust")) {
        return Make(name, name, true);
      }
      if (t == "type") continue;
      auto def = Make(name, name, true);
      if (def) def->is_namespace = is_namespace;
      return def;
    }
    if (t == "impl" && language == "rust") return RustImpl(s.substr(tokens[k].end));
    if (t == "func" && language == "go") return GoFunc(s.substr(tokens[k].end));
    if (OneOf(t, {"fn", "func", "function", "def", "fun", "sub", "macro_rules"})) {
      std::size_t n = k + 1;
      if (n >= tokens.size()) return std::nullopt;  // anonymous function
      // Kotlin extension functions: "fun String.shout()".
      std::string_view name = tokens[n].text;
      if (n + 1 < tokens.size() && tokens[n + 1].begin == tokens[n].end + 1 && s[tokens[n].end] == '.') {
        name = s.substr(tokens[n].begin, tokens[n + 1].end - tokens[n].begin);
      }
      return Make(name, name, false);
    }
  }
  if (IsJs(language)) {
    // "const Store = class {": a class expression.
    const std::size_t eq = s.find('=');
    if (eq != std::string_view::npos && Trim(s.substr(eq + 1)).substr(0, 5) == "class") {
      for (std::size_t k = 0; k + 1 < tokens.size(); ++k) {
        if (OneOf(tokens[k].text, {"const", "let", "var"})) return Make(tokens[k + 1].text, tokens[k + 1].text, true);
      }
    }
  }
  if (paren == std::string_view::npos) return std::nullopt;
  std::string_view before = s.substr(0, paren);
  // JS/TS assignments of functions: "const onClick = (e) =>", "handler: async function (".
  if (IsJs(language)) {
    for (std::size_t k = 0; k + 1 < tokens.size(); ++k) {
      if (OneOf(tokens[k].text, {"const", "let", "var"})) return Make(tokens[k + 1].text, tokens[k + 1].text, false);
    }
    std::string_view b = Trim(before);
    for (std::string_view suffix : {"function", "async function", "async"}) {
      if (b.size() > suffix.size() && b.substr(b.size() - suffix.size()) == suffix &&
          !IsIdentChar(b[b.size() - suffix.size() - 1])) {
        b = Trim(b.substr(0, b.size() - suffix.size()));
        break;
      }
    }
    if (!b.empty() && (b.back() == '=' || b.back() == ':')) {
      b = Trim(b.substr(0, b.size() - 1));
      const std::string_view name = TrailingQualifiedName(b);
      if (!name.empty() && !IsControlKeyword(LastComponent(name))) return Make(name, name, false);
      return std::nullopt;
    }
  }
  const bool has_operator = s.find("operator") != std::string_view::npos;
  if (s.find('=') < paren && !has_operator) return std::nullopt;  // "int x = compute(y)": a variable
  before = DropTrailingGenerics(before);
  std::string_view name = TrailingQualifiedName(before);
  if (name.empty()) {
    // C++ operators: "bool operator==(", "Foo::operator()(".
    const std::size_t op = s.find("operator");
    if (IsCLike(language) && op != std::string_view::npos && op < paren + 2) {
      std::size_t end = s.find('(', op + 8);
      if (end == op + 8 && s.size() > end + 1 && s[end + 1] == ')') end = s.find('(', end + 2);
      std::string_view qualified = TrailingQualifiedName(s.substr(0, op));
      std::string label = std::string(qualified) + std::string(Trim(s.substr(op, end - op)));
      return Make(label, label, false);
    }
    return std::nullopt;
  }
  std::string_view last = LastComponent(name);
  if (!last.empty() && last.front() == '~') last.remove_prefix(1);
  if (last.empty() || IsControlKeyword(last) || OneOf(last, {"var", "const", "let"}) || !IsIdentStart(last.front())) {
    return std::nullopt;  // "var (" opens a Go declaration block
  }
  const std::string_view args = Arguments(s, paren);
  if (IsJs(language)) {
    if (auto call = JsCallWithStringArgument(name, args)) return call;
  }
  if (AllCapsMacro(name)) {
    // TEST(Suite, Name), BENCHMARK(Fn): the arguments name the definition.
    const std::string label = std::string(name) + "(" + std::string(Trim(args)) + ")";
    return Make(label, label, false);
  }
  return Make(name, name, false);
}

}  // namespace memd::ingest
