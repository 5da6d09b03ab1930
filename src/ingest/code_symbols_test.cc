#include "ingest/code_symbols.h"

#include <gtest/gtest.h>

#include <string>

namespace memd::ingest {
namespace {

std::string Label(std::string_view line, std::string_view lang) {
  const auto def = FindDefinition(line, lang);
  return def ? def->label : "<none>";
}

TEST(CodeSymbolsTest, CAndCppFunctionsTypesAndNamespaces) {
  EXPECT_EQ(Label("int main(int argc, char** argv) {", "c"), "main");
  EXPECT_EQ(Label("static void", "c"), "<none>");
  EXPECT_EQ(Label("parse_args(int argc,", "c"), "parse_args");
  EXPECT_EQ(Label("struct point *make_point(int x) {", "c"), "make_point");
  EXPECT_EQ(Label("struct point {", "c"), "point");
  EXPECT_EQ(Label("Status Parser::Parse(std::string_view text) const {", "cpp"), "Parser::Parse");
  EXPECT_EQ(Label("Parser::~Parser() {", "cpp"), "Parser::~Parser");
  EXPECT_EQ(Label("template <typename T> T Max(T a, T b) {", "cpp"), "Max");
  EXPECT_EQ(Label("template <typename T>", "cpp"), "<none>");
  EXPECT_EQ(Label("class MEMD_EXPORT Engine final : public Base {", "cpp"), "Engine");
  EXPECT_EQ(Label("enum class Color : int {", "cpp"), "Color");
  EXPECT_EQ(Label("namespace memd::ingest {", "cpp"), "memd::ingest");
  EXPECT_EQ(Label("namespace {", "cpp"), "");
  EXPECT_TRUE(FindDefinition("namespace {", "cpp")->is_namespace);
  EXPECT_TRUE(FindDefinition("namespace memd {", "cpp")->is_namespace);
  EXPECT_TRUE(FindDefinition("extern \"C\" {", "c")->is_namespace);
  EXPECT_FALSE(FindDefinition("class Engine {", "cpp")->is_namespace);
  EXPECT_EQ(Label("bool operator==(const A& a, const A& b) {", "cpp"), "operator==");
  EXPECT_EQ(Label("TEST(ParserTest, RejectsEmptyInput) {", "cpp"), "TEST(ParserTest, RejectsEmptyInput)");
  EXPECT_EQ(Label("[[nodiscard]] Result<int> Count() const {", "cpp"), "Count");
  EXPECT_TRUE(FindDefinition("class Engine {", "cpp")->is_type);
  EXPECT_FALSE(FindDefinition("int main() {", "cpp")->is_type);
}

TEST(CodeSymbolsTest, StatementsAndControlFlowAreNotDefinitions) {
  for (const char* line : {"if (x) {", "} else {", "for (int i = 0; i < n; ++i) {", "while (true) {",
                           "switch (c) {", "return foo(x);", "int x = compute(y);", "#define X(a) { a }",
                           "// void commented() {", "do {", "} catch (const std::exception& e) {"}) {
    EXPECT_EQ(Label(line, "cpp"), "<none>") << line;
  }
}

TEST(CodeSymbolsTest, PythonDefAndClass) {
  EXPECT_EQ(Label("def parse(text):", "python"), "parse");
  EXPECT_EQ(Label("    async def fetch(self, url):", "python"), "fetch");
  EXPECT_EQ(Label("class Parser(Base):", "python"), "Parser");
  EXPECT_TRUE(FindDefinition("class Parser:", "python")->is_type);
  EXPECT_EQ(Label("x = 1", "python"), "<none>");
  EXPECT_EQ(Label("@property", "python"), "<none>");
}

TEST(CodeSymbolsTest, GoRustJavaAndJavaScript) {
  EXPECT_EQ(Label("func (s *Server) Start(ctx context.Context) error {", "go"), "Server.Start");
  EXPECT_EQ(Label("func NewServer() *Server {", "go"), "NewServer");
  EXPECT_EQ(Label("type Server struct {", "go"), "Server");
  EXPECT_EQ(Label("pub(crate) async fn load<T>(path: &Path) -> Result<T> {", "rust"), "load");
  EXPECT_EQ(Label("impl<T: Display> fmt::Display for Wrapper<T> {", "rust"), "impl fmt::Display for Wrapper");
  EXPECT_EQ(FindDefinition("impl<T: Display> fmt::Display for Wrapper<T> {", "rust")->qualifier, "Wrapper");
  EXPECT_EQ(Label("pub struct Config {", "rust"), "Config");
  EXPECT_EQ(Label("public class UserService extends Base {", "java"), "UserService");
  EXPECT_EQ(Label("public static <T> List<T> copy(List<T> in) {", "java"), "copy");
  EXPECT_EQ(Label("@Override public String toString() {", "java"), "toString");
  EXPECT_EQ(Label("new Thread(() -> {", "java"), "<none>");
  EXPECT_EQ(Label("export default function App() {", "javascript"), "App");
  EXPECT_EQ(Label("export const handler: Handler = async (event) => {", "typescript"), "handler");
  EXPECT_EQ(Label("  async fetchUser(id) {", "javascript"), "fetchUser");
  EXPECT_EQ(Label("describe('parser', () => {", "javascript"), "describe('parser')");
  EXPECT_EQ(Label("function (a) {", "javascript"), "<none>");
  EXPECT_EQ(Label("interface Props {", "typescript"), "Props");
  EXPECT_EQ(Label("var Hono = class {", "javascript"), "Hono");
  EXPECT_TRUE(FindDefinition("var Hono = class {", "javascript")->is_type);
  EXPECT_EQ(Label("var (", "go"), "<none>");
}

}  // namespace
}  // namespace memd::ingest
