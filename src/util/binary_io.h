// Little-endian binary encoding for index snapshots.
//
// BinaryWriter appends to a file through a buffer; BinaryReader reads a whole file (mapped
// into memory, not copied) and checks every read against the end, so truncated or corrupt input becomes a
// Corruption status, never undefined behaviour. Neither is thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "memd/status.h"
#include "util/mapped_file.h"

namespace memd {

class BinaryWriter {
 public:
  // Creates/truncates path. Check status() before use.
  explicit BinaryWriter(const std::string& path);
  ~BinaryWriter();
  BinaryWriter(const BinaryWriter&) = delete;
  BinaryWriter& operator=(const BinaryWriter&) = delete;

  const Status& status() const { return status_; }

  template <typename T>
  requires std::is_trivially_copyable_v<T>
  void Put(const T& value) { WriteBytes(&value, sizeof(T)); }
  void PutString(std::string_view s) {
    Put<std::uint64_t>(s.size());
    WriteBytes(s.data(), s.size());
  }
  template <typename T>
  requires std::is_trivially_copyable_v<T>
  void PutVector(std::span<const T> values) {
    Put<std::uint64_t>(values.size());
    WriteBytes(values.data(), values.size() * sizeof(T));
  }
  void WriteBytes(const void* data, std::size_t n);

  // Flushes and closes; returns the first error seen. Does not fsync: the snapshot writer
  // makes every file durable later, after the index lock is released.
  Status Finish();

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  Status status_;
};

class BinaryReader {
 public:
  // Maps the whole file at path. Check status() before use.
  explicit BinaryReader(const std::string& path);
  // Reads from bytes held by the caller (must outlive the reader).
  explicit BinaryReader(std::string_view bytes, std::string name = "buffer");

  const Status& status() const { return status_; }
  bool AtEnd() const { return pos_ == data_.size(); }
  std::string_view data() const { return data_; }

  template <typename T>
  requires std::is_trivially_copyable_v<T> Status Get(T* value) { return ReadBytes(value, sizeof(T)); }
  Status GetString(std::string* out);
  // Like GetString, without a copy: *out points into the reader's bytes and is valid while
  // the reader lives.
  Status GetStringView(std::string_view* out);
  template <typename T>
  requires std::is_trivially_copyable_v<T> Status GetVector(std::vector<T>* out) {
    std::uint64_t n = 0;
    MEMD_RETURN_IF_ERROR(Get(&n));
    if (n > (data_.size() - pos_) / sizeof(T)) return Truncated();
    out->resize(n);
    return ReadBytes(out->data(), n * sizeof(T));
  }
  Status ReadBytes(void* out, std::size_t n);

 private:
  Status Truncated() const;
  MappedFile mapped_;
  std::string_view data_;
  std::size_t pos_ = 0;
  std::string name_;
  Status status_;
};

}  // namespace memd
