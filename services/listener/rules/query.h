#pragma once
// The listening query language: what a rule listens for.
//
//   query   := or
//   or      := and ("OR" and)*
//   and     := unary (["AND"] unary)*      adjacent terms are ANDed
//   unary   := "NOT" unary | "-" primary | primary
//   primary := "(" or ")" | term
//   term    := word | "quoted phrase" | #hashtag | @handle | lang:xx | network:name
//
// Operators are upper case (as in the boolean search of listening tools), so
// "and" and "or" in lower case are words. Words and phrases match whole words,
// case-insensitively; a phrase matches its words in a row. A query that does
// not parse is refused with the 1-based position and what was expected there.
// No I/O.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace herald::listener {

// What a query is matched against.
struct MentionView {
  std::string_view text;
  std::string_view language;  // BCP 47 ("en", "en-GB"); empty when unknown
  std::string_view network;   // "x", "mastodon", ...
};

class Query {
 public:
  static constexpr size_t kMaxLength = 2048;
  static constexpr int kMaxDepth = 32;
  static constexpr int kMaxTerms = 128;

  // INVALID_ARGUMENT "at <position>: <what was expected>".
  static absl::StatusOr<Query> Parse(std::string_view text);

  bool Matches(const MentionView& mention) const;
  // The words, phrases, hashtags and handles the query asks for (not those
  // under NOT): what a keyword search on a network polls for.
  std::vector<std::string> SearchTerms() const;
  // The query written back in a canonical form (operators explicit).
  std::string ToString() const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace herald::listener
