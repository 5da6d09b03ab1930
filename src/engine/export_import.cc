// Export and import of a whole cube as zstd-compressed JSONL.
//
// Format (docs/FORMAT.md): one JSON object per line, in this order:
//   {"type":"header","format":"memd-export","version":1,"user","project","embedder","dimension","created_at"}
//   {"type":"memory","memory":{...},"embedding":"<base64 of little-endian float32>"}   (doc order)
//   {"type":"history","id":"<memory id>","operation":"...","memory":{...}}            (per memory, oldest first)
//   {"type":"preference","preference":{...}}
//   {"type":"end","memories":N,"history":H,"preferences":P}
// The trailer makes a truncated file detectable even where zstd framing would not.
#include <openssl/evp.h>

#include <map>

#include "engine/engine_impl.h"
#include "engine/memory_codec.h"
#include "engine/validation.h"
#include "util/file_util.h"
#include "util/json.h"
#include "util/ulid.h"
#include "util/zstd_io.h"

namespace memd {
namespace json = boost::json;

namespace {

constexpr int kExportVersion = 1;

std::string Base64Floats(const std::vector<float>& v) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(v.data());
  int n = static_cast<int>(v.size() * sizeof(float));
  std::string out(static_cast<std::size_t>(4 * ((n + 2) / 3)), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, n);
  out.resize(static_cast<std::size_t>(written));
  return out;
}

Result<std::vector<float>> DecodeFloats(std::string_view b64, int dimension, const std::string& field) {
  std::size_t expected = static_cast<std::size_t>(dimension) * sizeof(float);
  if (b64.size() != 4 * ((expected + 2) / 3)) {
    return Status::InvalidArgument("embedding does not hold " + std::to_string(dimension) + " floats", field);
  }
  std::string raw(b64.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0 || static_cast<std::size_t>(n) < expected) {
    return Status::InvalidArgument("embedding is not valid base64", field);
  }
  std::vector<float> out(static_cast<std::size_t>(dimension));
  std::memcpy(out.data(), raw.data(), expected);
  return out;
}

std::string Line(const json::object& o) { return CompactJson(o) + "\n"; }

Status BadLine(std::size_t line, const std::string& what) {
  return Status::InvalidArgument("import line " + std::to_string(line) + ": " + what,
                                 "line " + std::to_string(line));
}

}  // namespace

Status Engine::Impl::Export(const CubeRef& ref, const std::string& path) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_ASSIGN_OR_RETURN(auto cube, store_->FindCube(ref.user, ref.project));
  if (!cube) return Status::NotFound("no cube for user '" + ref.user + "' and project '" + ref.project + "'");
  std::string tmp = path + ".tmp";
  MEMD_ASSIGN_OR_RETURN(auto writer, ZstdFileWriter::Create(tmp));
  Status s = [&]() -> Status {
    MEMD_RETURN_IF_ERROR(writer->Write(Line(json::object{{"type", "header"},
                                                         {"format", "memd-export"},
                                                         {"version", kExportVersion},
                                                         {"user", cube->user},
                                                         {"project", cube->project},
                                                         {"embedder", cube->embedder},
                                                         {"dimension", cube->dimension},
                                                         {"created_at", cube->created_at}})));
    std::int64_t memories = 0, history = 0;
    std::map<std::int64_t, std::string> doc_ids;
    MEMD_RETURN_IF_ERROR(store_->ScanAll(cube->id, [&](store::MemoryRow&& row) {
                                  doc_ids[row.doc] = row.memory.id;
                                  ++memories;
                                  return writer->Write(Line(json::object{{"type", "memory"},
                                                                         {"memory", engine::EncodeMemory(row.memory)},
                                                                         {"embedding", Base64Floats(row.embedding)}}));
                                })
                             .status());
    MEMD_RETURN_IF_ERROR(store_->ScanHistory(cube->id, [&](std::int64_t doc, store::HistoryRow&& h) {
      ++history;
      return writer->Write(Line(json::object{{"type", "history"},
                                             {"id", doc_ids[doc]},
                                             {"operation", h.operation},
                                             {"memory", engine::EncodeMemory(h.memory)}}));
    }));
    MEMD_ASSIGN_OR_RETURN(auto prefs, store_->ListPreferences(cube->id, ""));
    for (const auto& p : prefs) {
      MEMD_RETURN_IF_ERROR(
          writer->Write(Line(json::object{{"type", "preference"}, {"preference", engine::EncodePreference(p)}})));
    }
    MEMD_RETURN_IF_ERROR(writer->Write(Line(json::object{{"type", "end"},
                                                         {"memories", memories},
                                                         {"history", history},
                                                         {"preferences", static_cast<std::int64_t>(prefs.size())}})));
    MEMD_RETURN_IF_ERROR(writer->Finish());
    return RenameFile(tmp, path);
  }();
  if (!s.ok()) RemoveAll(tmp).IgnoreError();
  return s;
}

