// JSON shapes of ingestion for the front ends (REST, MCP, job records): the request a
// client sends and the report and progress it reads back. Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "memd/ingest.h"
#include "memd/status.h"

namespace memd::ingest {

// Decodes {"paths": [string, ...] (1..1000), "include"?: [glob], "exclude"?: [glob],
// "tags"?: [string], "max_file_bytes"?: int, "follow_symlinks"?: bool,
// "remove_missing"?: bool, "use_ignore_files"?: bool}. Unknown keys and wrong types are
// InvalidArgument naming the field ("paths[2]").
Result<IngestRequest> DecodeIngestRequest(const boost::json::value& v);
// The inverse of DecodeIngestRequest for the fields it reads.
boost::json::object EncodeIngestRequest(const IngestRequest& request);

// {"files": {"seen", "ingested", "unchanged", "skipped", "failed", "removed",
// "transcoded", "dirs_skipped"}, "skipped_by_reason": {name: count} (non-zero only),
// "chunks": {"added", "kept", "removed"}, "bytes_read", "seconds", "cancelled",
// "skipped": [{"path", "reason", "detail"}], "failed": [{"path", "error"}], "removed": [uri],
// "stopped_by"?: message}.
boost::json::object EncodeIngestReport(const IngestReport& report);
// {"phase": "walking"|"ingesting"|"removing", "files_total", "files_done",
// "files_ingested", "files_unchanged", "files_skipped", "files_failed", "chunks_added",
// "bytes_read", "current_path"}.
boost::json::object EncodeIngestProgress(const IngestProgress& progress);

}  // namespace memd::ingest
