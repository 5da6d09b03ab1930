// Ingested sources: replacing and removing the chunks of one file or URL atomically, and
// the states an ingester compares against to skip unchanged sources.
#include <algorithm>
#include <set>
#include <span>
#include <string_view>
#include <unordered_map>

#include "engine/engine_impl.h"
#include "engine/validation.h"

namespace memd {
using engine::IndexChanges;
using engine::PreparedRow;

namespace {

// Two chunks are the same if everything a chunk is made of is equal: a kept chunk keeps
// its id, version and history.
bool SameChunk(const store::MemoryRow& stored, const store::MemoryRow& fresh) {
  const Memory& a = stored.memory;
  const Memory& b = fresh.memory;
  return stored.content_hash == fresh.content_hash && a.text == b.text && a.kind == b.kind &&
         a.metadata == b.metadata && a.tags == b.tags && a.source == b.source && a.expires_at == b.expires_at;
}

// Soft-deletes a live row inside txn (history keeps the live version) and records it for
// the index.
Status SoftDelete(store::WriteTxn& txn, store::MemoryRow row, Timestamp now, IndexChanges& changes) {
  const Memory previous = row.memory;
  row.memory.deleted = true;
  row.memory.version = previous.version + 1;
  row.memory.updated_at = std::max(now, previous.updated_at);
  MEMD_RETURN_IF_ERROR(txn.AppendHistory(row.doc, store::HistoryRow{"delete", previous}));
  MEMD_RETURN_IF_ERROR(txn.Replace(row));
  PreparedRow applied;
  applied.row = std::move(row);
  changes.upserts.push_back(std::move(applied));
  return Status::OK();
}

Status CheckUri(std::string_view uri, const char* field) {
  if (uri.empty()) return Status::InvalidArgument("the source uri is empty; give a path or URL", field);
  return Status::OK();
}

}  // namespace

namespace {

// Validates one source's chunks and brings them to stored form in rows (appended).
// field_prefix names the source in errors ("" or "sources[3].").
Status PrepareChunks(const SourceState& state, const std::vector<NewMemory>& chunks,
                     const EngineOptions& options, Timestamp now, const std::string& field_prefix,
                     std::vector<PreparedRow>* rows) {
  MEMD_RETURN_IF_ERROR(CheckUri(state.uri, (field_prefix + "uri").c_str()));
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const std::string field = field_prefix + "chunks[" + std::to_string(i) + "]";
    NewMemory chunk = chunks[i];
    if (!chunk.source || chunk.source->uri != state.uri) {
      return Status::InvalidArgument("a chunk's source.uri must be the source's uri '" + state.uri + "'",
                                     field + ".source");
    }
    if (chunk.id) return Status::InvalidArgument("chunks get their ids from memd; remove id", field + ".id");
    MEMD_RETURN_IF_ERROR(engine::NormalizeNewMemory(chunk, options, now, field));
    Memory& m = rows->emplace_back().row.memory;
    m.text = std::move(chunk.text);
    m.kind = std::move(chunk.kind);
    m.metadata = std::move(chunk.metadata);
    m.tags = std::move(chunk.tags);
    m.source = std::move(chunk.source);
    m.expires_at = chunk.expires_at;
    m.created_at = m.updated_at = now;
    rows->back().row.content_hash = engine::ContentHash(m.text, m.metadata);
  }
  return Status::OK();
}

}  // namespace

// Makes the live chunks of state.uri equal to rows inside txn (see Engine::ReplaceSource).
Status Engine::Impl::ApplySource(store::WriteTxn& txn, const SourceState& state,
                                 std::span<const PreparedRow> rows, Timestamp now, IndexChanges& changes,
                                 ReplaceSourceResult* result) {
  *result = ReplaceSourceResult();
  MEMD_ASSIGN_OR_RETURN(std::vector<store::MemoryRow> old, txn.LiveBySource(state.uri));
  std::unordered_multimap<std::string_view, std::size_t> old_by_hash;
  for (std::size_t j = 0; j < old.size(); ++j) old_by_hash.emplace(old[j].content_hash, j);
  std::vector<bool> kept(rows.size(), false);
  std::vector<bool> old_kept(old.size(), false);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto [first, last] = old_by_hash.equal_range(rows[i].row.content_hash);
    for (auto it = first; it != last; ++it) {
      if (!old_kept[it->second] && SameChunk(old[it->second], rows[i].row)) {
        kept[i] = old_kept[it->second] = true;
        ++result->kept;
        break;
      }
    }
  }
  // Deletions first: a new chunk whose content equals a removed one must not be taken for
  // a duplicate of it.
  for (std::size_t j = 0; j < old.size(); ++j) {
    if (old_kept[j]) continue;
    MEMD_RETURN_IF_ERROR(SoftDelete(txn, std::move(old[j]), now, changes));
    ++result->removed;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (kept[i]) continue;
    store::MemoryRow row = rows[i].row;
    row.memory.id = ulids_.Next(now);
    row.doc = 0;
    MEMD_RETURN_IF_ERROR(txn.Insert(row));
    PreparedRow applied;
    applied.row = std::move(row);
    applied.terms = rows[i].terms;
    changes.upserts.push_back(std::move(applied));
    ++result->added;
  }
  SourceState stored = state;
  stored.chunks = static_cast<std::int64_t>(rows.size());
  stored.ingested_at = now;
  return txn.PutSource(stored);
}

