#include "listener/sentiment/vader.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <unordered_set>
#include <vector>


namespace herald::listener {

extern const char* const kVaderLexicon;  // generated from vader_lexicon.txt

namespace {

// Empirically derived by VADER's authors.
constexpr double kBoost = 0.293;           // a booster word ("very")
constexpr double kDampen = -0.293;         // a dampener ("kind of")
constexpr double kCapsEmphasis = 0.733;    // a sentiment word in ALL CAPS among others
constexpr double kNegation = -0.74;        // "not good" is this times "good"
constexpr double kExclamation = 0.292;     // per "!", up to four
constexpr double kQuestion = 0.18;         // per "?", two or three
constexpr double kManyQuestions = 0.96;    // four or more "?"
constexpr double kNormalizeAlpha = 15;

struct Booster {
  std::string_view word;
  double scalar;
};
constexpr Booster kBoosters[] = {
    {"absolutely", kBoost}, {"amazingly", kBoost}, {"awfully", kBoost}, {"completely", kBoost},
    {"considerably", kBoost}, {"decidedly", kBoost}, {"deeply", kBoost}, {"effing", kBoost},
    {"enormously", kBoost}, {"entirely", kBoost}, {"especially", kBoost}, {"exceptionally", kBoost},
    {"extremely", kBoost}, {"fabulously", kBoost}, {"flipping", kBoost}, {"flippin", kBoost},
    {"fricking", kBoost}, {"frickin", kBoost}, {"frigging", kBoost}, {"friggin", kBoost},
    {"fully", kBoost}, {"fucking", kBoost}, {"greatly", kBoost}, {"hella", kBoost},
    {"highly", kBoost}, {"hugely", kBoost}, {"incredibly", kBoost}, {"intensely", kBoost},
    {"majorly", kBoost}, {"more", kBoost}, {"most", kBoost}, {"particularly", kBoost},
    {"purely", kBoost}, {"quite", kBoost}, {"really", kBoost}, {"remarkably", kBoost},
    {"so", kBoost}, {"substantially", kBoost}, {"thoroughly", kBoost}, {"totally", kBoost},
    {"tremendously", kBoost}, {"uber", kBoost}, {"unbelievably", kBoost}, {"unusually", kBoost},
    {"utterly", kBoost}, {"very", kBoost},
    {"almost", kDampen}, {"barely", kDampen}, {"hardly", kDampen}, {"just enough", kDampen},
    {"kind of", kDampen}, {"kinda", kDampen}, {"kindof", kDampen}, {"kind-of", kDampen},
    {"less", kDampen}, {"little", kDampen}, {"marginally", kDampen}, {"occasionally", kDampen},
    {"partly", kDampen}, {"scarcely", kDampen}, {"slightly", kDampen}, {"somewhat", kDampen},
    {"sort of", kDampen}, {"sorta", kDampen}, {"sortof", kDampen}, {"sort-of", kDampen},
};

std::optional<double> BoosterOf(std::string_view word) {
  static const auto* boosters = [] {
    auto* m = new std::unordered_map<std::string_view, double>;
    for (const auto& b : kBoosters) m->emplace(b.word, b.scalar);
    return m;
  }();
  auto it = boosters->find(word);
  return it == boosters->end() ? std::nullopt : std::optional<double>(it->second);
}

// Matched exactly as written (the reference does not lower-case them).
constexpr std::string_view kNegations[] = {
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't",
    "couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt",
    "mustnt", "neither", "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt",
    "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt",
    "uhuh", "wasnt", "werent", "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without",
    "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite"};

bool Negates(std::string_view word) {
  static const auto* negations = new std::unordered_set<std::string_view>(std::begin(kNegations), std::end(kNegations));
  return negations->count(word) > 0 || word.find("n't") != std::string_view::npos;
}

// Words that appear in an idiom or a two-word booster: only around one of
// these is an idiom check worth building strings for.
bool InPhrase(std::string_view word) {
  static constexpr std::string_view kPhraseWords[] = {"the", "shit", "bomb", "bad",   "ass",   "yeah",  "right",
                                                      "cut", "mustard", "kiss", "of", "death", "hand", "to",
                                                      "mouth", "just", "enough", "kind", "sort"};
  return std::find(std::begin(kPhraseWords), std::end(kPhraseWords), word) != std::end(kPhraseWords);
}

struct Idiom {
  std::string_view words;
  double valence;
};
constexpr Idiom kIdioms[] = {{"the shit", 3},        {"the bomb", 3},          {"bad ass", 1.5},
                             {"yeah right", -2},     {"cut the mustard", 2},   {"kiss of death", -1.5},
                             {"hand to mouth", -2}};

std::optional<double> IdiomOf(std::string_view words) {
  for (const auto& i : kIdioms) {
    if (i.words == words) return i.valence;
  }
  return std::nullopt;
}

// Punctuation a word may carry on either side and still be the word.
constexpr std::string_view kEdgePunctuation[] = {".",  "!",  "?",   ",",   ";",   ":",   "-",    "'",   "\"",
                                                 "!!", "!!!", "??", "???", "?!?", "!?!", "?!?!", "!?!?"};

bool IsAsciiPunctuation(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

// Bytes of the whitespace character at s[i] (JavaScript's \s), or 0.
size_t WhitespaceAt(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  unsigned c = at(0);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (c == 0xC2 && at(1) == 0xA0) return 2;                                     // U+00A0
  if (c == 0xE1 && at(1) == 0x9A && at(2) == 0x80) return 3;                     // U+1680
  if (c == 0xE2 && at(1) == 0x80 && (at(2) <= 0x8A || at(2) == 0xA8 || at(2) == 0xA9 || at(2) == 0xAF) &&
      at(2) >= 0x80) {
    return 3;  // U+2000–U+200A, U+2028, U+2029, U+202F
  }
  if (c == 0xE2 && at(1) == 0x81 && at(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && at(1) == 0x80 && at(2) == 0x80) return 3;  // U+3000
  if (c == 0xEF && at(1) == 0xBB && at(2) == 0xBF) return 3;  // U+FEFF
  return 0;
}

// Length in UTF-16 code units, as JavaScript counts a string.
size_t Utf16Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;
  }
  return n;
}

// Python's isupper() on ASCII letters: at least one capital, no small letter.
bool IsUpper(std::string_view w) {
  bool upper = false;
  for (char c : w) {
    if (c >= 'a' && c <= 'z') return false;
    upper |= c >= 'A' && c <= 'Z';
  }
  return upper;
}

// The text split on whitespace, each piece kept whole (punctuation included).
void SplitPieces(std::string_view text, std::vector<std::string_view>& out) {
  size_t start = 0;
  for (size_t i = 0; i < text.size();) {
    if (size_t ws = WhitespaceAt(text, i)) {
      out.push_back(text.substr(start, i - start));
      i += ws;
      start = i;
    } else {
      ++i;
    }
  }
  out.push_back(text.substr(start));
}

// Whether `piece` with every ASCII punctuation mark removed is `word` (a
// word with punctuation in it never is).
bool StrippedEquals(std::string_view piece, std::string_view word) {
  size_t k = 0;
  for (char c : piece) {
    if (IsAsciiPunctuation(c)) continue;
    if (k == word.size() || word[k] != c) return false;
    ++k;
  }
  return k == word.size();
}

}  // namespace

// One text as VADER reads it: its words (emoticons and contractions kept,
// punctuation stripped from a word's edges) and what each one is. Works in
// per-thread scratch buffers: scoring a text allocates nothing once warm.
class VaderText {
 public:
  VaderText(const Vader& vader, std::string_view text) : vader_(vader), s_(ThreadScratch()) {
    s_.Clear();
    // Lower-casing ASCII keeps every byte in place: a word's lower-case form
    // is the same span of the lower-cased text.
    s_.lower_text.assign(text);
    for (char& c : s_.lower_text) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    SplitPieces(text, s_.pieces);
    for (auto piece : s_.pieces) {
      if (Utf16Length(piece) > 1) s_.words.push_back(piece);
    }
    // "word," and ",word" read as "word" when "word" is in the text without
    // punctuation (some piece of it, stripped of all punctuation, is "word").
    auto known = [&](std::string_view candidate) {
      if (Utf16Length(candidate) <= 1) return false;
      for (auto piece : s_.pieces) {
        if (StrippedEquals(piece, candidate)) return true;
      }
      return false;
    };
    for (auto& w : s_.words) {
      if (!IsAsciiPunctuation(w.front()) && !IsAsciiPunctuation(w.back())) continue;
      for (auto p : kEdgePunctuation) {
        if (w.size() > p.size() && w.substr(0, p.size()) == p && known(w.substr(p.size()))) {
          w = w.substr(p.size());
          break;
        }
        if (w.size() > p.size() && w.substr(w.size() - p.size()) == p && known(w.substr(0, w.size() - p.size()))) {
          w = w.substr(0, w.size() - p.size());
          break;
        }
      }
    }
    size_t capitals = 0;
    for (auto w : s_.words) {
      Facts f;
      f.lower = std::string_view(s_.lower_text).substr(static_cast<size_t>(w.data() - text.data()), w.size());
      f.upper = IsUpper(w);
      f.negates = Negates(w);
      f.phrase = InPhrase(w);
      f.booster = BoosterOf(f.lower);
      auto it = vader_.lexicon_.find(f.lower);
      if (it != vader_.lexicon_.end()) f.valence = it->second;
      capitals += f.upper;
      s_.facts.push_back(f);
    }
    // Emphasis by capitals counts only when some words are not in capitals.
    caps_differ_ = capitals > 0 && capitals < s_.words.size();
  }

