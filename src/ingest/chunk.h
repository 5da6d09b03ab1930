// Chunkers: cut a file's text into pieces that each make sense alone, within
// ChunkOptions::max_bytes, with 1-based line ranges and the enclosing symbol or section.
//
//  - Code with known structure (braces: C, C++, Java, JS/TS, Go, Rust, ...; indentation:
//    Python) is cut at definition boundaries found heuristically (code_chunker.cc): a unit
//    is a top-level definition or statement; a unit over max_bytes is cut into its members
//    (a class into methods, a function into statement groups), recursively; tiny neighbours
//    are merged. No parser: comments, strings, raw strings and preprocessor lines are skipped
//    when counting braces, which is right for real-world code and degrades to line-based
//    pieces, never to an error, on anything else.
//  - Markdown is cut at headings (the heading path is the symbol), big sections at
//    paragraphs; fenced code blocks are never cut unless bigger than max_bytes.
//  - Plain text (and code without known structure) is cut at blank-line paragraphs, with
//    ChunkOptions::overlap_bytes repeated between neighbours for prose.
// A single line over max_bytes is cut at UTF-8 character boundaries. Chunks of only
// whitespace are dropped. Pure functions; thread-safe. Input must be valid UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/file_type.h"
#include "memd/ingest.h"

namespace memd::ingest {

struct Chunk {
  std::string text;             // the chunk body: whole lines of the input (or a cut line)
  std::int64_t line_start = 0;  // 1-based, inclusive
  std::int64_t line_end = 0;
  std::string symbol;           // enclosing definition ("Parser::Parse") or heading path
                                // ("Guide > Install"); names joined by ", " after a merge;
                                // may be empty
};

// Code: by structure when type.structure is known, else by paragraphs without overlap.
std::vector<Chunk> ChunkCode(std::string_view text, const FileType& type, const ChunkOptions& options);
// Markdown: by headings.
std::vector<Chunk> ChunkMarkdown(std::string_view text, const ChunkOptions& options);
// Prose: by paragraphs, with overlap_bytes repeated between neighbouring chunks.
std::vector<Chunk> ChunkText(std::string_view text, const ChunkOptions& options);

// Checks the ranges documented in ChunkOptions. InvalidArgument naming the field.
Status ValidateChunkOptions(const ChunkOptions& options);

}  // namespace memd::ingest
