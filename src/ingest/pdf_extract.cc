// PDF text through poppler-cpp. Poppler reports damaged input on its error callback (to
// stderr by default); memd silences it and reports its own Status instead.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <climits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "ingest/extract.h"

namespace memd::ingest {
namespace {

constexpr int kMaxPages = 100000;

void SilencePoppler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr); });
}

std::string ToUtf8(const poppler::ustring& s) {
  const poppler::byte_array bytes = s.to_utf8();
  return std::string(bytes.begin(), bytes.end());
}

// Trailing spaces off each line, form feeds and NULs out, at most one blank line in a row.
std::string Tidy(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  int newlines = 0;
  std::string line;
  auto flush_line = [&] {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
    if (line.empty()) {
      ++newlines;
    } else {
      if (!out.empty()) out.append(newlines >= 1 ? "\n\n" : "\n");
      out += line;
      newlines = 0;
    }
    line.clear();
  };
  for (char c : in) {
    if (c == '\n') {
      flush_line();
    } else if (c != '\f' && c != '\0') {
      line.push_back(c);
    }
  }
  flush_line();
  // flush_line counts an empty line as a paragraph break; a single '\n' between two lines
  // keeps them in one paragraph.
  return out;
}

}  // namespace

Result<PdfText> ExtractPdf(std::string_view bytes) {
  SilencePoppler();
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return Status::ResourceExhausted("PDF over 2 GiB; split it");
  }
  try {
    std::unique_ptr<poppler::document> doc(
        poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
    if (doc == nullptr) {
      return Status::InvalidArgument("the PDF is damaged or not a PDF; poppler could not open it");
    }
    if (doc->is_locked()) {
      return Status::FailedPrecondition("the PDF is encrypted with a password; decrypt it first (e.g. qpdf --decrypt)");
    }
    const int pages = doc->pages();
    if (pages > kMaxPages) return Status::ResourceExhausted("the PDF has over 100000 pages");
    PdfText out;
    out.title = ToUtf8(doc->get_title());
    out.pages.reserve(static_cast<std::size_t>(pages));
    for (int i = 0; i < pages; ++i) {
      std::unique_ptr<poppler::page> page(doc->create_page(i));
      if (page == nullptr) {
        out.pages.emplace_back();
        continue;
      }
      out.pages.push_back(Tidy(ToUtf8(page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout))));
    }
    return out;
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("poppler failed on the PDF: ") + e.what());
  }
}

}  // namespace memd::ingest
