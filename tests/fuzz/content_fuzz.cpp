// Content counted each network's way: graphemes, weighted length, URLs,
// hashtags, and splitting into a thread.
#include "publisher/content_rules.h"

using herald::publisher::Counting;
using herald::publisher::TextRules;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (Counting c : {Counting::kCodePoints, Counting::kGraphemes, Counting::kXWeighted}) {
    TextRules rules;
    rules.max_length = 280;
    rules.counting = c;
    rules.url_length = 23;
    (void)herald::publisher::CountedLength(text, rules);
    (void)herald::publisher::SplitThread(text, rules, 25);
  }
  (void)herald::publisher::CountHashtags(text);
  return 0;
}
