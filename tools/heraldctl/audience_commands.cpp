#include "heraldctl/audience_commands.h"

#include <iostream>
#include <sstream>

#include "common/hmac.h"
#include "common/time_util.h"
#include "herald/campaign/v1/audiences.grpc.pb.h"
#include "heraldctl/table.h"

namespace heraldctl {
namespace {

namespace cmp = herald::campaign::v1;

constexpr size_t kPieceBytes = 900 << 10;  // under the API's 1 MiB

std::unique_ptr<cmp::AudienceService::Stub> Stub(const Ctx& c) {
  return cmp::AudienceService::NewStub(Dial(c.args, "campaign-addr", "HERALD_CAMPAIGN_ADDR", "localhost:7104"));
}

std::string CsvField(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char ch : v) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + CsvField(fields[i]);
  return line + "\n";
}

std::string Lowered(std::string s) {
  size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  s = a == std::string::npos ? "" : s.substr(a, b - a + 1);
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

int ImportProfiles(const Ctx& c) {
  auto path = c.args.Get("file");
  if (!path) return BadUsage("import profiles: --file required");
  std::string error;
  auto rows = ReadCsvFile(*path, &error);
  if (!rows) return BadUsage(error);
  // E-mail addresses leave this machine only as their SHA-256.
  std::vector<std::string> header = (*rows)[0];
  for (auto& name : header) {
    if (name != "email") continue;
    name = "email_sha256";
    for (size_t r = 1; r < rows->size(); ++r) {
      size_t col = static_cast<size_t>(&name - &header[0]);
      if (col < (*rows)[r].size() && !(*rows)[r][col].empty()) {
        (*rows)[r][col] = herald::Sha256Hex(Lowered((*rows)[r][col]));
      }
    }
  }
  int imported = 0;
  size_t r = 1;
  while (r < rows->size()) {
    const size_t first = r;
    std::string piece = CsvLine(header);
    while (r < rows->size() && (r == first || piece.size() < kPieceBytes)) piece += CsvLine((*rows)[r++]);
    cmp::ImportProfilesCsvRequest req;
    req.set_workspace_id(c.workspace);
    req.set_csv(piece);
    cmp::ImportProfilesResponse out;
    grpc::ClientContext ctx;
    Deadline(ctx);
    if (auto s = Stub(c)->ImportProfilesCsv(&ctx, req, &out); !s.ok()) {
      std::cerr << "rows " << first + 1 << "-" << r << " of the file (the error's line N is file line " << first
                << " + N - 1); " << imported << " rows before them were imported\n";
      return Fail(s);
    }
    imported += out.imported();
  }
  if (c.json) {
    std::cout << "{\"imported\": " << imported << "}\n";
  } else {
    std::cout << imported << " profiles imported\n";
  }
  return 0;
}

int GetProfile(const Ctx& c, const std::string& id) {
  cmp::GetProfileRequest req;
  req.set_workspace_id(c.workspace);
  req.set_profile_id(id);
  cmp::Profile out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->GetProfile(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Table t({"ID", "NETWORK", "COUNTRY", "MENTIONS", "REPLIES", "CLICKS", "CONVERSIONS", "SENTIMENT", "LAST ENGAGED"});
  t.Row({out.id(), out.network(), out.country().empty() ? "-" : out.country(), std::to_string(out.mentions()),
         std::to_string(out.replies()), std::to_string(out.clicks()), std::to_string(out.conversions()),
         out.has_sentiment() ? std::to_string(out.sentiment()).substr(0, 5) : "-", When(out.last_engaged_time())});
  t.Print(std::cout);
  std::string tags, campaigns;
  for (const auto& x : out.tags()) tags += (tags.empty() ? "" : ",") + x;
  for (const auto& x : out.converted_campaigns()) campaigns += (campaigns.empty() ? "" : ",") + x;
  if (!tags.empty()) std::cout << "tags: " << tags << "\n";
  if (!campaigns.empty()) std::cout << "converted for: " << campaigns << "\n";
  for (const auto& [k, v] : out.attributes()) std::cout << "attr." << k << ": " << v << "\n";
  return 0;
}

int CreateSegment(const Ctx& c, const std::string& name) {
  cmp::CreateSegmentRequest req;
  req.set_workspace_id(c.workspace);
  req.set_name(name);
  req.set_expression(c.args.Get("expr", "", ""));
  req.set_request_id(c.args.Get("request-id", "", ""));
  cmp::Segment out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->CreateSegment(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "segment/" << out.id() << " created: " << out.expression() << "\n";
  return 0;
}

int GetSegments(const Ctx& c) {
  cmp::ListSegmentsRequest req;
  req.set_workspace_id(c.workspace);
  cmp::ListSegmentsResponse out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->ListSegments(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Table t({"ID", "NAME", "EXPRESSION"});
  for (const auto& s : out.segments()) t.Row({s.id(), s.name(), s.expression()});
  t.Print(std::cout);
  return 0;
}

int DeleteSegment(const Ctx& c, const std::string& id) {
  cmp::DeleteSegmentRequest req;
  req.set_workspace_id(c.workspace);
  req.set_segment_id(id);
  cmp::Segment out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->DeleteSegment(&ctx, req, &out); !s.ok()) return Fail(s);
  std::cout << "segment/" << id << " deleted\n";
  return 0;
}

int EstimateSegment(const Ctx& c, const std::string& id) {
  cmp::EstimateSegmentRequest req;
  req.set_workspace_id(c.workspace);
  req.set_segment_id(id);
  req.set_expression(c.args.Get("expr", "", ""));
  req.set_sample_size(std::atoi(c.args.Get("sample", "", "0").c_str()));
  cmp::SegmentEstimate out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->EstimateSegment(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  if (out.exact()) {
    std::cout << out.estimate() << " of " << out.profiles() << " profiles (exact)\n";
  } else {
    std::cout << "about " << out.estimate() << " of " << out.profiles() << " profiles (95%: " << out.low() << "-"
              << out.high() << "; " << out.matched() << " of a sample of " << out.sampled() << ")\n";
  }
  return 0;
}

int RankSegments(const Ctx& c) {
  cmp::RankSegmentsRequest req;
  req.set_workspace_id(c.workspace);
  req.set_campaign_id(c.args.Get("campaign", "", ""));
  for (const auto& s : SplitCommas(c.args.Get("segments", "", ""))) req.add_segment_ids(s);
  cmp::RankSegmentsResponse out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Stub(c)->RankSegments(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  auto pct = [](double v) { return std::to_string(v * 100).substr(0, 5) + "%"; };
  Table t({"SEGMENT", "NAME", "MEMBERS", "ENGAGED", "CONVERTED", "CONVERSION", "95%"});
  for (const auto& s : out.segments()) {
    t.Row({s.segment_id(), s.name(), std::to_string(s.sampled_members()), pct(s.engagement_rate()),
           std::to_string(s.converted()), pct(s.conversion_rate()),
           pct(s.conversion_low()) + "-" + pct(s.conversion_high())});
  }
  t.Print(std::cout);
  return 0;
}

}  // namespace

int RunAudienceCommand(const Ctx& c, const std::string& verb, const std::string& noun, const std::string& id) {
  if (verb == "import" && noun == "profiles") return ImportProfiles(c);
  if (verb == "get" && noun == "profile") return id.empty() ? BadUsage("get profile: ID required") : GetProfile(c, id);
  if (verb == "create" && noun == "segment") return id.empty() ? BadUsage("create segment: NAME required") : CreateSegment(c, id);
  if (verb == "get" && noun == "segments") return GetSegments(c);
  if (verb == "delete" && noun == "segment") return id.empty() ? BadUsage("delete segment: ID required") : DeleteSegment(c, id);
  if (verb == "estimate" && noun == "segment") return EstimateSegment(c, id);
  if (verb == "rank" && noun == "segments") return RankSegments(c);
  return -1;
}

}  // namespace heraldctl
