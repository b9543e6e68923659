#pragma once
// One Redis reply, copied out of hiredis so its headers stay in redis*.cpp.
#include <string>
#include <vector>

namespace herald {

struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray, kError };
  Type type = Type::kNil;
  long long integer = 0;
  std::string str;
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  // Integer replies, or strings holding an integer.
  long long AsInt() const;
};

}  // namespace herald
