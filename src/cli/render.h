// Human-readable rendering of engine results: aligned tables and key/value blocks with ISO
// times and one-line text previews. --json output does not come from here (it uses
// engine/memory_codec.h). Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "memd/engine.h"

namespace memd::cli {

// A key/value block of all fields, then a blank line and the full text.
std::string RenderMemory(const Memory& memory);
// ID  KIND  VER  UPDATED  TEXT (first line); deleted memories are marked.
std::string RenderMemoryTable(const std::vector<Memory>& memories);
// VER  OPERATION  UPDATED  TEXT.
std::string RenderHistoryTable(const std::vector<HistoryEntry>& history);
// RANK  SCORE  ID  KIND  [PROJECT]  [VECTOR  LEXICAL]  TEXT. The project column appears when
// show_project; the evidence columns when any hit carries an explanation.
std::string RenderHitTable(const std::vector<Hit>& hits, bool show_project);
// CATEGORY  KEY  VALUE  DESCRIPTION.
std::string RenderPreferenceTable(const std::vector<Preference>& preferences);
// USER  PROJECT  EMBEDDER  DIM  CREATED.
std::string RenderCubeTable(const std::vector<CubeInfo>& cubes);
// A key/value block of a cube's counts and sizes.
std::string RenderCubeStats(const CubeStats& stats);

// "uri", "uri:3" or "uri:3-5".
std::string FormatSource(const SourceRef& source);

}  // namespace memd::cli
