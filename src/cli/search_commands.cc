// search (one query, or one per line of a JSON Lines file) and context.
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/input.h"
#include "cli/render.h"
#include "engine/memory_codec.h"

namespace memd::cli {
namespace json = boost::json;

namespace {

struct SearchOptions {
  SearchRequest request;
  std::string mode = "hybrid";
  double min_score = 0;
  std::vector<std::string> projects;
  std::string jsonl;
};

json::object EncodeResults(const std::vector<Hit>& hits) {
  json::array results;
  results.reserve(hits.size());
  for (const Hit& h : hits) results.push_back(engine::EncodeHit(h));
  return json::object{{"results", std::move(results)}};
}

// Runs every query of a JSON Lines file and prints one {"results":[...]} line per query, in
// input order. All lines are decoded first and all queries run before anything is printed,
// so a failure leaves stdout empty.
Status RunSearchJsonl(CommandContext& ctx, const SearchOptions& o, const std::vector<std::string>& projects) {
  MEMD_ASSIGN_OR_RETURN(std::string content, ReadInput(o.jsonl));
  MEMD_ASSIGN_OR_RETURN(std::vector<JsonLine> lines, ParseJsonLines(content));
  std::vector<SearchRequest> requests;
  requests.reserve(lines.size());
  for (const JsonLine& line : lines) {
    auto request = engine::DecodeSearchRequest(line.value, "");
    if (!request.ok()) return AtLine(request.status(), line.line);
    if (request->query.empty()) return AtLine(Status::InvalidArgument("query is empty", "query"), line.line);
    requests.push_back(std::move(request).value());
  }
  MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
  std::vector<std::string> out;
  out.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto hits = engine->Search(ctx.options().user, projects, requests[i]);
    if (!hits.ok()) return AtLine(hits.status(), lines[i].line);
    out.push_back(engine::ToJsonText(EncodeResults(*hits)));
  }
  for (const std::string& line : out) ctx.out().Text(line);
  return Status::OK();
}

Status RunSearch(CommandContext& ctx, const SearchOptions& o, bool min_score_given) {
  std::vector<std::string> projects = o.projects;
  if (projects.empty()) projects.push_back(ctx.options().project);
  if (!o.jsonl.empty()) return RunSearchJsonl(ctx, o, projects);

  SearchRequest request = o.request;
  if (request.query.empty()) return Status::InvalidArgument("give a QUERY, or --jsonl FILE with one query per line", "query");
  auto mode = ParseSearchMode(o.mode);
  if (!mode) return Status::InvalidArgument("unknown mode '" + o.mode + "'; use hybrid, vector or lexical", "mode");
  request.mode = *mode;
  if (min_score_given) request.min_score = o.min_score;
  MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
  MEMD_ASSIGN_OR_RETURN(std::vector<Hit> hits, engine->Search(ctx.options().user, projects, request));
  if (ctx.out().json()) {
    ctx.out().Json(EncodeResults(hits));
  } else if (hits.empty()) {
    ctx.out().Text("(no results)");
  } else {
    ctx.out().out() << RenderHitTable(hits, projects.size() > 1);
  }
  return Status::OK();
}

void AddSearch(CLI::App& app, Action* selected) {
  auto o = std::make_shared<SearchOptions>();
  CLI::App* sub = app.add_subcommand("search", "Search memories by meaning and keywords");
  sub->footer(
      "Filters (--filter, also for list and context):\n"
      "  {\"field\": F, \"op\": OP, \"value\": V} | {\"and\": [...]} | {\"or\": [...]} | {\"not\": filter}\n"
      "  F: kind, tags, created_at, updated_at, source, metadata.<key>[.<key>...]\n"
      "  OP: eq ne gt gte lt lte in nin contains (tags: any all); times are ms or RFC 3339\n"
      "Examples:\n"
      "  memd search 'how do we build' --top-k 5\n"
      "  memd search deploy --filter '{\"field\":\"tags\",\"op\":\"any\",\"value\":[\"ops\"]}'\n"
      "  memd search --jsonl queries.jsonl   # one {\"query\",\"top_k\"?,\"mode\"?,\"filter\"?,\"min_score\"?,\"explain\"?}\n"
      "                                      # per line; prints one {\"results\":[...]} JSON line per query");
  std::vector<CLI::Option*> single;
  single.push_back(sub->add_option("query", o->request.query, "What to search for")->type_name("QUERY"));
  single.push_back(sub->add_option("--top-k", o->request.top_k, "Number of results (1-1000)")
                       ->type_name("N")
                       ->capture_default_str());
  single.push_back(sub->add_option("--mode", o->mode, "hybrid (BM25 + vectors), vector or lexical")
                       ->type_name("MODE")
                       ->check(CLI::IsMember({"hybrid", "vector", "lexical"}))
                       ->capture_default_str());
  single.push_back(sub->add_option("--filter", o->request.filter, "Filter as JSON (grammar below)")->type_name("JSON"));
  CLI::Option* min_score = sub->add_option("--min-score", o->min_score, "Drop results scoring below this")
                               ->type_name("SCORE");
  single.push_back(min_score);
  single.push_back(sub->add_flag("--explain", o->request.explain, "Show each signal's score and rank"));
  sub->add_option("--projects", o->projects, "Projects of the user to search, comma-separated (default: --project)")
      ->type_name("P1,P2")
      ->delimiter(',')
      ->allow_extra_args(false);
  sub->add_option("--jsonl", o->jsonl, "Run one query per line of FILE ('-': stdin); output is always JSON Lines")
      ->type_name("FILE");
  OnParsed(sub, selected, [o, min_score, single](CommandContext& ctx) -> Status {
    if (!o->jsonl.empty()) MEMD_RETURN_IF_ERROR(CheckJsonlAlone(single));
    return RunSearch(ctx, *o, min_score->count() > 0);
  });
}

struct ContextOptions {
  ContextRequest request;
  bool no_preferences = false;
};

void AddContext(CLI::App& app, Action* selected) {
  auto o = std::make_shared<ContextOptions>();
  CLI::App* sub = app.add_subcommand("context", "Build a prompt-ready block: preferences, then the best memories");
  sub->add_option("query", o->request.query, "What the prompt is about")->type_name("QUERY")->required();
  sub->add_option("--budget", o->request.token_budget, "Token budget of the block (64-200000)")->type_name("TOKENS")->capture_default_str();
  sub->add_option("--filter", o->request.filter, "Filter as JSON (see 'memd search --help')")->type_name("JSON");
  sub->add_flag("--no-preferences", o->no_preferences, "Leave the project's preferences out");
  OnParsed(sub, selected, [o](CommandContext& ctx) -> Status {
    ContextRequest request = o->request;
    request.include_preferences = !o->no_preferences;
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(ContextBlock block, engine->Context(ctx.cube(), request));
    if (ctx.out().json()) {
      ctx.out().Json(engine::EncodeContextBlock(block));
    } else if (block.text.empty()) {
      ctx.out().Note("(nothing matched and the project has no preferences)");
    } else {
      ctx.out().Text(block.text);
    }
    return Status::OK();
  });
}

}  // namespace

void AddSearchCommands(CLI::App& app, Action* selected) {
  AddSearch(app, selected);
  AddContext(app, selected);
}

}  // namespace memd::cli
