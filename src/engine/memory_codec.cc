#include "engine/memory_codec.h"

#include "engine/json_fields.h"
#include "util/json.h"
#include "util/time_format.h"

namespace memd::engine {
namespace json = boost::json;

namespace {

json::value ParseCanonical(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return json::object();  // stored metadata is always valid; defensive only
  return v;
}

json::value EncodeSource(const std::optional<SourceRef>& source) {
  if (!source) return nullptr;
  json::object o;
  o["uri"] = source->uri;
  if (source->line_start) o["line_start"] = *source->line_start;
  if (source->line_end) o["line_end"] = *source->line_end;
  return o;
}

Result<std::optional<SourceRef>> DecodeSource(const json::value* v, const std::string& field) {
  if (v == nullptr || v->is_null()) return std::optional<SourceRef>();
  if (v->is_string()) return std::optional<SourceRef>(SourceRef{std::string(v->get_string()), {}, {}});
  MEMD_ASSIGN_OR_RETURN(JsonFields f, JsonFields::Of(*v, field));
  SourceRef s;
  MEMD_ASSIGN_OR_RETURN(auto uri, f.GetString("uri"));
  if (!uri) return Status::InvalidArgument(field + ".uri is required", field + ".uri");
  s.uri = *uri;
  MEMD_ASSIGN_OR_RETURN(s.line_start, f.GetInt("line_start"));
  MEMD_ASSIGN_OR_RETURN(s.line_end, f.GetInt("line_end"));
  MEMD_RETURN_IF_ERROR(f.Finish());
  return std::optional<SourceRef>(std::move(s));
}

json::array EncodeTags(const std::vector<std::string>& tags) {
  json::array a;
  for (const auto& t : tags) a.emplace_back(t);
  return a;
}

}  // namespace

json::value EncodeTime(Timestamp t) { return json::string(FormatRfc3339(t)); }

Result<Timestamp> DecodeTime(const json::value& v, const std::string& field) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<Timestamp>(v.get_uint64());
  }
  if (v.is_string()) {
    auto t = ParseRfc3339(std::string_view(v.get_string()));
    if (!t.ok()) return t.status().WithField(field);
    return t;
  }
  return Status::InvalidArgument(field + " must be an RFC 3339 time string or integer milliseconds", field);
}

std::string ToJsonText(const json::value& v) { return CompactJson(v); }

json::object EncodeMemory(const Memory& m) {
  json::object o;
  o.reserve(14);  // these fields and those EncodeHit and EncodeHistoryEntry add, without regrowing
  o["id"] = m.id;
  o["text"] = m.text;
  o["kind"] = m.kind;
  o["metadata"] = ParseCanonical(m.metadata);
  o["tags"] = EncodeTags(m.tags);
  o["source"] = EncodeSource(m.source);
  o["created_at"] = EncodeTime(m.created_at);
  o["updated_at"] = EncodeTime(m.updated_at);
  o["expires_at"] = m.expires_at ? EncodeTime(*m.expires_at) : json::value(nullptr);
  o["version"] = m.version;
  o["deleted"] = m.deleted;
  return o;
}

Result<Memory> DecodeMemory(const json::value& v, const std::string& field) {
  MEMD_ASSIGN_OR_RETURN(JsonFields f, JsonFields::Of(v, field));
  Memory m;
  auto required = [&](std::string_view key) -> Result<std::string> {
    MEMD_ASSIGN_OR_RETURN(auto s, f.GetString(key));
    if (!s) return Status::InvalidArgument(f.PathOf(key) + " is required", f.PathOf(key));
    return *s;
  };
  MEMD_ASSIGN_OR_RETURN(m.id, required("id"));
  MEMD_ASSIGN_OR_RETURN(m.text, required("text"));
  MEMD_ASSIGN_OR_RETURN(m.kind, required("kind"));
  const json::value* meta = f.GetValue("metadata");
  m.metadata = meta && !meta->is_null() ? ToJsonText(*meta) : "{}";
  MEMD_ASSIGN_OR_RETURN(auto tags, f.GetStringArray("tags"));
  if (tags) m.tags = std::move(*tags);
  MEMD_ASSIGN_OR_RETURN(m.source, DecodeSource(f.GetValue("source"), f.PathOf("source")));
  for (auto [key, target] : {std::pair{"created_at", &m.created_at}, std::pair{"updated_at", &m.updated_at}}) {
    const json::value* t = f.GetValue(key);
    if (t == nullptr) return Status::InvalidArgument(f.PathOf(key) + " is required", f.PathOf(key));
    MEMD_ASSIGN_OR_RETURN(*target, DecodeTime(*t, f.PathOf(key)));
  }
  if (const json::value* e = f.GetValue("expires_at"); e && !e->is_null()) {
    MEMD_ASSIGN_OR_RETURN(m.expires_at, DecodeTime(*e, f.PathOf("expires_at")));
  }
  MEMD_ASSIGN_OR_RETURN(auto version, f.GetInt("version"));
  m.version = version.value_or(1);
  MEMD_ASSIGN_OR_RETURN(auto deleted, f.GetBool("deleted"));
  m.deleted = deleted.value_or(false);
  MEMD_RETURN_IF_ERROR(f.Finish());
  return m;
}

