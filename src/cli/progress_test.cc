#include "cli/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace memd::cli {
namespace {

// Captures what a Progress writes to a memory stream.
class Capture {
 public:
  Capture() : file_(open_memstream(&buffer_, &size_)) {}
  ~Capture() {
    if (file_) std::fclose(file_);
    std::free(buffer_);
  }
  std::FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(buffer_, size_);
  }

 private:
  char* buffer_ = nullptr;
  std::size_t size_ = 0;
  std::FILE* file_;
};

TEST(ProgressTest, DisabledProgressWritesNothing) {
  Capture capture;
  {
    Progress progress(capture.file(), false, "adding", 10);
    progress.Advance(5);
    progress.Finish();
  }
  EXPECT_EQ(capture.text(), "");
}

TEST(ProgressTest, EnabledProgressDrawsCountsAndEndsTheLine) {
  Capture capture;
  Progress progress(capture.file(), true, "adding", 4);
  progress.Advance(2);
  EXPECT_NE(capture.text().find(" 50% 2/4"), std::string::npos) << capture.text();
  progress.Finish();
  std::string text = capture.text();
  EXPECT_NE(text.find("100% 4/4"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(ProgressTest, UnfinishedProgressErasesItsLine) {
  Capture capture;
  {
    Progress progress(capture.file(), true, "adding", 4);
    progress.Advance(1);
  }
  std::string text = capture.text();
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K");
}

}  // namespace
}  // namespace memd::cli
