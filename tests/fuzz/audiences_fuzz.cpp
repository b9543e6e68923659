// What the conversions and audiences take from outside and parse: segment
// expressions, CSV (conversion and CRM imports), CRM rows from CSV, and the
// JSON bodies of the HTTP ingest as request messages. Invariants: a segment
// that parses prints to an expression that parses to the same text, and
// evaluates without crashing; CSV never yields more fields a row than its
// limit; nothing crashes or grows without bound.
#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <string>
#include <variant>

#include "campaign/audiences/profile_rules.h"
#include "campaign/audiences/segment_language.h"
#include "campaign/conversions/conversion_rules.h"
#include "campaign/conversions/pacing.h"
#include "common/csv.h"

using namespace herald::campaign;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  auto parsed = Segment::Parse(in);
  if (auto* s = std::get_if<Segment>(&parsed)) {
    const std::string text = s->ToString();
    auto again = Segment::Parse(text);
    if (!std::holds_alternative<Segment>(again) || std::get<Segment>(again).ToString() != text) std::abort();
    Profile p;
    p.network = "x";
    p.country = "DE";
    p.followers = 10;
    p.tags = {"vip"};
    (void)s->Matches(p, 1'800'000'000'000);
    (void)s->Matches(Profile(), 0);
  } else if (std::get<SegmentError>(parsed).offset > in.size()) {
    std::abort();
  }
  herald::CsvLimits limits{.max_rows = 1000, .max_fields = 8, .max_field_bytes = 256};
  if (auto rows = herald::ParseCsv(in, limits); rows.ok()) {
    if (rows->size() > limits.max_rows) std::abort();
    for (const auto& r : *rows) {
      if (r.size() > limits.max_fields) std::abort();
    }
  }
  if (auto rows = RowsFromCsv("ws", in); rows.ok()) {
    for (const auto& r : *rows) {
      if (!r.email().empty() || !ValidateProfileRow(r).ok()) std::abort();  // hashed, and checked
    }
  }
  google::protobuf::util::JsonParseOptions options;
  v1::RecordConversionsRequest conversions;
  if (google::protobuf::util::JsonStringToMessage(in, &conversions, options).ok()) {
    (void)ValidateRecordConversions(conversions, 1'800'000'000'000);
  }
  v1::RecordSpendRequest spend;
  if (google::protobuf::util::JsonStringToMessage(in, &spend, options).ok()) (void)ValidateRecordSpend(spend);
  return 0;
}
