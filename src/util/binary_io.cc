#include "util/binary_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace memd {

BinaryWriter::BinaryWriter(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) {
    status_ = Status::IOError("cannot create " + path + ": " + std::strerror(errno));
    return;
  }
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

BinaryWriter::~BinaryWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void BinaryWriter::WriteBytes(const void* data, std::size_t n) {
  if (!status_.ok() || n == 0) return;
  if (std::fwrite(data, 1, n, file_) != n) {
    status_ = Status::IOError("write to " + path_ + " failed: " + std::strerror(errno));
  }
}

Status BinaryWriter::Finish() {
  if (file_ == nullptr) return status_;
  if (status_.ok() && std::fflush(file_) != 0) {
    status_ = Status::IOError("flush of " + path_ + " failed: " + std::strerror(errno));
  }
  if (std::fclose(file_) != 0 && status_.ok()) {
    status_ = Status::IOError("close of " + path_ + " failed: " + std::strerror(errno));
  }
  file_ = nullptr;
  return status_;
}

BinaryReader::BinaryReader(const std::string& path) : name_(path) {
  Result<MappedFile> mapped = MappedFile::Open(path);
  if (!mapped.ok()) {
    status_ = mapped.status();
    return;
  }
  mapped_ = std::move(*mapped);
  data_ = mapped_.bytes();
}

BinaryReader::BinaryReader(std::string_view bytes, std::string name) : data_(bytes), name_(std::move(name)) {}

Status BinaryReader::Truncated() const {
  return Status::Corruption(name_ + " is truncated or corrupt at byte " + std::to_string(pos_));
}

Status BinaryReader::ReadBytes(void* out, std::size_t n) {
  if (n > data_.size() - pos_) return Truncated();
  if (n > 0) std::memcpy(out, data_.data() + pos_, n);
  pos_ += n;
  return Status::OK();
}

Status BinaryReader::GetString(std::string* out) {
  std::string_view view;
  MEMD_RETURN_IF_ERROR(GetStringView(&view));
  out->assign(view);
  return Status::OK();
}

Status BinaryReader::GetStringView(std::string_view* out) {
  std::uint64_t n = 0;
  MEMD_RETURN_IF_ERROR(Get(&n));
  if (n > data_.size() - pos_) return Truncated();
  *out = data_.substr(pos_, n);
  pos_ += n;
  return Status::OK();
}

}  // namespace memd