Result<std::vector<ReplaceSourceResult>> Engine::Impl::ReplaceSources(
    const CubeRef& ref, const std::vector<SourceUpdate>& updates, bool batch) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  const Timestamp now = Now();
  std::vector<PreparedRow> rows;
  std::vector<std::size_t> begin(updates.size() + 1, 0);  // rows of updates[k]: [begin[k], begin[k+1])
  std::set<std::string_view> uris;
  for (std::size_t k = 0; k < updates.size(); ++k) {
    const std::string prefix = batch ? "sources[" + std::to_string(k) + "]." : "";
    MEMD_RETURN_IF_ERROR(PrepareChunks(updates[k].state, updates[k].chunks, options_, now, prefix, &rows));
    if (!uris.insert(updates[k].state.uri).second) {
      return Status::InvalidArgument("the source '" + updates[k].state.uri + "' is given twice",
                                     prefix + "uri");
    }
    begin[k + 1] = rows.size();
  }
  MEMD_ASSIGN_OR_RETURN(auto cube, GetCube(ref, /*create=*/true));
  // Embedding every chunk up front keeps the transaction short; sources are replaced only
  // when their bytes changed, so most chunks are new anyway.
  MEMD_RETURN_IF_ERROR(EmbedRows(rows, 0));

  IndexChanges changes;
  std::vector<ReplaceSourceResult> results(updates.size());
  auto body = [&](store::WriteTxn& txn) -> Status {
    changes.upserts.clear();
    for (std::size_t k = 0; k < updates.size(); ++k) {
      std::span<const PreparedRow> source_rows(rows.data() + begin[k], begin[k + 1] - begin[k]);
      MEMD_RETURN_IF_ERROR(ApplySource(txn, updates[k].state, source_rows, now, changes, &results[k]));
    }
    return Status::OK();
  };
  MEMD_RETURN_IF_ERROR(CommitToCube(*cube, body, changes).status());
  return results;
}

Result<std::int64_t> Engine::Impl::RemoveSource(const CubeRef& ref, std::string_view uri) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_RETURN_IF_ERROR(CheckUri(uri, "uri"));
  MEMD_ASSIGN_OR_RETURN(auto cube, GetCube(ref, /*create=*/false));
  const Timestamp now = Now();
  IndexChanges changes;
  std::int64_t removed = 0;
  auto body = [&](store::WriteTxn& txn) -> Status {
    changes.upserts.clear();
    removed = 0;
    MEMD_ASSIGN_OR_RETURN(std::vector<store::MemoryRow> old, txn.LiveBySource(uri));
    MEMD_ASSIGN_OR_RETURN(bool had_state, txn.DeleteSource(uri));
    if (!had_state && old.empty()) {
      return Status::NotFound("no source '" + std::string(uri) + "' in this cube");
    }
    for (auto& row : old) {
      MEMD_RETURN_IF_ERROR(SoftDelete(txn, std::move(row), now, changes));
      ++removed;
    }
    return Status::OK();
  };
  MEMD_RETURN_IF_ERROR(CommitToCube(*cube, body, changes).status());
  return removed;
}

Result<std::vector<SourceState>> Engine::Impl::ListSources(const CubeRef& ref, std::string_view uri_prefix) {
  MEMD_RETURN_IF_ERROR(engine::ValidateCubeRef(ref));
  MEMD_ASSIGN_OR_RETURN(auto cube, store_->FindCube(ref.user, ref.project));
  if (!cube) return std::vector<SourceState>();
  return store_->ListSources(cube->id, uri_prefix);
}

}  // namespace memd
