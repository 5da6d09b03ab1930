// JSON encoding of the public data model, shared by export/import, idempotency records and
// the front ends (CLI now; the server later). Encoders are total; decoders validate shape
// and types and name the offending field ("items[3].tags[1]"). Thread-safe (pure functions).
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "memd/engine.h"
#include "memd/memory.h"
#include "memd/search.h"
#include "memd/status.h"

namespace memd::engine {

boost::json::object EncodeMemory(const Memory& m);
boost::json::object EncodeAddResult(const AddResult& r);
boost::json::object EncodePreference(const Preference& p);
boost::json::object EncodeHit(const Hit& hit);
boost::json::object EncodeHistoryEntry(const HistoryEntry& e);
boost::json::object EncodeCubeInfo(const CubeInfo& info);
boost::json::object EncodeCubeStats(const CubeStats& stats);
boost::json::object EncodeContextBlock(const ContextBlock& block);
// {"id", "user", "project", "kind", "status", "request": object, "progress": object,
// "error", "cancel_requested", "created_at", "updated_at", "finished_at" (null while
// unfinished)}.
boost::json::object EncodeJob(const Job& job);

// Decodes a full Memory as written by EncodeMemory (used by import).
Result<Memory> DecodeMemory(const boost::json::value& v, const std::string& field);
// Decodes an add request: {"text", "kind"?, "metadata"?, "tags"?, "source"?, "id"?,
// "expires_at"?}. Unknown keys are errors. Metadata stays JSON text (canonicalised later).
Result<NewMemory> DecodeNewMemory(const boost::json::value& v, const std::string& field);
// Decodes a patch: any of text, kind, metadata, tags, source (null clears), expires_at
// (null clears), expected_version.
Result<MemoryPatch> DecodeMemoryPatch(const boost::json::value& v, const std::string& field);
// Decodes a search request: {"query", "top_k"?, "mode"?, "filter"?, "min_score"?, "explain"?}.
Result<SearchRequest> DecodeSearchRequest(const boost::json::value& v, const std::string& field);
Result<Preference> DecodePreference(const boost::json::value& v, const std::string& field);
Result<AddResult> DecodeAddResult(const boost::json::value& v, const std::string& field);

// A timestamp as written in JSON: an RFC 3339 string (ms precision, UTC).
boost::json::value EncodeTime(Timestamp t);
// Accepts an RFC 3339 string or integer milliseconds.
Result<Timestamp> DecodeTime(const boost::json::value& v, const std::string& field);

// Serialises compactly (Boost.JSON's serializer).
std::string ToJsonText(const boost::json::value& v);

}  // namespace memd::engine
