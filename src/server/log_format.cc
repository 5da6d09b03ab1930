#include "server/log_format.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

namespace memd::server {
namespace {

// %j: the message as a JSON string literal.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string quoted = boost::json::serialize(boost::json::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(quoted.data(), quoted.data() + quoted.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

}  // namespace

Status ConfigureJsonLogging(const std::string& level) {
  const spdlog::level::level_enum parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return Status::InvalidArgument("log level '" + level + "' is unknown; use trace, debug, info, warn, error or off",
                                   "log_level");
  }
  // A sink holds its logger's formatter, so each logger has its own sink (both stderr).
  auto main_logger = std::make_shared<spdlog::logger>("memd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonMessageFlag>('j').set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%j})");
  main_logger->set_formatter(std::move(formatter));
  main_logger->set_level(parsed);
  main_logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(main_logger);

  spdlog::drop("access");
  auto access = std::make_shared<spdlog::logger>("access", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  access->set_pattern("%v");
  access->set_level(parsed);
  spdlog::register_logger(access);
  return Status::OK();
}

}  // namespace memd::server
