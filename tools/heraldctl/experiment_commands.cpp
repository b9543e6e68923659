#include "heraldctl/experiment_commands.h"

#include <iostream>

#include "common/time_util.h"
#include "herald/campaign/v1/experiments.grpc.pb.h"
#include "heraldctl/table.h"

namespace heraldctl {
namespace {

namespace cmp = herald::campaign::v1;

std::unique_ptr<cmp::ExperimentService::Stub> Stub(const Ctx& c) {
  return cmp::ExperimentService::NewStub(Dial(c.args, "campaign-addr", "HERALD_CAMPAIGN_ADDR", "localhost:7104"));
}

std::string Pct(double v) { return std::to_string(v * 100).substr(0, 5) + "%"; }

void Print(const cmp::Experiment& e) {
  std::cout << "experiment/" << e.id() << " \"" << e.name() << "\" (" << e.status() << "), campaign/" << e.campaign_id()
            << "\n";
  const auto& r = e.result();
  std::cout << "verdict: " << r.verdict() << (r.winner().empty() ? "" : " — winner " + r.winner()) << "\n";
  if (!r.reason().empty()) std::cout << "  " << r.reason() << "\n";
  std::cout << "  needs " << r.needed_per_arm() << " per variant; split check p = " << r.sample_ratio_p_value() << "\n";
  Table t({"VARIANT", "EXPOSURES", "SUCCESSES", "RATE", "LIFT", "95% CI", "P", "SIGNIFICANT"});
  for (const auto& v : r.variants()) {
    const bool compared = v.p_value() > 0 || v.significant();
    t.Row({v.variant(), std::to_string(v.exposures()), std::to_string(v.successes()), Pct(v.rate()),
           compared ? Pct(v.lift()) : "-", compared ? Pct(v.ci_low()) + ".." + Pct(v.ci_high()) : "-",
           compared ? std::to_string(v.p_value()).substr(0, 7) : "-", v.significant() ? "yes" : "no"});
  }
  t.Print(std::cout);
  if (!e.cancelled_post_ids().empty()) std::cout << "cancelled: " << e.cancelled_post_ids_size() << " posts of the losers\n";
}

// "NAME=VALUE" flags as a map; false (with the flag) on a bad one.
bool Pairs(const std::vector<std::string>& values, std::map<std::string, std::string>* out, std::string* bad) {
  for (const auto& v : values) {
    auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0) {
      *bad = v;
      return false;
    }
    (*out)[v.substr(0, eq)] = v.substr(eq + 1);
  }
  return true;
}

int Create(const Ctx& c) {
  cmp::CreateExperimentRequest req;
  req.set_workspace_id(c.workspace);
  req.set_campaign_id(c.args.Get("campaign", "", ""));
  req.set_name(c.args.Get("name", "", ""));
  req.set_request_id(c.args.Get("request-id", "", ""));
  std::map<std::string, std::string> texts, links;
  std::string bad;
  if (!Pairs(c.args.All("variant"), &texts, &bad)) return BadUsage("--variant: want NAME=TEXT, not " + bad);
  if (!Pairs(c.args.All("link"), &links, &bad)) return BadUsage("--link: want NAME=URL, not " + bad);
  // In the order given: the first is the control.
  for (const auto& v : c.args.All("variant")) {
    const std::string name = v.substr(0, v.find('='));
    auto* out = req.add_variants();
    out->set_name(name);
    out->set_text(texts[name]);
    if (links.count(name)) out->set_link(links[name]);
  }
  for (const auto& ch : c.args.All("channel")) req.add_channel_ids(ch);
  for (const auto& s : SplitCommas(c.args.Get("slots", "", ""))) {
    auto ms = ParseTime(s);
    if (!ms) return BadUsage("--slots: " + s + " is not RFC 3339 or +2h/+1d");
    *req.add_slots() = herald::FromMs(*ms);
  }
  const std::string metric = c.args.Get("metric", "", "");
  if (metric == "engagement_rate") req.set_metric(cmp::EXPERIMENT_METRIC_ENGAGEMENT_RATE);
  else if (metric == "ctr") req.set_metric(cmp::EXPERIMENT_METRIC_CTR);
  else if (metric == "conversion_rate") req.set_metric(cmp::EXPERIMENT_METRIC_CONVERSION_RATE);
  else return BadUsage("--metric: engagement_rate, ctr or conversion_rate");
  req.set_baseline_rate(std::atof(c.args.Get("baseline", "", "0").c_str()));
  req.set_minimum_detectable_effect(std::atof(c.args.Get("mde", "", "0").c_str()));
  req.set_holdout_weight(std::atof(c.args.Get("holdout", "", "0").c_str()));
  req.set_alpha(std::atof(c.args.Get("alpha", "", "0").c_str()));
  req.set_power(std::atof(c.args.Get("power", "", "0").c_str()));
  req.set_sequential(c.args.Has("sequential"));
  cmp::Experiment out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->CreateExperiment(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::map<std::string, int> per_arm;
  for (const auto& cell : out.cells()) ++per_arm[cell.arm()];
  std::cout << "experiment/" << out.id() << " scheduled:";
  for (const auto& [arm, n] : per_arm) std::cout << " " << arm << "=" << n;
  std::cout << " cells\n";
  return 0;
}

int Get(const Ctx& c, const std::string& id) {
  if (id.empty()) {
    cmp::ListExperimentsRequest req;
    req.set_workspace_id(c.workspace);
    req.set_campaign_id(c.args.Get("campaign", "", ""));
    cmp::ListExperimentsResponse out;
    grpc::ClientContext ctx;
    Deadline(ctx);
    if (auto s = Stub(c)->ListExperiments(&ctx, req, &out); !s.ok()) return Fail(s);
    if (c.json) return PrintJson(out), 0;
    Table t({"ID", "NAME", "STATUS", "VARIANTS", "CELLS", "WINNER"});
    for (const auto& e : out.experiments()) {
      t.Row({e.id(), e.name(), e.status(), std::to_string(e.variants_size()), std::to_string(e.cells_size()),
             e.result().winner().empty() ? "-" : e.result().winner()});
    }
    t.Print(std::cout);
    return 0;
  }
  cmp::GetExperimentRequest req;
  req.set_workspace_id(c.workspace);
  req.set_experiment_id(id);
  cmp::Experiment out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->GetExperiment(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Print(out);
  return 0;
}

int Conclude(const Ctx& c, const std::string& id) {
  cmp::ConcludeExperimentRequest req;
  req.set_workspace_id(c.workspace);
  req.set_experiment_id(id);
  cmp::Experiment out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->ConcludeExperiment(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Print(out);
  return 0;
}

}  // namespace

int RunExperimentCommand(const Ctx& c, const std::string& verb, const std::string& noun, const std::string& id) {
  if (verb == "create" && noun == "experiment") return Create(c);
  if (verb == "get" && noun == "experiments") return Get(c, "");
  if (verb == "get" && noun == "experiment") return id.empty() ? BadUsage("get experiment: ID required") : Get(c, id);
  if (verb == "conclude" && noun == "experiment") {
    return id.empty() ? BadUsage("conclude experiment: ID required") : Conclude(c, id);
  }
  return -1;
}

}  // namespace heraldctl
