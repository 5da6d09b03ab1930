// The OpenAPI 3.1 document of memd's HTTP API, served at /openapi.json. Its source is
// docs/openapi.json, embedded at build time (cmake/EmbedFile.cmake).
#pragma once

#include <string_view>

namespace memd::server {

extern const std::string_view kOpenApiDocument;

}  // namespace memd::server
