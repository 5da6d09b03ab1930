// The memory write path (add, update, delete, restore, purge, expiry) and by-id reads.
//
// Every write: validate and normalise input, embed and analyse new text outside any lock,
// then one Store::Write transaction (dedup, idempotency, history), whose commit callback
// applies the rows to the cube's index before Write returns (read-your-writes).
#include <algorithm>

#include "engine/engine_impl.h"
#include "engine/idempotency.h"
#include "engine/memory_codec.h"
#include "engine/validation.h"
#include "index/filter.h"
#include "util/ulid.h"

namespace memd {
using engine::IndexChanges;
using engine::PreparedRow;
namespace json = boost::json;

namespace {

bool Expired(const Memory& m, Timestamp now) { return m.expires_at && *m.expires_at <= now; }

Status NotFoundId(std::string_view id) {
  return Status::NotFound("no memory '" + std::string(text::TruncateUtf8(id, 64)) + "' in this cube");
}

json::object EncodeNewMemory(const NewMemory& m) {
  json::object o{{"text", m.text}, {"kind", m.kind}, {"metadata", m.metadata}};
  json::array tags;
  for (const auto& t : m.tags) tags.emplace_back(t);
  o["tags"] = std::move(tags);
  if (m.source) {
    o["source"] = json::object{{"uri", m.source->uri},
                               {"line_start", m.source->line_start ? json::value(*m.source->line_start) : nullptr},
                               {"line_end", m.source->line_end ? json::value(*m.source->line_end) : nullptr}};
  }
  if (m.id) o["id"] = *m.id;
  if (m.expires_at) o["expires_at"] = *m.expires_at;
  return o;
}

// The operation that produced version `version` of a memory, given the history row of the
// version before it (whose operation is what superseded it).
std::string OperationOf(std::int64_t version, const std::string& superseded_by) {
  return version == 1 ? "create" : superseded_by;
}

}  // namespace

Status Engine::Impl::EmbedRange(std::vector<PreparedRow>& rows, std::size_t first, std::size_t last) const {
  std::size_t n = last - first;
  if (n == 0) return Status::OK();
  const int dim = embedder_->dimension();
  std::vector<std::string_view> texts;
  texts.reserve(n);
  for (std::size_t i = first; i < last; ++i) texts.push_back(rows[i].row.memory.text);
  std::vector<float> vectors(n * static_cast<std::size_t>(dim));
  MEMD_RETURN_IF_ERROR(embedder_->Embed(texts, vectors));
  for (std::size_t i = 0; i < n; ++i) {
    auto begin = vectors.begin() + static_cast<std::ptrdiff_t>(i * static_cast<std::size_t>(dim));
    rows[first + i].row.embedding.assign(begin, begin + dim);
    analyzer_.Analyze(rows[first + i].row.memory.text, &rows[first + i].terms);
  }
  return Status::OK();
}

Status Engine::Impl::EmbedRows(std::vector<PreparedRow>& rows, std::size_t first) {
  // Chunks big enough that splitting costs nothing measurable (a chunk is ~2 ms of work).
  constexpr std::size_t kChunkRows = 64;
  const std::size_t n = rows.size() - first;
  const std::size_t chunks = (n + kChunkRows - 1) / kChunkRows;
  if (chunks <= 1) return EmbedRange(rows, first, rows.size());
  std::vector<Status> statuses(chunks);
  compute_->ParallelFor(chunks, [&](std::size_t c) {
    const std::size_t begin = first + c * kChunkRows;
    statuses[c] = EmbedRange(rows, begin, std::min(begin + kChunkRows, rows.size()));
  });
  for (auto& status : statuses) MEMD_RETURN_IF_ERROR(status);
  return Status::OK();
}

Result<std::vector<AddResult>> Engine::Impl::AddMany(const CubeRef& ref, std::vector<NewMemory> items, bool batch,
                                                     const WriteOptions& options) {
  if (items.empty()) return Status::InvalidArgument("the batch is empty; give at least one memory", "items");
  if (items.size() > options_.max_batch) {
    return Status::InvalidArgument("the batch has " + std::to_string(items.size()) + " memories, above the limit of " +
                                       std::to_string(options_.max_batch) + "; split it",
                                   "items");
  }
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  const Timestamp now = Now();
  std::vector<PreparedRow> rows(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string field = batch ? "items[" + std::to_string(i) + "]" : "";
    MEMD_RETURN_IF_ERROR(engine::NormalizeNewMemory(items[i], options_, now, field));
    Memory& m = rows[i].row.memory;
    m.text = items[i].text;
    m.kind = items[i].kind;
    m.metadata = items[i].metadata;
    m.tags = items[i].tags;
    m.source = items[i].source;
    m.created_at = m.updated_at = now;
    m.expires_at = items[i].expires_at;
    rows[i].row.content_hash = engine::ContentHash(m.text, m.metadata);
  }
  std::string request_hash;
  if (!options.idempotency_key.empty()) {
    json::array request;
    for (const auto& item : items) request.push_back(EncodeNewMemory(item));
    request_hash = engine::RequestHash("add", request);
  }
  MEMD_RETURN_IF_ERROR(EmbedRows(rows, 0));
  MEMD_ASSIGN_OR_RETURN(auto cube, GetCube(ref, /*create=*/true));

  IndexChanges changes;
  json::value response;
  bool replayed = false;
  auto body = [&](store::WriteTxn& txn) -> Status {
    changes.upserts.clear();
    return engine::RunIdempotent(
        txn, options.idempotency_key, request_hash, now,
        [&]() -> Result<json::value> {
          json::array results;
          for (std::size_t i = 0; i < rows.size(); ++i) {
            store::MemoryRow& row = rows[i].row;
            MEMD_ASSIGN_OR_RETURN(auto existing, txn.FindLiveByHash(row.content_hash));
            if (existing && !Expired(existing->memory, now)) {
              results.push_back(engine::EncodeAddResult({existing->memory.id, true, existing->memory.version}));
              continue;
            }
            if (items[i].id) {
              MEMD_ASSIGN_OR_RETURN(auto taken, txn.GetById(*items[i].id));
              if (taken) {
                std::string field = batch ? "items[" + std::to_string(i) + "].id" : "id";
                return Status(StatusCode::kAlreadyExists, "a memory with id " + *items[i].id + " already exists in this cube",
                              field);
              }
              row.memory.id = *items[i].id;
            } else {
              row.memory.id = ulids_.Next(now);
            }
            row.doc = 0;
            row.cube_id = cube->row.id;
            MEMD_RETURN_IF_ERROR(txn.Insert(row));
            changes.upserts.push_back(rows[i]);
            results.push_back(engine::EncodeAddResult({row.memory.id, false, 1}));
          }
          return json::value(std::move(results));
        },
        &response, &replayed);
  };
  MEMD_RETURN_IF_ERROR(CommitToCube(*cube, body, changes).status());
  std::vector<AddResult> out;
  if (!response.is_array()) return Status::Internal("add produced no result list");
  for (std::size_t i = 0; i < response.get_array().size(); ++i) {
    MEMD_ASSIGN_OR_RETURN(auto r, engine::DecodeAddResult(response.get_array()[i], "result"));
    out.push_back(std::move(r));
  }
  return out;
}

Result<Memory> Engine::Impl::Mutate(const CubeRef& ref, std::string_view id, Mutation mutation,
                                    const MemoryPatch* patch, const WriteOptions& options) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  const Timestamp now = Now();
  const char* op_name = mutation == Mutation::kUpdate ? "update" : mutation == Mutation::kDelete ? "delete" : "restore";
  if (mutation == Mutation::kUpdate) {
    bool empty = !patch->text && !patch->kind && !patch->metadata && !patch->tags && !patch->source &&
                 !patch->clear_source && !patch->expires_at && !patch->clear_expires_at;
    if (empty) return Status::InvalidArgument("the update changes nothing; give at least one field to change");
  }
  // Validate the patch against a dummy memory up front so bad input fails before any I/O.
  if (patch != nullptr) {
    Memory probe;
    probe.metadata = "{}";
    MEMD_RETURN_IF_ERROR(engine::ApplyPatch(*patch, probe, options_, now));
  }
  std::vector<PreparedRow> prepared(1);
  if (patch != nullptr && patch->text) {
    prepared[0].row.memory.text = *patch->text;
    MEMD_RETURN_IF_ERROR(EmbedRows(prepared, 0));
  }
  std::string request_hash;
  if (!options.idempotency_key.empty()) {
    json::object request{{"id", std::string(id)}};
    if (patch != nullptr) {
      request["text"] = patch->text ? json::value(*patch->text) : nullptr;
      request["kind"] = patch->kind ? json::value(*patch->kind) : nullptr;
      request["metadata"] = patch->metadata ? json::value(*patch->metadata) : nullptr;
      json::array tags;
      if (patch->tags) for (const auto& t : *patch->tags) tags.emplace_back(t);
      request["tags"] = patch->tags ? json::value(std::move(tags)) : nullptr;
      request["source"] = patch->source ? json::value(patch->source->uri) : nullptr;
      request["clear_source"] = patch->clear_source;
      request["expires_at"] = patch->expires_at ? json::value(*patch->expires_at) : nullptr;
      request["clear_expires_at"] = patch->clear_expires_at;
      request["expected_version"] = patch->expected_version ? json::value(*patch->expected_version) : nullptr;
    }
    request_hash = engine::RequestHash(op_name, request);
  }
  MEMD_ASSIGN_OR_RETURN(auto cube, GetCube(ref, /*create=*/false));

