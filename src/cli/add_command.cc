// add: one memory from flags, or many from a JSON Lines file (validated in full before the
// first write, then added in batches).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "cli/commands.h"
#include "cli/input.h"
#include "cli/progress.h"
#include "engine/memory_codec.h"
#include "engine/validation.h"
#include "util/time_format.h"

namespace memd::cli {
namespace json = boost::json;

namespace {

// Memories per Engine::AddBatch call of `add --jsonl`; each batch is one transaction.
constexpr std::size_t kAddBatchSize = 1000;
// Batches of `add --jsonl` in flight at once: two keep both the embedding and the commit
// pipeline busy (docs/PERFORMANCE.md, bulk add with 2 callers).
constexpr std::size_t kBatchesInFlight = 2;

// Parses --lines "A-B" or "A" into a 1-based inclusive range.
Status ParseLineRange(const std::string& text, SourceRef* source) {
  auto parse = [](std::string_view s, std::int64_t* out) {
    if (s.empty() || s.size() > 15) return false;
    std::int64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
  };
  std::string_view s = text;
  std::size_t dash = s.find('-');
  std::int64_t start = 0;
  std::int64_t end = 0;
  bool ok = dash == std::string_view::npos ? parse(s, &start) && parse(s, &end)
                                           : parse(s.substr(0, dash), &start) && parse(s.substr(dash + 1), &end);
  if (!ok) return Status::InvalidArgument("--lines '" + text + "' is not a line range; use A-B or A, e.g. 10-42", "lines");
  source->line_start = start;
  source->line_end = end;
  return Status::OK();
}

// ---- add ------------------------------------------------------------------------------

struct AddOptions {
  std::string text;
  std::string kind;
  std::vector<std::string> tags;
  std::string metadata;
  std::string source;
  std::string lines;
  std::string id;
  std::int64_t ttl_seconds = 0;
  std::string expires_at;
  std::string idempotency_key;
  std::string jsonl;
};

Result<NewMemory> NewMemoryFromFlags(const AddOptions& o) {
  NewMemory m;
  m.text = o.text;
  if (!o.kind.empty()) m.kind = o.kind;
  m.tags = o.tags;
  if (!o.metadata.empty()) m.metadata = o.metadata;
  if (!o.source.empty()) {
    m.source = SourceRef{o.source, {}, {}};
    if (!o.lines.empty()) MEMD_RETURN_IF_ERROR(ParseLineRange(o.lines, &*m.source));
  }
  if (!o.id.empty()) m.id = o.id;
  if (o.ttl_seconds > 0) {
    constexpr std::int64_t kMaxTtlSeconds = std::int64_t{100} * 366 * 24 * 3600;
    if (o.ttl_seconds > kMaxTtlSeconds) {
      return Status::InvalidArgument("--ttl is above 100 years; omit it for a memory that never expires", "ttl");
    }
    m.expires_at = NowMillis() + o.ttl_seconds * 1000;
  }
  if (!o.expires_at.empty()) {
    auto t = ParseRfc3339(o.expires_at);
    if (!t.ok()) return t.status().WithField("expires_at");
    m.expires_at = *t;
  }
  return m;
}

Status RunAddOne(CommandContext& ctx, const AddOptions& o) {
  if (o.text.empty()) return Status::InvalidArgument("give the memory TEXT, or --jsonl FILE to add many", "text");
  MEMD_ASSIGN_OR_RETURN(NewMemory memory, NewMemoryFromFlags(o));
  MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
  WriteOptions write;
  write.idempotency_key = o.idempotency_key;
  MEMD_ASSIGN_OR_RETURN(AddResult result, engine->Add(ctx.cube(), memory, write));
  if (ctx.out().json()) {
    ctx.out().Json(engine::EncodeAddResult(result));
  } else {
    ctx.out().Text(result.deduplicated ? result.id + " (deduplicated)" : result.id);
  }
  return Status::OK();
}

// The memories of a JSON Lines file, validated, with their line numbers.
struct ParsedMemories {
  std::vector<NewMemory> memories;
  std::vector<std::size_t> lines;
};

Result<ParsedMemories> ParseMemoryLines(std::string_view content, const EngineOptions& options) {
  MEMD_ASSIGN_OR_RETURN(std::vector<JsonLine> lines, ParseJsonLines(content));
  ParsedMemories parsed;
  parsed.memories.reserve(lines.size());
  parsed.lines.reserve(lines.size());
  std::unordered_map<std::string, std::size_t> line_of_id;
  const Timestamp now = NowMillis();
  for (const JsonLine& line : lines) {
    auto memory = engine::DecodeNewMemory(line.value, "");
    if (!memory.ok()) return AtLine(memory.status(), line.line);
    Status valid = engine::NormalizeNewMemory(*memory, options, now, "");
    if (!valid.ok()) return AtLine(valid, line.line);
    if (memory->id) {
      auto [it, inserted] = line_of_id.emplace(*memory->id, line.line);
      if (!inserted) {
        return AtLine(Status::InvalidArgument("id " + *memory->id + " is also used on line " +
                                                  std::to_string(it->second) + "; ids must be unique",
                                              "id"),
                      line.line);
      }
    }
    parsed.memories.push_back(std::move(*memory));
    parsed.lines.push_back(line.line);
  }
  if (parsed.memories.empty()) return Status::InvalidArgument("the input holds no memories (no non-blank lines)", "jsonl");
  return parsed;
}

// Renames an AddBatch error about "items[k]..." to the input line of item k.
Status BatchErrorAtLine(const Status& status, const std::vector<std::size_t>& lines, std::size_t offset) {
  const std::string& field = status.field();
  constexpr std::string_view kItems = "items[";
  if (field.compare(0, kItems.size(), kItems) != 0) return status;
  std::size_t close = field.find(']', kItems.size());
  if (close == std::string::npos) return status;
  std::size_t k = 0;
  for (std::size_t i = kItems.size(); i < close; ++i) {
    if (field[i] < '0' || field[i] > '9') return status;
    k = k * 10 + static_cast<std::size_t>(field[i] - '0');
  }
  if (offset + k >= lines.size()) return status;
  std::string rest = field.substr(close + 1);
  if (!rest.empty() && rest.front() == '.') rest.erase(0, 1);
  return AtLine(status.WithField(rest), lines[offset + k]);
}

// The input lines of the batches that were added, as "a-b, c-d" (batches of kAddBatchSize).
std::string AddedLineRanges(const std::vector<std::optional<Result<std::vector<AddResult>>>>& outcomes,
                            const std::vector<std::size_t>& lines, std::size_t total) {
  std::string out;
  for (std::size_t b = 0; b < outcomes.size();) {
    if (!outcomes[b] || !outcomes[b]->ok()) {
      ++b;
      continue;
    }
    std::size_t last = b;
    while (last + 1 < outcomes.size() && outcomes[last + 1] && outcomes[last + 1]->ok()) ++last;
    if (!out.empty()) out += ", ";
    out += std::to_string(lines[b * kAddBatchSize]) + "-" +
           std::to_string(lines[std::min(total, (last + 1) * kAddBatchSize) - 1]);
    b = last + 1;
  }
  return out;
}

Status RunAddJsonl(CommandContext& ctx, const AddOptions& o) {
  MEMD_ASSIGN_OR_RETURN(std::string content, ReadInput(o.jsonl));
  // Everything is validated before the first write, so a bad line writes nothing.
  MEMD_ASSIGN_OR_RETURN(ParsedMemories parsed, ParseMemoryLines(content, ctx.engine_options()));
  content.clear();
  content.shrink_to_fit();
  MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());

