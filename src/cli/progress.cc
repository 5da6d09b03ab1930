#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

namespace memd::cli {

namespace {
constexpr int kBarWidth = 30;
}  // namespace

Progress Progress::ForStderr(std::string label, std::int64_t total) {
  return Progress(stderr, isatty(STDERR_FILENO) == 1, std::move(label), total);
}

Progress::Progress(std::FILE* out, bool enabled, std::string label, std::int64_t total)
    : out_(out), enabled_(enabled && total > 0), label_(std::move(label)), total_(total) {}

Progress::Progress(Progress&& other) noexcept
    : out_(other.out_),
      enabled_(other.enabled_),
      label_(std::move(other.label_)),
      total_(other.total_),
      done_(other.done_),
      shown_percent_(other.shown_percent_),
      active_(other.active_) {
  other.enabled_ = false;
  other.active_ = false;
}

Progress::~Progress() {
  if (active_) {
    std::fputs("\r\033[K", out_);  // erase the partial bar
    std::fflush(out_);
  }
}

void Progress::Advance(std::int64_t n) {
  if (!enabled_) return;
  done_ = std::min(total_, done_ + n);
  int percent = static_cast<int>(done_ * 100 / total_);
  if (percent != shown_percent_) {
    shown_percent_ = percent;
    Draw();
  }
}

void Progress::Finish() {
  if (!enabled_) return;
  done_ = total_;
  shown_percent_ = 100;
  Draw();
  std::fputc('\n', out_);
  std::fflush(out_);
  active_ = false;
  enabled_ = false;
}

void Progress::Draw() {
  int filled = static_cast<int>(done_ * kBarWidth / total_);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kBarWidth - filled), '.');
  std::fprintf(out_, "\r%s [%s] %3d%% %lld/%lld", label_.c_str(), bar.c_str(), shown_percent_,
               static_cast<long long>(done_), static_cast<long long>(total_));
  std::fflush(out_);
  active_ = true;
}

}  // namespace memd::cli
