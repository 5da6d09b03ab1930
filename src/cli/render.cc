#include "cli/render.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include "cli/output.h"

namespace memd::cli {

namespace {

// "key  value" lines with keys padded to one width.
class KeyValues {
 public:
  void Add(std::string key, std::string value) { rows_.emplace_back(std::move(key), std::move(value)); }
  std::string Render() const {
    std::size_t width = 0;
    for (const auto& [key, value] : rows_) width = std::max(width, key.size());
    std::string out;
    for (const auto& [key, value] : rows_) {
      out += key;
      out.append(width - key.size() + 2, ' ');
      out += value;
      out += '\n';
    }
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::string>> rows_;
};

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) {
    if (!out.empty()) out += ", ";
    out += t;
  }
  return out;
}

std::string FormatScore(double score) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4f", score);
  return buf;
}

// "0.8123 #1", or "-" when the signal did not find the memory.
template <typename Score>
std::string FormatEvidence(const std::optional<Score>& score, const std::optional<int>& rank) {
  if (!score) return "-";
  std::string out = FormatScore(static_cast<double>(*score));
  if (rank) out += " #" + std::to_string(*rank);
  return out;
}

std::string TextCell(const Memory& m) {
  std::string cell = m.deleted ? "[deleted] " : "";
  // The table cuts it to the terminal; Preview keeps only the first line.
  return cell + Preview(m.text, 4096);
}

}  // namespace

std::string FormatSource(const SourceRef& source) {
  std::string out = source.uri;
  if (source.line_start) {
    out += ":" + std::to_string(*source.line_start);
    if (source.line_end && *source.line_end != *source.line_start) out += "-" + std::to_string(*source.line_end);
  }
  return out;
}

std::string RenderMemory(const Memory& m) {
  KeyValues kv;
  kv.Add("id", m.id);
  kv.Add("kind", m.kind);
  if (!m.tags.empty()) kv.Add("tags", JoinTags(m.tags));
  if (m.source) kv.Add("source", FormatSource(*m.source));
  if (m.metadata != "{}") kv.Add("metadata", m.metadata);
  kv.Add("version", std::to_string(m.version));
  kv.Add("created", FormatTime(m.created_at));
  kv.Add("updated", FormatTime(m.updated_at));
  if (m.expires_at) kv.Add("expires", FormatTime(*m.expires_at));
  if (m.deleted) kv.Add("state", "deleted (restore with: memd restore " + m.id + ")");
  return kv.Render() + "\n" + m.text + (m.text.empty() || m.text.back() != '\n' ? "\n" : "");
}

std::string RenderMemoryTable(const std::vector<Memory>& memories) {
  Table table({"ID", "KIND", "VER", "UPDATED", "TEXT"});
  for (const Memory& m : memories) {
    table.AddRow({m.id, m.kind, std::to_string(m.version), FormatTime(m.updated_at), TextCell(m)});
  }
  return table.Render(TerminalWidth());
}

std::string RenderHistoryTable(const std::vector<HistoryEntry>& history) {
  Table table({"VER", "OPERATION", "UPDATED", "TEXT"});
  for (const HistoryEntry& e : history) {
    table.AddRow({std::to_string(e.memory.version), e.operation, FormatTime(e.memory.updated_at), TextCell(e.memory)});
  }
  return table.Render(TerminalWidth());
}

std::string RenderHitTable(const std::vector<Hit>& hits, bool show_project) {
  bool explain = false;
  for (const Hit& h : hits) explain = explain || h.explain.has_value();
  std::vector<std::string> header = {"RANK", "SCORE", "ID", "KIND"};
  if (show_project) header.push_back("PROJECT");
  if (explain) {
    header.push_back("VECTOR");
    header.push_back("LEXICAL");
  }
  header.push_back("TEXT");
  Table table(std::move(header));
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const Hit& h = hits[i];
    std::vector<std::string> row = {std::to_string(i + 1), FormatScore(h.score), h.memory.id, h.memory.kind};
    if (show_project) row.push_back(h.project);
    if (explain) {
      row.push_back(h.explain ? FormatEvidence(h.explain->vector_score, h.explain->vector_rank) : "-");
      row.push_back(h.explain ? FormatEvidence(h.explain->lexical_score, h.explain->lexical_rank) : "-");
    }
    row.push_back(TextCell(h.memory));
    table.AddRow(std::move(row));
  }
  std::string out = table.Render(TerminalWidth());
  if (explain && !hits.empty() && hits.front().explain && !hits.front().explain->fusion.empty()) {
    out += "fusion: " + hits.front().explain->fusion + "\n";
  }
  return out;
}

std::string RenderPreferenceTable(const std::vector<Preference>& preferences) {
  Table table({"CATEGORY", "KEY", "VALUE", "DESCRIPTION"});
  for (const Preference& p : preferences) {
    table.AddRow({p.category, p.key, Preview(p.value, 60), Preview(p.description, 4096)});
  }
  return table.Render(TerminalWidth());
}

std::string RenderCubeTable(const std::vector<CubeInfo>& cubes) {
  Table table({"USER", "PROJECT", "DIM", "CREATED", "EMBEDDER"});
  for (const CubeInfo& c : cubes) {
    table.AddRow({c.ref.user, c.ref.project, std::to_string(c.dimension), FormatTime(c.created_at), c.embedder});
  }
  return table.Render(TerminalWidth());
}

std::string RenderCubeStats(const CubeStats& s) {
  KeyValues kv;
  kv.Add("cube", s.info.ref.user + "/" + s.info.ref.project);
  kv.Add("memories", std::to_string(s.memories));
  kv.Add("deleted", std::to_string(s.deleted));
  kv.Add("preferences", std::to_string(s.preferences));
  kv.Add("embedder", s.info.embedder + " (" + std::to_string(s.info.dimension) + " dims)");
  kv.Add("created", FormatTime(s.info.created_at));
  kv.Add("sequence", std::to_string(s.change_sequence));
  kv.Add("snapshot", s.snapshot_sequence < 0 ? "none" : "at sequence " + std::to_string(s.snapshot_sequence));
  kv.Add("index", s.vector_index.empty() ? "-" : s.vector_index);
  kv.Add("open", s.open ? "yes (" + std::to_string(s.index_bytes / 1024) + " KiB in memory)" : "no");
  return kv.Render();
}

}  // namespace memd::cli