  const std::size_t total = parsed.memories.size();
  const std::size_t batches = (total + kAddBatchSize - 1) / kAddBatchSize;
  Progress progress = Progress::ForStderr("adding", static_cast<std::int64_t>(total));
  // Batch b holds items [b * kAddBatchSize, ...). kBatchesInFlight callers overlap one
  // batch's embedding with another's commit; after a failure no new batch starts.
  std::vector<std::optional<Result<std::vector<AddResult>>>> outcomes(batches);
  std::atomic<std::size_t> next_batch{0};
  std::atomic<bool> failed{false};
  std::mutex progress_mu;
  auto worker = [&] {
    for (std::size_t b = next_batch.fetch_add(1); b < batches && !failed.load(); b = next_batch.fetch_add(1)) {
      const std::size_t start = b * kAddBatchSize;
      const std::size_t end = std::min(total, start + kAddBatchSize);
      std::vector<NewMemory> batch(std::make_move_iterator(parsed.memories.begin() + start),
                                   std::make_move_iterator(parsed.memories.begin() + end));
      auto added = engine->AddBatch(ctx.cube(), batch);
      if (!added.ok()) failed = true;
      outcomes[b] = std::move(added);
      std::lock_guard lock(progress_mu);
      progress.Advance(static_cast<std::int64_t>(end - start));
    }
  };
  {
    std::vector<std::jthread> callers;
    for (std::size_t i = 1; i < std::min(kBatchesInFlight, batches); ++i) callers.emplace_back(worker);
    worker();
  }
  progress.Finish();
  std::vector<AddResult> results;
  results.reserve(total);
  for (std::size_t b = 0; b < batches; ++b) {
    if (outcomes[b] && outcomes[b]->ok()) {
      for (AddResult& r : **outcomes[b]) results.push_back(std::move(r));
      continue;
    }
    if (!outcomes[b] || outcomes[b]->ok()) continue;
    Status error = BatchErrorAtLine(outcomes[b]->status(), parsed.lines, b * kAddBatchSize);
    std::string added_lines = AddedLineRanges(outcomes, parsed.lines, total);
    if (!added_lines.empty()) {
      error = Status(error.code(), error.message() + "; the memories of lines " + added_lines + " were added",
                     error.field());
    }
    return error;
  }

