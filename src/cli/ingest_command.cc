// ingest: files and directories into the project's cube, with a progress bar on a terminal
// and a summary of what was loaded, skipped (and why) and failed.
#include <csignal>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/progress.h"
#include "engine/memory_codec.h"
#include "ingest/ingest_json.h"

namespace memd::cli {
namespace json = boost::json;

namespace {

// Set by SIGINT while an ingest runs: the ingest stops after the current file (each file is
// applied atomically) and reports what it did.
std::atomic<bool> interrupted{false};
extern "C" void OnInterrupt(int) { interrupted = true; }

struct IngestFlags {
  std::vector<std::string> paths;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::vector<std::string> tags;
  std::int64_t max_file_bytes = WalkOptions{}.max_file_bytes;
  bool follow_symlinks = false;
  bool no_ignore_files = false;
  bool keep_missing = false;
};

std::string Count(std::int64_t n, const char* what) { return std::to_string(n) + " " + what; }

void PrintSummary(Output& out, const CubeRef& cube, const IngestReport& r) {
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.2f s", r.seconds);
  out.Text(std::string(r.cancelled ? "interrupted: " : "") + "ingested into " + cube.user + "/" +
           cube.project + " in " + seconds);
  out.Text("files: " + Count(r.files_seen, "seen") + ", " + Count(r.files_ingested, "ingested") + ", " +
           Count(r.files_unchanged, "unchanged") + ", " + Count(r.files_skipped, "skipped") + ", " +
           Count(r.files_failed, "failed") + ", " + Count(r.files_removed, "removed") +
           (r.dirs_skipped > 0 ? ", " + Count(r.dirs_skipped, "directories skipped") : ""));
  std::string reasons;
  for (std::size_t i = 0; i < kSkipReasonCount; ++i) {
    if (r.skipped_by_reason[i] == 0) continue;
    if (!reasons.empty()) reasons += ", ";
    reasons += std::string(SkipReasonName(static_cast<SkipReason>(i))) + " " +
               std::to_string(r.skipped_by_reason[i]);
  }
  if (!reasons.empty()) out.Text("skipped by reason: " + reasons);
  for (const FailedPath& f : r.failed) out.Text("failed: " + f.path + ": " + f.error.message());
  out.Text("chunks: " + Count(r.chunks_added, "added") + ", " + Count(r.chunks_kept, "kept") + ", " +
           Count(r.chunks_removed, "removed") + "; " + std::to_string(r.bytes_read) + " bytes read");
  if (r.cancelled) out.Text("run the same command again to finish: files already done are skipped");
}

}  // namespace

void AddIngestCommand(CLI::App& app, Action* selected) {
  auto flags = std::make_shared<IngestFlags>();
  CLI::App* sub = app.add_subcommand("ingest",
                                     "Load files and directories (code, Markdown, text, PDF, HTML, "
                                     "conversation JSON/JSONL) into the project");
  sub->add_option("paths", flags->paths, "Files or directories")->type_name("PATH")->required();
  sub->add_option("--include", flags->include,
                  "Only files matching this glob (.gitignore syntax; repeatable)");
  sub->add_option("--exclude", flags->exclude,
                  "Leave out files and directories matching this glob (repeatable)");
  sub->add_option("--tag", flags->tags, "Tag every chunk (repeatable)");
  sub->add_option("--max-file-bytes", flags->max_file_bytes,
                  "Skip text files larger than this (default 1 MiB)");
  sub->add_flag("--follow-symlinks", flags->follow_symlinks,
                "Follow links whose target is outside the walked root");
  sub->add_flag("--no-ignore-files", flags->no_ignore_files,
                "Do not honour .gitignore and .memdignore files");
  sub->add_flag("--keep-missing", flags->keep_missing,
                "Keep the chunks of files that were ingested before and are now gone or excluded");
  OnParsed(sub, selected, [flags](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    IngestRequest request;
    request.paths = flags->paths;
    IngestOptions& o = request.options;
    o.walk.include_globs = flags->include;
    o.walk.exclude_globs = flags->exclude;
    o.walk.max_file_bytes = flags->max_file_bytes;
    o.walk.follow_symlinks_outside_root = flags->follow_symlinks;
    o.walk.use_ignore_files = !flags->no_ignore_files;
    o.remove_missing = !flags->keep_missing;
    o.tags = flags->tags;

    std::unique_ptr<Progress> bar;
    std::int64_t shown = 0;
    auto on_progress = [&](const IngestProgress& p) {
      if (p.phase != IngestProgress::Phase::kIngesting) return;
      if (!bar) bar = std::make_unique<Progress>(Progress::ForStderr("ingesting files", p.files_total));
      bar->Advance(p.files_done - shown);
      shown = p.files_done;
    };
    interrupted = false;
    auto previous = std::signal(SIGINT, OnInterrupt);
    Result<IngestReport> report = Ingest(*engine, ctx.cube(), request, on_progress, &interrupted);
    std::signal(SIGINT, previous);
    if (bar) bar->Finish();
    MEMD_RETURN_IF_ERROR(report.status());
    if (ctx.out().json()) {
      json::object o = ingest::EncodeIngestReport(*report);
      o["user"] = ctx.cube().user;
      o["project"] = ctx.cube().project;
      ctx.out().Json(o);
    } else {
      PrintSummary(ctx.out(), ctx.cube(), *report);
    }
    MEMD_RETURN_IF_ERROR(report->stopped_by);
    // Some files could not be read or extracted: the rest is loaded, but say so.
    if (report->files_failed > 0 || report->cancelled) ctx.set_exit_code(1);
    return Status::OK();
  });
}

}  // namespace memd::cli