Status Engine::Impl::Import(const CubeRef& ref, const std::string& path) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_ASSIGN_OR_RETURN(auto existing, store_->FindCube(ref.user, ref.project));
  if (existing) {
    return Status::AlreadyExists("cube " + ref.user + "/" + ref.project +
                                 " already exists; import into a new project or forget this one first");
  }
  MEMD_ASSIGN_OR_RETURN(auto reader, ZstdLineReader::Open(path));
  std::string line;
  struct Item {
    store::MemoryRow row;
    std::vector<store::HistoryRow> history;
  };
  std::vector<Item> items;
  std::map<std::string, std::size_t> by_id;
  std::vector<Preference> prefs;
  Timestamp created_at = Now();
  bool header = false, end = false;
  std::int64_t history_count = 0;
  for (;;) {
    MEMD_ASSIGN_OR_RETURN(bool more, reader->NextLine(&line));
    if (!more) break;
    std::size_t n = reader->line_number();
    if (end) return BadLine(n, "data after the end record");
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object() || !v.get_object().contains("type") || !v.at("type").is_string()) {
      return BadLine(n, "not a memd export record");
    }
    const json::object& o = v.get_object();
    std::string type(o.at("type").get_string());
    if (!header) {
      if (type != "header" || !o.contains("format") || o.at("format") != "memd-export") {
        return BadLine(n, "the file does not start with a memd export header");
      }
      if (!o.contains("version") || o.at("version") != json::value(kExportVersion)) {
        return BadLine(n, "unsupported export version; this memd reads version 1");
      }
      if (o.at("embedder") != json::value(embedder_->name()) ||
          o.at("dimension") != json::value(embedder_->dimension())) {
        return Status::FailedPrecondition("the export was made with embedder " + json::serialize(o.at("embedder")) +
                                          " but memd is configured with " + embedder_->name());
      }
      if (o.contains("created_at") && o.at("created_at").is_int64()) created_at = o.at("created_at").get_int64();
      header = true;
      continue;
    }
    const std::string field = "line " + std::to_string(n);
    if (type == "memory") {
      if (!o.contains("memory") || !o.contains("embedding") || !o.at("embedding").is_string()) {
        return BadLine(n, "memory record needs memory and embedding");
      }
      Item item;
      auto m = engine::DecodeMemory(o.at("memory"), field + ".memory");
      if (!m.ok()) return m.status();
      if (!IsValidUlid(m->id) || by_id.contains(m->id)) return BadLine(n, "memory id is invalid or repeated");
      item.row.memory = std::move(*m);
      item.row.content_hash = engine::ContentHash(item.row.memory.text, item.row.memory.metadata);
      MEMD_ASSIGN_OR_RETURN(item.row.embedding,
                            DecodeFloats(o.at("embedding").get_string(), embedder_->dimension(), field + ".embedding"));
      by_id[item.row.memory.id] = items.size();
      items.push_back(std::move(item));
    } else if (type == "history") {
      if (!o.contains("id") || !o.at("id").is_string() || !o.contains("operation") || !o.at("operation").is_string() ||
          !o.contains("memory")) {
        return BadLine(n, "history record needs id, operation and memory");
      }
      auto it = by_id.find(std::string(o.at("id").get_string()));
      if (it == by_id.end()) return BadLine(n, "history for an unknown memory");
      auto m = engine::DecodeMemory(o.at("memory"), field + ".memory");
      if (!m.ok()) return m.status();
      items[it->second].history.push_back(
          store::HistoryRow{std::string(o.at("operation").get_string()), std::move(*m)});
      ++history_count;
    } else if (type == "preference") {
      if (!o.contains("preference")) return BadLine(n, "preference record needs preference");
      MEMD_ASSIGN_OR_RETURN(Preference p, engine::DecodePreference(o.at("preference"), field + ".preference"));
      prefs.push_back(std::move(p));
    } else if (type == "end") {
      if (o.if_contains("memories") == nullptr ||
          o.at("memories") != json::value(static_cast<std::int64_t>(items.size())) ||
          o.at("history") != json::value(history_count) ||
          o.at("preferences") != json::value(static_cast<std::int64_t>(prefs.size()))) {
        return BadLine(n, "the end record's counts do not match the file; it is damaged");
      }
      end = true;
    } else {
      return BadLine(n, "unknown record type '" + type + "'");
    }
  }
  if (!header) return Status::InvalidArgument("the import file is empty");
  if (!end) return Status::InvalidArgument("the import file is truncated: it has no end record");

  MEMD_ASSIGN_OR_RETURN(auto cube_row, store_->GetOrCreateCube(ref.user, ref.project, embedder_->name(),
                                                               embedder_->dimension(), created_at));
  auto written = store_->Write(cube_row.id, [&](store::WriteTxn& txn) -> Status {
    for (auto& item : items) {
      item.row.doc = 0;
      item.row.cube_id = cube_row.id;
      MEMD_RETURN_IF_ERROR(txn.Insert(item.row));
      for (const auto& h : item.history) MEMD_RETURN_IF_ERROR(txn.AppendHistory(item.row.doc, h));
    }
    for (const auto& p : prefs) MEMD_RETURN_IF_ERROR(txn.PutPreference(p));
    return Status::OK();
  });
  if (!written.ok()) {
    store_->DeleteCube(cube_row.id).IgnoreError();
    return written.status();
  }
  return Status::OK();
}

}  // namespace memd
