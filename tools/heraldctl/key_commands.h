#pragma once
// heraldctl commands for API keys (served by the scheduler) and keygen, which
// makes a key for the operators' keys file without any server.
#include "heraldctl/cli_common.h"

namespace heraldctl {

int CreateApiKey(const Ctx& c);
int GetApiKeys(const Ctx& c);
int RevokeApiKey(const Ctx& c, const std::string& id);
int KeyGen(const Ctx& c);

}  // namespace heraldctl
