// What a file is: its format (how to extract and chunk it) and its language, from its name
// and, for files without a telling extension, its first line (a shebang). Pure functions.
#pragma once

#include <string_view>

namespace memd::ingest {

enum class Format {
  kCode,          // source or configuration text; chunked by code structure when known
  kMarkdown,      // split by headings
  kText,          // prose or unknown text; split by paragraphs with overlap
  kHtml,          // main text extracted with gumbo, then split like Markdown
  kPdf,           // text extracted with poppler, then split like text
  kConversation,  // .json/.jsonl: a conversation when it has that shape, else code ("json")
  kBinary,        // known binary extension: never read
};

// How code is cut into chunks.
enum class CodeStructure {
  kNone,         // by blank-line paragraphs
  kBraces,       // C, C++, Java, JS/TS, Go, Rust, C#, Kotlin, Swift, Scala, PHP, CSS
  kIndentation,  // Python
};

struct FileType {
  Format format = Format::kText;
  // Lower-case language name stored in chunk metadata: "c", "cpp", "python", "javascript",
  // "typescript", "go", "rust", "java", ..., "markdown", "text", "html", "pdf", "json".
  std::string_view language = "text";
  CodeStructure structure = CodeStructure::kNone;
};

// Detects the type of a file from its path (only the last component is used) and, when the
// name says nothing, from head (the first bytes of the file; may be empty): a "#!" line
// naming python, node, bash/sh/zsh, ruby, perl or php. Unknown names are kText.
FileType DetectFileType(std::string_view path, std::string_view head = {});

// True for formats whose size limit is WalkOptions::max_document_bytes (PDF, HTML).
inline bool IsDocumentFormat(Format f) { return f == Format::kPdf || f == Format::kHtml; }

// Memory kind of a format's chunks: "code", "document" or "message".
const char* KindOf(Format format);

}  // namespace memd::ingest
