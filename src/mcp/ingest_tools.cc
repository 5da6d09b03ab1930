// Tools over ingestion jobs: ingest (load files and directories within the allowed roots as
// searchable chunks, as a background job) and get_ingest_job.
#include <chrono>
#include <thread>

#include "engine/memory_codec.h"
#include "ingest/ingest_json.h"
#include "mcp/tool.h"
#include "mcp/tool_args.h"
#include "mcp/tool_schemas.h"

namespace memd::mcp {
namespace json = boost::json;

namespace {

constexpr int kDefaultWaitSeconds = 20;
constexpr int kMaxWaitSeconds = 120;
constexpr auto kPollInterval = std::chrono::milliseconds(50);

json::object JobSchema() {
  return JsonObject(R"({
    "type": "object",
    "properties": {
      "id": {"type": "string", "description": "Job id, for get_ingest_job."},
      "user": {"type": "string"},
      "project": {"type": "string"},
      "kind": {"type": "string"},
      "status": {"type": "string", "enum": ["queued", "running", "done", "failed", "cancelled"]},
      "request": {"type": ["object", "null"]},
      "progress": {"type": ["object", "null"], "description": "Counts so far; once done, the report: files seen, ingested, unchanged, skipped (with reasons), failed, removed; chunks added, kept, removed."},
      "error": {"type": "string"},
      "cancel_requested": {"type": "boolean"},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"},
      "finished_at": {"type": ["string", "null"]}
    },
    "required": ["id", "user", "project", "kind", "status", "request", "progress", "error", "cancel_requested", "created_at", "updated_at", "finished_at"]
  })");
}

// The job id names, if it is the identity's (another user's job is NotFound, like an
// unknown one).
Result<Job> OwnJob(const ToolContext& ctx, const std::string& id) {
  auto job = ctx.engine.GetJob(id);
  if (!job.ok() || job->cube.user != ctx.identity.user || !ctx.identity.MayUse(job->cube.project)) {
    if (!job.ok() && job.status().code() != StatusCode::kNotFound && job.status().code() != StatusCode::kInvalidArgument) {
      return job.status();
    }
    return Status::NotFound("no ingest job '" + id + "'");
  }
  return job;
}

Tool Ingest(ingest::JobRunner& runner) {
  Tool t;
  t.name = "ingest";
  t.title = "Ingest files";
  t.description =
      "Load files, directories or http(s) URLs (source code, Markdown, text, PDF, HTML, conversation JSON) into the "
      "project's "
      "memory as searchable chunks, each citing its file and line range. Directories are walked honouring "
      ".gitignore; unchanged files are skipped, changed ones replaced, deleted ones removed, so running it again "
      "after edits is cheap. Paths must lie within the allowed roots (relative paths are taken from the first root: " +
      [&] {
        std::string roots;
        for (const std::string& r : runner.allowed_roots()) roots += (roots.empty() ? "" : ", ") + r;
        return roots.empty() ? std::string("none configured, so ingest is refused") : roots;
      }() +
      "). It runs as a job: the result is the job after at most wait_seconds; if it is still running, follow it with "
      "get_ingest_job.";
  json::object properties = JsonObject(R"({
    "paths": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 1000, "description": "Files and directories to ingest, or http(s) URLs, e.g. [\"src\", \"docs/DESIGN.md\", \"https://example.com/guide.html\"]."},
    "include": {"type": "array", "items": {"type": "string"}, "description": "Only files matching one of these globs (.gitignore syntax), e.g. [\"*.py\"]."},
    "exclude": {"type": "array", "items": {"type": "string"}, "description": "Leave out files and directories matching these globs, e.g. [\"tests/fixtures/\"]."},
    "tags": {"type": "array", "items": {"type": "string"}, "description": "Tags added to every chunk."},
    "max_file_bytes": {"type": "integer", "minimum": 1, "description": "Skip text files larger than this (default 1 MiB)."},
    "remove_missing": {"type": "boolean", "description": "Remove chunks of files that are gone from a walked directory (default true)."},
    "use_ignore_files": {"type": "boolean", "description": "Honour .gitignore and .memdignore (default true)."},
    "wait_seconds": {"type": "integer", "minimum": 0, "maximum": 120, "description": "How long to wait for the job to finish before answering (default 20)."}
  })");
  properties["project"] = ProjectProperty();
  t.input_schema = ObjectSchema(std::move(properties), {"paths"});
  t.output_schema = JobSchema();
  t.destructive = true;  // removes the chunks of files that disappeared
  t.idempotent = true;   // ingesting unchanged files again writes nothing
  t.scope = Scope::kWrite;
  t.run = [&runner](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(CubeRef cube, CubeArgument(ctx, args));
    int wait_seconds = kDefaultWaitSeconds;
    if (const json::value* w = args.if_contains("wait_seconds"); w != nullptr && !w->is_null()) {
      if (!w->is_int64() || w->get_int64() < 0 || w->get_int64() > kMaxWaitSeconds) {
        return Status::InvalidArgument("wait_seconds must be an integer from 0 to 120", "wait_seconds");
      }
      wait_seconds = static_cast<int>(w->get_int64());
    }
    MEMD_ASSIGN_OR_RETURN(IngestRequest request,
                          ingest::DecodeIngestRequest(Without(args, {"project", "wait_seconds"})));
    MEMD_ASSIGN_OR_RETURN(Job job, runner.SubmitIngest(cube, std::move(request)));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
    while (!IsFinal(job.status) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(kPollInterval);
      MEMD_ASSIGN_OR_RETURN(job, ctx.engine.GetJob(job.id));
    }
    return engine::EncodeJob(job);
  };
  return t;
}

Tool GetIngestJob() {
  Tool t;
  t.name = "get_ingest_job";
  t.title = "Follow an ingest job";
  t.description =
      "The state of an ingest job started with ingest: queued, running (with counts so far), or finished (done, "
      "failed or cancelled, with the full report of files ingested, skipped and failed).";
  t.input_schema = ObjectSchema(
      json::object{{"id", JsonObject(R"({"type": "string", "description": "Job id returned by ingest."})")}}, {"id"});
  t.output_schema = JobSchema();
  t.read_only = true;
  t.idempotent = true;
  t.scope = Scope::kRead;
  t.run = [](const ToolContext& ctx, const json::object& args) -> Result<json::object> {
    MEMD_ASSIGN_OR_RETURN(std::string id, RequiredString(args, "id"));
    MEMD_ASSIGN_OR_RETURN(Job job, OwnJob(ctx, id));
    return engine::EncodeJob(job);
  };
  return t;
}

}  // namespace

std::vector<Tool> IngestTools(ingest::JobRunner& runner) { return {Ingest(runner), GetIngestJob()}; }

}  // namespace memd::mcp
