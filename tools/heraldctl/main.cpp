// heraldctl: the command line for Herald, shaped like kubectl.
//
//   heraldctl connect channel --base-url URL --token TOKEN
//   heraldctl create post --channel CH --text "Hello" --at +2m | --now
//   heraldctl get posts | get post ID | get channels | get inbox | get campaign ID
//   heraldctl create webhook --url URL --events post.published | get attempts WEBHOOK
//   heraldctl create campaign --name N --objective awareness
//   heraldctl attach post POST --campaign C
//   heraldctl stats workspace | stats channel CH | stats campaign C
//   -o json for machine-readable output; --workspace or HERALD_WORKSPACE picks the tenant.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "common/time_util.h"
#include "herald/analytics/v1/analytics.grpc.pb.h"
#include "herald/campaign/v1/campaign.grpc.pb.h"
#include "herald/listener/v1/listener.grpc.pb.h"
#include "herald/publisher/v1/publisher.grpc.pb.h"
#include "herald/scheduler/v1/scheduler.grpc.pb.h"
#include "heraldctl/audience_commands.h"
#include "heraldctl/campaign_commands.h"
#include "heraldctl/conversion_commands.h"
#include "heraldctl/experiment_commands.h"
#include "heraldctl/recommendation_commands.h"
#include "heraldctl/cli_args.h"
#include "heraldctl/cli_common.h"
#include "heraldctl/inbox_commands.h"
#include "heraldctl/key_commands.h"
#include "heraldctl/report_commands.h"
#include "heraldctl/status_commands.h"
#include "heraldctl/listener_commands.h"
#include "heraldctl/publisher_commands.h"
#include "heraldctl/table.h"

