#include "publisher/content_rules.h"

namespace herald::publisher {
namespace {

size_t CodePoints(const std::string& s, size_t from, size_t to) {
  size_t n = 0;
  for (size_t i = from; i < to; ++i) n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
  return n;
}

bool IsUrlStart(const std::string& s, size_t i) {
  return s.compare(i, 7, "http://") == 0 || s.compare(i, 8, "https://") == 0;
}

}  // namespace

NetworkRules RulesFor(herald::common::v1::Network network) {
  switch (network) {
    case herald::common::v1::NETWORK_X: return {280, 23, 4, false};
    case herald::common::v1::NETWORK_BLUESKY: return {300, 0, 4, false};
    case herald::common::v1::NETWORK_LINKEDIN: return {3000, 0, 9, false};
    case herald::common::v1::NETWORK_INSTAGRAM: return {2200, 0, 10, true};
    case herald::common::v1::NETWORK_FACEBOOK: return {63206, 0, 10, false};
    default: return {500, 23, 4, false};
  }
}

int CountedLength(const std::string& text, const NetworkRules& rules) {
  size_t length = 0, i = 0;
  while (i < text.size()) {
    if (rules.url_length > 0 && IsUrlStart(text, i)) {
      size_t end = text.find_first_of(" \t\r\n", i);
      if (end == std::string::npos) end = text.size();
      length += static_cast<size_t>(rules.url_length);
      i = end;
      continue;
    }
    size_t next = text.find("http", i + 1);
    if (next == std::string::npos) next = text.size();
    length += CodePoints(text, i, next);
    i = next;
  }
  return static_cast<int>(length);
}

herald::publisher::v1::ValidateContentResponse CheckContent(const herald::publisher::v1::ValidateContentRequest& r,
                                                            const NetworkRules& rules) {
  herald::publisher::v1::ValidateContentResponse out;
  std::string text = r.text();
  if (!r.link().empty()) text += (text.empty() ? "" : " ") + r.link();  // the link is posted with the text
  out.set_length(CountedLength(text, rules));
  out.set_max_length(rules.max_length);
  auto violate = [&](const char* field, const std::string& msg) {
    auto* v = out.add_violations();
    v->set_field(field);
    v->set_message(msg);
  };
  if (out.length() > rules.max_length) {
    violate("text", std::to_string(out.length()) + " characters; the network allows " +
                        std::to_string(rules.max_length));
  }
  if (r.media_urls_size() > rules.max_media) {
    violate("media_urls", std::to_string(r.media_urls_size()) + " attachments; the network allows " +
                              std::to_string(rules.max_media));
  }
  if (rules.media_required && r.media_urls_size() == 0) violate("media_urls", "the network needs an image or video");
  if (out.length() > rules.max_length * 9 / 10 && out.length() <= rules.max_length) {
    out.add_warnings("text is within 10% of the network's limit");
  }
  out.set_ok(out.violations_size() == 0);
  return out;
}

}  // namespace herald::publisher
