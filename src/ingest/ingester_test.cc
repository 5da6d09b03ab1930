#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <vector>

#include "ingest/extract_test_util.h"
#include "ingest/http_test_server.h"
#include "ingest/ingest_test_util.h"
#include "memd/engine.h"
#include "memd/ingest.h"
#include "util/json.h"
#include "util/temp_dir.h"

namespace memd {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ingest::testing::FixtureTree;

std::size_t Reason(SkipReason r) { return static_cast<std::size_t>(r); }

class IngesterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("memd-ingester-test-");
    ASSERT_TRUE(dir.ok());
    data_ = std::make_unique<TempDir>(std::move(*dir));
    Reopen();
  }

  // Closes the engine (if open) and opens it again on the same data directory.
  void Reopen() {
    engine_.reset();
    EngineOptions options;
    options.data_dir = data_->path();
    options.durability = Durability::kNormal;
    auto engine = Engine::Open(std::move(options));
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(*engine);
  }

  IngestReport Run(const std::vector<std::string>& paths, IngestOptions options = {},
                   const IngestProgressFn& progress = {}, const std::atomic<bool>* cancel = nullptr) {
    IngestRequest request;
    request.paths = paths;
    request.options = std::move(options);
    auto report = Ingest(*engine_, cube_, request, progress, cancel);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    if (!report.ok()) return {};
    EXPECT_TRUE(report->stopped_by.ok()) << report->stopped_by.ToString();
    for (const FailedPath& f : report->failed) ADD_FAILURE() << "failed: " << f.path << ": " << f.error.ToString();
    return std::move(*report);
  }

  std::vector<Memory> Live() {
    std::vector<Memory> out;
    ListRequest request;
    request.limit = 1000;
    for (;;) {
      auto page = engine_->List(cube_, request);
      if (!page.ok()) return out;  // no cube yet
      for (Memory& m : page->memories) out.push_back(std::move(m));
      if (page->next_cursor.empty()) break;
      request.cursor = page->next_cursor;
    }
    return out;
  }

  std::vector<Memory> LiveOf(const std::string& uri) {
    std::vector<Memory> out;
    for (Memory& m : Live()) {
      if (m.source && m.source->uri == uri) out.push_back(std::move(m));
    }
    return out;
  }

  std::string Meta(const Memory& m, const std::string& key) {
    auto v = ParseJson(m.metadata, "metadata");
    if (!v.ok() || !v->is_object() || !v->as_object().contains(key)) return "<absent>";
    const auto& x = v->as_object().at(key);
    return x.is_string() ? std::string(x.as_string()) : CompactJson(x);
  }

  std::string Version() {
    auto v = engine_->CubeVersion(cube_);
    return v.ok() ? *v : "<none>";
  }

  // A small project: code in three languages, docs, and the usual noise.
  void WriteProject(FixtureTree& t) {
    t.Write(".gitignore", "*.log\n!keep.log\nsecrets/\n");
    t.Write("src/.gitignore", "!debug.log\n");
    t.Write("src/geo.py",
            "import math\n\n\n"
            "def haversine_distance(lat1, lon1, lat2, lon2):\n"
            "    \"\"\"Great-circle distance in kilometres between two points on the Earth.\"\"\"\n"
            "    r = 6371.0\n"
            "    p1, p2 = math.radians(lat1), math.radians(lat2)\n"
            "    dp = p2 - p1\n"
            "    dl = math.radians(lon2 - lon1)\n"
            "    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2\n"
            "    return 2 * r * math.asin(math.sqrt(a))\n\n\n"
            "def bearing(lat1, lon1, lat2, lon2):\n"
            "    \"\"\"Initial compass bearing from the first point towards the second.\"\"\"\n"
            "    y = math.sin(lon2 - lon1) * math.cos(lat2)\n"
            "    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)\n"
            "    return (math.degrees(math.atan2(y, x)) + 360) % 360\n");
    t.Write("src/config.cc",
            "#include <string>\n\n"
            "namespace app {\n\n"
            "// Reads the YAML configuration file from disk and fills in default values.\n"
            "Config LoadConfig(const std::string& path) {\n"
            "  Config config;\n"
            "  std::string text = ReadWholeFile(path);\n"
            "  ParseYamlInto(text, &config);\n"
            "  ApplyDefaults(&config);\n"
            "  return config;\n"
            "}\n\n"
            "// Retries an HTTP request with exponential backoff until it succeeds.\n"
            "Response FetchWithRetry(Client& client, const Request& request) {\n"
            "  int delay_ms = 100;\n"
            "  for (int attempt = 0; attempt < 5; ++attempt) {\n"
            "    Response r = client.Send(request);\n"
            "    if (r.ok()) return r;\n"
            "    SleepFor(delay_ms);\n"
            "    delay_ms *= 2;\n"
            "  }\n"
            "  return Response::Failed();\n"
            "}\n\n"
            "}  // namespace app\n");
    t.Write("src/cache.go",
            "package cache\n\n"
            "// Evict removes the least recently used entries until the cache fits its memory budget.\n"
            "func (c *LRU) Evict() {\n"
            "\tfor c.bytes > c.budget {\n"
            "\t\toldest := c.list.Back()\n"
            "\t\tc.remove(oldest)\n"
            "\t}\n"
            "}\n");
    t.Write("docs/guide.md", "# Guide\n\nHow to install the tool.\n\n## Usage\n\nRun it with a path.\n");
    t.Write("keep.log", "kept log line\n");
    t.Write("app.log", "ignored log line\n");
    t.Write("src/debug.log", "re-included by the nested negation\n");
    t.Write("secrets/key.txt", "secret\n");
    t.Write("node_modules/dep/index.js", "module.exports = 1;\n");
    t.Write("bin/tool", std::string("\x7f" "ELF\x02\x01\x01\0\0\0binary", 16));
    t.Write("data/huge.txt", std::string(2 << 20, 'x'));
    t.Write("legacy/latin1.txt", "caf\xe9 cr\xe8me br\xfbl\xe9" "e\n");
    t.Symlink("..", "src/loop");
    t.Symlink(outside_.root(), "outside");
    outside_.Write("secret.txt", "outside the root\n");
  }

  FixtureTree outside_;
  std::unique_ptr<TempDir> data_;
  std::unique_ptr<Engine> engine_;
  const CubeRef cube_{"alice", "proj"};
};

