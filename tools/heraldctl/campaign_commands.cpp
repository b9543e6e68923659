#include "heraldctl/campaign_commands.h"

#include <cmath>
#include <iostream>

#include "herald/campaign/v1/campaign.grpc.pb.h"
#include "herald/campaign/v1/links.grpc.pb.h"
#include "heraldctl/table.h"

namespace heraldctl {
namespace {

namespace cmp = herald::campaign::v1;

std::unique_ptr<cmp::CampaignService::Stub> Stub(const Ctx& c) {
  return cmp::CampaignService::NewStub(Dial(c.args, "campaign-addr", "HERALD_CAMPAIGN_ADDR", "localhost:7104"));
}

std::string Upper(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

std::string Money(const cmp::Money& m) {
  if (m.currency().empty()) return "-";
  int64_t units = m.micros() / 1000000, cents = (m.micros() % 1000000) / 10000;
  return std::to_string(units) + "." + (cents < 10 ? "0" : "") + std::to_string(cents) + " " + m.currency();
}

// Fills `campaign` from the flags given and names each in `mask`; an error text on a bad value.
std::string FromFlags(const Ctx& c, cmp::Campaign& campaign, std::vector<std::string>& mask) {
  const Args& a = c.args;
  auto set = [&](const char* flag, const char* field, auto&& apply) {
    if (auto v = a.Get(flag)) {
      apply(*v);
      if (std::find(mask.begin(), mask.end(), field) == mask.end()) mask.push_back(field);
    }
  };
  std::string error;
  set("name", "name", [&](const std::string& v) { campaign.set_name(v); });
  set("description", "description", [&](const std::string& v) { campaign.set_description(v); });
  set("objective", "objective", [&](const std::string& v) {
    cmp::Objective o = cmp::OBJECTIVE_UNSPECIFIED;
    if (!cmp::Objective_Parse("OBJECTIVE_" + Upper(v), &o)) error = "--objective: want awareness, engagement, traffic or conversions";
    campaign.set_objective(o);
  });
  std::string currency = a.Get("currency", "", "EUR");
  auto money = [&](const char* flag, cmp::Money* m) {
    return [&, flag, m](const std::string& v) {
      auto micros = ParseMoneyMicros(v);
      if (!micros) error = std::string("--") + flag + ": want an amount such as 1500 or 12.50";
      m->set_micros(micros.value_or(0));
      m->set_currency(currency);
    };
  };
  set("budget", "budget", money("budget", campaign.mutable_budget()));
  set("daily-budget", "daily_budget", money("daily-budget", campaign.mutable_daily_budget()));
  set("zone", "time_zone", [&](const std::string& v) { campaign.set_time_zone(v); });
  set("start", "start_date", [&](const std::string& v) { campaign.set_start_date(v); });
  set("end", "end_date", [&](const std::string& v) { campaign.set_end_date(v); });
  set("channels", "channel_ids", [&](const std::string& v) {
    campaign.clear_channel_ids();
    for (const auto& ch : SplitCommas(v)) campaign.add_channel_ids(ch);
  });
  set("owner", "owner", [&](const std::string& v) { campaign.set_owner(v); });
  set("target-cpa", "targets", money("target-cpa", campaign.mutable_targets()->mutable_cpa()));
  auto ratio = [&](const char* flag, auto setter) {
    return [&, flag, setter](const std::string& v) {
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0') error = std::string("--") + flag + ": want a number";
      setter(d);
    };
  };
  auto* t = campaign.mutable_targets();
  set("target-roas", "targets", ratio("target-roas", [t](double d) { t->set_roas(d); }));
  set("target-ctr", "targets", ratio("target-ctr", [t](double d) { t->set_ctr(d); }));
  set("target-conversion-rate", "targets", ratio("target-conversion-rate", [t](double d) { t->set_conversion_rate(d); }));
  if (std::find(mask.begin(), mask.end(), "targets") == mask.end()) campaign.clear_targets();
  auto* u = campaign.mutable_utm();
  set("utm-source", "utm", [u](const std::string& v) { u->set_source(v); });
  set("utm-medium", "utm", [u](const std::string& v) { u->set_medium(v); });
  set("utm-campaign", "utm", [u](const std::string& v) { u->set_campaign(v); });
  set("utm-term", "utm", [u](const std::string& v) { u->set_term(v); });
  set("utm-content", "utm", [u](const std::string& v) { u->set_content(v); });
  if (std::find(mask.begin(), mask.end(), "utm") == mask.end()) campaign.clear_utm();
  // --budget-split ch_a=60,ch_b=40: percent of the daily budget per channel.
  set("budget-split", "budget_split", [&](const std::string& v) {
    campaign.clear_budget_split();
    for (const auto& part : SplitCommas(v)) {
      auto eq = part.find('=');
      char* end = nullptr;
      const double pct = eq == std::string::npos ? -1 : std::strtod(part.c_str() + eq + 1, &end);
      if (eq == std::string::npos || eq == 0 || *end != '\0' || pct < 0 || pct > 100) {
        error = "--budget-split: want CHANNEL=PERCENT,... such as ch_a=60,ch_b=40";
        return;
      }
      auto* share = campaign.add_budget_split();
      share->set_channel_id(part.substr(0, eq));
      share->set_basis_points(static_cast<int32_t>(std::lround(pct * 100)));
    }
  });
  return error;
}

void PrintCampaigns(const std::vector<const cmp::Campaign*>& campaigns, bool with_posts) {
  std::vector<std::string> head{"ID", "NAME", "STATUS", "OBJECTIVE", "FLIGHT", "BUDGET", "OWNER"};
  if (with_posts) head.push_back("POSTS");
  Table t(head);
  for (const auto* c : campaigns) {
    std::string flight = c->start_date().empty() ? "-" : c->start_date() + ".." + c->end_date() + " " + c->time_zone();
    std::vector<std::string> row{c->id(),
                                 c->name(),
                                 Lower(cmp::CampaignStatus_Name(c->status()), "CAMPAIGN_STATUS_"),
                                 Lower(cmp::Objective_Name(c->objective()), "OBJECTIVE_"),
                                 flight,
                                 Money(c->budget()),
                                 c->owner().empty() ? "-" : c->owner()};
    if (with_posts) row.push_back(std::to_string(c->post_count()));
    t.Row(row);
  }
  t.Print(std::cout);
}

int Create(const Ctx& c) {
  cmp::Campaign fields;
  std::vector<std::string> mask;
  if (auto e = FromFlags(c, fields, mask); !e.empty()) return BadUsage(e);
  cmp::CreateCampaignRequest req;
  req.set_workspace_id(c.workspace);
  req.set_name(fields.name());
  req.set_description(fields.description());
  req.set_objective(fields.objective());
  if (fields.has_budget()) *req.mutable_budget() = fields.budget();
  if (fields.has_daily_budget()) *req.mutable_daily_budget() = fields.daily_budget();
  req.set_time_zone(fields.time_zone());
  req.set_start_date(fields.start_date());
  req.set_end_date(fields.end_date());
  *req.mutable_channel_ids() = fields.channel_ids();
  req.set_owner(fields.owner());
  if (fields.has_targets()) *req.mutable_targets() = fields.targets();
  if (fields.has_utm()) *req.mutable_utm() = fields.utm();
  req.set_request_id(c.args.Get("request-id", "", ""));
  req.set_activate(c.args.Has("activate"));
  cmp::Campaign out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->CreateCampaign(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "campaign/" << out.id() << " created (" << Lower(cmp::CampaignStatus_Name(out.status()), "CAMPAIGN_STATUS_")
            << ")\n";
  return 0;
}

int Update(const Ctx& c, const std::string& id) {
  cmp::UpdateCampaignRequest req;
  req.set_workspace_id(c.workspace);
  req.set_campaign_id(id);
  std::vector<std::string> mask;
  if (auto e = FromFlags(c, *req.mutable_campaign(), mask); !e.empty()) return BadUsage(e);
  if (mask.empty()) return BadUsage("update campaign: name at least one field to change (e.g. --name, --budget, --end)");
  for (auto& m : mask) req.add_update_mask(m);
  cmp::Campaign out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->UpdateCampaign(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "campaign/" << out.id() << " updated (version " << out.version() << ")\n";
  return 0;
}

int Get(const Ctx& c, const std::string& id) {
  if (id.empty()) {
    cmp::ListCampaignsRequest req;
    req.set_workspace_id(c.workspace);
    for (const auto& s : SplitCommas(c.args.Get("status", "", ""))) {
      cmp::CampaignStatus st = cmp::CAMPAIGN_STATUS_UNSPECIFIED;
      if (!cmp::CampaignStatus_Parse("CAMPAIGN_STATUS_" + Upper(s), &st)) {
        return BadUsage("--status: want draft, active, paused, completed or archived");
      }
      req.add_statuses(st);
    }
    if (auto o = c.args.Get("objective")) {
      cmp::Objective obj = cmp::OBJECTIVE_UNSPECIFIED;
      if (!cmp::Objective_Parse("OBJECTIVE_" + Upper(*o), &obj)) return BadUsage("--objective: not an objective");
      req.set_objective(obj);
    }
    req.set_owner(c.args.Get("owner", "", ""));
    req.set_page_size(static_cast<int32_t>(std::atoi(c.args.Get("limit", "", "50").c_str())));
    cmp::ListCampaignsResponse out;
    grpc::ClientContext ctx;
    Deadline(ctx);
    if (auto s = Stub(c)->ListCampaigns(&ctx, req, &out); !s.ok()) return Fail(s);
    if (c.json) return PrintJson(out), 0;
    std::vector<const cmp::Campaign*> list;
    for (const auto& x : out.campaigns()) list.push_back(&x);
    PrintCampaigns(list, false);
    return 0;
  }
  cmp::GetCampaignRequest req;
  req.set_workspace_id(c.workspace);
  req.set_campaign_id(id);
  cmp::Campaign out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->GetCampaign(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  PrintCampaigns({&out}, true);
  return 0;
}

int SetStatus(const Ctx& c, const std::string& verb, const std::string& id) {
  static const std::pair<const char*, cmp::CampaignStatus> kVerbs[] = {{"activate", cmp::CAMPAIGN_STATUS_ACTIVE},
                                                                       {"pause", cmp::CAMPAIGN_STATUS_PAUSED},
                                                                       {"complete", cmp::CAMPAIGN_STATUS_COMPLETED},
                                                                       {"archive", cmp::CAMPAIGN_STATUS_ARCHIVED}};
  cmp::SetCampaignStatusRequest req;
  req.set_workspace_id(c.workspace);
  req.set_campaign_id(id);
  for (const auto& [name, status] : kVerbs) {
    if (verb == name) req.set_status(status);
  }
  req.set_reason(c.args.Get("reason", "", ""));
  req.set_skip_missed(c.args.Has("skip-missed"));
  cmp::Campaign out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->SetCampaignStatus(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "campaign/" << out.id() << " " << Lower(cmp::CampaignStatus_Name(out.status()), "CAMPAIGN_STATUS_")
            << "\n";
  return 0;
}

int Attach(const Ctx& c, const std::string& post_id) {
  cmp::AttachPostRequest req;
  req.set_workspace_id(c.workspace);
  req.set_post_id(post_id);
  req.set_campaign_id(c.args.Get("campaign", "", ""));
  cmp::Campaign out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->AttachPost(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "post/" << post_id << " attached to campaign/" << out.id() << " (" << out.post_count() << " posts)\n";
  return 0;
}

int CreateLink(const Ctx& c) {
  cmp::CreateLinkRequest req;
  req.set_workspace_id(c.workspace);
  req.set_campaign_id(c.args.Get("campaign", "", ""));
  req.set_destination_url(c.args.Get("url", "", ""));
  req.set_post_id(c.args.Get("post", "", ""));
  req.set_channel_id(c.args.Get("channel", "", ""));
  req.set_variant(c.args.Get("variant", "", ""));
  auto* u = req.mutable_utm();
  u->set_source(c.args.Get("utm-source", "", ""));
  u->set_medium(c.args.Get("utm-medium", "", ""));
  u->set_campaign(c.args.Get("utm-campaign", "", ""));
  u->set_term(c.args.Get("utm-term", "", ""));
  u->set_content(c.args.Get("utm-content", "", ""));
  cmp::TrackedLink out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  auto stub = cmp::LinkService::NewStub(Dial(c.args, "campaign-addr", "HERALD_CAMPAIGN_ADDR", "localhost:7104"));
  if (auto s = stub->CreateLink(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << out.short_url() << " -> " << out.target_url() << "\n";
  return 0;
}

int GetLinks(const Ctx& c) {
  cmp::ListLinksRequest req;
  req.set_workspace_id(c.workspace);
  req.set_campaign_id(c.args.Get("campaign", "", ""));
  cmp::ListLinksResponse out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  auto stub = cmp::LinkService::NewStub(Dial(c.args, "campaign-addr", "HERALD_CAMPAIGN_ADDR", "localhost:7104"));
  if (auto s = stub->ListLinks(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Table t({"CODE", "SHORT URL", "POST", "CHANNEL", "VARIANT", "TARGET"});
  for (const auto& l : out.links()) {
    t.Row({l.code(), l.short_url(), l.post_id().empty() ? "-" : l.post_id(), l.channel_id().empty() ? "-" : l.channel_id(),
           l.variant().empty() ? "-" : l.variant(), l.target_url()});
  }
  t.Print(std::cout);
  return 0;
}

}  // namespace

std::optional<int64_t> ParseMoneyMicros(const std::string& text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  int64_t units = 0, frac = 0;
  int decimals = -1;
  for (char ch : text) {
    if (ch == '.' && decimals < 0) {
      decimals = 0;
    } else if (ch >= '0' && ch <= '9') {
      if (decimals < 0) {
        if (units > 999'999'999'999) return std::nullopt;
        units = units * 10 + (ch - '0');
      } else if (++decimals <= 6) {
        frac = frac * 10 + (ch - '0');
      } else {
        return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
  }
  if (decimals == 0) return std::nullopt;  // "12."
  for (int d = std::max(decimals, 0); d < 6; ++d) frac *= 10;
  return units * 1'000'000 + frac;
}

int RunCampaignCommand(const Ctx& c, const std::string& verb, const std::string& noun, const std::string& id) {
  if (verb == "create" && noun == "campaign") return Create(c);
  if (verb == "get" && (noun == "campaign" || noun == "campaigns")) {
    if (noun == "campaign" && id.empty()) return BadUsage("get campaign: ID required (or get campaigns)");
    return Get(c, noun == "campaigns" ? "" : id);
  }
  if (verb == "update" && noun == "campaign") return id.empty() ? BadUsage("update campaign: ID required") : Update(c, id);
  if ((verb == "activate" || verb == "pause" || verb == "complete" || verb == "archive") && noun == "campaign") {
    return id.empty() ? BadUsage(verb + " campaign: ID required") : SetStatus(c, verb, id);
  }
  if (verb == "attach" && noun == "post") return id.empty() ? BadUsage("attach post: POST_ID required") : Attach(c, id);
  if (verb == "create" && noun == "link") return CreateLink(c);
  if (verb == "get" && noun == "links") return GetLinks(c);
  return -1;
}

}  // namespace heraldctl
