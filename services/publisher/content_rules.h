#pragma once
// Content checks at compose time, counted the way each network counts; no I/O.
#include <string>
#include <vector>

#include "herald/publisher/v1/publisher.pb.h"
#include "publisher/network_catalog.h"

namespace herald::publisher {

// Length as the network counts it (URLs as url_length when set).
int CountedLength(const std::string& text, const TextRules& rules);

// Hashtags: '#' at the start of a word followed by a letter, digit or '_'.
int CountHashtags(const std::string& text);

// Splits text into numbered parts (" 1/3") that each fit max_length, at word
// boundaries where possible. Empty when it cannot be done within max_parts.
std::vector<std::string> SplitThread(const std::string& text, const TextRules& rules, int max_parts);

herald::publisher::v1::ValidateContentResponse CheckContent(const herald::publisher::v1::ValidateContentRequest& request,
                                                            const NetworkProfile& network);

}  // namespace herald::publisher
