#include "mcp/stdio_transport.h"

#include <gtest/gtest.h>

#include <sstream>

#include "mcp/mcp_test_util.h"

namespace memd::mcp {
namespace {

namespace json = boost::json;
using testing::McpTest;

class StdioTransportTest : public McpTest {
 protected:
  std::vector<json::value> Run(const std::string& input, StdioOptions options = {}) {
    std::istringstream in(input);
    std::ostringstream out;
    EXPECT_TRUE(ServeStdio(*server_, alice_, in, out, options).ok());
    std::vector<json::value> lines;
    std::istringstream written(out.str());
    std::string line;
    while (std::getline(written, line)) lines.push_back(json::parse(line));
    EXPECT_TRUE(out.str().empty() || out.str().back() == '\n');
    return lines;
  }
};

TEST_F(StdioTransportTest, AnswersEachRequestLineWithOneLine) {
  auto lines = Run(
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}\n"
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\r\n"
      "\n"
      "   \n"
      "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"add_memory\",\"arguments\":"
      "{\"text\":\"line one\\nline two\"}}}\r\n"
      "{\"jsonrpc\":\"2.0\",\"id\":\"3\",\"method\":\"ping\"}");  // no newline at the end
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].at("result").at("protocolVersion").as_string(), "2025-06-18");
  EXPECT_FALSE(lines[1].at("result").at("isError").as_bool());
  EXPECT_EQ(lines[2].at("id").as_string(), "3");
}

TEST_F(StdioTransportTest, ATooLongLineIsSkippedWithAParseErrorAndTheNextIsServed) {
  StdioOptions options;
  options.max_message_bytes = 64;
  auto lines = Run("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + std::string(200, 'x') +
                       "\"}}\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n",
                   options);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("error").at("code").as_int64(), -32700);
  EXPECT_EQ(lines[1].at("id").as_int64(), 2);
}

TEST_F(StdioTransportTest, GarbageIsAnsweredAndEmptyInputEndsAtOnce) {
  auto lines = Run("not json\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("error").at("code").as_int64(), -32700);
  EXPECT_TRUE(Run("").empty());
}

}  // namespace
}  // namespace memd::mcp
