// /v1/cubes: list, stats, delete (forget project); /v1/users/{user}: forget user; export
// (streamed from a temporary file) and import (atomic).
#include "engine/memory_codec.h"
#include "server/api_impl.h"
#include "util/file_util.h"

namespace memd::server {
namespace json = boost::json;

Reply Api::Impl::ListCubes(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto user = UserOf(call);
  if (!user.ok()) return ErrorReply(user.status());
  auto cubes = engine_.ListCubes(*user);
  if (!cubes.ok()) return ErrorReply(cubes.status());
  json::array out;
  for (const CubeInfo& info : *cubes) {
    if (*user == call.principal.user && !CheckProject(call.principal, info.ref.project).ok()) continue;
    out.push_back(engine::EncodeCubeInfo(info));
  }
  return Reply::Json(json::object{{"cubes", std::move(out)}});
}

Reply Api::Impl::CubeStats(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  auto stats = engine_.Stats(*cube);
  if (!stats.ok()) return ErrorReply(stats.status());
  return Reply::Json(engine::EncodeCubeStats(*stats));
}

Reply Api::Impl::DeleteCube(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  Status s = engine_.ForgetProject(*cube);
  if (!s.ok()) return ErrorReply(s);
  cache_->Clear();  // entries of the cube are unreachable already; forget removes them too
  return Reply::NoContent();
}

Reply Api::Impl::ForgetUser(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  const std::string user(call.Param("user"));
  if (user != call.principal.user && !call.principal.Has(Scope::kAdmin)) {
    return ErrorReply(Status(StatusCode::kPermissionDenied, "only an admin credential may forget another user", "user"));
  }
  if (user == call.principal.user && !call.principal.projects.empty()) {
    return ErrorReply(Status(StatusCode::kPermissionDenied,
                             "this credential is limited to some projects, so it may not forget the whole user", "user"));
  }
  if (Status s = engine::ValidateCubeRef(CubeRef{user, "x"}); !s.ok()) return ErrorReply(s.WithField("user"));
  call.cube = user + "/*";
  Status s = engine_.ForgetUser(user);
  if (!s.ok()) return ErrorReply(s);
  cache_->Clear();
  return Reply::NoContent();
}

Reply Api::Impl::ExportCube(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  if (Status s = CreateDirectories(options_.data_dir + "/tmp"); !s.ok()) return ErrorReply(s);
  const std::string path = TempPath("export");
  Status s = engine_.Export(*cube, path);
  if (!s.ok()) {
    RemoveAll(path).IgnoreError();
    return ErrorReply(s);
  }
  Reply reply;
  reply.content_type = "application/zstd";
  reply.file = path;
  reply.headers.emplace_back("Content-Disposition",
                             "attachment; filename=\"" + cube->user + "-" + cube->project + ".jsonl.zst\"");
  return reply;
}

Reply Api::Impl::ImportCube(Call& call) {
  if (Status s = OnlyQuery(call, {}); !s.ok()) return BadRequest(s);
  auto cube = CubeOf(call);
  if (!cube.ok()) return ErrorReply(cube.status());
  std::string_view type = call.Header("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (type != "application/zstd" && type != "application/octet-stream") {
    return Reply::Error(415, "unsupported_media_type",
                        "send the file written by export with Content-Type: application/zstd", "content-type");
  }
  if (Status s = CreateDirectories(options_.data_dir + "/tmp"); !s.ok()) return ErrorReply(s);
  const std::string path = TempPath("import");
  Status s = WriteFileAtomic(path, call.request.message.body());
  if (s.ok()) s = engine_.Import(*cube, path);
  RemoveAll(path).IgnoreError();
  if (s.code() == StatusCode::kCorruption) {
    // The uploaded file, not memd's data, is damaged: the client's problem.
    // The message names the temporary file; the client knows it as its upload.
    std::string message = s.message();
    for (std::size_t at = message.find(path); at != std::string::npos; at = message.find(path)) {
      message.replace(at, path.size(), "the uploaded file");
    }
    return Reply::Error(422, "invalid_import", message + "; upload a complete file written by export");
  }
  if (!s.ok()) return ErrorReply(s);
  auto stats = engine_.Stats(*cube);
  if (!stats.ok()) return ErrorReply(stats.status());
  return Reply::Json(engine::EncodeCubeStats(*stats), 201);
}

}  // namespace memd::server
