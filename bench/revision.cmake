# Writes OUT: a header defining MEMD_BENCH_REVISION, the source revision the benchmarks are
# built from ("<git describe --always --dirty>", plus a digest of `git diff HEAD` when the
# tree is dirty, since other uncommitted changes would otherwise look the same). Run at
# every build by bench/CMakeLists.txt; the file changes only when the revision does.
execute_process(COMMAND git -C ${SOURCE_DIR} describe --always --dirty
                OUTPUT_VARIABLE revision OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR revision STREQUAL "")
  set(revision "unknown")
elseif(revision MATCHES "-dirty$")
  execute_process(COMMAND git -C ${SOURCE_DIR} diff HEAD OUTPUT_VARIABLE diff ERROR_QUIET)
  string(SHA1 digest "${diff}")
  string(SUBSTRING "${digest}" 0 12 digest)
  set(revision "${revision} (diff ${digest})")
endif()
set(content "#define MEMD_BENCH_REVISION \"${revision}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${content}")
  file(WRITE ${OUT} "${content}")
endif()
