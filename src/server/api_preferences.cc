// /v1/cubes/{project}/preferences: list, get, set (PUT), delete, and the prompt block.
#include "engine/json_fields.h"
#include "engine/memory_codec.h"
#include "server/api_impl.h"

namespace memd::server {
namespace json = boost::json;

Reply Api::Impl::ListPreferences(Call& call) {
  if (Status s = OnlyQuery(call, {"category"}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto prefs = engine_.ListPreferences(*cube, call.Query("category").value_or(""));
  if (!prefs.ok()) return ErrorReply(prefs.status());
  json::array out;
  for (const Preference& p : *prefs) out.push_back(engine::EncodePreference(p));
  return Reply::Json(json::object{{"preferences", std::move(out)}});
}

Reply Api::Impl::GetPreference(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto pref = engine_.GetPreference(*cube, call.Param("category"), call.Param("key"));
  if (!pref.ok()) return ErrorReply(pref.status());
  return Reply::Json(engine::EncodePreference(*pref));
}

Reply Api::Impl::SetPreference(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto body = JsonBody(call);
  if (!body.ok()) return BadRequest(body.status());
  auto fields = engine::JsonFields::Of(*body, "");
  if (!fields.ok()) return BadRequest(fields.status());
  const json::value* value = fields->GetValue("value");
  auto description = fields->GetString("description");
  if (!description.ok()) return BadRequest(description.status());
  if (Status s = fields->Finish(); !s.ok()) return BadRequest(s);
  if (value == nullptr) return BadRequest(Status::InvalidArgument("value is required (any JSON value)", "value"));
  auto pref = engine_.SetPreference(*cube, call.Param("category"), call.Param("key"), json::serialize(*value),
                                    description->value_or(""));
  if (!pref.ok()) return ErrorReply(pref.status());
  return Reply::Json(engine::EncodePreference(*pref));
}

Reply Api::Impl::DeletePreference(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  Status s = engine_.DeletePreference(*cube, call.Param("category"), call.Param("key"));
  if (!s.ok()) return ErrorReply(s);
  return Reply::NoContent();
}

Reply Api::Impl::PreferencesPrompt(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto prompt = engine_.FormatPreferencesForPrompt(*cube);
  if (!prompt.ok()) return ErrorReply(prompt.status());
  return Reply::Json(json::object{{"prompt", *prompt}});
}

}  // namespace memd::server
