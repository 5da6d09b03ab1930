#include "util/zstd_io.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

namespace memd {
namespace {

Status ErrnoStatus(std::string_view what, const std::string& path) {
  return Status::IOError(std::string(what) + " " + path + ": " + std::strerror(errno));
}

}  // namespace

// ---------------------------------------------------------------------------------------
// ZstdFileWriter

ZstdFileWriter::ZstdFileWriter(std::string path, int fd, ZSTD_CCtx* cctx)
    : path_(std::move(path)),
      fd_(fd),
      cctx_(cctx),
      out_buffer_(new char[ZSTD_CStreamOutSize()]),
      out_capacity_(ZSTD_CStreamOutSize()) {}

ZstdFileWriter::~ZstdFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  ZSTD_freeCCtx(cctx_);
}

Result<std::unique_ptr<ZstdFileWriter>> ZstdFileWriter::Create(const std::string& path, int level) {
  if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
    return Status::InvalidArgument("zstd level " + std::to_string(level) + " is outside " +
                                   std::to_string(ZSTD_minCLevel()) + ".." +
                                   std::to_string(ZSTD_maxCLevel()) + "; use 3 for the default");
  }
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (cctx == nullptr) return Status::ResourceExhausted("cannot allocate a zstd compression context");
  if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1))) {
    ZSTD_freeCCtx(cctx);
    return Status::Internal("cannot configure zstd compression");
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    Status status = ErrnoStatus("cannot create", path);
    ZSTD_freeCCtx(cctx);
    return status;
  }
  return std::unique_ptr<ZstdFileWriter>(new ZstdFileWriter(path, fd, cctx));
}

Status ZstdFileWriter::WriteOut(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", path_);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return Status::OK();
}

Status ZstdFileWriter::Compress(std::string_view data, bool end) {
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  const ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
  for (;;) {
    ZSTD_outBuffer out{out_buffer_.get(), out_capacity_, 0};
    const std::size_t remaining = ZSTD_compressStream2(cctx_, &out, &in, mode);
    if (ZSTD_isError(remaining)) {
      return Status::Internal("zstd compression of " + path_ + " failed: " + ZSTD_getErrorName(remaining));
    }
    MEMD_RETURN_IF_ERROR(WriteOut(out_buffer_.get(), out.pos));
    // ZSTD_e_continue is done once it has taken all input; ZSTD_e_end once the frame is flushed.
    if (end ? remaining == 0 : in.pos == in.size) return Status::OK();
  }
}

Status ZstdFileWriter::Write(std::string_view data) {
  if (finished_) return Status::FailedPrecondition("write to " + path_ + " after Finish()");
  if (!status_.ok()) return status_;
  status_ = Compress(data, /*end=*/false);
  if (status_.ok()) bytes_in_ += data.size();
  return status_;
}

Status ZstdFileWriter::Finish() {
  if (finished_) return Status::FailedPrecondition(path_ + " is already finished");
  finished_ = true;
  if (status_.ok()) status_ = Compress({}, /*end=*/true);
  if (status_.ok() && ::fsync(fd_) != 0) status_ = ErrnoStatus("cannot fsync", path_);
  if (::close(fd_) != 0 && status_.ok()) status_ = ErrnoStatus("cannot close", path_);
  fd_ = -1;
  return status_;
}

// ---------------------------------------------------------------------------------------
// ZstdLineReader

ZstdLineReader::ZstdLineReader(std::string path, int fd, ZSTD_DCtx* dctx, std::size_t max_line_bytes)
    : path_(std::move(path)),
      fd_(fd),
      dctx_(dctx),
      max_line_bytes_(max_line_bytes),
      in_buffer_(new char[ZSTD_DStreamInSize()]),
      in_capacity_(ZSTD_DStreamInSize()),
      out_buffer_(new char[ZSTD_DStreamOutSize()]),
      out_capacity_(ZSTD_DStreamOutSize()) {}

