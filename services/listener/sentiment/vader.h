#pragma once
// VADER sentiment (Hutto & Gilbert, 2014): a lexicon of rated words and
// emoticons plus the rules people apply to them — boosters ("very"), ALL-CAPS
// emphasis among lower-case words, negation within three words, "but"
// shifting weight to what follows, idioms, "least", and "!"/"?" emphasis.
// Follows the npm package vader-sentiment 1.1.3 rule for rule (its quirks
// included: negations are matched case-sensitively, emoji carry no score),
// so the compound scores agree with it. English only; no I/O.
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/statusor.h"

namespace herald::listener {

struct SentimentScores {
  double negative = 0;  // shares of the text's weight, summing to 1
  double neutral = 0;
  double positive = 0;
  double compound = 0;  // normalised sum in [-1, 1]
};

class Vader {
 public:
  // The lexicon compiled in (vader_lexicon.txt).
  static const Vader& Embedded();
  // "token<TAB>valence[<TAB>...]" per line; INVALID_ARGUMENT naming the line.
  static absl::StatusOr<Vader> FromLexicon(std::string_view text);

  SentimentScores Score(std::string_view text) const;
  size_t lexicon_size() const { return lexicon_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, double, Hash, std::equal_to<>> lexicon_;

  friend class VaderText;
};

}  // namespace herald::listener
