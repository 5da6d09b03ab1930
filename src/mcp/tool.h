// Tool: one MCP tool over the engine: what tools/list shows of it and the function that runs
// it. The catalog functions return memd's tools, grouped by concern (one .cc file each).
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <vector>

#include "memd/credentials.h"
#include "ingest/job_runner.h"
#include "memd/engine.h"
#include "mcp/identity.h"

namespace memd::mcp {

// What a running tool may use.
struct ToolContext {
  Engine& engine;
  const Identity& identity;
};

// Runs a tool on arguments the server already checked against the input schema's property
// names and required list (types and values are the tool's to check). Returns the
// structuredContent object, or a Status that becomes an isError result telling the model
// what to fix. Must not throw.
using ToolFunction = std::function<Result<boost::json::object>(const ToolContext&, const boost::json::object&)>;

// Value type; immutable once built.
struct Tool {
  std::string name;         // 1..128 of [A-Za-z0-9_.-]
  std::string title;        // for people
  std::string description;  // for the model: what it does, when to use it
  boost::json::object input_schema;   // JSON Schema of the arguments ("type": "object")
  boost::json::object output_schema;  // JSON Schema of structuredContent
  // Annotations (hints to the client; memd never relies on them).
  bool read_only = false;
  bool destructive = false;
  bool idempotent = false;
  bool open_world = false;
  Scope scope = Scope::kRead;  // what the caller must hold to run it
  ToolFunction run;

  // The tools/list entry: name, title, description, inputSchema, outputSchema, annotations.
  boost::json::object Describe() const;
};

// add_memory, get_memory, update_memory, delete_memory, restore_memory, list_memories,
// memory_history.
std::vector<Tool> MemoryTools();
// search_memories, get_context.
std::vector<Tool> SearchTools();
// set_preference, list_preferences, delete_preference.
std::vector<Tool> PreferenceTools();
// list_projects.
std::vector<Tool> ProjectTools();
// ingest, get_ingest_job: ingestion as jobs of runner (which must outlive the tools). Not
// among the built-in tools: a transport that has a runner passes them in
// ServerOptions::extra_tools.
std::vector<Tool> IngestTools(ingest::JobRunner& runner);

}  // namespace memd::mcp