  // Each word's valence in context, in the scratch buffer (valid until the
  // thread reads its next text).
  const std::vector<double>& Sentiments() const {
    auto& out = s_.sentiments;
    const auto& f = s_.facts;
    for (size_t i = 0; i < f.size(); ++i) {
      bool kind_of = i + 1 < f.size() && f[i].lower == "kind" && f[i + 1].lower == "of";
      out.push_back(kind_of || f[i].booster ? 0.0 : Valence(i));
    }
    ButShift(out);
    return out;
  }

 private:
  struct Facts {
    std::string_view lower;
    std::optional<double> valence;  // rated in the lexicon
    std::optional<double> booster;  // a booster or dampener
    bool upper = false;             // in capitals
    bool negates = false;           // a negation, as written
    bool phrase = false;            // part of some idiom or two-word booster
  };
  struct Scratch {
    std::string lower_text;
    std::vector<std::string_view> pieces, words;
    std::vector<Facts> facts;
    std::vector<double> sentiments;
    void Clear() {
      pieces.clear();
      words.clear();
      facts.clear();
      sentiments.clear();
    }
  };
  static Scratch& ThreadScratch() {
    thread_local Scratch scratch;
    return scratch;
  }

  double Valence(size_t i) const {
    const auto& f = s_.facts;
    if (!f[i].valence) return 0;
    double valence = *f[i].valence;
    if (f[i].upper && caps_differ_) valence += valence > 0 ? kCapsEmphasis : -kCapsEmphasis;
    // The three words before: boosters (fading with distance), negations, idioms.
    for (size_t back = 0; back < 3; ++back) {
      if (i <= back || f[i - back - 1].valence) continue;
      double scalar = Scalar(i - back - 1, valence);
      if (back == 1 && scalar != 0) scalar *= 0.95;
      if (back == 2 && scalar != 0) scalar *= 0.9;
      valence += scalar;
      valence = NegationCheck(valence, back, i);
      if (back == 2) valence = IdiomCheck(valence, i);
    }
    return LeastCheck(valence, i);
  }

