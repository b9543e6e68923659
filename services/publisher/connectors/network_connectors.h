#pragma once
// One factory per network (connectors.cpp picks by Network).
#include <memory>

#include "publisher/connectors/connector.h"

namespace herald::publisher {

std::unique_ptr<Connector> MakeMastodonConnector(const ConnectorOptions& options);
std::unique_ptr<Connector> MakeXConnector(const ConnectorOptions& options);
std::unique_ptr<Connector> MakeBlueskyConnector(const ConnectorOptions& options);
std::unique_ptr<Connector> MakeLinkedInConnector(const ConnectorOptions& options);
std::unique_ptr<Connector> MakeFacebookConnector(const ConnectorOptions& options);
std::unique_ptr<Connector> MakeInstagramConnector(const ConnectorOptions& options);
std::unique_ptr<Connector> MakeWebhookConnector(const ConnectorOptions& options);

}  // namespace herald::publisher
