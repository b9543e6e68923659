#include "heraldctl/listener_commands.h"

#include <iostream>

#include "herald/listener/v1/listener.grpc.pb.h"
#include "heraldctl/table.h"

namespace heraldctl {
namespace {

namespace lst = herald::listener::v1;

std::unique_ptr<lst::ListenerService::Stub> Listener(const Ctx& c) {
  return lst::ListenerService::NewStub(Dial(c.args, "listener", "HERALD_LISTENER_ADDR", "localhost:7103"));
}

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out.empty() ? "-" : out;
}

}  // namespace

int CreateRule(const Ctx& c, const std::string& name) {
  lst::CreateRuleRequest req;
  req.set_workspace_id(c.workspace);
  req.set_name(name);
  req.set_query(c.args.Get("query", "", ""));
  for (auto& t : SplitCommas(c.args.Get("tags", "", ""))) req.add_tags(t);
  req.set_request_id(c.args.Get("request-id", "", ""));
  lst::ListeningRule rule;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Listener(c)->CreateRule(&ctx, req, &rule); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(rule), 0;
  std::cout << "rule/" << rule.id() << " created\n";
  return 0;
}

int GetRules(const Ctx& c) {
  lst::ListRulesRequest req;
  req.set_workspace_id(c.workspace);
  lst::ListRulesResponse out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Listener(c)->ListRules(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Table t({"ID", "NAME", "TAGS", "QUERY"});
  for (const auto& r : out.rules()) t.Row({r.id(), r.name(), Joined(r.tags()), r.query()});
  t.Print(std::cout);
  return 0;
}

int DeleteRule(const Ctx& c, const std::string& id) {
  lst::DeleteRuleRequest req;
  req.set_workspace_id(c.workspace);
  req.set_rule_id(id);
  lst::DeleteRuleResponse out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Listener(c)->DeleteRule(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "rule/" << id << (out.deleted() ? " deleted\n" : " not found (nothing deleted)\n");
  return 0;
}

int GetAlerts(const Ctx& c) {
  lst::ListAlertsRequest req;
  req.set_workspace_id(c.workspace);
  req.set_page_size(std::atoi(c.args.Get("limit", "", "50").c_str()));
  lst::ListAlertsResponse out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Listener(c)->ListAlerts(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Table t({"BUCKET", "SERIES", "COUNT", "BASELINE", "Z"});
  for (const auto& a : out.alerts()) {
    char baseline[32], z[32];
    std::snprintf(baseline, sizeof baseline, "%.1f", a.baseline());
    std::snprintf(z, sizeof z, "%.1f", a.z());
    t.Row({When(a.bucket_start()), a.series_kind() + "/" + a.series_id(), std::to_string(a.count()), baseline, z});
  }
  t.Print(std::cout);
  return 0;
}

}  // namespace heraldctl