  // What a booster (or dampener) at j does to a word of this valence.
  double Scalar(size_t j, double valence) const {
    const auto& f = s_.facts[j];
    if (!f.booster) return 0;
    double scalar = valence < 0 ? -*f.booster : *f.booster;
    if (caps_differ_ && f.upper) scalar += valence > 0 ? kCapsEmphasis : -kCapsEmphasis;
    return scalar;
  }

  double NegationCheck(double valence, size_t back, size_t i) const {
    const auto& f = s_.facts;
    auto is = [&](size_t j, std::string_view w) { return s_.words[j] == w; };
    auto so_or_this = [&](size_t j) { return is(j, "so") || is(j, "this"); };
    if (back == 0) {
      if (f[i - 1].negates) valence *= kNegation;
    } else if (back == 1) {
      if (is(i - 2, "never") && so_or_this(i - 1)) {
        valence *= 1.5;  // "never so good"
      } else if (f[i - 2].negates) {
        valence *= kNegation;
      }
    } else {
      if ((is(i - 3, "never") && so_or_this(i - 2)) || so_or_this(i - 1)) {
        valence *= 1.25;
      } else if (f[i - 3].negates) {
        valence *= kNegation;
      }
    }
    return valence;
  }

  // Idioms around word i (i ≥ 3), as written, which replace its valence.
  double IdiomCheck(double valence, size_t i) const {
    const auto& words = s_.words;
    bool any = false;
    for (size_t j = i - 3; j < std::min(words.size(), i + 3); ++j) any |= s_.facts[j].phrase;
    if (!any) return valence;
    auto join = [&](std::initializer_list<size_t> at) {
      std::string s;
      for (size_t j : at) {
        if (!s.empty()) s += ' ';
        s += words[j];
      }
      return s;
    };
    const std::string three_two = join({i - 3, i - 2}), two_one = join({i - 2, i - 1});
    for (const std::string& seq : {join({i - 1, i}), join({i - 2, i - 1, i}), two_one, join({i - 3, i - 2, i - 1}),
                                   three_two}) {
      if (auto idiom = IdiomOf(seq)) {
        valence = *idiom;
        break;
      }
    }
    if (words.size() - 1 > i) {
      if (auto idiom = IdiomOf(join({i, i + 1}))) valence = *idiom;
    }
    if (words.size() - 1 > i + 1) {
      if (auto idiom = IdiomOf(join({i, i + 1, i + 2}))) valence = *idiom;
    }
    if (BoosterOf(three_two) || BoosterOf(two_one)) valence += kDampen;
    return valence;
  }