TEST_F(IngesterTest, FirstIngestLoadsTextAndReportsEverySkipWithItsReason) {
  FixtureTree t;
  WriteProject(t);
  const IngestReport r = Run({t.root()});
  // Taken: .gitignore, src/.gitignore, geo.py, config.cc, cache.go, guide.md, keep.log,
  // src/debug.log, latin1.txt. Skipped files: app.log, bin/tool, huge.txt.
  EXPECT_EQ(r.files_ingested, 9);
  EXPECT_EQ(r.files_unchanged, 0);
  EXPECT_EQ(r.files_transcoded, 1);
  EXPECT_EQ(r.skipped_by_reason[Reason(SkipReason::kIgnored)], 2);  // app.log, secrets/
  EXPECT_EQ(r.skipped_by_reason[Reason(SkipReason::kDefaultExcluded)], 1);  // node_modules/
  EXPECT_EQ(r.skipped_by_reason[Reason(SkipReason::kBinary)], 1);
  EXPECT_EQ(r.skipped_by_reason[Reason(SkipReason::kTooLarge)], 1);
  EXPECT_EQ(r.skipped_by_reason[Reason(SkipReason::kSymlinkLoop)], 1);
  EXPECT_EQ(r.skipped_by_reason[Reason(SkipReason::kSymlinkEscapesRoot)], 1);
  EXPECT_EQ(r.files_skipped, 3);  // app.log, tool, huge.txt
  EXPECT_EQ(r.dirs_skipped, 4);   // secrets/, node_modules/, and the links to directories
  EXPECT_EQ(r.files_seen, r.files_ingested + r.files_skipped);
  EXPECT_GT(r.chunks_added, 9);
  EXPECT_EQ(r.chunks_removed, 0);
  EXPECT_GT(r.bytes_read, 0);
  std::map<std::string, SkipReason> skipped;
  for (const SkippedPath& s : r.skipped) skipped[s.path] = s.reason;
  EXPECT_EQ(skipped.at(t.Path("bin/tool")), SkipReason::kBinary);
  EXPECT_EQ(skipped.at(t.Path("data/huge.txt")), SkipReason::kTooLarge);
  EXPECT_EQ(skipped.at(t.Path("outside")), SkipReason::kSymlinkEscapesRoot);

  // Chunk memories: kind, source, metadata, context header.
  const std::vector<Memory> geo = LiveOf(t.Path("src/geo.py"));
  ASSERT_FALSE(geo.empty());
  const Memory* haversine = nullptr;
  for (const Memory& m : geo) {
    EXPECT_EQ(m.kind, "code");
    EXPECT_EQ(Meta(m, "path"), "src/geo.py");
    EXPECT_EQ(Meta(m, "language"), "python");
    EXPECT_EQ(Meta(m, "content_hash").size(), 64u);
    if (Meta(m, "symbol").find("haversine_distance") != std::string::npos) haversine = &m;
  }
  ASSERT_NE(haversine, nullptr);
  EXPECT_THAT(haversine->text, ::testing::StartsWith("File: src/geo.py | Symbol: "));
  ASSERT_TRUE(haversine->source->line_start.has_value());
  EXPECT_LE(*haversine->source->line_start, 4);
  EXPECT_GE(*haversine->source->line_end, 11);
  const std::vector<Memory> guide = LiveOf(t.Path("docs/guide.md"));
  ASSERT_FALSE(guide.empty());
  EXPECT_EQ(guide[0].kind, "document");
  const std::vector<Memory> latin = LiveOf(t.Path("legacy/latin1.txt"));
  ASSERT_EQ(latin.size(), 1u);
  EXPECT_THAT(latin[0].text, HasSubstr("café crème brûlée"));
  EXPECT_EQ(Meta(latin[0], "encoding"), "windows-1252");
  EXPECT_TRUE(LiveOf(outside_.Path("secret.txt")).empty());
  EXPECT_TRUE(LiveOf(t.Path("app.log")).empty());
}

