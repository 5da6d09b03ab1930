// A uniquely named directory that is removed, with its content, when the owner goes away.
// For tests and for staging files (export, import). Not thread-safe; movable.
#pragma once

#include <string>
#include <string_view>

#include "memd/status.h"

namespace memd {

class TempDir {
 public:
  // Creates a new directory named "<prefix>XXXXXX" (random suffix) under $TMPDIR, or /tmp when
  // TMPDIR is unset. IOError if it cannot be created.
  static Result<TempDir> Create(std::string_view prefix = "memd-");

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Removes the directory recursively; errors are ignored.
  ~TempDir();

  // The directory path (under $TMPDIR or /tmp), without a trailing slash.
  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Child(std::string_view name) const;

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;  // empty when moved from
};

}  // namespace memd
