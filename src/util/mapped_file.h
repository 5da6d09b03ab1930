// MappedFile: a read-only memory mapping of a whole file, for reading large index snapshots
// without copying them through a buffer (the page cache is mapped directly).
//
// The mapping is private and read-only; the file must not be truncated while it is mapped
// (memd's snapshot files are immutable once renamed into place). Thread-compatible: bytes()
// may be read from any number of threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "memd/status.h"

namespace memd {

class MappedFile {
 public:
  // Maps the file at path, asking the kernel to read it ahead sequentially. An empty file
  // maps to empty bytes. IOError naming the path if it cannot be opened or mapped.
  static Result<MappedFile> Open(const std::string& path);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view bytes() const { return {data_, size_}; }

 private:
  MappedFile(const char* data, std::size_t size) : data_(data), size_(size) {}
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

// Advises the kernel to back [p, p + bytes) with transparent huge pages where it is 2 MiB
// aligned: one page fault then fills 2 MiB instead of 4 KiB, which matters when a large
// index is loaded into freshly allocated memory. A hint only; never fails.
void AdviseHugePages(void* p, std::size_t bytes);

}  // namespace memd
