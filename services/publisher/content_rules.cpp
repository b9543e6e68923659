#include "publisher/content_rules.h"

#include <algorithm>

namespace herald::publisher {
namespace {

// Decodes one UTF-8 code point at i (invalid bytes count as one each).
char32_t Decode(const std::string& s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (extra > 0 && i + static_cast<size_t>(extra) >= s.size()) extra = 0;  // truncated sequence
  char32_t cp = extra == 0 ? c : c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
  i += 1 + static_cast<size_t>(extra);
  return cp;
}

bool IsUrlStart(const std::string& s, size_t i) {
  return s.compare(i, 7, "http://") == 0 || s.compare(i, 8, "https://") == 0;
}

// X's weighted length (twitter-text v3): these ranges weigh 1, all else 2.
int XWeight(char32_t cp) {
  if (cp <= 4351 || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247)) return 1;
  return 2;
}

// Code points that join the previous one into one perceived character.
bool Extends(char32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
         (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
         (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0020 && cp <= 0xE007F) || cp == 0x200D;
}
bool IsRegionalIndicator(char32_t cp) { return cp >= 0x1F1E6 && cp <= 0x1F1FF; }

// Length of text[from, to) without URLs, per the counting rule.
int CountPlain(const std::string& s, size_t from, size_t to, Counting counting) {
  int n = 0;
  bool after_zwj = false;
  int regional = 0;
  for (size_t i = from; i < to;) {
    char32_t cp = Decode(s, i);
    switch (counting) {
      case Counting::kCodePoints: ++n; break;
      case Counting::kXWeighted:
        // An emoji sequence (ZWJ, skin tone, variation selector) weighs as one emoji.
        if (after_zwj || (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0x200D) {
          after_zwj = cp == 0x200D;
          break;
        }
        n += XWeight(cp);
        break;
      case Counting::kGraphemes:
        if (after_zwj || Extends(cp)) {
          after_zwj = cp == 0x200D;
          break;
        }
        if (IsRegionalIndicator(cp)) {
          if (regional++ % 2 == 1) break;  // a flag is a pair
        } else {
          regional = 0;
        }
        ++n;
        break;
    }
  }
  return n;
}

size_t UrlEnd(const std::string& s, size_t i) {
  size_t end = s.find_first_of(" \t\r\n", i);
  return end == std::string::npos ? s.size() : end;
}

}  // namespace

int CountedLength(const std::string& text, const TextRules& rules) {
  int length = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (rules.url_length > 0 && IsUrlStart(text, i)) {
      length += rules.url_length;
      i = UrlEnd(text, i);
      continue;
    }
    size_t next = text.find("http", i + 1);
    if (next == std::string::npos) next = text.size();
    length += CountPlain(text, i, next, rules.counting);
    i = next;
  }
  return length;
}

int CountHashtags(const std::string& text) {
  int n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    bool word_start = i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n' || text[i - 1] == '\t';
    unsigned char next = static_cast<unsigned char>(text[i + 1]);
    if (text[i] == '#' && word_start && (std::isalnum(next) || next == '_' || next >= 0x80)) ++n;
  }
  return n;
}

std::vector<std::string> SplitThread(const std::string& text, const TextRules& rules, int max_parts) {
  if (CountedLength(text, rules) <= rules.max_length) return {text};
  std::vector<std::string> words;
  for (size_t i = 0; i < text.size();) {
    size_t end = text.find(' ', i);
    if (end == std::string::npos) end = text.size();
    if (end > i) words.push_back(text.substr(i, end - i));
    i = end + 1;
  }
  // The suffix " i/n" takes room from every part and n changes the room:
  // try n = 2, 3, ... until the words fill exactly n parts.
  for (int n = 2; n <= max_parts; ++n) {
    int room = rules.max_length - CountedLength(" " + std::to_string(n) + "/" + std::to_string(n), rules);
    if (room <= 0) return {};
    std::vector<std::string> parts(1);
    for (const auto& word : words) {
      std::string joined = parts.back().empty() ? word : parts.back() + " " + word;
      if (CountedLength(joined, rules) <= room) {
        parts.back() = std::move(joined);
      } else if (CountedLength(word, rules) <= room) {
        parts.push_back(word);
      } else {
        return {};  // one word longer than a part
      }
      if (static_cast<int>(parts.size()) > n) break;
    }
    if (static_cast<int>(parts.size()) != n) continue;
    for (int k = 0; k < n; ++k) parts[k] += " " + std::to_string(k + 1) + "/" + std::to_string(n);
    return parts;
  }
  return {};
}

herald::publisher::v1::ValidateContentResponse CheckContent(const herald::publisher::v1::ValidateContentRequest& r,
                                                            const NetworkProfile& network) {
  const TextRules& rules = network.text;
  herald::publisher::v1::ValidateContentResponse out;
  std::string text = r.text();
  if (!r.link().empty() && text.find(r.link()) == std::string::npos) {
    text += (text.empty() ? "" : " ") + r.link();  // the link is posted with the text
  }
  out.set_length(CountedLength(text, rules));
  out.set_max_length(rules.max_length);
  auto violate = [&](const char* field, const std::string& msg) {
    auto* v = out.add_violations();
    v->set_field(field);
    v->set_message(msg);
  };
  std::string counted = rules.counting == Counting::kGraphemes   ? " characters (graphemes)"
                        : rules.counting == Counting::kXWeighted ? " weighted characters"
                                                                 : " characters";
  if (out.length() > rules.max_length) {
    std::vector<std::string> parts;
    if (r.split_into_thread() && network.threads.supported) parts = SplitThread(text, rules, network.threads.max_parts);
    if (!parts.empty()) {
      for (auto& p : parts) out.add_thread_parts(std::move(p));
      out.add_warnings("text is split into a thread of " + std::to_string(out.thread_parts_size()) + " posts");
    } else {
      violate("text", std::to_string(out.length()) + counted + "; " + network.name + " allows " +
                          std::to_string(rules.max_length) +
                          (r.split_into_thread() && !network.threads.supported ? " and has no threads" : ""));
    }
  } else if (out.length() > rules.max_length * 9 / 10) {
    out.add_warnings("text is within 10% of " + network.name + "'s limit");
  }
  if (rules.max_hashtags >= 0 && CountHashtags(text) > rules.max_hashtags) {
    violate("text", std::to_string(CountHashtags(text)) + " hashtags; " + network.name + " allows " +
                        std::to_string(rules.max_hashtags));
  }
  if (r.media_urls_size() > network.media.max) {
    violate("media_urls", std::to_string(r.media_urls_size()) + " attachments; " + network.name + " allows " +
                              std::to_string(network.media.max));
  }
  if (network.media.required && r.media_urls_size() == 0) {
    violate("media_urls", network.name + " needs an image or video");
  }
  out.set_ok(out.violations_size() == 0);
  return out;
}

}  // namespace herald::publisher
