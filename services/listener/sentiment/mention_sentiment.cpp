#include "listener/sentiment/mention_sentiment.h"

#include <algorithm>
#include <cctype>

#include "listener/sentiment/vader.h"

namespace herald::listener {

std::string PlainText(std::string_view html) {
  static constexpr struct {
    std::string_view entity, text;
  } kEntities[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&apos;", "'"},
                   {"&nbsp;", " "}};
  std::string out;
  out.reserve(html.size());
  for (size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      size_t close = html.find('>', i);
      if (close == std::string_view::npos) break;  // an unclosed tag: the rest is markup
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
      i = close + 1;
      continue;
    }
    if (html[i] == '&') {
      bool decoded = false;
      for (const auto& e : kEntities) {
        if (html.substr(i, e.entity.size()) == e.entity) {
          out += e.text;
          i += e.entity.size();
          decoded = true;
          break;
        }
      }
      if (decoded) continue;
    }
    out.push_back(html[i++]);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool LooksEnglish(std::string_view text) {
  static constexpr std::string_view kCommon[] = {
      "the", "a",    "an",   "is",  "are", "was",  "to",   "and", "of",  "in",   "it",   "you", "i",    "this",
      "that", "for", "with", "my",  "on",  "not",  "but",  "so",  "have", "be",  "just", "your", "what", "so",
      "me",  "we",   "they", "do",  "at",  "can",  "don't", "it's", "i'm", "love", "great", "thanks"};
  size_t letters = 0, latin = 0, words = 0, common = 0;
  std::string word;
  auto end_word = [&] {
    if (word.empty()) return;
    ++words;
    common += std::find(std::begin(kCommon), std::end(kCommon), word) != std::end(kCommon);
    word.clear();
  };
  for (unsigned char c : text) {
    if (std::isalpha(c)) {
      ++letters;
      ++latin;
      word.push_back(static_cast<char>(std::tolower(c)));
    } else if (c >= 0xC0) {  // the first byte of a non-ASCII character
      ++letters;
      word.push_back(static_cast<char>(c));
    } else if (c >= 0x80) {
      word.push_back(static_cast<char>(c));
    } else if (c == '\'') {
      word.push_back('\'');
    } else {
      end_word();
    }
  }
  end_word();
  // Mostly Latin letters, and common English words among them.
  return letters > 0 && latin * 10 >= letters * 9 && common > 0 && common * 8 >= words;
}

herald::common::v1::Sentiment MentionSentiment(std::string_view text, std::string_view language) {
  herald::common::v1::Sentiment out;
  bool english = language.empty() ? LooksEnglish(text)
                                  : (language == "en" || language.substr(0, 3) == "en-" || language.substr(0, 3) == "en_");
  if (!english) return out;
  auto s = Vader::Embedded().Score(text);
  out.set_scored(true);
  out.set_compound(s.compound);
  out.set_positive(s.positive);
  out.set_negative(s.negative);
  out.set_neutral(s.neutral);
  return out;
}

}  // namespace herald::listener
