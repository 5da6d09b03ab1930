#include "ingest/file_type.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace memd::ingest {
namespace {

struct Entry {
  std::string_view key;  // lower-case extension (without '.') or whole file name
  Format format;
  std::string_view language;
  CodeStructure structure;
};

constexpr CodeStructure kB = CodeStructure::kBraces;
constexpr CodeStructure kI = CodeStructure::kIndentation;
constexpr CodeStructure kN = CodeStructure::kNone;

constexpr Entry kExtensions[] = {
    // Code with structure-aware chunking.
    {"c", Format::kCode, "c", kB},
    {"h", Format::kCode, "c", kB},  // "cpp" when the header looks like C++ (see below)
    {"cc", Format::kCode, "cpp", kB},
    {"cpp", Format::kCode, "cpp", kB},
    {"cxx", Format::kCode, "cpp", kB},
    {"c++", Format::kCode, "cpp", kB},
    {"hh", Format::kCode, "cpp", kB},
    {"hpp", Format::kCode, "cpp", kB},
    {"hxx", Format::kCode, "cpp", kB},
    {"h++", Format::kCode, "cpp", kB},
    {"ipp", Format::kCode, "cpp", kB},
    {"inl", Format::kCode, "cpp", kB},
    {"tcc", Format::kCode, "cpp", kB},
    {"cu", Format::kCode, "cuda", kB},
    {"cuh", Format::kCode, "cuda", kB},
    {"m", Format::kCode, "objective-c", kB},
    {"mm", Format::kCode, "objective-cpp", kB},
    {"py", Format::kCode, "python", kI},
    {"pyi", Format::kCode, "python", kI},
    {"pyw", Format::kCode, "python", kI},
    {"js", Format::kCode, "javascript", kB},
    {"mjs", Format::kCode, "javascript", kB},
    {"cjs", Format::kCode, "javascript", kB},
    {"jsx", Format::kCode, "javascript", kB},
    {"ts", Format::kCode, "typescript", kB},
    {"mts", Format::kCode, "typescript", kB},
    {"cts", Format::kCode, "typescript", kB},
    {"tsx", Format::kCode, "typescript", kB},
    {"go", Format::kCode, "go", kB},
    {"rs", Format::kCode, "rust", kB},
    {"java", Format::kCode, "java", kB},
    {"cs", Format::kCode, "csharp", kB},
    {"kt", Format::kCode, "kotlin", kB},
    {"kts", Format::kCode, "kotlin", kB},
    {"swift", Format::kCode, "swift", kB},
    {"scala", Format::kCode, "scala", kB},
    {"php", Format::kCode, "php", kB},
    {"dart", Format::kCode, "dart", kB},
    {"zig", Format::kCode, "zig", kB},
    {"css", Format::kCode, "css", kB},
    {"scss", Format::kCode, "scss", kB},
    {"less", Format::kCode, "less", kB},
    {"proto", Format::kCode, "protobuf", kB},
    {"groovy", Format::kCode, "groovy", kB},
    {"gradle", Format::kCode, "groovy", kB},
    // Code and configuration chunked by paragraphs.
    {"sh", Format::kCode, "shell", kN},
    {"bash", Format::kCode, "shell", kN},
    {"zsh", Format::kCode, "shell", kN},
    {"fish", Format::kCode, "shell", kN},
    {"ps1", Format::kCode, "powershell", kN},
    {"rb", Format::kCode, "ruby", kN},
    {"pl", Format::kCode, "perl", kN},
    {"pm", Format::kCode, "perl", kN},
    {"lua", Format::kCode, "lua", kN},
    {"r", Format::kCode, "r", kN},
    {"jl", Format::kCode, "julia", kN},
    {"ex", Format::kCode, "elixir", kN},
    {"exs", Format::kCode, "elixir", kN},
    {"erl", Format::kCode, "erlang", kN},
    {"hs", Format::kCode, "haskell", kN},
    {"ml", Format::kCode, "ocaml", kN},
    {"clj", Format::kCode, "clojure", kN},
    {"el", Format::kCode, "elisp", kN},
    {"vim", Format::kCode, "vim", kN},
    {"sql", Format::kCode, "sql", kN},
    {"cmake", Format::kCode, "cmake", kN},
    {"mk", Format::kCode, "make", kN},
    {"yaml", Format::kCode, "yaml", kN},
    {"yml", Format::kCode, "yaml", kN},
    {"toml", Format::kCode, "toml", kN},
    {"ini", Format::kCode, "ini", kN},
    {"cfg", Format::kCode, "ini", kN},
    {"conf", Format::kCode, "conf", kN},
    {"xml", Format::kCode, "xml", kN},
    {"xsd", Format::kCode, "xml", kN},
    {"svg", Format::kCode, "xml", kN},
    {"vue", Format::kCode, "vue", kN},
    {"svelte", Format::kCode, "svelte", kN},
    {"tf", Format::kCode, "terraform", kN},
    {"nix", Format::kCode, "nix", kN},
    {"graphql", Format::kCode, "graphql", kN},
    {"json5", Format::kCode, "json", kN},
    {"jsonc", Format::kCode, "json", kN},
    {"ipynb", Format::kCode, "json", kN},
    {"json", Format::kConversation, "json", kN},
    {"jsonl", Format::kConversation, "json", kN},
    {"ndjson", Format::kConversation, "json", kN},
    // Documents.
    {"md", Format::kMarkdown, "markdown", kN},
    {"markdown", Format::kMarkdown, "markdown", kN},
    {"mdx", Format::kMarkdown, "markdown", kN},
    {"txt", Format::kText, "text", kN},
    {"text", Format::kText, "text", kN},
    {"rst", Format::kText, "restructuredtext", kN},
    {"adoc", Format::kText, "asciidoc", kN},
    {"org", Format::kText, "org", kN},
    {"tex", Format::kText, "latex", kN},
    {"csv", Format::kText, "csv", kN},
    {"tsv", Format::kText, "csv", kN},
    {"log", Format::kText, "text", kN},
    {"html", Format::kHtml, "html", kN},
    {"htm", Format::kHtml, "html", kN},
    {"xhtml", Format::kHtml, "html", kN},
    {"pdf", Format::kPdf, "pdf", kN},
};

// Extensions of files that are binary whatever their content; they are never read.
constexpr std::string_view kBinaryExtensions[] = {
    "png",  "jpg",   "jpeg", "gif",  "bmp",  "ico",   "webp", "tif",   "tiff", "psd",  "heic", "avif",
    "mp3",  "mp4",   "m4a",  "wav",  "ogg",  "flac",  "avi",  "mov",   "mkv",  "webm", "zip",  "gz",
    "tgz",  "bz2",   "xz",   "zst",  "7z",   "rar",   "tar",  "jar",   "war",  "whl",  "egg",  "o",
    "obj",  "a",     "so",   "dylib", "dll", "exe",   "lib",  "class", "pyc",  "pyo",  "pyd",  "wasm",
    "bin",  "ttf",   "otf",  "woff", "woff2", "eot",  "sqlite", "db",  "mdb",  "docx", "xlsx", "pptx",
    "odt",  "ods",   "odp",  "pdb",  "idb",  "iso",   "dmg",  "deb",   "rpm",  "npy",  "npz",  "pt",
    "pth",  "onnx",  "gguf", "safetensors", "pkl", "parquet", "arrow", "lockb", "dat", "ds_store",
};

constexpr Entry kNames[] = {
    {"makefile", Format::kCode, "make", kN},      {"gnumakefile", Format::kCode, "make", kN},
    {"cmakelists.txt", Format::kCode, "cmake", kN}, {"dockerfile", Format::kCode, "dockerfile", kN},
    {"containerfile", Format::kCode, "dockerfile", kN}, {"rakefile", Format::kCode, "ruby", kN},
    {"gemfile", Format::kCode, "ruby", kN},       {"build", Format::kCode, "starlark", kN},
    {"build.bazel", Format::kCode, "starlark", kN}, {"workspace", Format::kCode, "starlark", kN},
    {"jenkinsfile", Format::kCode, "groovy", kB}, {".bashrc", Format::kCode, "shell", kN},
    {".profile", Format::kCode, "shell", kN},     {".zshrc", Format::kCode, "shell", kN},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

FileType FromEntry(const Entry& e) { return FileType{e.format, e.language, e.structure}; }

// C++ markers in the first bytes of a ".h" file.
bool LooksLikeCpp(std::string_view head) {
  for (std::string_view marker : {"namespace ", "class ", "template<", "template <", "std::", "#pragma once\n#include <string>",
                                  "public:", "private:", "constexpr ", "nullptr"}) {
    if (head.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

// The language named by a "#!" first line, or nothing.
const Entry* FromShebang(std::string_view head) {
  static constexpr Entry kShebangs[] = {
      {"python", Format::kCode, "python", kI}, {"node", Format::kCode, "javascript", kB},
      {"deno", Format::kCode, "typescript", kB}, {"bash", Format::kCode, "shell", kN},
      {"zsh", Format::kCode, "shell", kN},     {"sh", Format::kCode, "shell", kN},
      {"ruby", Format::kCode, "ruby", kN},     {"perl", Format::kCode, "perl", kN},
      {"php", Format::kCode, "php", kB},
  };
  if (head.substr(0, 2) != "#!") return nullptr;
  std::string_view line = head.substr(2, head.find('\n') == std::string_view::npos ? head.size() : head.find('\n') - 2);
  // The interpreter is the last path component of the first word, or the word after "env".
  std::size_t start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) return nullptr;
  line.remove_prefix(start);
  std::string_view word = line.substr(0, line.find(' '));
  std::string_view prog = word.substr(word.rfind('/') == std::string_view::npos ? 0 : word.rfind('/') + 1);
  if (prog == "env") {
    std::string_view rest = line.substr(word.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.substr(0, 3) == "-S ") rest.remove_prefix(3);
    prog = rest.substr(0, rest.find(' '));
  }
  for (const Entry& e : kShebangs) {
    if (prog.substr(0, e.key.size()) == e.key) return &e;
  }
  return nullptr;
}

}  // namespace

FileType DetectFileType(std::string_view path, std::string_view head) {
  const std::size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::string lower_name = Lower(name);
  for (const Entry& e : kNames) {
    if (lower_name == e.key) return FromEntry(e);
  }
  if (lower_name.starts_with("dockerfile.")) return FileType{Format::kCode, "dockerfile", kN};
  const std::size_t dot = name.rfind('.');
  if (dot != std::string_view::npos && dot + 1 < name.size()) {
    const std::string ext = Lower(name.substr(dot + 1));
    for (std::string_view b : kBinaryExtensions) {
      if (ext == b) return FileType{Format::kBinary, "binary", kN};
    }
    for (const Entry& e : kExtensions) {
      if (ext == e.key) {
        if (ext == "h" && LooksLikeCpp(head)) return FileType{Format::kCode, "cpp", kB};
        return FromEntry(e);
      }
    }
  }
  if (const Entry* e = FromShebang(head)) return FromEntry(*e);
  return FileType{};
}

const char* KindOf(Format format) {
  switch (format) {
    case Format::kCode:
      return "code";
    case Format::kConversation:
      return "message";
    default:
      return "document";
  }
}

}  // namespace memd::ingest
