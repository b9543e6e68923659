# Generates C++ for every .proto under proto/ (messages and gRPC stubs) into one
# library, herald_proto, plus the gRPC health service from the grpc-proto package.
set(HERALD_PROTO_ROOT ${PROJECT_SOURCE_DIR}/proto)
set(HERALD_PROTO_OUT ${PROJECT_BINARY_DIR}/gen)
set(GRPC_PROTO_ROOT /usr/share/grpc-proto)
file(MAKE_DIRECTORY ${HERALD_PROTO_OUT})
get_target_property(GRPC_CPP_PLUGIN gRPC::grpc_cpp_plugin LOCATION)

file(GLOB_RECURSE HERALD_PROTOS CONFIGURE_DEPENDS ${HERALD_PROTO_ROOT}/herald/*.proto)

set(HERALD_PROTO_SRCS)
function(herald_compile_proto root proto)
  file(RELATIVE_PATH rel ${root} ${proto})
  string(REGEX REPLACE "\\.proto$" "" stem ${rel})
  set(outs ${HERALD_PROTO_OUT}/${stem}.pb.cc ${HERALD_PROTO_OUT}/${stem}.pb.h
           ${HERALD_PROTO_OUT}/${stem}.grpc.pb.cc ${HERALD_PROTO_OUT}/${stem}.grpc.pb.h)
  add_custom_command(
    OUTPUT ${outs}
    COMMAND ${Protobuf_PROTOC_EXECUTABLE}
            --proto_path=${HERALD_PROTO_ROOT} --proto_path=${GRPC_PROTO_ROOT}
            --cpp_out=${HERALD_PROTO_OUT} --grpc_out=${HERALD_PROTO_OUT}
            --plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN}
            ${proto}
    DEPENDS ${proto}
    COMMENT "protoc ${rel}")
  set(HERALD_PROTO_SRCS ${HERALD_PROTO_SRCS} ${HERALD_PROTO_OUT}/${stem}.pb.cc
      ${HERALD_PROTO_OUT}/${stem}.grpc.pb.cc PARENT_SCOPE)
endfunction()

foreach(p ${HERALD_PROTOS})
  herald_compile_proto(${HERALD_PROTO_ROOT} ${p})
endforeach()

# The standard health service's stubs, for clients (tests, probes, heraldctl).
herald_compile_proto(${GRPC_PROTO_ROOT} ${GRPC_PROTO_ROOT}/grpc/health/v1/health.proto)

add_library(herald_proto STATIC ${HERALD_PROTO_SRCS})
target_include_directories(herald_proto SYSTEM PUBLIC ${HERALD_PROTO_OUT})
target_link_libraries(herald_proto PUBLIC protobuf::libprotobuf gRPC::grpc++)
