#pragma once
#include "heraldctl/cli_common.h"

namespace heraldctl {

// heraldctl status: whether Herald is well, in one screen — every service's
// gRPC health, each consumer group's lag, the latest dead letters decoded,
// and the workspace's channels needing attention. Exit 0 when every service
// serves, 1 otherwise (usable from scripts and runbooks).
int Status(const Ctx& c);

}  // namespace heraldctl
