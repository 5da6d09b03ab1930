// memd's version. Keep in step with project(VERSION) in CMakeLists.txt.
#pragma once

namespace memd {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace memd
