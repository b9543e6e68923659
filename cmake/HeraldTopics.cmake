# proto/topics.tsv is the one definition of Herald's Kafka topics. This turns it
# into a header (herald/topics.h) so the services, the dev broker and the tests
# all read the same names and partition counts.
set(HERALD_TOPICS_FILE ${PROJECT_SOURCE_DIR}/proto/topics.tsv)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${HERALD_TOPICS_FILE})
file(STRINGS ${HERALD_TOPICS_FILE} _lines)
set(_rows "")
set(_consts "")
foreach(line ${_lines})
  if(line MATCHES "^#" OR line STREQUAL "")
    continue()
  endif()
  string(REPLACE "\t" ";" cols "${line}")
  list(GET cols 0 name)
  list(GET cols 1 partitions)
  list(GET cols 2 retention)
  list(GET cols 5 event_type)
  if(event_type STREQUAL "-")
    set(event_type "")
  endif()
  string(REPLACE "." "_" ident "${name}")
  string(APPEND _rows "    {\"${name}\", ${partitions}, ${retention}, \"${event_type}\"},\n")
  string(APPEND _consts "inline constexpr std::string_view k_${ident} = \"${name}\";\n")
endforeach()
file(WRITE ${HERALD_PROTO_OUT}/herald/topics.h.in
"// Generated from proto/topics.tsv by cmake/HeraldTopics.cmake. Do not edit.
#pragma once
#include <array>
#include <string_view>

namespace herald::topics {

struct TopicSpec {
  std::string_view name;
  int partitions;
  int retention_hours;
  // Full name of the Protobuf message every record carries (\"\" until one is defined).
  std::string_view event_type;
};

inline constexpr TopicSpec kAll[] = {
${_rows}};

${_consts}
}  // namespace herald::topics
")
configure_file(${HERALD_PROTO_OUT}/herald/topics.h.in ${HERALD_PROTO_OUT}/herald/topics.h COPYONLY)
