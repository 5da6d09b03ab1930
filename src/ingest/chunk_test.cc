#include "ingest/chunk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/utf8.h"

namespace memd::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ChunkOptions Small(std::size_t max = 256, std::size_t min = 0, std::size_t overlap = 0) {
  ChunkOptions o;
  o.max_bytes = max;
  o.min_bytes = min;
  o.overlap_bytes = overlap;
  return o;
}

std::vector<std::string> Symbols(const std::vector<Chunk>& chunks) {
  std::vector<std::string> out;
  for (const Chunk& c : chunks) out.push_back(c.symbol);
  return out;
}

std::string Lines(int n, const std::string& indent, const std::string& stmt) {
  std::string out;
  for (int i = 0; i < n; ++i) out += indent + stmt + std::to_string(i) + ";\n";
  return out;
}

void ExpectWithinBound(const std::vector<Chunk>& chunks, std::size_t max) {
  for (const Chunk& c : chunks) {
    EXPECT_LE(c.text.size(), max) << c.text;
    EXPECT_EQ(FindInvalidUtf8(c.text), std::string_view::npos);
    EXPECT_LE(c.line_start, c.line_end);
  }
}

constexpr FileType kCpp{Format::kCode, "cpp", CodeStructure::kBraces};
constexpr FileType kPython{Format::kCode, "python", CodeStructure::kIndentation};

TEST(ChunkTest, CppChunksFollowFunctionsWithQualifiedNamesAndLineRanges) {
  const std::string text =
      "#include <string>\n"                      // 1
      "\n"                                       // 2
      "namespace app {\n"                        // 3
      "\n"                                       // 4
      "// Parses the input.\n"                   // 5
      "int Parse(const std::string& s) {\n"      // 6
      "  if (s.empty()) { return 0; }\n"         // 7
      "  const char* brace = \"}}}\";  // }\n"   // 8
      "  return static_cast<int>(s.size());\n"   // 9
      "}\n"                                      // 10
      "\n"                                       // 11
      "class Lexer {\n"                          // 12
      " public:\n"                               // 13
      "  int Next() {\n"                         // 14
      + Lines(8, "    ", "step_next_token_") +   // 15-22
      "  }\n"                                    // 23
      "  void Reset() {\n"                       // 24
      + Lines(8, "    ", "reset_the_state_") +   // 25-32
      "  }\n"                                    // 33
      "};\n"                                     // 34
      "\n"                                       // 35
      "}  // namespace app\n";                   // 36
  const std::vector<Chunk> chunks = ChunkCode(text, kCpp, Small(300));
  ExpectWithinBound(chunks, 300);
  ASSERT_GE(chunks.size(), 3u);
  // The comment above Parse belongs to it; braces in strings and comments do not count.
  const Chunk* parse = nullptr;
  const Chunk* next = nullptr;
  const Chunk* reset = nullptr;
  for (const Chunk& c : chunks) {
    if (c.symbol == "app::Parse") parse = &c;
    if (c.symbol == "app::Lexer::Next") next = &c;
    if (c.symbol == "app::Lexer::Reset") reset = &c;
  }
  ASSERT_NE(parse, nullptr) << ::testing::PrintToString(Symbols(chunks));
  ASSERT_NE(next, nullptr) << ::testing::PrintToString(Symbols(chunks));
  ASSERT_NE(reset, nullptr) << ::testing::PrintToString(Symbols(chunks));
  EXPECT_EQ(parse->line_start, 5);
  EXPECT_EQ(parse->line_end, 10);
  EXPECT_THAT(parse->text, HasSubstr("// Parses the input.\nint Parse("));
  EXPECT_EQ(reset->line_start, 24);
  EXPECT_EQ(reset->line_end, 36) << "closing braces attach to the last member";
  EXPECT_THAT(next->text, HasSubstr("int Next() {"));
}