  IndexChanges changes;
  json::value response;
  bool replayed = false;
  auto body = [&](store::WriteTxn& txn) -> Status {
    changes.upserts.clear();
    return engine::RunIdempotent(
        txn, options.idempotency_key, request_hash, now,
        [&]() -> Result<json::value> {
          MEMD_ASSIGN_OR_RETURN(auto found, txn.GetById(id));
          if (!found || Expired(found->memory, now)) return NotFoundId(id);
          store::MemoryRow row = std::move(*found);
          const Memory previous = row.memory;
          switch (mutation) {
            case Mutation::kUpdate:
              if (row.memory.deleted) {
                return Status::FailedPrecondition("memory " + previous.id + " is deleted; restore it before updating");
              }
              if (patch->expected_version && *patch->expected_version != row.memory.version) {
                return Status::Conflict("memory " + previous.id + " is at version " +
                                        std::to_string(row.memory.version) + ", not " +
                                        std::to_string(*patch->expected_version) + "; re-read it and retry");
              }
              MEMD_RETURN_IF_ERROR(engine::ApplyPatch(*patch, row.memory, options_, now));
              if (patch->text) {
                row.embedding = prepared[0].row.embedding;
              }
              row.content_hash = engine::ContentHash(row.memory.text, row.memory.metadata);
              break;
            case Mutation::kDelete:
              if (row.memory.deleted) return Status::FailedPrecondition("memory " + previous.id + " is already deleted");
              row.memory.deleted = true;
              break;
            case Mutation::kRestore:
              if (!row.memory.deleted) return Status::FailedPrecondition("memory " + previous.id + " is not deleted");
              row.memory.deleted = false;
              break;
          }
          row.memory.version = previous.version + 1;
          row.memory.updated_at = std::max(now, previous.updated_at);
          MEMD_RETURN_IF_ERROR(txn.AppendHistory(row.doc, store::HistoryRow{op_name, previous}));
          MEMD_RETURN_IF_ERROR(txn.Replace(row));
          PreparedRow applied;
          applied.row = row;
          if (patch != nullptr && patch->text) {
            applied.terms = prepared[0].terms;
          } else if (!row.memory.deleted) {
            analyzer_.Analyze(row.memory.text, &applied.terms);
          }
          changes.upserts.push_back(std::move(applied));
          return json::value(engine::EncodeMemory(row.memory));
        },
        &response, &replayed);
  };
  MEMD_RETURN_IF_ERROR(CommitToCube(*cube, body, changes).status());
  return engine::DecodeMemory(response, "result");
}

