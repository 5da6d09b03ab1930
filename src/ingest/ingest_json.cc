#include "ingest/ingest_json.h"

#include "engine/json_fields.h"

namespace memd::ingest {
namespace json = boost::json;

namespace {

json::array Strings(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

}  // namespace

Result<IngestRequest> DecodeIngestRequest(const json::value& v) {
  MEMD_ASSIGN_OR_RETURN(engine::JsonFields f, engine::JsonFields::Of(v, ""));
  IngestRequest request;
  MEMD_ASSIGN_OR_RETURN(auto paths, f.GetStringArray("paths"));
  if (!paths || paths->empty()) {
    return Status::InvalidArgument("give the files or directories to ingest in paths", "paths");
  }
  if (paths->size() > 1000) return Status::InvalidArgument("at most 1000 paths per ingest", "paths");
  for (std::size_t i = 0; i < paths->size(); ++i) {
    if ((*paths)[i].empty())
      return Status::InvalidArgument("a path is empty", "paths[" + std::to_string(i) + "]");
  }
  request.paths = std::move(*paths);
  IngestOptions& o = request.options;
  MEMD_ASSIGN_OR_RETURN(auto include, f.GetStringArray("include"));
  if (include) o.walk.include_globs = std::move(*include);
  MEMD_ASSIGN_OR_RETURN(auto exclude, f.GetStringArray("exclude"));
  if (exclude) o.walk.exclude_globs = std::move(*exclude);
  MEMD_ASSIGN_OR_RETURN(auto tags, f.GetStringArray("tags"));
  if (tags) o.tags = std::move(*tags);
  MEMD_ASSIGN_OR_RETURN(auto max_bytes, f.GetInt("max_file_bytes"));
  if (max_bytes) {
    if (*max_bytes < 1) return Status::InvalidArgument("max_file_bytes must be positive", "max_file_bytes");
    o.walk.max_file_bytes = *max_bytes;
  }
  MEMD_ASSIGN_OR_RETURN(auto follow, f.GetBool("follow_symlinks"));
  if (follow) o.walk.follow_symlinks_outside_root = *follow;
  MEMD_ASSIGN_OR_RETURN(auto remove_missing, f.GetBool("remove_missing"));
  if (remove_missing) o.remove_missing = *remove_missing;
  MEMD_ASSIGN_OR_RETURN(auto ignore_files, f.GetBool("use_ignore_files"));
  if (ignore_files) o.walk.use_ignore_files = *ignore_files;
  MEMD_RETURN_IF_ERROR(f.Finish());
  return request;
}

json::object EncodeIngestRequest(const IngestRequest& request) {
  const IngestOptions& o = request.options;
  return json::object{
      {"paths", Strings(request.paths)},          {"include", Strings(o.walk.include_globs)},
      {"exclude", Strings(o.walk.exclude_globs)}, {"tags", Strings(o.tags)},
      {"max_file_bytes", o.walk.max_file_bytes},  {"follow_symlinks", o.walk.follow_symlinks_outside_root},
      {"remove_missing", o.remove_missing},       {"use_ignore_files", o.walk.use_ignore_files}};
}

json::object EncodeIngestReport(const IngestReport& r) {
  json::object by_reason;
  for (std::size_t i = 0; i < kSkipReasonCount; ++i) {
    if (r.skipped_by_reason[i] != 0)
      by_reason[SkipReasonName(static_cast<SkipReason>(i))] = r.skipped_by_reason[i];
  }
  json::array skipped;
  for (const auto& s : r.skipped) {
    skipped.push_back(json::object{{"path", s.path},
                                   {"reason", SkipReasonName(s.reason)},
                                   {"detail", s.detail},
                                   {"directory", s.directory}});
  }
  json::array failed;
  for (const auto& f : r.failed)
    failed.push_back(json::object{{"path", f.path}, {"error", f.error.message()}});
  json::object out{
      {"files", json::object{{"seen", r.files_seen},
                             {"ingested", r.files_ingested},
                             {"unchanged", r.files_unchanged},
                             {"skipped", r.files_skipped},
                             {"failed", r.files_failed},
                             {"removed", r.files_removed},
                             {"transcoded", r.files_transcoded},
                             {"dirs_skipped", r.dirs_skipped}}},
      {"skipped_by_reason", std::move(by_reason)},
      {"chunks",
       json::object{{"added", r.chunks_added}, {"kept", r.chunks_kept}, {"removed", r.chunks_removed}}},
      {"bytes_read", r.bytes_read},
      {"seconds", r.seconds},
      {"cancelled", r.cancelled},
      {"skipped", std::move(skipped)},
      {"failed", std::move(failed)},
      {"removed", Strings(r.removed)}};
  if (!r.stopped_by.ok()) out["stopped_by"] = r.stopped_by.ToString();
  return out;
}

json::object EncodeIngestProgress(const IngestProgress& p) {
  const char* phase = p.phase == IngestProgress::Phase::kWalking     ? "walking"
                      : p.phase == IngestProgress::Phase::kIngesting ? "ingesting"
                                                                     : "removing";
  return json::object{{"phase", phase},
                      {"files_total", p.files_total},
                      {"files_done", p.files_done},
                      {"files_ingested", p.files_ingested},
                      {"files_unchanged", p.files_unchanged},
                      {"files_skipped", p.files_skipped},
                      {"files_failed", p.files_failed},
                      {"chunks_added", p.chunks_added},
                      {"bytes_read", p.bytes_read},
                      {"current_path", p.current_path}};
}

}  // namespace memd::ingest
