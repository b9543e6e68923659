#pragma once
// What a valid conversion report is and what Herald records for it; no I/O.
// A conversion's id is derived from (workspace, source, sender's event id),
// so the same report sent twice names the same record.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "campaign/conversions/attribution.h"
#include "common/status.h"
#include "herald/campaign/v1/conversions.pb.h"
#include "herald/events/v1/events.pb.h"

namespace herald::campaign {

inline constexpr int kMaxConversionsPerCall = 500;
inline constexpr size_t kMaxSourceBytes = 64;
inline constexpr size_t kMaxSenderEventIdBytes = 128;
inline constexpr size_t kMaxCustomerIdBytes = 256;
// A billion units of any currency: more is a typo (and sums stay far from overflow).
inline constexpr int64_t kMaxMoneyMicros = 1'000'000'000'000'000;
inline constexpr int64_t kMaxConversionAgeMs = 90LL * 86400 * 1000;
inline constexpr int64_t kMaxConversionLeadMs = 5LL * 60 * 1000;
// Clicks are kept 30 days by default: a longer window would find nothing.
inline constexpr int kMaxWindowDays = 30;
// A customer is tied to at most this many clicks (the latest are kept).
inline constexpr int kMaxClicksPerCustomer = 50;

struct AttributionSettings {
  AttributionModel model = AttributionModel::kLastClick;
  int64_t window_ms = kDefaultAttributionWindowMs;
};

// Who sent a conversion and its id with the sender: [a-z0-9._-]{1,64} and
// 1-128 printable ASCII without spaces; errors named "<prefix>source", "<prefix>event_id".
void ValidateSenderEvent(const std::string& source, const std::string& event_id, const std::string& prefix,
                         FieldErrors& errors);
// Every field of every conversion, and the call's settings; names each bad one.
FieldErrors ValidateRecordConversions(const v1::RecordConversionsRequest& request, int64_t now_ms);
AttributionSettings SettingsOf(const v1::RecordConversionsRequest& request);

// "cv_" + 32 hex: the same (workspace, source, event id), the same id.
std::string ConversionId(const std::string& workspace_id, const std::string& source, const std::string& event_id);
// 32 hex, keyed by the workspace: customer ids are never stored as sent.
std::string CustomerHash(const std::string& workspace_id, const std::string& customer_id);
// A sender's customer id: 1-256 printable ASCII, no spaces (an e-mail is fine).
bool IsCustomerId(const std::string& id);
// The click ids an hclid can be: "k_" + 24 lowercase hex.
bool IsClickId(const std::string& id);

int64_t ConvertedAtMs(const v1::ConversionInput& input, int64_t now_ms);
Touch TouchOf(const herald::events::v1::LinkClick& click);

// The record of a conversion (meta left to the caller). `campaign_currency`
// maps each credited campaign to its budget currency ("" when it has none):
// a sale in another currency keeps its credits but not as revenue.
herald::events::v1::ConversionRecorded BuildConversion(const std::string& workspace_id,
                                                       const v1::ConversionInput& input, int64_t now_ms,
                                                       const AttributionSettings& settings,
                                                       const Attribution& attribution,
                                                       const std::map<std::string, std::string>& campaign_currency);

// The Kafka key of a conversion: its first credit's campaign ("" when none).
std::string ConversionKey(const herald::events::v1::ConversionRecorded& c);

}  // namespace herald::campaign
