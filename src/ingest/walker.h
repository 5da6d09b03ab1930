// Walker: lists the regular files below a root directory that an ingest should consider,
// and every path it leaves out with the reason.
//
// Order is deterministic: entries of a directory in byte order of their names, depth first.
// Directories are opened relative to their parent's descriptor (openat with O_NOFOLLOW), so
// a directory swapped for a symlink during the walk is not followed. Symbolic links:
//  - a link whose target is inside the root is skipped (symlink_inside_root), because the
//    target is walked under its own name; a link to an ancestor is a loop (symlink_loop);
//  - a link leading outside the root is skipped (symlink_escapes_root) unless
//    WalkOptions::follow_symlinks_outside_root; followed directories are remembered by
//    (device, inode), so a directory reached twice is skipped as symlink_loop;
//  - a dangling link is unreadable; a link that loops on itself (ELOOP) is symlink_loop.
// Per entry the checks run in this order, the first match giving the reason: default
// excludes, exclude globs, include globs (files only), ignore files, binary extension,
// size limit. Not thread-safe; one Walker per walk.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "memd/ingest.h"
#include "memd/status.h"

namespace memd::ingest {

// A regular file the walk yields.
struct WalkedFile {
  std::string path;           // absolute: root + "/" + relative_path
  std::string relative_path;  // '/'-separated, relative to the root
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool via_symlink = false;   // the entry is a followed link to a file (open it without O_NOFOLLOW)
};

// A path the walk leaves out.
struct WalkSkip {
  std::string path;  // absolute
  std::string relative_path;
  bool directory = false;
  SkipReason reason = SkipReason::kIgnored;
  std::string detail;
};

using FileVisitor = std::function<void(WalkedFile)>;
using SkipVisitor = std::function<void(WalkSkip)>;

// Walks root, which must be an absolute path of a directory without symlinks in it (as
// realpath returns). Calls on_file for each file taken and on_skip for each path left out;
// stops early, returning OK, once *cancel (if given) reads true.
// Errors: IOError if root itself cannot be opened as a directory; problems below the root
// are on_skip entries (unreadable), never errors.
Status WalkDirectory(const std::string& root, const WalkOptions& options, const FileVisitor& on_file,
                     const SkipVisitor& on_skip, const std::atomic<bool>* cancel = nullptr);

// "1.5 MiB", "800 B": a byte count for messages.
std::string FormatBytes(std::int64_t bytes);

}  // namespace memd::ingest
