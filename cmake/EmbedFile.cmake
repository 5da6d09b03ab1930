# Writes OUT: a C++ source defining `const std::string_view NAME` (in NAMESPACE) with the
# bytes of IN, as a raw string literal. Run at build time by src/CMakeLists.txt, so editing
# IN rebuilds the binary.
file(READ ${IN} content)
string(FIND "${content}" ")memd_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter )memd_embed\"")
endif()
file(WRITE ${OUT}.tmp "// Generated from ${IN} by cmake/EmbedFile.cmake. Do not edit.\n#include <string_view>\n\nnamespace ${NAMESPACE} {\nextern const std::string_view ${NAME};\nconst std::string_view ${NAME} = R\"memd_embed(${content})memd_embed\";\n}  // namespace ${NAMESPACE}\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
