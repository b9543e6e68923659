#pragma once
// What each event adds to the counters; no I/O.
//
// Counter fields (all per workspace, ids never become metric labels):
//   published|<ws>   published|<ws>|<channel>   failed|<ws>   failed|<ws>|<channel>
//   campaign_published|<ws>|<campaign>
//   mentions|<ws>    mentions|<ws>|<channel>
//   campaigns|<ws>   campaign_posts|<ws>|<campaign>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herald::analytics {

struct Increment {
  // Increments sharing a dedupe id are applied together, once: a producer
  // that announced the same fact twice is counted once.
  std::string dedupe_id;
  std::string field;
  int64_t delta = 1;
  // The message (its offset) the increment comes from; set by the consumer.
  // A repeat of a fact inside one batch is told apart by it.
  int64_t offset = 0;
};

// Increments for one Kafka message of `topic`. Unknown or unparseable
// messages yield none (they are still consumed).
std::vector<Increment> IncrementsFor(std::string_view topic, const std::string& payload);

std::string Field(std::initializer_list<std::string_view> parts);

}  // namespace herald::analytics