Result<NewMemory> DecodeNewMemory(const json::value& v, const std::string& field) {
  MEMD_ASSIGN_OR_RETURN(JsonFields f, JsonFields::Of(v, field));
  NewMemory m;
  MEMD_ASSIGN_OR_RETURN(auto text, f.GetString("text"));
  if (!text) return Status::InvalidArgument(f.PathOf("text") + " is required", f.PathOf("text"));
  m.text = std::move(*text);
  MEMD_ASSIGN_OR_RETURN(auto kind, f.GetString("kind"));
  if (kind) m.kind = std::move(*kind);
  if (const json::value* meta = f.GetValue("metadata"); meta && !meta->is_null()) {
    if (!meta->is_object()) {
      return Status::InvalidArgument(f.PathOf("metadata") + " must be a JSON object", f.PathOf("metadata"));
    }
    m.metadata = ToJsonText(*meta);
  }
  MEMD_ASSIGN_OR_RETURN(auto tags, f.GetStringArray("tags"));
  if (tags) m.tags = std::move(*tags);
  MEMD_ASSIGN_OR_RETURN(m.source, DecodeSource(f.GetValue("source"), f.PathOf("source")));
  MEMD_ASSIGN_OR_RETURN(m.id, f.GetString("id"));
  if (const json::value* e = f.GetValue("expires_at"); e && !e->is_null()) {
    MEMD_ASSIGN_OR_RETURN(m.expires_at, DecodeTime(*e, f.PathOf("expires_at")));
  }
  MEMD_RETURN_IF_ERROR(f.Finish());
  return m;
}

Result<MemoryPatch> DecodeMemoryPatch(const json::value& v, const std::string& field) {
  MEMD_ASSIGN_OR_RETURN(JsonFields f, JsonFields::Of(v, field));
  MemoryPatch p;
  MEMD_ASSIGN_OR_RETURN(p.text, f.GetString("text"));
  MEMD_ASSIGN_OR_RETURN(p.kind, f.GetString("kind"));
  if (const json::value* meta = f.GetValue("metadata"); meta && !meta->is_null()) {
    if (!meta->is_object()) {
      return Status::InvalidArgument(f.PathOf("metadata") + " must be a JSON object", f.PathOf("metadata"));
    }
    p.metadata = ToJsonText(*meta);
  }
  MEMD_ASSIGN_OR_RETURN(p.tags, f.GetStringArray("tags"));
  if (f.IsNull("source")) {
    p.clear_source = true;
    f.GetValue("source");
  } else {
    MEMD_ASSIGN_OR_RETURN(auto source, DecodeSource(f.GetValue("source"), f.PathOf("source")));
    if (source) p.source = std::move(*source);
  }
  if (f.IsNull("expires_at")) {
    p.clear_expires_at = true;
    f.GetValue("expires_at");
  } else if (const json::value* e = f.GetValue("expires_at")) {
    MEMD_ASSIGN_OR_RETURN(p.expires_at, DecodeTime(*e, f.PathOf("expires_at")));
  }
  MEMD_ASSIGN_OR_RETURN(p.expected_version, f.GetInt("expected_version"));
  MEMD_RETURN_IF_ERROR(f.Finish());
  return p;
}

Result<SearchRequest> DecodeSearchRequest(const json::value& v, const std::string& field) {
  MEMD_ASSIGN_OR_RETURN(JsonFields f, JsonFields::Of(v, field));
  SearchRequest r;
  MEMD_ASSIGN_OR_RETURN(auto query, f.GetString("query"));
  if (!query) return Status::InvalidArgument(f.PathOf("query") + " is required", f.PathOf("query"));
  r.query = std::move(*query);
  MEMD_ASSIGN_OR_RETURN(auto top_k, f.GetInt("top_k"));
  if (top_k) {
    if (*top_k < 1 || *top_k > kMaxTopK) {
      return Status::InvalidArgument(f.PathOf("top_k") + " must be between 1 and " + std::to_string(kMaxTopK),
                                     f.PathOf("top_k"));
    }
    r.top_k = static_cast<int>(*top_k);
  }
  MEMD_ASSIGN_OR_RETURN(auto mode, f.GetString("mode"));
  if (mode) {
    auto parsed = ParseSearchMode(*mode);
    if (!parsed) {
      return Status::InvalidArgument("unknown mode '" + *mode + "'; use hybrid, vector or lexical", f.PathOf("mode"));
    }
    r.mode = *parsed;
  }
  if (const json::value* filter = f.GetValue("filter"); filter && !filter->is_null()) {
    r.filter = ToJsonText(*filter);
  }
  MEMD_ASSIGN_OR_RETURN(r.min_score, f.GetNumber("min_score"));
  MEMD_ASSIGN_OR_RETURN(auto explain, f.GetBool("explain"));
  r.explain = explain.value_or(false);
  MEMD_RETURN_IF_ERROR(f.Finish());
  return r;
}

