#include "mcp/jsonrpc.h"

#include <gtest/gtest.h>

namespace memd::mcp {
namespace {

namespace json = boost::json;

TEST(JsonRpcTest, ClassifiesRequestsNotificationsAndResponses) {
  Message request = Classify(json::parse(R"({"jsonrpc":"2.0","id":3,"method":"ping","params":{"a":1}})"));
  EXPECT_EQ(request.kind, Message::Kind::kRequest);
  EXPECT_EQ(request.method, "ping");
  EXPECT_EQ(request.params.at("a").as_int64(), 1);

  EXPECT_EQ(Classify(json::parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")).kind,
            Message::Kind::kNotification);
  EXPECT_EQ(Classify(json::parse(R"({"jsonrpc":"2.0","id":"x","result":{}})")).kind, Message::Kind::kResponse);
  EXPECT_EQ(Classify(json::parse(R"({"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m"}})")).kind,
            Message::Kind::kResponse);
}

TEST(JsonRpcTest, KeepsTheTypeOfTheId) {
  Message numeric = Classify(json::parse(R"({"jsonrpc":"2.0","id":42,"method":"ping"})"));
  Message text = Classify(json::parse(R"({"jsonrpc":"2.0","id":"42","method":"ping"})"));
  EXPECT_TRUE(numeric.id.is_int64());
  EXPECT_TRUE(text.id.is_string());
  EXPECT_EQ(json::serialize(ResultResponse(numeric.id, json::object())), R"({"jsonrpc":"2.0","id":42,"result":{}})");
  EXPECT_EQ(json::serialize(ResultResponse(text.id, json::object())), R"({"jsonrpc":"2.0","id":"42","result":{}})");
}

TEST(JsonRpcTest, RejectsMalformedMessagesWithInvalidRequest) {
  for (const char* text : {R"([1])", R"("ping")", R"({"id":1,"method":"ping"})", R"({"jsonrpc":"1.0","id":1,"method":"ping"})",
                           R"({"jsonrpc":"2.0","id":1})", R"({"jsonrpc":"2.0","id":1,"method":7})",
                           R"({"jsonrpc":"2.0","id":null,"method":"ping"})", R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})",
                           R"({"jsonrpc":"2.0","id":{},"method":"ping"})"}) {
    json::value v = json::parse(text);
    if (v.is_array()) v = v.as_array()[0];
    Message m = Classify(v);
    EXPECT_EQ(m.kind, Message::Kind::kInvalid) << text;
    EXPECT_EQ(m.error.code, kInvalidRequest) << text;
    EXPECT_FALSE(m.error.message.empty()) << text;
  }
}

TEST(JsonRpcTest, EchoesTheIdOfAMalformedRequestWhenItCanBeRead) {
  Message m = Classify(json::parse(R"({"jsonrpc":"2.0","id":"abc","method":""})"));
  EXPECT_EQ(m.kind, Message::Kind::kInvalid);
  EXPECT_EQ(m.id.as_string(), "abc");
  Message unreadable = Classify(json::parse(R"({"jsonrpc":"2.0","id":true,"method":"ping"})"));
  EXPECT_TRUE(unreadable.id.is_null());
}

TEST(JsonRpcTest, ParamsThatAreNotAnObjectAreInvalidParams) {
  Message m = Classify(json::parse(R"({"jsonrpc":"2.0","id":5,"method":"tools/list","params":[1,2]})"));
  EXPECT_EQ(m.kind, Message::Kind::kInvalid);
  EXPECT_EQ(m.error.code, kInvalidParams);
  EXPECT_EQ(m.id.as_int64(), 5);
}

TEST(JsonRpcTest, ErrorResponsesCarryDataOnlyWhenGiven) {
  EXPECT_EQ(json::serialize(ErrorResponse(nullptr, RpcError{kParseError, "bad", nullptr})),
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}})");
  EXPECT_EQ(json::serialize(ErrorResponse(1, RpcError{kResourceNotFound, "gone", json::object{{"uri", "u"}}})),
            R"({"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":"gone","data":{"uri":"u"}}})");
}

}  // namespace
}  // namespace memd::mcp
