#include "heraldctl/conversion_commands.h"

#include <iostream>
#include <map>
#include <sstream>

#include "common/time_util.h"
#include "herald/campaign/v1/conversions.grpc.pb.h"
#include "heraldctl/campaign_commands.h"
#include "heraldctl/table.h"

namespace heraldctl {
namespace {

namespace cmp = herald::campaign::v1;
namespace ev = herald::events::v1;

constexpr size_t kBatch = 500;

std::unique_ptr<cmp::ConversionService::Stub> Stub(const Ctx& c) {
  return cmp::ConversionService::NewStub(Dial(c.args, "campaign-addr", "HERALD_CAMPAIGN_ADDR", "localhost:7104"));
}

std::string Units(int64_t micros) {
  std::ostringstream out;
  out << micros / 1'000'000 << "." << (micros % 1'000'000) / 100'000 << (micros % 100'000) / 10'000;
  return out.str();
}

// One CSV row as a conversion; an error text names what is wrong.
std::string FromRow(const std::map<std::string, size_t>& columns, const std::vector<std::string>& row,
                    const std::string& source, cmp::ConversionInput& in) {
  auto field = [&](const char* name) -> std::string {
    auto it = columns.find(name);
    return it == columns.end() || it->second >= row.size() ? "" : row[it->second];
  };
  in.set_source(source);
  in.set_event_id(field("event_id"));
  const std::string stage = field("stage");
  if (stage == "lead") {
    in.set_stage(ev::CONVERSION_STAGE_LEAD);
  } else if (stage == "sale") {
    in.set_stage(ev::CONVERSION_STAGE_SALE);
  } else {
    return "stage: want lead or sale, not \"" + stage + "\"";
  }
  in.set_click_id(field("click_id"));
  in.set_customer_id(field("customer_id"));
  if (std::string value = field("value"); !value.empty()) {
    auto micros = ParseMoneyMicros(value);
    if (!micros) return "value: want an amount such as 12.50";
    in.set_value_micros(*micros);
  }
  in.set_currency(field("currency"));
  if (std::string at = field("converted_at"); !at.empty()) {
    int64_t ms = herald::ParseRfc3339Ms(at);
    if (ms == 0) return "converted_at: want RFC 3339";
    *in.mutable_converted_at() = herald::FromMs(ms);
  }
  return "";
}

int Import(const Ctx& c) {
  auto path = c.args.Get("file");
  if (!path) return BadUsage("import conversions: --file required");
  std::string error;
  auto rows = ReadCsvFile(*path, &error);
  if (!rows) return BadUsage(error);
  std::map<std::string, size_t> columns;
  for (size_t i = 0; i < (*rows)[0].size(); ++i) columns[(*rows)[0][i]] = i;
  for (const char* required : {"event_id", "stage"}) {
    if (!columns.count(required)) return BadUsage(*path + ": the header names no " + std::string(required) + " column");
  }
  cmp::RecordConversionsRequest base;
  base.set_workspace_id(c.workspace);
  std::string model = c.args.Get("model", "", "last_click");
  if (model != "last_click" && model != "linear") return BadUsage("--model: last_click or linear");
  base.set_model(model == "linear" ? cmp::ATTRIBUTION_MODEL_LINEAR : cmp::ATTRIBUTION_MODEL_LAST_CLICK);
  base.set_window_days(std::atoi(c.args.Get("window-days", "", "0").c_str()));
  const std::string source = c.args.Get("source", "", "import");
  // Every row is read before any is sent: a bad one stops the import untouched.
  std::vector<cmp::ConversionInput> inputs;
  for (size_t r = 1; r < rows->size(); ++r) {
    cmp::ConversionInput in;
    if (std::string problem = FromRow(columns, (*rows)[r], source, in); !problem.empty()) {
      return BadUsage(*path + ": row " + std::to_string(r + 1) + ": " + problem);
    }
    inputs.push_back(std::move(in));
  }
  size_t recorded = 0, duplicates = 0;
  std::map<std::string, size_t> unattributed;
  for (size_t start = 0; start < inputs.size(); start += kBatch) {
    cmp::RecordConversionsRequest req = base;
    for (size_t i = start; i < std::min(inputs.size(), start + kBatch); ++i) *req.add_conversions() = inputs[i];
    cmp::RecordConversionsResponse out;
    grpc::ClientContext ctx;
    Deadline(ctx);
    if (auto s = Stub(c)->RecordConversions(&ctx, req, &out); !s.ok()) {
      std::cerr << "rows " << start + 2 << "-" << start + 1 + static_cast<size_t>(req.conversions_size())
                << " (conversions[i] is row " << start + 2 << " + i); " << start << " rows before them were sent\n";
      return Fail(s);
    }
    for (const auto& result : out.results()) {
      (result.duplicate() ? duplicates : recorded)++;
      if (!result.conversion().unattributed().empty()) ++unattributed[result.conversion().unattributed()];
    }
  }
  if (c.json) {
    std::cout << "{\"recorded\": " << recorded << ", \"duplicates\": " << duplicates << "}\n";
    return 0;
  }
  std::cout << recorded << " conversions recorded, " << duplicates << " already recorded";
  for (const auto& [reason, n] : unattributed) std::cout << ", " << n << " unattributed (" << reason << ")";
  std::cout << "\n";
  return 0;
}

int GetConversion(const Ctx& c, const std::string& event_id) {
  cmp::GetConversionRequest req;
  req.set_workspace_id(c.workspace);
  req.set_source(c.args.Get("source", "", "import"));
  req.set_event_id(event_id);
  ev::ConversionRecorded out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->GetConversion(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << out.conversion_id() << "  " << Lower(ev::ConversionStage_Name(out.stage()), "CONVERSION_STAGE_") << "  "
            << Units(out.value_micros()) << " " << out.currency() << "  " << out.model()
            << (out.unattributed().empty() ? "" : "  unattributed: " + out.unattributed()) << "\n";
  Table t({"CLICK", "CAMPAIGN", "POST", "CHANNEL", "VARIANT", "SHARE", "VALUE"});
  for (const auto& cr : out.credits()) {
    t.Row({cr.click_id(), cr.campaign_id(), cr.post_id(), cr.channel_id(), cr.variant().empty() ? "-" : cr.variant(),
           std::to_string(cr.share()).substr(0, 5), Units(cr.value_micros())});
  }
  if (out.credits_size() > 0) t.Print(std::cout);
  return 0;
}

int RecordSpend(const Ctx& c) {
  cmp::RecordSpendRequest req;
  req.set_workspace_id(c.workspace);
  auto* e = req.add_entries();
  e->set_campaign_id(c.args.Get("campaign", "", ""));
  e->set_channel_id(c.args.Get("channel", "", ""));
  e->set_day(c.args.Get("day", "", ""));
  auto micros = ParseMoneyMicros(c.args.Get("amount", "", ""));
  if (!micros) return BadUsage("--amount: want an amount such as 12.50");
  e->set_amount_micros(*micros);
  e->set_currency(c.args.Get("currency", "", ""));
  cmp::RecordSpendResponse out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->RecordSpend(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  const auto& r = out.results(0);
  std::cout << "spend of campaign/" << r.campaign_id() << " on " << r.channel_id() << " for " << r.day() << ": "
            << Units(r.amount_micros()) << " (revision " << r.revision() << ")\n";
  for (const auto& a : out.alerts()) {
    std::cout << "budget alert: " << a.reason() << " — " << Units(a.day_spend_micros()) << " spent of "
              << Units(a.planned_micros()) << " planned by now\n";
  }
  return 0;
}

int GetPacing(const Ctx& c) {
  cmp::GetPacingRequest req;
  req.set_workspace_id(c.workspace);
  req.set_campaign_id(c.args.Get("campaign", "", ""));
  req.set_day(c.args.Get("day", "", ""));
  cmp::Pacing out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->GetPacing(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Table t({"DAY", "ZONE", "HOURS", "ELAPSED", "SPENT", "PLANNED", "DAILY BUDGET", "TOTAL SPENT", "BUDGET", "STATE"});
  t.Row({out.day(), out.time_zone(), std::to_string(static_cast<int>(out.day_hours())),
         std::to_string(static_cast<int>(out.elapsed_fraction() * 100)) + "%", Units(out.day_spend_micros()),
         Units(out.planned_micros()), Units(out.daily_budget_micros()), Units(out.total_spend_micros()),
         Units(out.total_budget_micros()), Lower(cmp::PacingState_Name(out.state()), "PACING_STATE_")});
  t.Print(std::cout);
  for (const auto& ch : out.channels()) std::cout << "  " << ch.channel_id() << ": " << Units(ch.amount_micros()) << "\n";
  return 0;
}

}  // namespace

int RunConversionCommand(const Ctx& c, const std::string& verb, const std::string& noun, const std::string& id) {
  if (verb == "import" && noun == "conversions") return Import(c);
  if (verb == "get" && noun == "conversion") return id.empty() ? BadUsage("get conversion: EVENT_ID required") : GetConversion(c, id);
  if (verb == "record" && noun == "spend") return RecordSpend(c);
  if (verb == "get" && noun == "pacing") return GetPacing(c);
  return -1;
}

}  // namespace heraldctl