TEST_F(IngesterTest, SecondIdenticalIngestChangesNothing) {
  FixtureTree t;
  WriteProject(t);
  const IngestReport first = Run({t.root()});
  const std::string version = Version();
  const std::size_t live = Live().size();
  const IngestReport second = Run({t.root()});
  EXPECT_EQ(second.files_ingested, 0);
  EXPECT_EQ(second.files_unchanged, first.files_ingested);
  EXPECT_EQ(second.files_removed, 0);
  EXPECT_EQ(second.chunks_added, 0);
  EXPECT_EQ(second.chunks_removed, 0);
  // Unchanged files are not read; only bin/tool, a binary file without a telling
  // extension, is sniffed again (skipped files have no stored state).
  EXPECT_EQ(second.bytes_read, 16);
  EXPECT_EQ(second.skipped_by_reason, first.skipped_by_reason);
  EXPECT_EQ(Version(), version) << "the cube did not change";
  EXPECT_EQ(Live().size(), live);
}

TEST_F(IngesterTest, ChangedDeletedRenamedAndNewlyIgnoredFilesBetweenTwoIngests) {
  FixtureTree t;
  t.Write("a.py", "def alpha():\n    return 'first version of alpha'\n");
  t.Write("b.py", "def beta():\n    return 'beta stays'\n");
  t.Write("c.py", "def gamma():\n    return 'gamma is deleted'\n");
  t.Write("d.py", "def delta():\n    return 'delta is renamed'\n");
  t.Write("e.py", "def epsilon():\n    return 'epsilon becomes ignored'\n");
  const IngestReport first = Run({t.root()});
  EXPECT_EQ(first.files_ingested, 5);

  t.Write("a.py", "def alpha():\n    return 'second version of alpha, longer'\n");
  t.Remove("c.py");
  ASSERT_EQ(rename(t.Path("d.py").c_str(), t.Path("renamed.py").c_str()), 0);
  t.Write(".memdignore", "e.py\n");
  const IngestReport second = Run({t.root()});
  EXPECT_EQ(second.files_ingested, 3);  // a.py (changed), renamed.py (new), .memdignore (new)
  EXPECT_EQ(second.files_unchanged, 1);  // b.py
  EXPECT_EQ(second.files_removed, 3);    // c.py, d.py, e.py
  EXPECT_THAT(second.removed, ::testing::UnorderedElementsAre(t.Path("c.py"), t.Path("d.py"), t.Path("e.py")));
  EXPECT_EQ(second.chunks_removed, 4);   // the old chunk of a.py and the three removed files'
  EXPECT_TRUE(LiveOf(t.Path("c.py")).empty());
  EXPECT_TRUE(LiveOf(t.Path("d.py")).empty());
  EXPECT_TRUE(LiveOf(t.Path("e.py")).empty());
  ASSERT_EQ(LiveOf(t.Path("renamed.py")).size(), 1u);
  const std::vector<Memory> a = LiveOf(t.Path("a.py"));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_THAT(a[0].text, HasSubstr("second version"));
  auto states = engine_->ListSources(cube_, t.root() + "/");
  ASSERT_TRUE(states.ok());
  std::vector<std::string> uris;
  for (const SourceState& s : *states) uris.push_back(s.uri);
  EXPECT_THAT(uris, ::testing::ElementsAre(t.Path(".memdignore"), t.Path("a.py"), t.Path("b.py"),
                                           t.Path("renamed.py")));
}