  std::int64_t deduplicated = 0;
  for (const AddResult& r : results) deduplicated += r.deduplicated ? 1 : 0;
  const std::int64_t added = static_cast<std::int64_t>(results.size()) - deduplicated;
  if (ctx.out().json()) {
    json::array ids;
    ids.reserve(results.size());
    for (const AddResult& r : results) ids.emplace_back(r.id);
    ctx.out().Json(json::object{{"added", added}, {"deduplicated", deduplicated}, {"ids", std::move(ids)}});
  } else {
    ctx.out().Text("added " + std::to_string(added) + ", deduplicated " + std::to_string(deduplicated));
  }
  return Status::OK();
}

}  // namespace

void AddAddCommand(CLI::App& app, Action* selected) {
  auto o = std::make_shared<AddOptions>();
  CLI::App* sub = app.add_subcommand("add", "Add a memory (or many, from JSON Lines)");
  sub->footer(
      "TEXT and --jsonl exclude each other; with --jsonl every field comes from the file.\n"
      "Examples:\n"
      "  memd add 'The build uses Ninja' --kind fact --tag build --source docs/BUILD.md --lines 3-5\n"
      "  memd add --jsonl memories.jsonl   # one {\"text\",\"kind\"?,\"tags\"?,\"metadata\"?,\"source\"?,\"id\"?,\"expires_at\"?}\n"
      "                                    # per line; '-' reads stdin");
  std::vector<CLI::Option*> single;
  single.push_back(sub->add_option("text", o->text, "Text of the memory (UTF-8)")->type_name("TEXT"));
  single.push_back(sub->add_option("--kind", o->kind, "fact, message, document, code, note (default) or any label")
                       ->type_name("KIND"));
  single.push_back(sub->add_option("--tag", o->tags, "A tag; repeat for several")->type_name("TAG")->allow_extra_args(false));
  single.push_back(sub->add_option("--metadata", o->metadata, "A JSON object, e.g. '{\"lang\":\"en\"}'")->type_name("JSON"));
  CLI::Option* source = sub->add_option("--source", o->source, "Where the memory came from: a URI or path")->type_name("URI");
  single.push_back(source);
  single.push_back(sub->add_option("--lines", o->lines, "1-based line range in --source, e.g. 10-42 or 7")
                       ->type_name("A-B")
                       ->needs(source));
  single.push_back(sub->add_option("--id", o->id, "Use this ULID as the id instead of a new one")->type_name("ULID"));
  CLI::Option* ttl = sub->add_option("--ttl", o->ttl_seconds, "Expire after this many seconds")
                         ->type_name("SECONDS")
                         ->check(CLI::PositiveNumber);
  CLI::Option* expires = sub->add_option("--expires-at", o->expires_at, "Expire at this time, e.g. 2030-01-01T00:00:00Z")
                             ->type_name("RFC3339");
  ttl->excludes(expires);
  single.push_back(ttl);
  single.push_back(expires);
  single.push_back(sub->add_option("--idempotency-key", o->idempotency_key,
                                   "Replaying the same key with the same content returns the first result "
                                   "and writes nothing; other content is a conflict")
                       ->type_name("KEY"));
  sub->add_option("--jsonl", o->jsonl,
                  "Add one memory per line of FILE ('-': stdin). Every line is validated before anything is written")
      ->type_name("FILE");
  OnParsed(sub, selected, [o, single](CommandContext& ctx) -> Status {
    if (o->jsonl.empty()) return RunAddOne(ctx, *o);
    MEMD_RETURN_IF_ERROR(CheckJsonlAlone(single));
    return RunAddJsonl(ctx, *o);
  });
}

}  // namespace memd::cli
