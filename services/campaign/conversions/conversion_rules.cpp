#include "campaign/conversions/conversion_rules.h"

#include <algorithm>

#include "common/hmac.h"
#include "common/time_util.h"

namespace herald::campaign {
namespace {

namespace ev = herald::events::v1;

bool IsSourceChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool IsPrintableAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

bool IsCurrency(const std::string& s) {
  return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

void ValidateSenderEvent(const std::string& source, const std::string& event_id, const std::string& prefix,
                         FieldErrors& errors) {
  if (source.empty() || source.size() > kMaxSourceBytes || !std::all_of(source.begin(), source.end(), IsSourceChar)) {
    errors.Add(prefix + "source", "want 1-64 of [a-z0-9._-]");
  }
  if (event_id.empty() || event_id.size() > kMaxSenderEventIdBytes || !IsPrintableAscii(event_id)) {
    errors.Add(prefix + "event_id", "want 1-128 printable ASCII characters, no spaces");
  }
}

namespace {

void ValidateInput(const v1::ConversionInput& in, const std::string& at, int64_t now_ms, FieldErrors& errors) {
  ValidateSenderEvent(in.source(), in.event_id(), at + ".", errors);
  if (in.stage() != ev::CONVERSION_STAGE_LEAD && in.stage() != ev::CONVERSION_STAGE_SALE) {
    errors.Add(at + ".stage", "want LEAD or SALE");
  }
  if (!in.click_id().empty() && !IsClickId(in.click_id())) {
    errors.Add(at + ".click_id", "not a Herald click id (the hclid parameter: k_ and 24 hex)");
  }
  if (!in.customer_id().empty() && !IsCustomerId(in.customer_id())) {
    errors.Add(at + ".customer_id", "want 1-256 printable ASCII characters, no spaces");
  }
  if (in.click_id().empty() && in.customer_id().empty()) {
    errors.Add(at + ".click_id", "a conversion names a click id, a customer id or both");
  }
  if (in.value_micros() < 0 || in.value_micros() > kMaxMoneyMicros) {
    errors.Add(at + ".value_micros", "want 0 to 10^15");
  }
  if (in.stage() == ev::CONVERSION_STAGE_SALE || !in.currency().empty() || in.value_micros() != 0) {
    if (!IsCurrency(in.currency())) errors.Add(at + ".currency", "want an ISO 4217 code such as EUR");
  }
  if (in.has_converted_at()) {
    if (!ValidTimestamp(in.converted_at())) {
      errors.Add(at + ".converted_at", "not a valid timestamp");
    } else {
      int64_t ms = ToMs(in.converted_at());
      if (ms > now_ms + kMaxConversionLeadMs) errors.Add(at + ".converted_at", "more than 5 minutes ahead");
      if (ms < now_ms - kMaxConversionAgeMs) errors.Add(at + ".converted_at", "more than 90 days ago");
    }
  }
}

}  // namespace

FieldErrors ValidateRecordConversions(const v1::RecordConversionsRequest& request, int64_t now_ms) {
  FieldErrors errors;
  if (request.conversions().empty()) errors.Add("conversions", "at least one is required");
  if (request.conversions_size() > kMaxConversionsPerCall) {
    errors.Add("conversions", "at most 500 per call");
    return errors;  // not one of them is looked at
  }
  if (!v1::AttributionModel_IsValid(request.model())) errors.Add("model", "unknown attribution model");
  if (request.window_days() < 0 || request.window_days() > kMaxWindowDays) errors.Add("window_days", "want 1-30 (0: 7)");
  for (int i = 0; i < request.conversions_size(); ++i) {
    ValidateInput(request.conversions(i), "conversions[" + std::to_string(i) + "]", now_ms, errors);
  }
  return errors;
}

AttributionSettings SettingsOf(const v1::RecordConversionsRequest& request) {
  AttributionSettings s;
  s.model = request.model() == v1::ATTRIBUTION_MODEL_LINEAR ? AttributionModel::kLinear : AttributionModel::kLastClick;
  if (request.window_days() > 0) s.window_ms = int64_t{request.window_days()} * 86400 * 1000;
  return s;
}

std::string ConversionId(const std::string& workspace_id, const std::string& source, const std::string& event_id) {
  return "cv_" + HmacSha256Hex(workspace_id, "conversion\n" + source + "\n" + event_id).substr(0, 32);
}

std::string CustomerHash(const std::string& workspace_id, const std::string& customer_id) {
  return HmacSha256Hex(workspace_id, "customer\n" + customer_id).substr(0, 32);
}

bool IsCustomerId(const std::string& id) {
  return !id.empty() && id.size() <= kMaxCustomerIdBytes && IsPrintableAscii(id);
}

bool IsClickId(const std::string& id) {
  return id.size() == 26 && id.rfind("k_", 0) == 0 &&
         std::all_of(id.begin() + 2, id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

int64_t ConvertedAtMs(const v1::ConversionInput& input, int64_t now_ms) {
  return input.has_converted_at() ? ToMs(input.converted_at()) : now_ms;
}

Touch TouchOf(const ev::LinkClick& click) {
  return Touch{click.click_id(), click.campaign_id(), click.post_id(),
               click.channel_id(), click.variant(),   ToMs(click.clicked_at())};
}

ev::ConversionRecorded BuildConversion(const std::string& workspace_id, const v1::ConversionInput& input,
                                       int64_t now_ms, const AttributionSettings& settings,
                                       const Attribution& attribution,
                                       const std::map<std::string, std::string>& campaign_currency) {
  ev::ConversionRecorded c;
  c.set_conversion_id(ConversionId(workspace_id, input.source(), input.event_id()));
  c.set_source(input.source());
  c.set_source_event_id(input.event_id());
  c.set_stage(input.stage());
  c.set_click_id(input.click_id());
  if (!input.customer_id().empty()) c.set_customer_hash(CustomerHash(workspace_id, input.customer_id()));
  c.set_value_micros(input.value_micros());
  c.set_currency(input.currency());
  *c.mutable_converted_at() = FromMs(ConvertedAtMs(input, now_ms));
  c.set_model(settings.model == AttributionModel::kLinear ? "linear" : "last_click");
  c.set_unattributed(attribution.unattributed);
  for (const auto& credit : attribution.credits) {
    auto* out = c.add_credits();
    out->set_click_id(credit.touch.click_id);
    out->set_campaign_id(credit.touch.campaign_id);
    out->set_post_id(credit.touch.post_id);
    out->set_channel_id(credit.touch.channel_id);
    out->set_variant(credit.touch.variant);
    *out->mutable_clicked_at() = FromMs(credit.touch.at_ms);
    out->set_share(credit.share);
    out->set_value_micros(credit.value_micros);
    auto it = campaign_currency.find(credit.touch.campaign_id);
    std::string currency = it == campaign_currency.end() ? "" : it->second;
    if (c.value_micros() > 0 && !currency.empty() && currency != c.currency()) {
      out->set_value_micros(0);
      c.set_value_not_counted("currency");
    }
  }
  return c;
}

std::string ConversionKey(const ev::ConversionRecorded& c) {
  return c.credits().empty() ? std::string() : c.credits(0).campaign_id();
}

}  // namespace herald::campaign
