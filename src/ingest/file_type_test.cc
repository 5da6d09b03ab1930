#include "ingest/file_type.h"

#include <gtest/gtest.h>

namespace memd::ingest {
namespace {

TEST(FileTypeTest, DetectsLanguagesByExtensionCaseInsensitively) {
  EXPECT_EQ(DetectFileType("src/a.cc").language, "cpp");
  EXPECT_EQ(DetectFileType("A.CPP").language, "cpp");
  EXPECT_EQ(DetectFileType("x.c").language, "c");
  EXPECT_EQ(DetectFileType("x.py").structure, CodeStructure::kIndentation);
  EXPECT_EQ(DetectFileType("x.tsx").language, "typescript");
  EXPECT_EQ(DetectFileType("x.go").structure, CodeStructure::kBraces);
  EXPECT_EQ(DetectFileType("x.rs").language, "rust");
  EXPECT_EQ(DetectFileType("x.java").language, "java");
  EXPECT_EQ(DetectFileType("x.yaml").structure, CodeStructure::kNone);
  EXPECT_EQ(DetectFileType("README.md").format, Format::kMarkdown);
  EXPECT_EQ(DetectFileType("page.HTML").format, Format::kHtml);
  EXPECT_EQ(DetectFileType("paper.pdf").format, Format::kPdf);
  EXPECT_EQ(DetectFileType("chat.jsonl").format, Format::kConversation);
  EXPECT_EQ(DetectFileType("notes").format, Format::kText);
  EXPECT_EQ(DetectFileType("weird.xyz").format, Format::kText);
}

TEST(FileTypeTest, KnownNamesAndBinaryExtensions) {
  EXPECT_EQ(DetectFileType("Makefile").language, "make");
  EXPECT_EQ(DetectFileType("sub/CMakeLists.txt").language, "cmake");
  EXPECT_EQ(DetectFileType("Dockerfile.dev").language, "dockerfile");
  for (const char* name : {"a.png", "lib.so", "x.pyc", "font.woff2", "archive.tar", "model.gguf", ".DS_Store"}) {
    EXPECT_EQ(DetectFileType(name).format, Format::kBinary) << name;
  }
}

TEST(FileTypeTest, ShebangNamesTheLanguageOfFilesWithoutExtension) {
  EXPECT_EQ(DetectFileType("bin/run", "#!/usr/bin/env python3\nprint(1)\n").language, "python");
  EXPECT_EQ(DetectFileType("bin/run", "#!/bin/bash\necho\n").language, "shell");
  EXPECT_EQ(DetectFileType("bin/run", "#!/usr/bin/env -S node --harmony\n").language, "javascript");
  EXPECT_EQ(DetectFileType("bin/run", "#!/usr/bin/perl -w\n").language, "perl");
  EXPECT_EQ(DetectFileType("bin/run", "no shebang").format, Format::kText);
}

TEST(FileTypeTest, HeaderIsCppWhenItLooksLikeCpp) {
  EXPECT_EQ(DetectFileType("x.h", "#pragma once\nnamespace a {\n}").language, "cpp");
  EXPECT_EQ(DetectFileType("x.h", "#ifndef X_H\nint f(void);\n").language, "c");
}

TEST(FileTypeTest, KindsOfFormats) {
  EXPECT_STREQ(KindOf(Format::kCode), "code");
  EXPECT_STREQ(KindOf(Format::kMarkdown), "document");
  EXPECT_STREQ(KindOf(Format::kPdf), "document");
  EXPECT_STREQ(KindOf(Format::kConversation), "message");
}

}  // namespace
}  // namespace memd::ingest