TEST(ChunkTest, OversizeFunctionIsSplitAtStatementsAndKeepsItsName) {
  const std::string text = "void Big() {\n" + Lines(60, "  ", "do_some_work_") + "}\n";
  const std::vector<Chunk> chunks = ChunkCode(text, kCpp, Small(400, 100));
  ASSERT_GE(chunks.size(), 3u);
  ExpectWithinBound(chunks, 400);
  for (const Chunk& c : chunks) EXPECT_EQ(c.symbol, "Big");
  EXPECT_EQ(chunks.front().line_start, 1);
  EXPECT_EQ(chunks.back().line_end, 62);
  for (std::size_t i = 1; i < chunks.size(); ++i) EXPECT_EQ(chunks[i].line_start, chunks[i - 1].line_end + 1);
}

TEST(ChunkTest, OversizePythonFunctionKeepsItsLeadingCommentInTheFirstPiece) {
  std::string text = "# Computes the totals.\n@decorated\ndef big():\n";
  for (int i = 0; i < 60; ++i) text += "    total_" + std::to_string(i) + " = compute(" + std::to_string(i) + ")\n";
  const std::vector<Chunk> chunks = ChunkCode(text, kPython, Small(400, 100));
  ASSERT_GE(chunks.size(), 3u);
  ExpectWithinBound(chunks, 400);
  EXPECT_EQ(chunks[0].line_start, 1);
  EXPECT_THAT(chunks[0].text, ::testing::StartsWith("# Computes the totals.\n@decorated\ndef big():"));
  for (const Chunk& c : chunks) EXPECT_EQ(c.symbol, "big");
}

TEST(ChunkTest, TinyNeighboursAreMergedWithTheirNames) {
  const std::string text =
      "int a() { return 1; }\n"
      "int b() { return 2; }\n"
      "int c() { return 3; }\n";
  const std::vector<Chunk> merged = ChunkCode(text, kCpp, Small(2000, 300));
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].symbol, "a, b, c");
  EXPECT_EQ(merged[0].line_start, 1);
  EXPECT_EQ(merged[0].line_end, 3);
  const std::vector<Chunk> apart = ChunkCode(text, kCpp, Small(2000, 0));
  EXPECT_THAT(Symbols(apart), ElementsAre("a", "b", "c"));
}

TEST(ChunkTest, RawStringsTemplatesAndCharLiteralsDoNotConfuseBraceDepth) {
  const std::string cpp =
      "const char* k = R\"x(\n{{{ not code\n)x\";\n"
      "char open = '{';\n"
      "int After() {\n  return 1;\n}\n";
  EXPECT_THAT(Symbols(ChunkCode(cpp, kCpp, Small(256))), ::testing::Contains("After"));
  const std::string js =
      "const tpl = `\n${'{'} {{\n`;\n"
      "function after() {\n  return 1;\n}\n";
  const FileType kJs{Format::kCode, "javascript", CodeStructure::kBraces};
  const std::vector<Chunk> chunks = ChunkCode(js, kJs, Small(256));
  ASSERT_FALSE(chunks.empty());
  EXPECT_EQ(chunks.back().symbol, "after");
  EXPECT_EQ(chunks.back().line_start, 4);
  const std::string rust =
      "fn first<'a>(x: &'a str) -> char {\n    '}'\n}\n"
      "fn second() {\n    let s = r#\"}\"#;\n}\n";
  const FileType kRust{Format::kCode, "rust", CodeStructure::kBraces};
  EXPECT_THAT(Symbols(ChunkCode(rust, kRust, Small(256))), ElementsAre("first", "second"));
}

