#include "util/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace memd {
namespace {

Status IOErrorFor(std::string_view what, const std::string& path, int err) {
  return Status::IOError(std::string(what) + " " + path + ": " + std::strerror(err));
}

// Closes fd on scope exit unless released.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  // Closes now and reports the result.
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IOErrorFor("cannot write", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::OK();
}

std::string TempPathFor(const std::string& path) {
  static std::atomic<std::uint64_t> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
}

}  // namespace

std::string ParentDirectory(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status CreateDirectories(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IOError("cannot create directory " + path + ": " + ec.message());
  // create_directories reports success when path exists, even as a file.
  if (!std::filesystem::is_directory(path, ec)) {
    return Status::IOError("cannot create directory " + path + ": it exists and is not a directory");
  }
  return Status::OK();
}

Status FsyncDirectory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IOErrorFor("cannot open directory", path, errno);
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return IOErrorFor("cannot fsync directory", path, errno);
  return Status::OK();
}

Status WriteFileAtomic(const std::string& path, std::string_view data) {
  const std::string temp = TempPathFor(path);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IOErrorFor("cannot create", temp, errno);
  Status status;
  {
    FdCloser closer(fd);
    status = WriteAll(fd, data, temp);
    if (status.ok() && ::fsync(fd) != 0) status = IOErrorFor("cannot fsync", temp, errno);
    if (closer.Close() != 0 && status.ok()) status = IOErrorFor("cannot close", temp, errno);
  }
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = Status::IOError("cannot rename " + temp + " to " + path + ": " + std::strerror(errno));
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  return FsyncDirectory(ParentDirectory(path));
}

Result<std::string> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IOErrorFor("cannot open", path, errno);
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return IOErrorFor("cannot stat", path, errno);
  if (S_ISDIR(st.st_mode)) return Status::IOError("cannot read " + path + ": it is a directory");
  std::string out;
  // Size from fstat is a hint only: the file may change, and /proc files report 0.
  out.resize(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 0));
  std::size_t filled = 0;
  for (;;) {
    char probe[4096];
    const bool full = filled == out.size();
    // Once the expected size is read, probe with a small buffer so an unchanged file costs
    // no reallocation; grow only if the file really is longer.
    char* dest = full ? probe : out.data() + filled;
    const std::size_t room = full ? sizeof(probe) : out.size() - filled;
    const ssize_t n = ::read(fd, dest, room);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IOErrorFor("cannot read", path, errno);
    }
    if (n == 0) break;
    if (full) {
      out.append(probe, static_cast<std::size_t>(n));
    }
    filled += static_cast<std::size_t>(n);
  }
  out.resize(filled);
  return out;
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

Status RemoveAll(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return Status::IOError("cannot remove " + path + ": " + ec.message());
  return Status::OK();
}

Status RenameFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return Status::IOError("cannot rename " + from + " to " + to + ": " + std::strerror(errno));
  }
  const std::string to_dir = ParentDirectory(to);
  MEMD_RETURN_IF_ERROR(FsyncDirectory(to_dir));
  const std::string from_dir = ParentDirectory(from);
  if (from_dir != to_dir) MEMD_RETURN_IF_ERROR(FsyncDirectory(from_dir));
  return Status::OK();
}

}  // namespace memd
