// Shared fixture of the MCP unit tests: an Engine on a fresh data directory, an mcp::Server
// over it, and helpers that send JSON-RPC text and return parsed responses.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "mcp/server.h"
#include "util/temp_dir.h"

namespace memd::mcp::testing {

class McpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("memd-mcp-test-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = std::make_unique<TempDir>(std::move(*dir));
    EngineOptions options;
    options.data_dir = dir_->path() + "/data";
    options.durability = Durability::kNormal;
    auto engine = Engine::Open(std::move(options));
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(*engine);
    server_ = std::make_unique<Server>(*engine_);
    alice_.user = "alice";
    alice_.default_project = "alpha";
    bob_.user = "bob";
    bob_.default_project = "alpha";
  }

  // Sends text as one message on session; returns the response (null when there is none).
  boost::json::value Send(Session& session, const Identity& identity, const std::string& text,
                          Outcome* outcome_out = nullptr) {
    Outcome outcome = server_->HandleText(text, session, identity);
    boost::json::value response = outcome.response ? *outcome.response : boost::json::value(nullptr);
    if (outcome_out != nullptr) *outcome_out = std::move(outcome);
    return response;
  }

  // Initializes session with version; returns the initialize result.
  boost::json::value Initialize(Session& session, const Identity& identity, const std::string& version = "2025-11-25") {
    boost::json::value r = Send(session, identity,
                                R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":")" +
                                    version + R"(","capabilities":{},"clientInfo":{"name":"test","version":"1"}}})");
    Send(session, identity, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    return r.is_object() && r.as_object().contains("result") ? r.at("result") : r;
  }

  // tools/call on a fresh initialized session; returns the result object (or the error
  // response when the call failed at the protocol level).
  boost::json::value CallTool(const Identity& identity, const std::string& name, const boost::json::value& arguments,
                              Outcome* outcome_out = nullptr) {
    Session session;
    Initialize(session, identity);
    boost::json::object request{{"jsonrpc", "2.0"}, {"id", 7}, {"method", "tools/call"},
                                {"params", boost::json::object{{"name", name}, {"arguments", arguments}}}};
    boost::json::value r = Send(session, identity, boost::json::serialize(request), outcome_out);
    return r.is_object() && r.as_object().contains("result") ? r.at("result") : r;
  }

  // The structuredContent of a successful call (fails the test otherwise).
  boost::json::object Structured(const Identity& identity, const std::string& name, const boost::json::value& arguments) {
    boost::json::value r = CallTool(identity, name, arguments);
    EXPECT_TRUE(r.is_object() && r.as_object().contains("isError") && !r.at("isError").as_bool())
        << name << ": " << boost::json::serialize(r);
    if (!r.is_object() || !r.as_object().contains("structuredContent")) return {};
    return r.at("structuredContent").as_object();
  }

  // The text of an isError result (fails the test if the call did not fail that way).
  std::string ToolError(const Identity& identity, const std::string& name, const boost::json::value& arguments) {
    boost::json::value r = CallTool(identity, name, arguments);
    EXPECT_TRUE(r.is_object() && r.as_object().contains("isError") && r.at("isError").as_bool())
        << name << ": " << boost::json::serialize(r);
    if (!r.is_object() || !r.as_object().contains("content")) return "";
    return std::string(r.at("content").at(0).at("text").as_string());
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Server> server_;
  Identity alice_;
  Identity bob_;
};

}  // namespace memd::mcp::testing
