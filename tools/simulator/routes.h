#pragma once
// The HTTP face of each simulated network: the paths, payloads, headers and
// errors of the real APIs, as far as Herald's connectors use them.
#include <httplib.h>

#include <memory>
#include <string>

#include "simulator/faults.h"
#include "simulator/sim_core.h"

namespace herald::sim {

// Registers every network's handlers. Returns the state they share: keep it
// alive as long as the server runs.
std::shared_ptr<void> AddNetworkRoutes(httplib::Server& server, SimCore& core, Faults& faults,
                                       const std::string& base_url);

}  // namespace herald::sim
