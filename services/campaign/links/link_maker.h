#pragma once
// Makes a campaign's tracked link (or finds the one already made): the UTM
// parameters applied, a fresh short code drawn until a free one is stored.
// Shared by the link API and by attaching a post to a campaign.
#include <string>

#include "absl/status/statusor.h"
#include "campaign/links/link_store.h"
#include "common/clock.h"
#include "herald/campaign/v1/campaign.pb.h"
#include "herald/campaign/v1/links.pb.h"

namespace herald::campaign {

class LinkMaker {
 public:
  // `base_url`: what short URLs start with, e.g. "https://go.example.com".
  LinkMaker(LinkStore& links, const Clock& clock, std::string base_url)
      : links_(links), clock_(clock), base_url_(std::move(base_url)) {}

  absl::StatusOr<v1::TrackedLink> Make(const v1::Campaign& campaign, const std::string& destination,
                                       const v1::Utm& utm_overrides, const std::string& post_id,
                                       const std::string& channel_id, const std::string& variant);
  // Sets short_url on a stored link.
  void Present(v1::TrackedLink& link) const { link.set_short_url(base_url_ + "/l/" + link.code()); }

 private:
  LinkStore& links_;
  const Clock& clock_;
  const std::string base_url_;
};

}  // namespace herald::campaign