namespace {

using heraldctl::Args;
using heraldctl::Ctx;
using heraldctl::Deadline;
using heraldctl::Dial;
using heraldctl::Fail;
using heraldctl::Lower;
using heraldctl::ParseTime;
using heraldctl::PrintJson;
using heraldctl::When;
using heraldctl::Table;
namespace sched = herald::scheduler::v1;
namespace pub = herald::publisher::v1;
namespace lst = herald::listener::v1;
namespace cmp = herald::campaign::v1;
namespace an = herald::analytics::v1;

constexpr const char* kUsage = R"(heraldctl controls Herald.

Usage:
  heraldctl status [--kafka-brokers HOST:PORT] [--limit 10]
                        every service's health, consumer lag, the latest dead letters, channels needing
                        attention; exit 1 when a service does not serve
  heraldctl connect channel --base-url URL --token TOKEN [--network mastodon|x|bluesky|linkedin|
                        facebook|instagram|webhook] [--refresh-token T] [--identifier HANDLE] [--time-zone ZONE]
  heraldctl get channels | channel ID
  heraldctl disconnect channel ID
  heraldctl get quota CHANNEL
  heraldctl create post --channel ID [--channel ID ...] --text TEXT (--at TIME | --now)
                        [--campaign ID] [--request-id ID]     TIME: RFC 3339 or +30s/+5m/+2h
  heraldctl get posts [--channel ID] [--state scheduled|published|failed|...] | post ID
  heraldctl create campaign --name NAME --objective awareness|engagement|traffic|conversions
                        [--budget 5000 --currency EUR] [--daily-budget 250] [--zone Z --start DATE --end DATE]
                        [--channels A,B] [--owner WHO] [--target-cpa 12.50] [--target-roas 4]
                        [--utm-source S --utm-medium M --utm-campaign C] [--activate] [--request-id ID]
  heraldctl get campaigns [--status active,paused] [--objective O] [--owner WHO] | get campaign ID
  heraldctl update campaign ID [any create flag]         only the flags given change
  heraldctl activate|pause|complete|archive campaign ID [--reason TEXT] [--skip-missed]
  heraldctl attach post POST_ID --campaign ID
  heraldctl create link --campaign ID --url URL [--post P] [--channel CH] [--variant V] [--utm-source S ...]
  heraldctl get links --campaign ID                     short links: GET /l/{code} redirects and counts clicks
  heraldctl import conversions --file orders.csv [--source shop] [--model last_click|linear] [--window-days 7]
                        columns: event_id,stage(lead|sale),click_id,customer_id,value,currency,converted_at
  heraldctl get conversion EVENT_ID [--source shop]
  heraldctl record spend --campaign C --channel CH --day 2026-12-01 --amount 12.50 --currency EUR
  heraldctl get pacing --campaign C [--day 2026-12-01]   spend against the day's plan in the campaign's zone
  heraldctl import profiles --file crm.csv               CRM rows: customer_id,email,country,language,tags,<attrs>
  heraldctl get profile ID                               x:@handle, mastodon:@user@host, crm:<hash>
  heraldctl create segment NAME --expr 'country in ("DE","AT") and engaged_within(30d) and not tagged("employee")'
  heraldctl get segments | delete segment ID | estimate segment (ID | --expr EXPR) [--sample 10000]
  heraldctl rank segments --campaign C [--segments A,B]  which segments engage and convert best
  heraldctl create experiment --campaign C --name N --variant A='text' --variant B='text' [--link A=URL]
                        --channel CH --slots +1h,+1d --metric conversion_rate --baseline 0.1 --mde 0.02
                        [--holdout 0.5] [--sequential]
  heraldctl get experiments --campaign C | get experiment ID | conclude experiment ID
  heraldctl get recommendations --campaign C [--lookback-days 28]   what to change, why, and what it should bring
  heraldctl apply recommendation REC_ID --campaign C     applies one that still holds (once)
  heraldctl update campaign ID --budget-split ch_a=60,ch_b=40   percent of the daily budget per channel
  heraldctl get inbox | reply ITEM_ID --text TEXT [--request-id ID]
  heraldctl create rule NAME --query QUERY [--tags brand,competitor] [--request-id ID]
                        QUERY: herald OR "herald app" NOT job, #tag, @handle, lang:en, network:x
  heraldctl get rules | delete rule ID | get alerts [--limit N]   mention-volume spikes, newest first
  heraldctl get conversations [--state open,assigned] [--assignee AGENT] | get conversation ID
  heraldctl watch inbox [--resume TOKEN] [--max N]      every change, live; resumes after TOKEN
  heraldctl assign conversation ID [--to AGENT]          no --to: the next available agent (round-robin)
  heraldctl unassign|close|reopen conversation ID | snooze conversation ID --until +2h
  heraldctl tag conversation ID [--add a,b] [--remove c] | note conversation ID --text TEXT
  heraldctl reply conversation ID (--text TEXT | --saved-reply ID) [--request-id ID]
  heraldctl put agent ID [--name N] [--capacity 10] [--away] | get agents
  heraldctl create savedreply NAME --text TEXT | get savedreplies | delete savedreply ID
  heraldctl set slapolicy [--first-response 1h] [--next-response 30m] [--resolution 1d]
                        [--hours mon-fri@09:00-17:00 --zone Europe/Paris] [--holidays 2026-12-25] | get slapolicy
  heraldctl get slareport [--days 7]                    met, missed and p50/p90/p99 per target
  heraldctl create autoanswer NAME --query QUERY --template TEXT [--mode suggest|auto] [--answer-negative]
  heraldctl get autoanswers | delete autoanswer ID | approve suggestion CONV | dismiss suggestion CONV
  heraldctl stats workspace | channel ID | campaign ID
  heraldctl report [--from -7d] [--to now] [--zone Z] [--by hour|day|week|total]
                   [--group channel|campaign|variant|post|rule|tag] [--ids A,B] [--figures F1,F2]
  heraldctl report top [--figure engagements] [--limit 10] [--channel CH] [--from -30d]
  heraldctl report besttimes --channel CH [--zone Z]     (a week heatmap)
  heraldctl report export [report flags] > report.csv
  heraldctl create post ... --queue                     next free slot of the channel's queue
  heraldctl create post ... --every RRULE --zone ZONE --start 2026-12-01T09:00
  heraldctl create post ... --approval | --draft
  heraldctl approve post ID | reject post ID --reason TEXT | submit post ID | cancel post ID
  heraldctl set queue CHANNEL --slots mon-fri@09:30,sat@11:00 [--zone ZONE]
  heraldctl get queue CHANNEL | calendar [--days 7]
  heraldctl pause [--channel ID] [--reason TEXT] | resume [--channel ID] --mode requeue|skip
  heraldctl create webhook --url URL --events post.published,post.failed,mention.received,...
  heraldctl get webhooks | delete webhook ID | get attempts WEBHOOK [--event ID] [--limit N]

