// A one-line progress bar for long commands (add --jsonl). It draws only on a terminal, so
// redirected stderr and --json consumers never see control characters. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace memd::cli {

class Progress {
 public:
  // Draws on stderr when stderr is a terminal; otherwise every call does nothing.
  static Progress ForStderr(std::string label, std::int64_t total);

  // Draws on out when enabled. out must outlive this object.
  Progress(std::FILE* out, bool enabled, std::string label, std::int64_t total);
  // Clears the line if Finish() was not called (e.g. the command failed).
  ~Progress();
  Progress(Progress&& other) noexcept;
  Progress& operator=(Progress&&) = delete;
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Records that `n` more units are done and redraws when the shown percentage changes.
  void Advance(std::int64_t n);
  // Draws 100% and ends the line.
  void Finish();

 private:
  void Draw();

  std::FILE* out_;
  bool enabled_;
  std::string label_;
  std::int64_t total_;
  std::int64_t done_ = 0;
  int shown_percent_ = -1;
  bool active_ = false;  // something drawn and the line not yet ended
};

}  // namespace memd::cli
