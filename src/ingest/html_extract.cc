// HTML main text through gumbo: a walk of the parse tree that writes Markdown, dropping what
// is not content (see extract.h). The walk is recursive with a depth limit: content nested
// deeper than kMaxDepth elements is ignored (no real page nests that deep).
#include <gumbo.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/extract.h"

namespace memd::ingest {
namespace {

constexpr int kMaxDepth = 200;

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'; }

std::string Collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (IsSpace(c)) {
      space = true;
    } else {
      if (space && !out.empty()) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
  }
  return out;
}

std::string_view Attribute(const GumboNode* node, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&node->v.element.attributes, name);
  return a == nullptr ? std::string_view() : std::string_view(a->value);
}

bool HasAttribute(const GumboNode* node, const char* name) {
  return gumbo_get_attribute(&node->v.element.attributes, name) != nullptr;
}

// Elements that are never content.
bool AlwaysDropped(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE: case GUMBO_TAG_FORM: case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_SVG: case GUMBO_TAG_CANVAS: case GUMBO_TAG_BUTTON: case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_INPUT: case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED:
    case GUMBO_TAG_VIDEO: case GUMBO_TAG_AUDIO: case GUMBO_TAG_MAP: case GUMBO_TAG_HEAD: case GUMBO_TAG_MATH:
      return true;
    default:
      return false;
  }
}

bool Hidden(const GumboNode* node) {
  if (HasAttribute(node, "hidden")) return true;
  if (Attribute(node, "aria-hidden") == "true") return true;
  const std::string_view role = Attribute(node, "role");
  if (role == "navigation" || role == "banner" || role == "contentinfo" || role == "complementary" ||
      role == "search") {
    return true;
  }
  const std::string style = Collapse(Attribute(node, "style"));
  return style.find("display:none") != std::string::npos || style.find("display: none") != std::string::npos;
}

int HeadingLevel(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_H1: return 1;
    case GUMBO_TAG_H2: return 2;
    case GUMBO_TAG_H3: return 3;
    case GUMBO_TAG_H4: return 4;
    case GUMBO_TAG_H5: return 5;
    case GUMBO_TAG_H6: return 6;
    default: return 0;
  }
}

// Blocks that are paragraphs (a blank line around them) or lines (a line break around them).
bool ParagraphBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_TABLE: case GUMBO_TAG_UL: case GUMBO_TAG_OL:
    case GUMBO_TAG_DL: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_MAIN: case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_DETAILS: case GUMBO_TAG_HR: case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER:
      return true;
    default:
      return false;
  }
}
bool LineBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_DIV: case GUMBO_TAG_LI: case GUMBO_TAG_TR: case GUMBO_TAG_DT: case GUMBO_TAG_DD:
    case GUMBO_TAG_BR: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_CAPTION:
      return true;
    default:
      return false;
  }
}

std::int64_t LineOf(const GumboNode* node) {
  if (node->type == GUMBO_NODE_ELEMENT) return node->v.element.start_pos.line;
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA || node->type == GUMBO_NODE_WHITESPACE) {
    return node->v.text.start_pos.line;
  }
  return 0;
}

// All text under node, whitespace collapsed (for titles and headings).
void CollectText(const GumboNode* node, int depth, std::string* out) {
  if (depth > kMaxDepth) return;
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA || node->type == GUMBO_NODE_WHITESPACE) {
    out->append(node->v.text.text);
    out->push_back(' ');
    return;
  }
  if (node->type != GUMBO_NODE_ELEMENT) return;
  if (AlwaysDropped(node->v.element.tag) || Hidden(node)) return;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    CollectText(static_cast<const GumboNode*>(children.data[i]), depth + 1, out);
  }
}

const GumboNode* FindFirst(const GumboNode* node, int depth, bool (*match)(const GumboNode*), int* count) {
  if (node->type != GUMBO_NODE_ELEMENT || depth > kMaxDepth) return nullptr;
  const GumboNode* found = nullptr;
  if (match(node)) {
    ++*count;
    found = node;
  }
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const GumboNode* f = FindFirst(static_cast<const GumboNode*>(children.data[i]), depth + 1, match, count);
    if (found == nullptr) found = f;
  }
  return found;
}

class Writer {
 public:
  void Text(std::string_view text, std::int64_t source_line) {
    for (char c : text) {
      if (IsSpace(c)) {
        pending_space_ = !line_.empty() || !prefix_.empty();
        continue;
      }
      if (line_.empty()) {
        line_source_ = source_line;
      } else if (pending_space_) {
        line_.push_back(' ');
      }
      pending_space_ = false;
      line_.push_back(c);
    }
  }
  void BreakLine() {
    if (!line_.empty()) Emit(prefix_ + line_, line_source_);
    line_.clear();
    pending_space_ = false;
  }
  void Paragraph() {
    BreakLine();
    blank_ = true;
  }
  // A line emitted as is (headings, fences, preformatted lines).
  void Line(std::string_view text, std::int64_t source_line) {
    BreakLine();
    Emit(std::string(text), source_line);
  }
  void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }
  const std::string& prefix() const { return prefix_; }
  void Finish(HtmlText* out) {
    BreakLine();
    out->text = std::move(out_);
    out->source_lines = std::move(sources_);
  }

 private:
  void Emit(const std::string& line, std::int64_t source_line) {
    if (blank_ && !out_.empty()) {
      out_.push_back('\n');
      sources_.push_back(0);
    }
    blank_ = false;
    out_ += line;
    out_.push_back('\n');
    sources_.push_back(source_line);
  }

  std::string out_;
  std::vector<std::int64_t> sources_;
  std::string line_;
  std::int64_t line_source_ = 0;
  std::string prefix_;
  bool pending_space_ = false;
  bool blank_ = false;
};