  heraldctl create apikey --name NAME --role viewer|analyst|agent|approver|editor|admin|owner [--expires +30d]
  heraldctl get apikeys | revoke apikey ID
  heraldctl keygen --workspace W --role ROLE --name NAME   a key for the keys file (offline; operators)

Global flags (or environment, or "flag: value" lines in ~/.config/heraldctl/config):
  --api-key KEY        HERALD_API_KEY: an API key (hk_...) or a JWT
  --workspace W        HERALD_WORKSPACE (default: the key's workspace)
  --tls-ca-file PEM    HERALD_TLS_CA_FILE: call the services over TLS
  -o table|json        output format (default: table)
  --scheduler ADDR     HERALD_SCHEDULER_ADDR (default: localhost:7101)
  --publisher ADDR     HERALD_PUBLISHER_ADDR (default: localhost:7102)
  --listener ADDR      HERALD_LISTENER_ADDR  (default: localhost:7103)
  --campaign-addr ADDR HERALD_CAMPAIGN_ADDR  (default: localhost:7104)
  --analytics ADDR     HERALD_ANALYTICS_ADDR (default: localhost:7105)
)";

int Usage(const std::string& problem) {
  std::cerr << "error: " << problem << "\n\n" << kUsage;
  return 2;
}

void PrintPosts(const Ctx& c, const std::vector<sched::Post>& posts) {
  Table t({"ID", "STATE", "PUBLISH AT", "CHANNELS", "TEXT"});
  for (const auto& p : posts) {
    std::string channels;
    for (const auto& tg : p.targets()) channels += (channels.empty() ? "" : ",") + tg.channel_id();
    std::string text = p.text();
    if (text.size() > 40) {
      size_t cut = 37;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
      text = text.substr(0, cut) + "...";
    }
    t.Row({p.id(), Lower(sched::PostState_Name(p.state()), "POST_STATE_"), When(p.publish_at()), channels, text});
  }
  (void)c;
  t.Print(std::cout);
}

int CreatePost(const Ctx& c) {
  auto stub = sched::SchedulerService::NewStub(Dial(c.args, "scheduler", "HERALD_SCHEDULER_ADDR", "localhost:7101"));
  sched::CreatePostRequest req;
  req.set_workspace_id(c.workspace);
  req.set_text(c.args.Get("text", "", ""));
  for (const auto& ch : c.args.All("channel")) req.add_channel_ids(ch);
  req.set_campaign_id(c.args.Get("campaign", "", ""));
  req.set_request_id(c.args.Get("request-id", "", ""));
  if (c.args.Has("approval")) req.set_approval_required(true);
  if (c.args.Has("draft")) req.set_draft(true);
  if (c.args.Has("now")) {
    req.set_publish_now(true);
  } else if (c.args.Has("queue")) {
    req.set_add_to_queue(true);
  } else if (auto every = c.args.Get("every")) {
    req.mutable_recurrence()->set_rrule(*every);
    req.mutable_recurrence()->set_time_zone(c.args.Get("zone", "", "UTC"));
    req.mutable_recurrence()->set_start_local(c.args.Get("start", "", ""));
  } else if (auto at = c.args.Get("at")) {
    auto ms = ParseTime(*at);
    if (!ms) return Usage("--at: want RFC 3339 (2026-12-01T09:00:00Z) or +30s/+5m/+2h");
    *req.mutable_publish_at() = herald::FromMs(*ms);
  }
  sched::Post post;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = stub->CreatePost(&ctx, req, &post); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(post), 0;
  std::cout << "post/" << post.id() << " scheduled for " << When(post.publish_at()) << "\n";
  return 0;
}

int GetPosts(const Ctx& c, const std::string& id) {
  auto stub = sched::SchedulerService::NewStub(Dial(c.args, "scheduler", "HERALD_SCHEDULER_ADDR", "localhost:7101"));
  sched::ListPostsResponse list;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (!id.empty()) {
    sched::GetPostRequest req;
    req.set_workspace_id(c.workspace);
    req.set_post_id(id);
    sched::Post post;
    if (auto s = stub->GetPost(&ctx, req, &post); !s.ok()) return Fail(s);
    if (c.json) return PrintJson(post), 0;
    PrintPosts(c, {post});
    for (const auto& t : post.targets()) {
      std::cout << "  target " << t.channel_id() << ": " << Lower(sched::PostState_Name(t.state()), "POST_STATE_")
                << (t.remote_url().empty() ? "" : "  " + t.remote_url())
                << (t.error_message().empty() ? "" : "  (" + t.error_message() + ")") << "\n";
    }
    return 0;
  }
  sched::ListPostsRequest req;
  req.set_workspace_id(c.workspace);
  req.set_channel_id(c.args.Get("channel", "", ""));
  if (auto st = c.args.Get("state")) {
    std::string name = "POST_STATE_" + *st;
    for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    sched::PostState state;
    if (!sched::PostState_Parse(name, &state)) return Usage("--state: unknown state " + *st);
    req.set_state(state);
  }
  if (auto s = stub->ListPosts(&ctx, req, &list); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(list), 0;
  PrintPosts(c, {list.posts().begin(), list.posts().end()});
  return 0;
}

int GetInbox(const Ctx& c) {
  auto stub = lst::ListenerService::NewStub(Dial(c.args, "listener", "HERALD_LISTENER_ADDR", "localhost:7103"));
  lst::ListInboxRequest req;
  req.set_workspace_id(c.workspace);
  lst::ListInboxResponse out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = stub->ListInbox(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Table t({"ID", "FROM", "CHANNEL", "RECEIVED", "SENTIMENT", "TEXT"});
  for (const auto& i : out.items()) {
    // VADER's usual cut-offs: at or below -0.05 negative, at or above 0.05 positive.
    const auto& s = i.sentiment();
    char score[32];
    std::snprintf(score, sizeof score, "%+.2f", s.compound());
    std::string mood = !s.scored()               ? "-"
                       : s.compound() <= -0.05   ? std::string("negative ") + score
                       : s.compound() >= 0.05    ? std::string("positive ") + score
                                                 : std::string("neutral ") + score;
    t.Row({i.id(), "@" + i.author_handle(), i.channel_id(), When(i.created_at()), mood, i.text()});
  }
  t.Print(std::cout);
  return 0;
}

// The reply goes out as a post (published now, at reply priority).
int Reply(const Ctx& c, const std::string& item_id) {
  auto stub = lst::ListenerService::NewStub(Dial(c.args, "listener", "HERALD_LISTENER_ADDR", "localhost:7103"));
  lst::ReplyRequest req;
  req.set_workspace_id(c.workspace);
  req.set_item_id(item_id);
  req.set_text(c.args.Get("text", "", ""));
  req.set_request_id(c.args.Get("request-id", "", ""));
  lst::ReplyResponse out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = stub->Reply(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "post/" << out.post_id() << " replies to " << item_id << "\n";
  return 0;
}

int Stats(const Ctx& c, const std::string& what, const std::string& id) {
  auto stub = an::AnalyticsService::NewStub(Dial(c.args, "analytics", "HERALD_ANALYTICS_ADDR", "localhost:7105"));
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (what == "workspace") {
    an::GetWorkspaceStatsRequest req;
    req.set_workspace_id(c.workspace);
    an::WorkspaceStats out;
    if (auto s = stub->GetWorkspaceStats(&ctx, req, &out); !s.ok()) return Fail(s);
    if (c.json) return PrintJson(out), 0;
    Table t({"PUBLISHED", "FAILED", "MENTIONS", "CAMPAIGNS"});
    t.Row({std::to_string(out.posts_published()), std::to_string(out.posts_failed()), std::to_string(out.mentions()),
           std::to_string(out.campaigns())});
    t.Print(std::cout);
  } else if (what == "channel") {
    an::GetChannelStatsRequest req;
    req.set_workspace_id(c.workspace);
    req.set_channel_id(id);
    an::ChannelStats out;
    if (auto s = stub->GetChannelStats(&ctx, req, &out); !s.ok()) return Fail(s);
    if (c.json) return PrintJson(out), 0;
    Table t({"CHANNEL", "PUBLISHED", "FAILED"});
    t.Row({out.channel_id(), std::to_string(out.posts_published()), std::to_string(out.posts_failed())});
    t.Print(std::cout);
  } else if (what == "campaign") {
    an::GetCampaignStatsRequest req;
    req.set_workspace_id(c.workspace);
    req.set_campaign_id(id);
    an::CampaignStats out;
    if (auto s = stub->GetCampaignStats(&ctx, req, &out); !s.ok()) return Fail(s);
    if (c.json) return PrintJson(out), 0;
    Table t({"CAMPAIGN", "POSTS", "PUBLISHED", "CLICKS", "UNIQUE CLICKS", "BOT CLICKS"});
    t.Row({out.campaign_id(), std::to_string(out.posts()), std::to_string(out.posts_published()),
           std::to_string(out.clicks()), std::to_string(out.unique_clicks()), std::to_string(out.bot_clicks())});
    t.Print(std::cout);
  } else {
    return Usage("stats: want workspace, channel ID or campaign ID");
  }
  return 0;
}

using SchedStub = sched::SchedulerService::Stub;

std::unique_ptr<SchedStub> Scheduler(const Ctx& c) {
  return sched::SchedulerService::NewStub(Dial(c.args, "scheduler", "HERALD_SCHEDULER_ADDR", "localhost:7101"));
}

// approve / reject / submit / cancel post ID
int PostAction(const Ctx& c, const std::string& verb, const std::string& id) {
  auto stub = Scheduler(c);
  grpc::ClientContext ctx;
  Deadline(ctx);
  sched::Post post;
  grpc::Status s;
  if (verb == "approve") {
    sched::ApprovePostRequest r;
    r.set_workspace_id(c.workspace);
    r.set_post_id(id);
    r.set_approver(c.args.Get("approver", "USER", "heraldctl"));
    s = stub->ApprovePost(&ctx, r, &post);
  } else if (verb == "reject") {
    sched::RejectPostRequest r;
    r.set_workspace_id(c.workspace);
    r.set_post_id(id);
    r.set_reason(c.args.Get("reason", "", ""));
    s = stub->RejectPost(&ctx, r, &post);
  } else if (verb == "submit") {
    sched::SubmitPostRequest r;
    r.set_workspace_id(c.workspace);
    r.set_post_id(id);
    s = stub->SubmitPost(&ctx, r, &post);
  } else {
    sched::CancelPostRequest r;
    r.set_workspace_id(c.workspace);
    r.set_post_id(id);
    s = stub->CancelPost(&ctx, r, &post);
  }
  if (!s.ok()) return Fail(s);
  if (c.json) return PrintJson(post), 0;
  std::cout << "post/" << post.id() << " " << Lower(sched::PostState_Name(post.state()), "POST_STATE_") << "\n";
  return 0;
}

// "mon-fri@09:30,sat@11:00"
bool ParseSlots(const std::string& spec, sched::SetQueueRequest* req) {
  static const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  auto day_of = [](const std::string& d) {
    for (int i = 0; i < 7; ++i) {
      if (d == kDays[i]) return i + 1;
    }
    return 0;
  };
  size_t start = 0;
  while (start < spec.size()) {
    size_t comma = spec.find(',', start);
    std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t at = item.find('@');
    if (at == std::string::npos || item.size() != at + 6 || item[at + 3] != ':') return false;
    std::string days = item.substr(0, at);
    int hour = std::atoi(item.substr(at + 1, 2).c_str()), minute = std::atoi(item.substr(at + 4, 2).c_str());
    size_t dash = days.find('-');
    int from = day_of(days.substr(0, dash)), to = dash == std::string::npos ? from : day_of(days.substr(dash + 1));
    if (from == 0 || to == 0 || to < from) return false;
    for (int d = from; d <= to; ++d) {
      auto* slot = req->add_slots();
      slot->set_day_of_week(d);
      slot->set_hour(hour);
      slot->set_minute(minute);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

void PrintQueue(const sched::Queue& q) {
  static const char* kDays[] = {"?", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  Table t({"DAY", "TIME", "ZONE"});
  for (const auto& s : q.slots()) {
    char time[8];
    std::snprintf(time, sizeof time, "%02d:%02d", s.hour(), s.minute());
    t.Row({kDays[std::clamp(s.day_of_week(), 0, 7)], time, q.time_zone()});
  }
  t.Print(std::cout);
}

int Queue(const Ctx& c, bool set, const std::string& channel) {
  auto stub = Scheduler(c);
  grpc::ClientContext ctx;
  Deadline(ctx);
  sched::Queue q;
  if (set) {
    sched::SetQueueRequest r;
    r.set_workspace_id(c.workspace);
    r.set_channel_id(channel);
    r.set_time_zone(c.args.Get("zone", "", ""));
    if (!ParseSlots(c.args.Get("slots", "", ""), &r)) return Usage("--slots: want e.g. mon-fri@09:30,sat@11:00");
    if (auto s = stub->SetQueue(&ctx, r, &q); !s.ok()) return Fail(s);
  } else {
    sched::GetQueueRequest r;
    r.set_workspace_id(c.workspace);
    r.set_channel_id(channel);
    if (auto s = stub->GetQueue(&ctx, r, &q); !s.ok()) return Fail(s);
  }
  if (c.json) return PrintJson(q), 0;
  PrintQueue(q);
  return 0;
}

int Calendar(const Ctx& c) {
  auto stub = Scheduler(c);
  grpc::ClientContext ctx;
  Deadline(ctx);
  sched::GetCalendarRequest r;
  r.set_workspace_id(c.workspace);
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  *r.mutable_start_time() = herald::FromMs(now);
  *r.mutable_end_time() = herald::FromMs(now + std::atoll(c.args.Get("days", "", "7").c_str()) * 86'400'000LL);
  sched::Calendar cal;
  if (auto s = stub->GetCalendar(&ctx, r, &cal); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(cal), 0;
  Table t({"WHEN", "POST", "STATE", "TEXT"});
  for (const auto& e : cal.entries()) {
    t.Row({When(e.at()), e.post_id(), e.projected() ? "(recurring)" : Lower(sched::PostState_Name(e.state()), "POST_STATE_"),
           e.text().substr(0, 40)});
  }
  t.Print(std::cout);
  return 0;
}

int PauseResume(const Ctx& c, bool pause) {
  auto stub = Scheduler(c);
  grpc::ClientContext ctx;
  Deadline(ctx);
  std::string scope = c.workspace + (c.args.Get("channel", "", "").empty() ? "" : "/" + c.args.Get("channel", "", ""));
  if (pause) {
    sched::PauseRequest r;
    r.set_workspace_id(c.workspace);
    r.set_channel_id(c.args.Get("channel", "", ""));
    r.set_reason(c.args.Get("reason", "", ""));
    sched::PauseState out;
    if (auto s = stub->Pause(&ctx, r, &out); !s.ok()) return Fail(s);
    std::cout << "paused " << scope << ": nothing publishes until resume\n";
    return 0;
  }
  sched::ResumeRequest r;
  r.set_workspace_id(c.workspace);
  r.set_channel_id(c.args.Get("channel", "", ""));
  std::string mode = c.args.Get("mode", "", "");
  r.set_mode(mode == "requeue" ? sched::ResumeRequest::MODE_REQUEUE
             : mode == "skip"  ? sched::ResumeRequest::MODE_SKIP
                               : sched::ResumeRequest::MODE_UNSPECIFIED);
  sched::ResumeResponse out;
  if (auto s = stub->Resume(&ctx, r, &out); !s.ok()) return Fail(s);
  std::cout << "resumed " << scope << ": " << out.requeued() << " requeued, " << out.skipped() << " skipped\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args(argc, argv);
  if (!args.error().empty()) return Usage(args.error());
  if (args.Has("help") || args.Has("h") || args.positionals().empty()) {
    std::cout << kUsage;
    return args.positionals().empty() && !args.Has("help") && !args.Has("h") ? 2 : 0;
  }
  std::string output = args.Get("o", "", "table");
  if (output != "table" && output != "json") return Usage("-o: want table or json");
  // Empty: the workspace of the caller's key or token.
  Ctx c{args, heraldctl::Setting(args, "workspace", "HERALD_WORKSPACE", ""), output == "json"};
  std::string verb = args.Positional(0), noun = args.Positional(1), id = args.Positional(2);
  if (verb == "get" && noun == "calendar") id.clear();

  if (verb == "status") return heraldctl::Status(c);
  if (verb == "connect" && noun == "channel") return heraldctl::ConnectChannel(c);
  if (verb == "get" && (noun == "channels" || noun == "channel")) return heraldctl::GetChannels(c, id);
  if (verb == "disconnect" && noun == "channel") {
    return id.empty() ? Usage("disconnect channel: ID required") : heraldctl::DisconnectChannel(c, id);
  }
  if (verb == "get" && noun == "quota") {
    return id.empty() ? Usage("get quota: CHANNEL required") : heraldctl::GetQuota(c, id);
  }
  if (verb == "create" && noun == "webhook") return heraldctl::CreateWebhook(c);
  if (verb == "get" && (noun == "webhooks" || noun == "webhook")) return heraldctl::GetWebhooks(c);
  if (verb == "delete" && noun == "webhook") {
    return id.empty() ? Usage("delete webhook: ID required") : heraldctl::DeleteWebhook(c, id);
  }
  if (verb == "get" && noun == "attempts") {
    return id.empty() ? Usage("get attempts: WEBHOOK required") : heraldctl::GetWebhookAttempts(c, id);
  }
  if (verb == "create" && noun == "post") return CreatePost(c);
  if (verb == "get" && (noun == "posts" || noun == "post")) return GetPosts(c, id);
  if (noun == "campaign" || noun == "campaigns" || noun == "link" || noun == "links" ||
      (verb == "attach" && noun == "post")) {
    // pause/resume without a noun are the scheduler's; "pause campaign ID" is the campaign's.
    if (int rc = heraldctl::RunCampaignCommand(c, verb, noun, id); rc >= 0) return rc;
  }
  if (int rc = heraldctl::RunConversionCommand(c, verb, noun, id); rc >= 0) return rc;
  if (int rc = heraldctl::RunAudienceCommand(c, verb, noun, id); rc >= 0) return rc;
  if (int rc = heraldctl::RunExperimentCommand(c, verb, noun, id); rc >= 0) return rc;
  if (int rc = heraldctl::RunRecommendationCommand(c, verb, noun, id); rc >= 0) return rc;
  if (verb == "get" && noun == "inbox") return GetInbox(c);
  if (verb == "create" && noun == "rule") return id.empty() ? Usage("create rule: NAME required") : heraldctl::CreateRule(c, id);
  if (verb == "get" && noun == "rules") return heraldctl::GetRules(c);
  if (verb == "get" && noun == "alerts") return heraldctl::GetAlerts(c);
  if (verb == "delete" && noun == "rule") return id.empty() ? Usage("delete rule: ID required") : heraldctl::DeleteRule(c, id);
  if (int rc = heraldctl::RunInboxCommand(c, verb, noun, id); rc >= 0) return rc;
  if (verb == "reply") return noun.empty() ? Usage("reply: ITEM_ID required") : Reply(c, noun);
  if (verb == "stats") return Stats(c, noun, id);
  if (verb == "report") return heraldctl::Report(c, noun);
  if ((verb == "approve" || verb == "reject" || verb == "submit" || verb == "cancel") && noun == "post") {
    return id.empty() ? Usage(verb + " post: ID required") : PostAction(c, verb, id);
  }
  if ((verb == "get" || verb == "set") && noun == "queue") {
    return id.empty() ? Usage(verb + " queue: CHANNEL required") : Queue(c, verb == "set", id);
  }
  if (verb == "get" && noun == "calendar") return Calendar(c);
  if (verb == "pause" || verb == "resume") return PauseResume(c, verb == "pause");
  if (verb == "create" && noun == "apikey") return heraldctl::CreateApiKey(c);
  if (verb == "get" && noun == "apikeys") return heraldctl::GetApiKeys(c);
  if (verb == "revoke" && noun == "apikey") {
    return id.empty() ? Usage("revoke apikey: ID required") : heraldctl::RevokeApiKey(c, id);
  }
  if (verb == "keygen") return heraldctl::KeyGen(c);
  return Usage("unknown command: " + verb + " " + noun);
}
