#include "engine/snapshot.h"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "util/file_util.h"
#include "util/mapped_file.h"

namespace memd::engine {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr int kManifestFormat = 1;

std::string CubeDir(const std::string& root, std::int64_t cube_id) {
  return root + "/" + std::to_string(cube_id);
}

json::object IdentityJson(const SnapshotIdentity& id) {
  return json::object{{"cube_id", id.cube_id},   {"user", id.user},           {"project", id.project},
                      {"embedder", id.embedder}, {"dimension", id.dimension}, {"created_at", id.created_at}};
}

Result<json::object> ReadManifest(const std::string& dir) {
  MEMD_ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/MANIFEST"));
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::Corruption(dir + "/MANIFEST is not valid JSON");
  return v.get_object();
}

Result<std::string> CurrentSnapshotDir(const std::string& root, std::int64_t cube_id) {
  std::string cube_dir = CubeDir(root, cube_id);
  std::error_code ec;
  if (!fs::exists(cube_dir + "/CURRENT", ec))
    return Status::NotFound("no snapshot for cube " + std::to_string(cube_id));
  MEMD_ASSIGN_OR_RETURN(std::string name, ReadFile(cube_dir + "/CURRENT"));
  while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
  if (name.rfind("snap-", 0) != 0 || name.find('/') != std::string::npos) {
    return Status::Corruption(cube_dir + "/CURRENT names an invalid snapshot");
  }
  return cube_dir + "/" + name;
}

// The XXH3-64 digest of a file as 16 hex digits, and its size. The file is mapped, not
// read through a buffer: snapshot files reach gigabytes and the page cache already holds
// them after a write or a previous open.
Result<std::string> FileChecksum(const std::string& path, std::uint64_t* size) {
  MEMD_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  const std::string_view bytes = file.bytes();
  *size = bytes.size();
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(bytes.data(), bytes.size())));
  return std::string(hex);
}

// fsyncs a file written by a library that does not (hnswlib's graph file).
Status SyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  bool synced = ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!synced) return Status::IOError("fsync of " + path + " failed: " + std::strerror(err));
  return Status::OK();
}

}  // namespace

SnapshotWriter::SnapshotWriter(std::string root, SnapshotIdentity identity)
    : cube_dir_(CubeDir(root, identity.cube_id)), identity_(std::move(identity)) {}

SnapshotWriter::~SnapshotWriter() {
  if (!tmp_dir_.empty()) RemoveAll(tmp_dir_).IgnoreError();
}

std::string SnapshotWriter::FinalName() const { return "snap-" + std::to_string(sequence_); }

Status SnapshotWriter::WriteFiles(const CubeIndex& index) {
  if (!tmp_dir_.empty()) return Status::FailedPrecondition("SnapshotWriter::WriteFiles called twice");
  MEMD_RETURN_IF_ERROR(CreateDirectories(cube_dir_));
  sequence_ = index.applied_seq();
  std::string tmp = cube_dir_ + "/tmp-" + std::to_string(std::random_device{}()) + "-" + FinalName();
  MEMD_RETURN_IF_ERROR(RemoveAll(tmp));
  MEMD_RETURN_IF_ERROR(CreateDirectories(tmp));
  tmp_dir_ = tmp;  // from here on the destructor cleans up
  return index.Save(tmp_dir_);
}