ZstdLineReader::~ZstdLineReader() {
  if (fd_ >= 0) ::close(fd_);
  ZSTD_freeDCtx(dctx_);
}

Result<std::unique_ptr<ZstdLineReader>> ZstdLineReader::Open(const std::string& path,
                                                             std::size_t max_line_bytes) {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (dctx == nullptr) return Status::ResourceExhausted("cannot allocate a zstd decompression context");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Status status = ErrnoStatus("cannot open", path);
    ZSTD_freeDCtx(dctx);
    return status;
  }
  return std::unique_ptr<ZstdLineReader>(new ZstdLineReader(path, fd, dctx, max_line_bytes));
}

Status ZstdLineReader::Fail(Status status) {
  status_ = std::move(status);
  return status_;
}

Status ZstdLineReader::LineTooLong() const {
  return Status::ResourceExhausted("line " + std::to_string(line_number_ + 1) + " of " + path_ +
                                   " is longer than " + std::to_string(max_line_bytes_) + " bytes");
}

Status ZstdLineReader::Fill() {
  auto where = [&] { return " (" + path_ + ", line " + std::to_string(line_number_ + 1) + ")"; };
  for (;;) {
    bool input_eof = false;
    if (in_pos_ == in_size_) {
      in_pos_ = in_size_ = 0;
      const ssize_t n = ::read(fd_, in_buffer_.get(), in_capacity_);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("cannot read", path_);
      }
      if (n == 0) {
        if (compressed_read_ == 0) return Status::Corruption(path_ + " is empty; expected zstd data");
        input_eof = true;
      } else {
        in_size_ = static_cast<std::size_t>(n);
        compressed_read_ += static_cast<std::uint64_t>(n);
      }
    }
    if (input_eof && frame_remaining_ == 0) {
      eof_ = true;
      return Status::OK();
    }
    // With no new input this still runs, to drain output the decoder holds back.
    ZSTD_inBuffer in{in_buffer_.get(), in_size_, in_pos_};
    ZSTD_outBuffer out{out_buffer_.get(), out_capacity_, 0};
    const std::size_t ret = ZSTD_decompressStream(dctx_, &out, &in);
    if (ZSTD_isError(ret)) {
      return Status::Corruption("corrupt zstd data: " + std::string(ZSTD_getErrorName(ret)) + where());
    }
    in_pos_ = in.pos;
    frame_remaining_ = ret;
    pending_.append(out_buffer_.get(), out.pos);
    if (out.pos > 0) return Status::OK();
    if (input_eof) {
      if (ret == 0) {
        eof_ = true;
        return Status::OK();
      }
      return Status::Corruption("zstd data is truncated: the file ends inside a frame" + where());
    }
  }
}

Result<bool> ZstdLineReader::NextLine(std::string* line) {
  if (!status_.ok()) return status_;
  for (;;) {
    const std::size_t newline = pending_.find('\n', scan_pos_);
    const bool last = newline == std::string::npos && eof_;
    if (newline != std::string::npos || last) {
      const std::size_t end = last ? pending_.size() : newline;
      if (last && pending_pos_ == end) return false;  // clean end
      std::size_t length = end - pending_pos_;
      if (length > max_line_bytes_) return Fail(LineTooLong());
      if (length > 0 && pending_[end - 1] == '\r') --length;
      line->assign(pending_, pending_pos_, length);
      pending_pos_ = scan_pos_ = last ? end : end + 1;
      ++line_number_;
      return true;
    }
    scan_pos_ = pending_.size();
    if (pending_.size() - pending_pos_ > max_line_bytes_) {
      return Fail(LineTooLong());
    }
    // Drop consumed lines before reading more, so pending_ holds at most one partial line
    // plus one decoder output block.
    if (pending_pos_ > 0) {
      pending_.erase(0, pending_pos_);
      scan_pos_ -= pending_pos_;
      pending_pos_ = 0;
    }
    Status status = Fill();
    if (!status.ok()) return Fail(std::move(status));
  }
}

}  // namespace memd
