# herald_service(<name> SOURCES <files...> [LIBS <private libs of the lib>] [MAIN_LIBS <libs of main>])
# Every service is a library (domain, storage, API — linked by the tests) plus
# a herald-<name> binary built from main.cpp.
function(herald_service name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;MAIN_LIBS" ${ARGN})
  add_library(herald_${name}_lib STATIC ${ARG_SOURCES})
  target_compile_options(herald_${name}_lib PRIVATE ${HERALD_WARNINGS})
  target_link_libraries(herald_${name}_lib PUBLIC herald_common PRIVATE ${ARG_LIBS})
  add_executable(herald-${name} main.cpp)
  target_compile_options(herald-${name} PRIVATE ${HERALD_WARNINGS})
  target_link_libraries(herald-${name} PRIVATE herald_${name}_lib ${ARG_MAIN_LIBS} PkgConfig::JEMALLOC)
  install(TARGETS herald-${name} RUNTIME DESTINATION bin)
endfunction()
