// Extractors: the text of PDF and HTML documents, and the messages of conversation exports.
// Never throw; thread-safe (each call owns its parser state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memd/memory.h"
#include "memd/status.h"

namespace memd::ingest {

// ---- PDF (poppler-cpp) -----------------------------------------------------------------------

struct PdfText {
  std::string title;               // document info Title; may be empty
  std::vector<std::string> pages;  // UTF-8 text of each page in reading order, whitespace tidied
};

// Extracts the text of every page.
// Errors: InvalidArgument if bytes are not a readable PDF ("damaged or not a PDF");
// FailedPrecondition if it is encrypted with a password; ResourceExhausted over 100000 pages.
Result<PdfText> ExtractPdf(std::string_view bytes);

// ---- HTML (gumbo) ----------------------------------------------------------------------------

struct HtmlText {
  std::string title;  // <title>, whitespace collapsed
  // The main text as Markdown: headings as "#" lines, paragraphs separated by blank lines,
  // list items as "- ", <pre> as fenced blocks. Scripts, styles, navigation, headers,
  // footers, asides, forms and hidden elements are dropped; when the page has a <main>
  // (or role="main") element, or exactly one <article>, only it is kept (with the title).
  std::string text;
  // For each line of text, the 1-based line of the HTML source it came from (0: unknown).
  std::vector<std::int64_t> source_lines;
};

// Extracts the main text of an HTML document. Gumbo parses any input (like a browser), so
// this cannot fail; a page with no text gives an empty text.
HtmlText ExtractHtml(std::string_view html);

// ---- conversations (JSON / JSONL) --------------------------------------------------------------

struct ConversationMessage {
  std::string role;                 // "user", "assistant", a speaker's name; may be empty
  std::string content;              // the message text (parts joined by blank lines)
  std::optional<Timestamp> timestamp;  // from "timestamp", "created_at", "time", ... (s or ms)
  std::int64_t line = 0;            // 1-based line in a JSONL file; 0 for JSON
  std::int64_t conversation = 0;    // index of the conversation within the file
  std::int64_t index = 0;           // index of the message within its conversation
};

// Reads text as a conversation export when it has one of the common shapes:
//  - JSONL, one message per line: {"role", "content"} or {"speaker", "text", "timestamp"};
//  - JSONL, one conversation per line: {"messages": [...]} (OpenAI fine-tuning format);
//  - JSON: an array of messages, {"messages": [...]}, {"chat_messages": [...]}, or an array
//    of such conversations.
// Message fields: content from "content" | "text" | "message" | "body" | "value" (a string,
// an array of strings or of {"type": "text", "text"} parts, or {"parts": [...]}); role from
// "role" | "speaker" | "author" (string or {"role"} / {"name"}) | "from" | "sender" | "name";
// timestamp from "timestamp" | "created_at" | "create_time" | "time" | "date" | "ts" as
// RFC 3339 or epoch seconds/milliseconds. Messages with empty content are dropped.
// Returns nullopt when the text is not such a conversation (invalid JSON, other shapes, or
// fewer than half of the messages naming a role), so callers can treat it as plain JSON.
std::optional<std::vector<ConversationMessage>> ParseConversation(std::string_view text);

}  // namespace memd::ingest
