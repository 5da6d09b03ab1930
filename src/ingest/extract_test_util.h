// Builds small, valid PDF files for tests: one page per string, Helvetica text, a correct
// cross-reference table. Poppler cannot write PDFs, so the bytes are assembled here.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace memd::ingest::testing {

// Each page shows its lines (no parentheses or backslashes in them) one below the other.
inline std::string MakePdf(const std::vector<std::vector<std::string>>& pages, const std::string& title = "") {
  std::vector<std::string> objects;  // object i+1
  const int n = static_cast<int>(pages.size());
  // 1: catalog, 2: pages, 3: font, info (if title), then per page: page, content.
  const int info = title.empty() ? 0 : 4;
  const int first_page = title.empty() ? 4 : 5;
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (int i = 0; i < n; ++i) kids += std::to_string(first_page + 2 * i) + " 0 R ";
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n) + " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  if (info) objects.push_back("<< /Title (" + title + ") >>");
  for (int i = 0; i < n; ++i) {
    std::string content = "BT /F1 12 Tf 72 720 Td 14 TL\n";
    for (const std::string& line : pages[static_cast<std::size_t>(i)]) content += "(" + line + ") Tj T*\n";
    content += "ET\n";
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                      "/Contents " + std::to_string(first_page + 2 * i + 1) + " 0 R >>");
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream");
  }
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t off : offsets) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%010zu 00000 n \n", off);
    pdf += buf;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R" +
         (info ? " /Info " + std::to_string(info) + " 0 R" : std::string()) + " >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

}  // namespace memd::ingest::testing