TEST_F(IngesterTest, TouchedFileIsUnchangedAndItsMtimeIsRefreshed) {
  FixtureTree t;
  t.Write("a.md", "# A\n\nSome text.\n");
  t.SetMtime("a.md", 1700000000);
  Run({t.root()});
  const std::vector<Memory> before = LiveOf(t.Path("a.md"));
  t.SetMtime("a.md", 1700000100);
  const IngestReport touched = Run({t.root()});
  EXPECT_EQ(touched.files_unchanged, 1);
  EXPECT_EQ(touched.files_ingested, 0);
  EXPECT_EQ(touched.chunks_added, 0);
  EXPECT_GT(touched.bytes_read, 0) << "the content hash had to be checked";
  EXPECT_EQ(LiveOf(t.Path("a.md"))[0].id, before[0].id) << "chunks are kept, not re-added";
  const IngestReport again = Run({t.root()});
  EXPECT_EQ(again.bytes_read, 0) << "the stored mtime was refreshed";
}

TEST_F(IngesterTest, ChangedChunkOptionsRechunkUnchangedFiles) {
  FixtureTree t;
  std::string text;
  for (int i = 0; i < 40; ++i) text += "Paragraph " + std::to_string(i) + " has a few words in it.\n\n";
  t.Write("notes.txt", text);
  Run({t.root()});
  const std::size_t default_chunks = LiveOf(t.Path("notes.txt")).size();
  IngestOptions small;
  small.chunking.max_bytes = 256;
  small.chunking.min_bytes = 0;
  small.chunking.overlap_bytes = 0;
  const IngestReport r = Run({t.root()}, small);
  EXPECT_EQ(r.files_ingested, 1);
  EXPECT_GT(LiveOf(t.Path("notes.txt")).size(), default_chunks);
}

TEST_F(IngesterTest, SearchingForWhatAFunctionDoesFindsTheChunkThatDefinesIt) {
  FixtureTree t;
  WriteProject(t);
  Run({t.root()});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"distance between two points on the earth", "haversine_distance"},
      {"read the configuration file and apply defaults", "app::LoadConfig"},
      {"retry a request with exponential backoff", "app::FetchWithRetry"},
      {"evict least recently used cache entries", "LRU.Evict"},
  };
  for (const auto& [query, symbol] : cases) {
    SearchRequest request;
    request.query = query;
    request.top_k = 3;
    auto hits = engine_->Search(cube_.user, {cube_.project}, request);
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    ASSERT_FALSE(hits->empty()) << query;
    EXPECT_THAT(Meta((*hits)[0].memory, "symbol"), HasSubstr(symbol)) << query;
  }
}

