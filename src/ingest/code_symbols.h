// Names of definitions, read heuristically from the line of code that starts them
// ("void Parser::Parse(...) {", "func (s *Server) Start() error {", "class Foo:"). Used by
// the code chunker to label chunks. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace memd::ingest {

struct Definition {
  std::string label;      // what to show: "Parse", "impl Display for Foo", "TEST(Suite, Name)"
  std::string qualifier;  // what members are qualified with: "Foo" for "impl Display for Foo"
  bool is_type = false;   // class, struct, namespace, impl, ...: its members are definitions too
  bool is_namespace = false;  // namespace, mod, module, extern "C": a container, not a unit
};

// The definition that `line` (one line of code in `language`, as FileType names it) starts,
// or nullopt when the line does not look like the start of one (statements, control flow,
// calls, anonymous functions). An anonymous namespace or an extern "C" block is a
// namespace with an empty label.
std::optional<Definition> FindDefinition(std::string_view line, std::string_view language);

// How the language joins a scope and a member name: "::" for C, C++ and Rust, "." otherwise.
std::string_view ScopeSeparator(std::string_view language);

}  // namespace memd::ingest