json::object EncodeAddResult(const AddResult& r) {
  return json::object{{"id", r.id}, {"deduplicated", r.deduplicated}, {"version", r.version}};
}

Result<AddResult> DecodeAddResult(const json::value& v, const std::string& field) {
  MEMD_ASSIGN_OR_RETURN(JsonFields f, JsonFields::Of(v, field));
  AddResult r;
  MEMD_ASSIGN_OR_RETURN(auto id, f.GetString("id"));
  MEMD_ASSIGN_OR_RETURN(auto dedup, f.GetBool("deduplicated"));
  MEMD_ASSIGN_OR_RETURN(auto version, f.GetInt("version"));
  MEMD_RETURN_IF_ERROR(f.Finish());
  if (!id) return Status::Corruption("stored add result lacks an id");
  r.id = *id;
  r.deduplicated = dedup.value_or(false);
  r.version = version.value_or(1);
  return r;
}

json::object EncodePreference(const Preference& p) {
  return json::object{{"category", p.category},
                      {"key", p.key},
                      {"value", ParseCanonical(p.value)},
                      {"description", p.description},
                      {"updated_at", EncodeTime(p.updated_at)}};
}

Result<Preference> DecodePreference(const json::value& v, const std::string& field) {
  MEMD_ASSIGN_OR_RETURN(JsonFields f, JsonFields::Of(v, field));
  Preference p;
  MEMD_ASSIGN_OR_RETURN(auto category, f.GetString("category"));
  MEMD_ASSIGN_OR_RETURN(auto key, f.GetString("key"));
  if (!category || !key) return Status::InvalidArgument(field + " needs category and key", field);
  p.category = *category;
  p.key = *key;
  const json::value* value = f.GetValue("value");
  if (value == nullptr) return Status::InvalidArgument(f.PathOf("value") + " is required", f.PathOf("value"));
  p.value = ToJsonText(*value);
  MEMD_ASSIGN_OR_RETURN(auto description, f.GetString("description"));
  p.description = description.value_or("");
  if (const json::value* t = f.GetValue("updated_at"); t && !t->is_null()) {
    MEMD_ASSIGN_OR_RETURN(p.updated_at, DecodeTime(*t, f.PathOf("updated_at")));
  }
  MEMD_RETURN_IF_ERROR(f.Finish());
  return p;
}

json::object EncodeHit(const Hit& hit) {
  json::object o = EncodeMemory(hit.memory);
  o.erase("deleted");
  o["project"] = hit.project;
  o["score"] = hit.score;
  if (hit.explain) {
    json::object e;
    auto opt = [](const auto& x) -> json::value { return x ? json::value(*x) : json::value(nullptr); };
    e["vector_score"] = opt(hit.explain->vector_score);
    e["vector_rank"] = opt(hit.explain->vector_rank);
    e["lexical_score"] = opt(hit.explain->lexical_score);
    e["lexical_rank"] = opt(hit.explain->lexical_rank);
    e["fusion"] = hit.explain->fusion;
    o["explain"] = std::move(e);
  }
  return o;
}

json::object EncodeHistoryEntry(const HistoryEntry& e) {
  json::object o = EncodeMemory(e.memory);
  o["operation"] = e.operation;
  return o;
}

json::object EncodeCubeInfo(const CubeInfo& info) {
  return json::object{{"user", info.ref.user},
                      {"project", info.ref.project},
                      {"embedder", info.embedder},
                      {"dimension", info.dimension},
                      {"created_at", EncodeTime(info.created_at)}};
}

json::object EncodeCubeStats(const CubeStats& s) {
  json::object o = EncodeCubeInfo(s.info);
  o["memories"] = s.memories;
  o["deleted"] = s.deleted;
  o["preferences"] = s.preferences;
  o["change_sequence"] = s.change_sequence;
  o["open"] = s.open;
  o["index_bytes"] = s.index_bytes;
  o["snapshot_sequence"] = s.snapshot_sequence;
  o["vector_index"] = s.vector_index;
  o["graph_pending"] = s.graph_pending;
  return o;
}

json::object EncodeContextBlock(const ContextBlock& b) {
  json::array ids;
  for (const auto& id : b.memory_ids) ids.emplace_back(id);
  return json::object{{"text", b.text}, {"tokens", b.tokens}, {"memory_ids", std::move(ids)},
                      {"preferences", b.preferences}};
}

json::object EncodeJob(const Job& job) {
  // request and progress are JSON object text written by memd; a corrupt one shows as null.
  auto parsed = [](const std::string& text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    return ec ? json::value(nullptr) : v;
  };
  return json::object{{"id", job.id},
                      {"user", job.cube.user},
                      {"project", job.cube.project},
                      {"kind", job.kind},
                      {"status", JobStatusName(job.status)},
                      {"request", parsed(job.request)},
                      {"progress", parsed(job.progress)},
                      {"error", job.error},
                      {"cancel_requested", job.cancel_requested},
                      {"created_at", EncodeTime(job.created_at)},
                      {"updated_at", EncodeTime(job.updated_at)},
                      {"finished_at", job.finished_at ? EncodeTime(*job.finished_at) : json::value(nullptr)}};
}

}  // namespace memd::engine