TEST_F(IngesterTest, DocumentsAndConversationsBecomeChunksWithTheirMetadata) {
  FixtureTree t;
  t.Write("chat.jsonl",
          "{\"role\": \"user\", \"content\": \"Which port does the staging database use?\", "
          "\"timestamp\": \"2024-05-01T09:00:00Z\"}\n"
          "{\"role\": \"assistant\", \"content\": \"Staging Postgres listens on 6543.\", "
          "\"timestamp\": \"2024-05-01T09:00:05Z\"}\n");
  t.Write("page.html",
          "<html><head><title>Runbook</title><script>track()</script></head><body><nav>Menu</nav>\n"
          "<h2>Restart</h2>\n<p>Restart the worker with systemctl.</p></body></html>\n");
  t.Write("paper.pdf", ingest::testing::MakePdf({{"Turbines convert wind into power."}, {"Second page text."}}));
  t.Write("package.json", "{\"name\": \"x\", \"version\": \"1.0.0\"}\n");
  const IngestReport r = Run({t.root()});
  EXPECT_EQ(r.files_ingested, 4);

  const std::vector<Memory> chat = LiveOf(t.Path("chat.jsonl"));
  ASSERT_EQ(chat.size(), 2u);
  for (const Memory& m : chat) {
    EXPECT_EQ(m.kind, "message");
    if (Meta(m, "role") == "assistant") {
      EXPECT_THAT(m.text, HasSubstr("assistant: Staging Postgres listens on 6543."));
      EXPECT_EQ(Meta(m, "timestamp"), "2024-05-01T09:00:05.000Z");
      EXPECT_EQ(m.source->line_start, 2);
    }
  }
  const std::vector<Memory> page = LiveOf(t.Path("page.html"));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].kind, "document");
  EXPECT_THAT(page[0].text, HasSubstr("Restart the worker with systemctl."));
  EXPECT_THAT(page[0].text, ::testing::Not(HasSubstr("track()")));
  EXPECT_THAT(page[0].text, ::testing::Not(HasSubstr("Menu")));
  EXPECT_EQ(Meta(page[0], "title"), "Runbook");
  const std::vector<Memory> pdf = LiveOf(t.Path("paper.pdf"));
  ASSERT_EQ(pdf.size(), 1u);
  EXPECT_THAT(pdf[0].text, HasSubstr("Turbines convert wind into power."));
  EXPECT_EQ(Meta(pdf[0], "page_start"), "1");
  EXPECT_EQ(Meta(pdf[0], "page_end"), "2");
  const std::vector<Memory> pkg = LiveOf(t.Path("package.json"));
  ASSERT_EQ(pkg.size(), 1u);
  EXPECT_EQ(pkg[0].kind, "code") << "JSON that is not a conversation is code";
}

TEST_F(IngesterTest, NonUtf8FilesCanBeSkippedInstead) {
  FixtureTree t;
  t.Write("latin1.txt", "caf\xe9\n");
  IngestOptions options;
  options.non_utf8 = NonUtf8Policy::kSkip;
  const IngestReport r = Run({t.root()}, options);
  EXPECT_EQ(r.files_ingested, 0);
  EXPECT_EQ(r.skipped_by_reason[Reason(SkipReason::kNotUtf8)], 1);
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0].detail, "invalid UTF-8 at byte 3");
}

TEST_F(IngesterTest, CancelledIngestStopsBetweenFilesAndARerunAfterRestartFinishesTheWork) {
  FixtureTree t;
  for (int i = 0; i < 5; ++i) t.Write("f" + std::to_string(i) + ".txt", "file number " + std::to_string(i) + "\n");
  std::atomic<bool> cancel{false};
  const IngestReport partial = Run(
      {t.root()}, {},
      [&](const IngestProgress& p) {
        if (p.phase == IngestProgress::Phase::kIngesting && p.files_ingested == 2) cancel = true;
      },
      &cancel);
  EXPECT_TRUE(partial.cancelled);
  EXPECT_EQ(partial.files_ingested, 2);
  EXPECT_EQ(Live().size(), 2u) << "whole files only";
  Reopen();  // as after a crash or a restart
  const IngestReport rest = Run({t.root()});
  EXPECT_FALSE(rest.cancelled);
  EXPECT_EQ(rest.files_unchanged, 2);
  EXPECT_EQ(rest.files_ingested, 3);
  EXPECT_EQ(Live().size(), 5u);
}

TEST_F(IngesterTest, ExplicitFilesAndMissingPaths) {
  FixtureTree t;
  t.Write(".gitignore", "*.txt\n");
  t.Write("named.txt", "ignored by .gitignore but named explicitly\n");
  IngestReport r = Run({t.Path("named.txt")});
  EXPECT_EQ(r.files_ingested, 1);
  ASSERT_EQ(LiveOf(t.Path("named.txt")).size(), 1u);
  t.Remove("named.txt");
  IngestRequest request;
  request.paths = {t.Path("named.txt")};
  auto gone = Ingest(*engine_, cube_, request);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->files_removed, 1);
  EXPECT_EQ(gone->files_failed, 1);
  ASSERT_EQ(gone->failed.size(), 1u);
  EXPECT_EQ(gone->failed[0].error.code(), StatusCode::kNotFound);
  EXPECT_TRUE(LiveOf(t.Path("named.txt")).empty());
}

