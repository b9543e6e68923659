#pragma once
// The connector of every network, made once per process (connectors keep
// sessions and pooled connections).
#include <map>
#include <memory>

#include "publisher/connectors/connector.h"

namespace herald::publisher {

class ConnectorSet {
 public:
  explicit ConnectorSet(const ConnectorOptions& options) {
    for (int n = herald::common::v1::Network_MIN; n <= herald::common::v1::Network_MAX; ++n) {
      auto network = static_cast<herald::common::v1::Network>(n);
      if (auto c = MakeConnector(network, options)) connectors_[n] = std::move(c);
    }
  }
  // Tests put a fake in.
  void Set(herald::common::v1::Network network, std::unique_ptr<Connector> connector) {
    connectors_[network] = std::move(connector);
  }
  // nullptr when Herald has no connector for the network.
  Connector* For(herald::common::v1::Network network) const {
    auto it = connectors_.find(network);
    return it == connectors_.end() ? nullptr : it->second.get();
  }

 private:
  std::map<int, std::unique_ptr<Connector>> connectors_;
};

}  // namespace herald::publisher