Status SnapshotWriter::Publish() {
  if (tmp_dir_.empty()) return Status::FailedPrecondition("SnapshotWriter::Publish before WriteFiles");
  json::object manifest{
      {"format", kManifestFormat}, {"sequence", sequence_}, {"identity", IdentityJson(identity_)}};
  json::object files;
  for (const auto& entry : fs::directory_iterator(tmp_dir_)) {
    std::string name = entry.path().filename().string();
    std::uint64_t size = 0;
    MEMD_RETURN_IF_ERROR(SyncFile(entry.path().string()));
    MEMD_ASSIGN_OR_RETURN(std::string sum, FileChecksum(entry.path().string(), &size));
    files[name] = json::object{{"size", size}, {"xxh3", sum}};
  }
  manifest["files"] = std::move(files);
  MEMD_RETURN_IF_ERROR(WriteFileAtomic(tmp_dir_ + "/MANIFEST", json::serialize(manifest)));
  MEMD_RETURN_IF_ERROR(FsyncDirectory(tmp_dir_));
  const std::string final_name = FinalName();
  const std::string final_dir = cube_dir_ + "/" + final_name;
  MEMD_RETURN_IF_ERROR(RemoveAll(final_dir));
  MEMD_RETURN_IF_ERROR(RenameFile(tmp_dir_, final_dir));
  tmp_dir_.clear();
  MEMD_RETURN_IF_ERROR(WriteFileAtomic(cube_dir_ + "/CURRENT", final_name + "\n"));
  // Remove superseded snapshots and stale temporaries; failures here are harmless.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cube_dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (name != final_name && name != "CURRENT" && entry.is_directory())
      RemoveAll(entry.path().string()).IgnoreError();
  }
  return Status::OK();
}

Status LoadSnapshot(const std::string& root, const SnapshotIdentity& identity, std::int64_t max_seq,
                    CubeIndex& index) {
  MEMD_ASSIGN_OR_RETURN(std::string dir, CurrentSnapshotDir(root, identity.cube_id));
  MEMD_ASSIGN_OR_RETURN(json::object manifest, ReadManifest(dir));
  const json::value* format = manifest.if_contains("format");
  const json::value* seq = manifest.if_contains("sequence");
  const json::value* ident = manifest.if_contains("identity");
  const json::value* files = manifest.if_contains("files");
  if (!format || !format->is_int64() || format->get_int64() != kManifestFormat || !seq || !seq->is_int64() ||
      !ident || !files || !files->is_object()) {
    return Status::Corruption(dir + "/MANIFEST lacks required entries");
  }
  if (*ident != json::value(IdentityJson(identity))) {
    return Status::Corruption(dir + " belongs to another cube or embedder");
  }
  if (seq->get_int64() > max_seq) {
    return Status::Corruption(dir + " is at sequence " + std::to_string(seq->get_int64()) +
                              ", ahead of the store's " + std::to_string(max_seq));
  }
  std::error_code ec;
  std::size_t present = 0;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename() != "MANIFEST") ++present;
  }
  if (present != files->get_object().size()) return Status::Corruption(dir + " has missing or extra files");
  for (const auto& [name, info] : files->get_object()) {
    if (!info.is_object() || !info.get_object().contains("size") || !info.get_object().contains("xxh3")) {
      return Status::Corruption(dir + "/MANIFEST entry for " + std::string(name) + " is malformed");
    }
    std::uint64_t size = 0;
    MEMD_ASSIGN_OR_RETURN(std::string sum, FileChecksum(dir + "/" + std::string(name), &size));
    if (json::value(size) != info.get_object().at("size") ||
        json::value(sum) != info.get_object().at("xxh3")) {
      return Status::Corruption(dir + "/" + std::string(name) + " fails its checksum");
    }
  }
  MEMD_RETURN_IF_ERROR(index.Load(dir));
  if (index.applied_seq() != seq->get_int64()) {
    return Status::Corruption(dir + " index sequence does not match its MANIFEST");
  }
  return Status::OK();
}

std::int64_t SnapshotSequence(const std::string& root, std::int64_t cube_id) {
  auto dir = CurrentSnapshotDir(root, cube_id);
  if (!dir.ok()) return -1;
  auto manifest = ReadManifest(*dir);
  if (!manifest.ok()) return -1;
  const json::value* seq = manifest->if_contains("sequence");
  return seq && seq->is_int64() ? seq->get_int64() : -1;
}

Status RemoveSnapshots(const std::string& root, std::int64_t cube_id) {
  return RemoveAll(CubeDir(root, cube_id));
}

}  // namespace memd::engine
