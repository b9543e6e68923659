#include "campaign/campaign_store.h"

#include <algorithm>

namespace herald::campaign {
namespace {

// KEYS: campaign, posts. ARGV: post id. -1 no campaign, 1 added, 0 already there.
const RedisScript kAttach(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('SADD', KEYS[2], ARGV[1])
)lua");

}  // namespace

absl::Status CampaignStore::Create(const herald::campaign::v1::Campaign& c) {
  auto r = redis_.Command({"SET", Key(c.workspace_id(), c.id()), c.SerializeAsString(), "NX"});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return absl::AlreadyExistsError("campaign " + c.id() + " exists");
  return absl::OkStatus();
}

absl::Status CampaignStore::Delete(const std::string& ws, const std::string& id) {
  auto r = redis_.Command({"DEL", Key(ws, id), Key(ws, id) + ":posts"});
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<herald::campaign::v1::Campaign> CampaignStore::Get(const std::string& ws, const std::string& id) {
  auto r = redis_.Pipeline({{"GET", Key(ws, id)}, {"SMEMBERS", Key(ws, id) + ":posts"}});
  if (!r.ok()) return r.status();
  if ((*r)[0].is_nil()) return absl::NotFoundError("campaign " + id + " not found");
  herald::campaign::v1::Campaign c;
  if (!c.ParseFromString((*r)[0].str)) return absl::DataLossError("stored campaign does not parse");
  std::vector<std::string> posts;
  for (const auto& p : (*r)[1].elements) posts.push_back(p.str);
  std::sort(posts.begin(), posts.end());
  for (auto& p : posts) c.add_post_ids(std::move(p));
  return c;
}

absl::StatusOr<bool> CampaignStore::Attach(const std::string& ws, const std::string& id, const std::string& post_id) {
  auto r = redis_.Eval(kAttach, {Key(ws, id), Key(ws, id) + ":posts"}, {post_id});
  if (!r.ok()) return r.status();
  if (r->AsInt() < 0) return absl::NotFoundError("campaign " + id + " not found");
  return r->AsInt() == 1;
}

absl::Status CampaignStore::Detach(const std::string& ws, const std::string& id, const std::string& post_id) {
  auto r = redis_.Command({"SREM", Key(ws, id) + ":posts", post_id});
  return r.ok() ? absl::OkStatus() : r.status();
}

}  // namespace herald::campaign
