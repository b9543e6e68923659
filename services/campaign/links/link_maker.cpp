#include "campaign/links/link_maker.h"

#include "campaign/links/link_rules.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/time_util.h"

namespace herald::campaign {

absl::StatusOr<v1::TrackedLink> LinkMaker::Make(const v1::Campaign& campaign, const std::string& destination,
                                                const v1::Utm& utm_overrides, const std::string& post_id,
                                                const std::string& channel_id, const std::string& variant) {
  v1::Utm utm = EffectiveUtm(campaign, utm_overrides);
  std::string target = WithUtm(destination, utm);
  if (target.size() > 2 * kMaxUrlBytes) {
    return absl::InvalidArgumentError("utm: the destination with its UTM parameters is over " +
                                      std::to_string(2 * kMaxUrlBytes) + " bytes");
  }
  std::string identity = LinkIdentity(campaign.id(), post_id, channel_id, variant, target);
  auto existing = links_.FindByIdentity(campaign.workspace_id(), identity);
  if (!existing.ok()) return existing.status();
  if (*existing) {
    Present(**existing);
    return std::move(**existing);
  }
  v1::TrackedLink link;
  link.set_workspace_id(campaign.workspace_id());
  link.set_campaign_id(campaign.id());
  link.set_post_id(post_id);
  link.set_channel_id(channel_id);
  link.set_variant(variant);
  link.set_destination_url(destination);
  link.set_target_url(target);
  *link.mutable_utm() = utm;
  *link.mutable_create_time() = FromMs(clock_.NowMs());
  // ~47 random bits a code: a taken one is refused by the store and another drawn.
  for (int attempt = 0; attempt < 8; ++attempt) {
    link.set_code(LinkCodeFrom(std::stoull(NewId("").substr(0, 16), nullptr, 16)));
    auto created = links_.Create(link, identity);
    if (!created.ok()) return created.status();
    if (*created) {
      Present(**created);
      return std::move(**created);
    }
    log::Warn("link code taken; drawing another", {{"code", link.code()}});
  }
  return absl::InternalError("no free link code after 8 draws");
}

}  // namespace herald::campaign
