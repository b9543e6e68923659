#pragma once
// heraldctl commands served by the publisher: channels, quotas, event webhooks.
#include <string>

#include "heraldctl/cli_common.h"

namespace heraldctl {

int ConnectChannel(const Ctx& c);
int GetChannels(const Ctx& c, const std::string& id);
int DisconnectChannel(const Ctx& c, const std::string& id);
int GetQuota(const Ctx& c, const std::string& channel_id);
int CreateWebhook(const Ctx& c);
int GetWebhooks(const Ctx& c);
int DeleteWebhook(const Ctx& c, const std::string& id);
int GetWebhookAttempts(const Ctx& c, const std::string& id);

}  // namespace heraldctl
