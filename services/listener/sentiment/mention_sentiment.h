#pragma once
// The sentiment of a mention: its plain text scored by VADER when it is
// English — tagged so by the network, or untagged and plainly English (Latin
// letters and common English words) — and left unscored otherwise. No I/O.
#include <string>
#include <string_view>

#include "herald/common/v1/common.pb.h"

namespace herald::listener {

// The text of an HTML fragment (Mastodon sends statuses as HTML): tags
// dropped (each as a space), the common entities decoded.
std::string PlainText(std::string_view html);

// Whether an untagged text reads as English.
bool LooksEnglish(std::string_view text);

// `text`: plain text (not HTML); `language`: the network's BCP 47 tag, ""
// when it gave none.
herald::common::v1::Sentiment MentionSentiment(std::string_view text, std::string_view language);

}  // namespace herald::listener