TEST_F(IngesterTest, ProgressIsReportedWithTotals) {
  FixtureTree t;
  for (int i = 0; i < 3; ++i) t.Write("f" + std::to_string(i) + ".txt", "text " + std::to_string(i) + "\n");
  std::vector<IngestProgress> seen;
  Run({t.root()}, {}, [&](const IngestProgress& p) { seen.push_back(p); });
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen.back().files_total, 3);
  EXPECT_EQ(seen.back().files_done, 3);
  EXPECT_EQ(seen.back().current_path, t.Path("f2.txt"));
}

TEST_F(IngesterTest, InvalidRequestsAreRejectedBeforeAnyWork) {
  IngestRequest request;
  EXPECT_EQ(Ingest(*engine_, cube_, request).status().field(), "paths");
  request.paths = {"/tmp"};
  request.options.chunking.max_bytes = 10;
  EXPECT_EQ(Ingest(*engine_, cube_, request).status().field(), "chunking.max_bytes");
  request.options = {};
  request.options.tags = {""};
  EXPECT_EQ(Ingest(*engine_, cube_, request).status().field(), "tags[0]");
  request.options = {};
  FixtureTree t;
  request.paths = {t.root()};
  EXPECT_EQ(Ingest(*engine_, CubeRef{"bad user!", "p"}, request).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(IngesterTest, UrlsAreFetchedRevalidatedReplacedAndRemovedWhenGone) {
  std::mutex mu;
  std::string body = "<html><title>Runbook</title><p>Rotate the logs every night.</p></html>";
  std::string etag = "\"1\"";
  bool gone = false;
  int revalidated = 0;
  ingest::testing::HttpTestServer server([&](const ingest::testing::HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    ingest::testing::HttpResponse out;
    if (gone) {
      out.status = 410;
    } else if (r.path == "/big") {
      out.headers = {{"Content-Type", "text/plain"}};
      out.body.assign(100000, 'z');
    } else if (r.headers.contains("if-none-match") && r.headers.at("if-none-match") == etag) {
      ++revalidated;
      out.status = 304;
    } else {
      out.headers = {{"Content-Type", "text/html"}, {"ETag", etag}};
      out.body = body;
    }
    return out;
  });
  ASSERT_TRUE(server.ok());
  const std::string url = server.Url("/runbook");
  const IngestReport first = Run({url});
  EXPECT_EQ(first.files_ingested, 1);
  EXPECT_EQ(first.bytes_read, static_cast<std::int64_t>(body.size()));
  std::vector<Memory> chunks = LiveOf(url);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].kind, "document");
  EXPECT_THAT(chunks[0].text, ::testing::StartsWith("URL: " + url));
  EXPECT_THAT(chunks[0].text, HasSubstr("Rotate the logs every night."));
  auto states = engine_->ListSources(cube_, url);
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ((*states)[0].etag, "\"1\"");

  const std::string version = Version();
  const IngestReport second = Run({url});
  EXPECT_EQ(second.files_unchanged, 1);
  EXPECT_EQ(second.bytes_read, 0);
  EXPECT_EQ(revalidated, 1);
  EXPECT_EQ(Version(), version);

  {
    std::lock_guard<std::mutex> lock(mu);
    body = "<html><p>Rotate the logs every hour.</p></html>";
    etag = "\"2\"";
  }
  const IngestReport third = Run({url});
  EXPECT_EQ(third.files_ingested, 1);
  chunks = LiveOf(url);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_THAT(chunks[0].text, HasSubstr("every hour"));

  {
    std::lock_guard<std::mutex> lock(mu);
    gone = true;
  }
  IngestRequest request;
  request.paths = {url};
  auto fourth = Ingest(*engine_, cube_, request);
  ASSERT_TRUE(fourth.ok());
  EXPECT_EQ(fourth->files_failed, 1);
  EXPECT_EQ(fourth->failed[0].error.code(), StatusCode::kNotFound);
  EXPECT_EQ(fourth->files_removed, 1);
  EXPECT_TRUE(LiveOf(url).empty());

  {
    std::lock_guard<std::mutex> lock(mu);
    gone = false;
  }
  IngestOptions small;
  small.urls.max_bytes = 50000;
  const IngestReport big = Run({server.Url("/big")}, small);
  EXPECT_EQ(big.skipped_by_reason[Reason(SkipReason::kTooLarge)], 1);
}

}  // namespace
}  // namespace memd