class Extractor {
 public:
  explicit Extractor(std::string title) : title_(std::move(title)) {}

  void Run(const GumboNode* content, HtmlText* out) {
    if (!title_.empty()) writer_.Line("# " + title_, 0);
    writer_.Paragraph();
    Walk(content, 0, false);
    writer_.Finish(out);
  }

 private:
  void Walk(const GumboNode* node, int depth, bool in_article) {
    if (depth > kMaxDepth) return;
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA) {
      writer_.Text(node->v.text.text, LineOf(node));
      return;
    }
    if (node->type == GUMBO_NODE_WHITESPACE) {
      writer_.Text(" ", 0);
      return;
    }
    if (node->type != GUMBO_NODE_ELEMENT) return;
    const GumboTag tag = node->v.element.tag;
    if (AlwaysDropped(tag) || Hidden(node)) return;
    // Page headers and footers are chrome; inside an article they hold its title and byline.
    if ((tag == GUMBO_TAG_HEADER || tag == GUMBO_TAG_FOOTER) && !in_article) return;
    const bool article = in_article || tag == GUMBO_TAG_ARTICLE || tag == GUMBO_TAG_MAIN;
    if (const int level = HeadingLevel(tag)) {
      std::string text;
      CollectText(node, depth, &text);
      text = Collapse(text);
      if (text.empty()) return;
      if (level == 1 && !seen_heading_ && text == title_) {
        seen_heading_ = true;  // the title line already says it
        return;
      }
      seen_heading_ = true;
      writer_.Paragraph();
      writer_.Line(std::string(static_cast<std::size_t>(level), '#') + " " + text, LineOf(node));
      writer_.Paragraph();
      return;
    }
    if (tag == GUMBO_TAG_PRE) {
      std::string text;
      RawText(node, depth, &text);
      writer_.Paragraph();
      writer_.Line("```", LineOf(node));
      std::int64_t line = LineOf(node);
      std::size_t start = 0;
      while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (!(end == text.size() && start == end)) writer_.Line(std::string_view(text).substr(start, end - start), line);
        ++line;
        start = end + 1;
      }
      writer_.Line("```", line);
      writer_.Paragraph();
      return;
    }
    const bool paragraph = ParagraphBlock(tag);
    const bool line_block = LineBlock(tag);
    if (paragraph) writer_.Paragraph();
    if (line_block) writer_.BreakLine();
    const std::string saved_prefix = writer_.prefix();
    if (tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL) ++list_depth_;
    if (tag == GUMBO_TAG_LI) {
      writer_.set_prefix(std::string(static_cast<std::size_t>(2 * std::max(0, list_depth_ - 1)), ' ') + "- ");
    }
    if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) writer_.Text(" | ", 0);
    const GumboVector& children = node->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      Walk(static_cast<const GumboNode*>(children.data[i]), depth + 1, article);
    }
    if (tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL) --list_depth_;
    if (tag == GUMBO_TAG_LI) {
      writer_.BreakLine();
      writer_.set_prefix(saved_prefix);
    }
    if (paragraph) writer_.Paragraph();
    if (line_block) writer_.BreakLine();
  }

  // Text under a <pre>, whitespace kept.
  static void RawText(const GumboNode* node, int depth, std::string* out) {
    if (depth > kMaxDepth) return;
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE || node->type == GUMBO_NODE_CDATA) {
      out->append(node->v.text.text);
      return;
    }
    if (node->type != GUMBO_NODE_ELEMENT) return;
    if (node->v.element.tag == GUMBO_TAG_BR) out->push_back('\n');
    const GumboVector& children = node->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      RawText(static_cast<const GumboNode*>(children.data[i]), depth + 1, out);
    }
  }

  Writer writer_;
  std::string title_;
  int list_depth_ = 0;
  bool seen_heading_ = false;
};

bool IsMain(const GumboNode* n) {
  return n->v.element.tag == GUMBO_TAG_MAIN || Attribute(n, "role") == "main";
}
bool IsArticle(const GumboNode* n) { return n->v.element.tag == GUMBO_TAG_ARTICLE; }
bool IsTitle(const GumboNode* n) { return n->v.element.tag == GUMBO_TAG_TITLE; }

}  // namespace

HtmlText ExtractHtml(std::string_view html) {
  HtmlText out;
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // memd does not read the parse errors
  GumboOutput* parsed = gumbo_parse_with_options(&options, html.data(), html.size());
  if (parsed == nullptr) return out;
  int count = 0;
  if (const GumboNode* title = FindFirst(parsed->root, 0, IsTitle, &count)) {
    std::string text;
    const GumboVector& children = title->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      const GumboNode* c = static_cast<const GumboNode*>(children.data[i]);
      if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE) text += c->v.text.text;
    }
    out.title = Collapse(text);
  }
  count = 0;
  const GumboNode* content = FindFirst(parsed->root, 0, IsMain, &count);
  if (content == nullptr) {
    count = 0;
    const GumboNode* article = FindFirst(parsed->root, 0, IsArticle, &count);
    content = count == 1 ? article : parsed->root;
  }
  Extractor(out.title).Run(content, &out);
  gumbo_destroy_output(&options, parsed);
  return out;
}

}  // namespace memd::ingest