TEST(ChunkTest, PythonChunksFollowDefinitionsAndIndentation) {
  const std::string text =
      "import os\n"                                   // 1
      "\n"                                            // 2
      "\n"                                            // 3
      "# Loads the configuration.\n"                  // 4
      "@cache\n"                                      // 5
      "def load(path):\n"                             // 6
      "    with open(path) as f:\n"                   // 7
      "        return f.read()\n"                     // 8
      "\n"                                            // 9
      "\n"                                            // 10
      "class Store:\n"                                // 11
      "    \"\"\"A store.\n"                          // 12
      "\n"                                            // 13
      "def not_a_def(): inside the docstring\n"      // 14
      "    \"\"\"\n"                                  // 15
      "    def get(self, key):\n"                     // 16
      + Lines(8, "        ", "value = lookup_") +     // 17-24
      "\n"                                            // 25
      "    def put(self, key,\n"                      // 26
      "            value):\n"                         // 27
      + Lines(8, "        ", "self.write_") +         // 28-35
      "    else_branch = 1\n";                        // 36
  const std::vector<Chunk> chunks = ChunkCode(text, kPython, Small(300));
  ExpectWithinBound(chunks, 300);
  std::vector<std::string> symbols = Symbols(chunks);
  EXPECT_THAT(symbols, ::testing::IsSupersetOf({"load", "Store.get", "Store.put"}));
  for (const Chunk& c : chunks) {
    if (c.symbol == "load") {
      EXPECT_EQ(c.line_start, 4) << "the comment and decorator belong to the function";
      EXPECT_EQ(c.line_end, 8);
    }
    if (c.symbol == "Store.put") {
      EXPECT_EQ(c.line_start, 26);
    }
    EXPECT_THAT(c.symbol, ::testing::Not(HasSubstr("not_a_def")));
  }
}

TEST(ChunkTest, GoJavaAndTypeScriptSymbols) {
  const FileType go{Format::kCode, "go", CodeStructure::kBraces};
  EXPECT_THAT(Symbols(ChunkCode("package x\n\nfunc (s *Server) Start() error {\n\treturn nil\n}\n\n"
                                "func helper() {\n}\n",
                                go, Small(256))),
              ElementsAre("", "Server.Start", "helper"));
  const FileType java{Format::kCode, "java", CodeStructure::kBraces};
  const std::string body = Lines(10, "        ", "work_item_");
  const std::string jtext = "public class Users {\n    public int count() {\n" + body + "    }\n\n    @Override\n"
                            "    public String toString() {\n" + body + "    }\n}\n";
  EXPECT_THAT(Symbols(ChunkCode(jtext, java, Small(300))), ElementsAre("Users.count", "Users.toString"));
  const FileType ts{Format::kCode, "typescript", CodeStructure::kBraces};
  EXPECT_THAT(Symbols(ChunkCode("export const add = (a: number, b: number) => {\n  return a + b;\n};\n\n"
                                "export interface Point {\n  x: number;\n}\n",
                                ts, Small(256))),
              ElementsAre("add", "Point"));
}

TEST(ChunkTest, MinifiedLineIsCutAtCharacterBoundaries) {
  std::string line;
  for (int i = 0; i < 400; ++i) line += "é€";  // 5 bytes per pair, no spaces
  const std::vector<Chunk> chunks = ChunkCode(line + "\n", kCpp, Small(256));
  ASSERT_GE(chunks.size(), 8u);
  ExpectWithinBound(chunks, 256);
  std::string joined;
  for (const Chunk& c : chunks) {
    EXPECT_EQ(c.line_start, 1);
    joined += c.text;
  }
  EXPECT_EQ(joined, line);
}

TEST(ChunkTest, CodeWithoutStructureIsCutAtBlankLines) {
  const FileType yaml{Format::kCode, "yaml", CodeStructure::kNone};
  const std::string text = "a: 1\nb: 2\n\nc:\n  - x\n";
  const std::vector<Chunk> chunks = ChunkCode(text, yaml, Small(256));
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "a: 1\nb: 2\n\nc:\n  - x");
}