Status Engine::Impl::Purge(const CubeRef& ref, std::string_view id) {
  MEMD_ASSIGN_OR_RETURN(auto cube, GetCube(ref, /*create=*/false));
  IndexChanges changes;
  auto body = [&](store::WriteTxn& txn) -> Status {
    changes.purged.clear();
    MEMD_ASSIGN_OR_RETURN(auto found, txn.GetById(id));
    if (!found) return NotFoundId(id);
    MEMD_RETURN_IF_ERROR(txn.Purge(found->doc));
    changes.purged.push_back(found->doc);
    return Status::OK();
  };
  return CommitToCube(*cube, body, changes).status();
}

Result<std::int64_t> Engine::Impl::PurgeExpiredIn(engine::OpenCube& cube, Timestamp now) {
  MEMD_ASSIGN_OR_RETURN(auto docs, store_->ExpiredDocs(cube.row.id, now));
  if (docs.empty()) return std::int64_t{0};
  IndexChanges changes;
  auto body = [&](store::WriteTxn& txn) -> Status {
    changes.purged.clear();
    for (std::int64_t doc : docs) {
      MEMD_RETURN_IF_ERROR(txn.Purge(doc));
      changes.purged.push_back(doc);
    }
    return Status::OK();
  };
  MEMD_RETURN_IF_ERROR(CommitToCube(cube, body, changes).status());
  return static_cast<std::int64_t>(docs.size());
}