  // "least good" flips; "at least" and "very least" do not.
  double LeastCheck(double valence, size_t i) const {
    const bool least_unrated = !vader_.lexicon_.count(std::string_view("least"));
    const auto& f = s_.facts;
    if (i > 1 && f[i - 1].lower == "least" && least_unrated) {
      if (f[i - 2].lower != "at" && f[i - 2].lower != "very") valence *= kNegation;
    } else if (i > 0 && f[i - 1].lower == "least" && least_unrated) {
      valence *= kNegation;
    }
    return valence;
  }

  // "but": what comes before weighs half, what comes after one and a half.
  void ButShift(std::vector<double>& sentiments) const {
    const auto& words = s_.words;
    auto at = std::find(words.begin(), words.end(), "but");
    if (at == words.end()) at = std::find(words.begin(), words.end(), "BUT");
    if (at == words.end()) return;
    const size_t but = static_cast<size_t>(at - words.begin());
    for (size_t i = 0; i < sentiments.size(); ++i) {
      if (i < but) sentiments[i] *= 0.5;
      if (i > but) sentiments[i] *= 1.5;
    }
  }

  const Vader& vader_;
  Scratch& s_;
  bool caps_differ_ = false;
};

const Vader& Vader::Embedded() {
  static const Vader* vader = [] {
    auto v = FromLexicon(kVaderLexicon);
    return new Vader(*std::move(v));  // the embedded file parses (a unit test proves it)
  }();
  return *vader;
}

absl::StatusOr<Vader> Vader::FromLexicon(std::string_view text) {
  Vader v;
  size_t line_no = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    size_t tab2 = tab == std::string_view::npos ? tab : line.find('\t', tab + 1);
    double valence = 0;
    bool parsed = false;
    if (tab != std::string_view::npos && tab > 0) {
      std::string number(line.substr(tab + 1, tab2 == std::string_view::npos ? tab2 : tab2 - tab - 1));
      char* end = nullptr;
      valence = std::strtod(number.c_str(), &end);
      parsed = !number.empty() && end == number.c_str() + number.size() && std::isfinite(valence);
    }
    if (!parsed) {
      return absl::InvalidArgumentError("lexicon line " + std::to_string(line_no) + ": want token<TAB>valence");
    }
    // A token listed twice takes its later rating, as the reference does
    // (vader_lexicon.txt lists "lol" at 2.9 and again at 1.8).
    v.lexicon_.insert_or_assign(std::string(line.substr(0, tab)), valence);
  }
  if (v.lexicon_.empty()) return absl::InvalidArgumentError("lexicon: no entries");
  return v;
}

SentimentScores Vader::Score(std::string_view text) const {
  VaderText read(*this, text);
  const std::vector<double>& sentiments = read.Sentiments();
  SentimentScores out;
  if (sentiments.empty()) return out;
  double sum = 0;
  for (double s : sentiments) sum += s;
  // "!" and "?" anywhere in the text strengthen whichever way it leans.
  int64_t exclamations = std::min<int64_t>(std::count(text.begin(), text.end(), '!'), 4);
  int64_t questions = std::count(text.begin(), text.end(), '?');
  double emphasis = static_cast<double>(exclamations) * kExclamation;
  if (questions > 1) emphasis += questions <= 3 ? static_cast<double>(questions) * kQuestion : kManyQuestions;
  if (sum > 0) sum += emphasis;
  if (sum < 0) sum -= emphasis;
  out.compound = std::clamp(sum / std::sqrt(sum * sum + kNormalizeAlpha), -1.0, 1.0);

  double positive = 0, negative = 0, neutral = 0;
  for (double s : sentiments) {
    if (s > 0) positive += s + 1;  // the +1 and -1 offset neutral words counted as 1
    if (s < 0) negative += s - 1;
    if (s == 0) neutral += 1;
  }
  if (positive > std::fabs(negative)) positive += emphasis;
  if (positive < std::fabs(negative)) negative -= emphasis;
  double total = positive + std::fabs(negative) + neutral;
  out.positive = std::fabs(positive / total);
  out.negative = std::fabs(negative / total);
  out.neutral = std::fabs(neutral / total);
  return out;
}

}  // namespace herald::listener
