#include "simulator/routes.h"

#include "simulator/route_kit.h"

namespace herald::sim {

std::shared_ptr<void> AddNetworkRoutes(httplib::Server& server, SimCore& core, Faults& faults,
                                       const std::string& base_url) {
  auto kit = std::make_shared<RouteKit>(RouteKit{server, core, faults, base_url});
  AddMastodonRoutes(*kit);
  AddXRoutes(*kit);
  AddBlueskyRoutes(*kit);
  AddLinkedInRoutes(*kit);
  AddGraphRoutes(*kit);
  AddOAuthRoutes(*kit);
  AddMediaHostRoutes(*kit);
  AddInboundRoutes(*kit);
  // A path no route serves is answered as its network would (a JSON error,
  // never httplib's empty 404: clients parse the body).
  server.set_post_routing_handler([kit](const httplib::Request& req, httplib::Response& res) {
    AddRateLimitHeaders(*kit, req, res);
  });
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) AnswerUnknownPath(req, res);
  });
  return kit;
}

}  // namespace herald::sim