Result<Memory> Engine::Impl::Get(const CubeRef& ref, std::string_view id) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_ASSIGN_OR_RETURN(auto cube, store_->FindCube(ref.user, ref.project));
  if (!cube) return NotFoundId(id);
  MEMD_ASSIGN_OR_RETURN(auto row, store_->GetMemory(cube->id, id));
  if (!row || Expired(row->memory, Now())) return NotFoundId(id);
  return std::move(row->memory);
}

Result<ListPage> Engine::Impl::List(const CubeRef& ref, const ListRequest& request) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  if (request.limit < 1 || request.limit > 1000) {
    return Status::InvalidArgument("limit must be between 1 and 1000", "limit");
  }
  if (!request.cursor.empty() && !IsValidUlid(request.cursor)) {
    return Status::InvalidArgument("cursor is not one returned by a previous page", "cursor");
  }
  MEMD_ASSIGN_OR_RETURN(index::Filter filter, index::Filter::Parse(request.filter));
  MEMD_ASSIGN_OR_RETURN(auto cube, store_->FindCube(ref.user, ref.project));
  if (!cube) {
    return Status::NotFound("no cube for user '" + ref.user + "' and project '" + ref.project + "'");
  }
  const Timestamp now = Now();
  ListPage page;
  std::string after = request.cursor;
  const std::size_t want = static_cast<std::size_t>(request.limit);
  const std::size_t chunk = std::max<std::size_t>(want + 1, 256);
  for (;;) {
    MEMD_ASSIGN_OR_RETURN(auto rows, store_->ListMemories(cube->id, after, chunk, request.include_deleted));
    for (auto& row : rows) {
      after = row.memory.id;
      if (Expired(row.memory, now) || !filter.Matches(row.memory)) continue;
      if (page.memories.size() == want) {
        page.next_cursor = page.memories.back().id;
        return page;
      }
      page.memories.push_back(std::move(row.memory));
    }
    if (rows.size() < chunk) return page;
  }
}

Result<std::vector<HistoryEntry>> Engine::Impl::History(const CubeRef& ref, std::string_view id) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_ASSIGN_OR_RETURN(auto cube, store_->FindCube(ref.user, ref.project));
  if (!cube) return NotFoundId(id);
  MEMD_ASSIGN_OR_RETURN(auto row, store_->GetMemory(cube->id, id));
  if (!row || Expired(row->memory, Now())) return NotFoundId(id);
  MEMD_ASSIGN_OR_RETURN(auto previous, store_->GetHistory(cube->id, row->doc));
  std::vector<HistoryEntry> out;
  std::string superseded_by;  // operation that replaced the version before
  for (auto& h : previous) {
    out.push_back(HistoryEntry{OperationOf(h.memory.version, superseded_by), std::move(h.memory)});
    superseded_by = h.operation;
  }
  out.push_back(HistoryEntry{OperationOf(row->memory.version, superseded_by), std::move(row->memory)});
  return out;
}

}  // namespace memd
