// Streaming zstd files for export and import (JSON Lines inside one or more zstd frames).
//
// ZstdFileWriter compresses as it goes, so memory stays bounded whatever the file size; the
// frame carries a content checksum, so ZstdLineReader detects corruption as well as truncation.
// A file is only complete after Finish(): a writer dropped without it leaves a truncated frame
// that the reader reports as Corruption. Neither class is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "memd/status.h"

typedef struct ZSTD_CCtx_s ZSTD_CCtx;
typedef struct ZSTD_DCtx_s ZSTD_DCtx;

namespace memd {

class ZstdFileWriter {
 public:
  // Creates (or truncates) path for writing with compression `level`: 1..19 trade speed for
  // size (3, zstd's default, is fast with a good ratio); negative levels are faster still.
  // IOError if the file cannot be created; InvalidArgument if level is outside zstd's range.
  static Result<std::unique_ptr<ZstdFileWriter>> Create(const std::string& path, int level = 3);

  // Closes the file without finishing the frame if Finish() was not called.
  ~ZstdFileWriter();
  ZstdFileWriter(const ZstdFileWriter&) = delete;
  ZstdFileWriter& operator=(const ZstdFileWriter&) = delete;

  // Compresses data into the file. IOError if writing fails, after which every later call
  // returns the same error. FailedPrecondition after Finish().
  Status Write(std::string_view data);

  // Ends the frame, flushes, fsyncs and closes the file. Returns the first error of any
  // Write or of finishing. Later calls return FailedPrecondition.
  Status Finish();

  // Uncompressed bytes accepted so far.
  std::uint64_t bytes_in() const { return bytes_in_; }

 private:
  ZstdFileWriter(std::string path, int fd, ZSTD_CCtx* cctx);
  Status Compress(std::string_view data, bool end);  // REQUIRES: status_.ok() && fd_ >= 0
  Status WriteOut(const char* data, std::size_t size);

  std::string path_;
  int fd_;
  ZSTD_CCtx* cctx_;
  std::unique_ptr<char[]> out_buffer_;
  std::size_t out_capacity_;
  std::uint64_t bytes_in_ = 0;
  bool finished_ = false;
  Status status_;  // first error; sticky
};

class ZstdLineReader {
 public:
  // Default cap on one line's length: a guard against a corrupt or hostile file without any
  // newline exhausting memory.
  static constexpr std::size_t kDefaultMaxLineBytes = std::size_t{256} << 20;

  // Opens a zstd file (one or more concatenated frames) for reading line by line.
  // IOError if it cannot be opened.
  static Result<std::unique_ptr<ZstdLineReader>> Open(const std::string& path,
                                                      std::size_t max_line_bytes = kDefaultMaxLineBytes);

  ~ZstdLineReader();
  ZstdLineReader(const ZstdLineReader&) = delete;
  ZstdLineReader& operator=(const ZstdLineReader&) = delete;

  // Stores the next line in *line without its '\n' (nor a '\r' before it) and returns true;
  // returns false at a clean end of the data. A last line without '\n' is still returned.
  // Errors (sticky; the reader returns the same error after one):
  //   Corruption if the file is empty, is not zstd, ends inside a frame (truncated), or fails
  //     its checksum; the message names the path and the line number reached;
  //   ResourceExhausted if a line exceeds max_line_bytes;
  //   IOError if reading fails.
  // Lines of any length up to max_line_bytes are handled; cost is linear in the data.
  Result<bool> NextLine(std::string* line);

  // 1-based number of the line last returned by NextLine; 0 before the first.
  std::size_t line_number() const { return line_number_; }

 private:
  ZstdLineReader(std::string path, int fd, ZSTD_DCtx* dctx, std::size_t max_line_bytes);
  // Decompresses more data into pending_. Sets eof_ at a clean end of input.
  Status Fill();
  Status Fail(Status status);
  Status LineTooLong() const;

  std::string path_;
  int fd_;
  ZSTD_DCtx* dctx_;
  std::size_t max_line_bytes_;
  std::unique_ptr<char[]> in_buffer_;
  std::size_t in_capacity_;
  std::unique_ptr<char[]> out_buffer_;  // one decoder output block, appended to pending_
  std::size_t out_capacity_;
  std::size_t in_size_ = 0;  // bytes held in in_buffer_
  std::size_t in_pos_ = 0;   // bytes of in_buffer_ consumed by the decoder
  std::string pending_;      // decompressed bytes not yet returned; lines start at pending_pos_
  std::size_t pending_pos_ = 0;
  std::size_t scan_pos_ = 0;  // pending_ before this offset has no '\n'
  std::uint64_t compressed_read_ = 0;
  std::size_t frame_remaining_ = 0;  // last ZSTD_decompressStream hint; 0 at a frame boundary
  bool eof_ = false;
  std::size_t line_number_ = 0;
  Status status_;
};

}  // namespace memd
