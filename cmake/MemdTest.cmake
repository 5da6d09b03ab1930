# memd_unit_tests(LIB <lib> LABELS <labels...> SOURCES <files...>)
# Builds one test binary per layer from the *_test.cc files beside the code and registers
# every test with ctest through gtest_discover_tests, so an orphan test file cannot hide.
include(GoogleTest)
function(memd_unit_tests name)
  cmake_parse_arguments(ARG "" "" "LIBS;LABELS;SOURCES" ${ARGN})
  if(NOT MEMD_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()
