#include "common/request_bounds.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/timestamp.pb.h>

#include <string>

#include "common/status.h"

namespace herald {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr int kMaxDepth = 6;

bool TimestampOk(const Message& m) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  int64_t seconds = r->GetInt64(m, d->FindFieldByNumber(1));
  int32_t nanos = r->GetInt32(m, d->FindFieldByNumber(2));
  constexpr int64_t kMin = -62135596800, kMax = 253402300799;
  return seconds >= kMin && seconds <= kMax && nanos >= 0 && nanos < 1'000'000'000;
}

grpc::Status Check(const Message& m, const std::string& prefix, int depth);

// One value of a scalar, enum or string field (index -1: a singular field);
// messages are walked by Check.
grpc::Status CheckValue(const Message& m, const FieldDescriptor* f, int index, const std::string& name) {
  const auto* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& v = rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
                                 : r->GetStringReference(m, f, &scratch);
      if (v.size() > kMaxStringBytes) {
        return InvalidArgument(name, "at most " + std::to_string(kMaxStringBytes) + " bytes");
      }
      return grpc::Status::OK;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      int v = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      if (!f->enum_type()->FindValueByNumber(v)) return InvalidArgument(name, "not a known " + f->enum_type()->name());
      return grpc::Status::OK;
    }
    case FieldDescriptor::CPPTYPE_INT32:
      if ((rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f)) < 0) return InvalidArgument(name, "must not be negative");
      return grpc::Status::OK;
    case FieldDescriptor::CPPTYPE_INT64:
      if ((rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f)) < 0) return InvalidArgument(name, "must not be negative");
      return grpc::Status::OK;
    default:
      return grpc::Status::OK;
  }
}

grpc::Status Check(const Message& m, const std::string& prefix, int depth) {
  if (depth > kMaxDepth) return InvalidArgument(prefix, "nested too deeply");
  const auto* d = m.GetDescriptor();
  if (d->full_name() == "google.protobuf.Timestamp") {
    if (!TimestampOk(m)) return InvalidArgument(prefix, "must be a time between years 0001 and 9999 (nanos 0..999999999)");
    return grpc::Status::OK;
  }
  const auto* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);  // only the fields that are set
  for (const auto* f : fields) {
    std::string name = prefix.empty() ? f->name() : prefix + "." + f->name();
    if (f->is_map()) {
      // Map entries are messages of key and value: their strings are bounded too.
      int n = r->FieldSize(m, f);
      if (n > kMaxRepeated) return InvalidArgument(name, "at most " + std::to_string(kMaxRepeated) + " entries");
      for (int i = 0; i < n; ++i) {
        auto st = Check(r->GetRepeatedMessage(m, f, i), name, depth + 1);
        if (!st.ok()) return st;
      }
    } else if (f->is_repeated()) {
      int n = r->FieldSize(m, f);
      if (n > kMaxRepeated) return InvalidArgument(name, "at most " + std::to_string(kMaxRepeated) + " entries");
      for (int i = 0; i < n; ++i) {
        std::string item = name + "[" + std::to_string(i) + "]";
        auto st = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE
                      ? Check(r->GetRepeatedMessage(m, f, i), item, depth + 1)
                      : CheckValue(m, f, i, item);
        if (!st.ok()) return st;
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      auto st = Check(r->GetMessage(m, f), name, depth + 1);
      if (!st.ok()) return st;
    } else {
      auto st = CheckValue(m, f, -1, name);
      if (!st.ok()) return st;
    }
  }
  return grpc::Status::OK;
}

}  // namespace

grpc::Status CheckRequestBounds(const Message& request) { return Check(request, "", 0); }

}  // namespace herald
