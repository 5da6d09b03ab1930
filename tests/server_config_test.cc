// memd serve's configuration precedence: config file, then MEMD_* environment, then flags
// (docs/SERVER.md), observed through the effective settings the server logs at startup.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "server_process.h"

namespace memd {
namespace {

using testutil::ServerProcess;
using testutil::TempDir;

// The durability the server reports in its "listening on" log line.
std::string StartedDurability(const std::vector<std::string>& flags,
                              const std::map<std::string, std::string>& env) {
  TempDir dir;
  const std::string config = dir.path() + "/memd.toml";
  std::ofstream(config) << "[data]\ndurability = \"normal\"\n";
  std::vector<std::string> args = {"--config", config, "--insecure-no-auth"};
  args.insert(args.end(), flags.begin(), flags.end());
  ServerProcess server(dir.path(), args, env);
  if (!server.ok()) return "did not start: " + server.startup_error();
  server.Stop();
  const std::string log = server.StderrText();
  const auto at = log.find("durability ");
  if (at == std::string::npos) return "no durability in: " + log;
  return log.substr(at + 11, log.find_first_of(",)", at) - at - 11);
}

TEST(ServerConfigTest, DurabilityFlagOverridesEnvironmentWhichOverridesTheConfigFile) {
  EXPECT_EQ(StartedDurability({}, {}), "normal");                           // the file
  EXPECT_EQ(StartedDurability({}, {{"MEMD_DURABILITY", "full"}}), "full");  // env over file
  EXPECT_EQ(StartedDurability({"--durability", "full"}, {}), "full");       // flag over file
  EXPECT_EQ(StartedDurability({"--durability", "normal"}, {{"MEMD_DURABILITY", "full"}}),
            "normal");  // flag over env
}

// Every key of the shipped example is one memd accepts (unknown keys are refused).
TEST(ServerConfigTest, TheExampleConfigFileIsAccepted) {
  TempDir dir;
  ServerProcess server(dir.path(), {"--config", std::string(MEMD_SOURCE_DIR) + "/deploy/memd.example.toml"});
  ASSERT_TRUE(server.ok()) << server.startup_error() << server.StderrText();
}

}  // namespace
}  // namespace memd
