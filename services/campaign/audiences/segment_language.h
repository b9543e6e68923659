#pragma once
// Segments: which profiles an audience holds, as an expression such as
//   country in ("DE","AT") and engaged_within(30d) and followers > 1000
//     and not tagged("employee")
// Grammar (keywords and names are lowercase):
//   expr      := and_expr ("or" and_expr)*
//   and_expr  := unary ("and" unary)*
//   unary     := "not" unary | "(" expr ")" | predicate
//   predicate := field op value | field ["not"] "in" "(" value ("," value)* ")"
//              | function "(" [value] ")"
//   op        := "=" | "!=" | "<" | "<=" | ">" | ">="
//   value     := "string" | number | duration (30d, 12h, 90m)
// Fields: text — network, country, language, attr.<column>; numbers —
// followers, mentions, replies, clicks, conversions, sentiment (mean, -1..1).
// Functions: engaged_within(duration), tagged("tag"), engaged_with("campaign"),
// converted_for("campaign"), has("attr column").
// A profile without a value (followers unknown, no country) matches no
// comparison of it. Parsing checks types too: every error names its
// position. Parse once, then Compile for a moment; evaluation does no I/O
// and allocates nothing.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "campaign/audiences/profile.h"

namespace herald::campaign {

inline constexpr size_t kMaxSegmentBytes = 4096;
inline constexpr int kMaxSegmentDepth = 32;
inline constexpr int kMaxSegmentNodes = 256;
inline constexpr int kMaxInValues = 100;

struct SegmentError {
  size_t offset = 0;  // bytes into the expression
  int line = 1, column = 1;
  std::string message;
  // "1:23: expected ')'"
  std::string ToString() const;
};

// The parsed expression (opaque); shared by compiled segments.
struct SegmentAst;

class Segment {
 public:
  // The expression's syntax and types; the first error with its position.
  static std::variant<Segment, SegmentError> Parse(std::string_view expression);

  // Whether a profile is in the segment, judged at `now_ms` (engaged_within).
  bool Matches(const Profile& profile, int64_t now_ms) const;
  // The expression as parsed, normalized (spacing, quotes): for display.
  std::string ToString() const;

 private:
  std::shared_ptr<const SegmentAst> ast_;
};

}  // namespace herald::campaign
