// Durable file-system helpers over POSIX. Each error is an IOError whose message names the
// path and the OS reason (strerror), e.g. "cannot open /data/x: Permission denied".
// Thread-safe (they share no state); concurrent calls on the same path race as the OS does.
#pragma once

#include <string>
#include <string_view>

#include "memd/status.h"

namespace memd {

// Creates path and any missing parents (mode 0755 before umask). OK if it already is a
// directory; IOError if it or a parent exists as a non-directory or cannot be created.
Status CreateDirectories(const std::string& path);

// fsyncs the directory at path, making completed renames/creates/unlinks in it durable.
Status FsyncDirectory(const std::string& path);

// Replaces the file at path with data atomically and durably: writes a temporary file in the
// same directory, fsyncs it, renames it over path, then fsyncs the directory. After a crash
// path holds either the old or the new content, never a mix. On error path is unchanged and
// the temporary file is removed. The new file has mode 0644 before umask.
Status WriteFileAtomic(const std::string& path, std::string_view data);

// Returns the whole content of the file at path. IOError if it cannot be opened or read
// (including when it does not exist: check errno text "No such file or directory").
Result<std::string> ReadFile(const std::string& path);

// True if something (file, directory, ...) exists at path.
bool PathExists(const std::string& path);

// Removes path recursively, like rm -rf. OK if path does not exist.
Status RemoveAll(const std::string& path);

// Renames from to to (replacing to atomically if it is a file), then fsyncs the parent
// directory of to, and of from when it differs, so the rename survives a crash.
Status RenameFile(const std::string& from, const std::string& to);

// The directory part of path: "a/b/c" -> "a/b", "c" -> ".", "/c" -> "/".
std::string ParentDirectory(const std::string& path);

}  // namespace memd