TEST(ChunkTest, MarkdownSplitsAtHeadingsWithHeadingPaths) {
  const std::string text =
      "---\ntitle: Guide\n---\n"                           // 1-3
      "# Guide\n\nIntro text.\n\n"                         // 4-7
      "## Install\n\nRun make.\n\n"                        // 8-11
      "```sh\n# not a heading\nmake\n```\n\n"              // 12-16
      "### Linux\n\nUse apt.\n\n"                          // 17-20
      "Usage\n-----\n\nCall it.\n";                        // 21-24
  const std::vector<Chunk> chunks = ChunkMarkdown(text, Small(256, 0));
  EXPECT_THAT(Symbols(chunks),
              ElementsAre("front matter", "Guide", "Guide > Install", "Guide > Install > Linux", "Guide > Usage"));
  EXPECT_EQ(chunks[2].line_start, 8);
  EXPECT_EQ(chunks[2].line_end, 15);
  EXPECT_THAT(chunks[2].text, HasSubstr("# not a heading"));
  EXPECT_EQ(chunks[4].line_start, 21);
  const std::vector<Chunk> merged = ChunkMarkdown(text, Small(2000, 300));
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].symbol, "front matter, Guide, Guide > Install, …");
}

TEST(ChunkTest, BigMarkdownSectionIsCutAtParagraphsButNotInsideFences) {
  std::string text = "# Big\n\n";
  for (int i = 0; i < 6; ++i) text += "Paragraph " + std::to_string(i) + " " + std::string(60, 'w') + "\n\n";
  text += "```\nline one\n\nline two after a blank\n```\n";
  const std::vector<Chunk> chunks = ChunkMarkdown(text, Small(256, 0));
  ASSERT_GE(chunks.size(), 3u);
  ExpectWithinBound(chunks, 256);
  for (const Chunk& c : chunks) EXPECT_EQ(c.symbol, "Big");
  EXPECT_THAT(chunks.back().text, HasSubstr("line one\n\nline two"));
}

TEST(ChunkTest, TextChunksOverlapAtSentenceBoundaries) {
  std::string text;
  for (int p = 0; p < 6; ++p) {
    for (int s = 0; s < 3; ++s) text += "Sentence " + std::to_string(p) + "." + std::to_string(s) + " is here. ";
    text += "\n\n";
  }
  const std::vector<Chunk> chunks = ChunkText(text, Small(256, 0, 64));
  ASSERT_GE(chunks.size(), 2u);
  ExpectWithinBound(chunks, 256);
  for (std::size_t i = 1; i < chunks.size(); ++i) {
    EXPECT_THAT(chunks[i].text, ::testing::StartsWith("Sentence ")) << chunks[i].text;
    // The start of each chunk repeats the end of the previous one.
    const std::string head = chunks[i].text.substr(0, 20);
    EXPECT_THAT(chunks[i - 1].text, HasSubstr(head));
    EXPECT_LE(chunks[i].line_start, chunks[i - 1].line_end);
  }
  const std::vector<Chunk> plain = ChunkText(text, Small(256, 0, 0));
  for (std::size_t i = 1; i < plain.size(); ++i) EXPECT_GT(plain[i].line_start, plain[i - 1].line_end);
}

TEST(ChunkTest, WhitespaceOnlyInputGivesNoChunks) {
  EXPECT_TRUE(ChunkText("  \n\n\t\n", Small()).empty());
  EXPECT_TRUE(ChunkCode("\n\n", kCpp, Small()).empty());
  EXPECT_TRUE(ChunkMarkdown("", Small()).empty());
}

TEST(ChunkTest, ValidatesOptions) {
  EXPECT_TRUE(ValidateChunkOptions(ChunkOptions()).ok());
  EXPECT_EQ(ValidateChunkOptions(Small(100)).field(), "chunking.max_bytes");
  EXPECT_EQ(ValidateChunkOptions(Small(1000, 600)).field(), "chunking.min_bytes");
  EXPECT_EQ(ValidateChunkOptions(Small(1000, 0, 400)).field(), "chunking.overlap_bytes");
}

}  // namespace
}  // namespace memd::ingest
