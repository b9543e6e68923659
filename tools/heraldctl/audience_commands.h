#pragma once
// heraldctl's audience commands:
//   import profiles --file crm.csv       CSV with a header: customer_id, email (hashed
//                                        before it is sent on), email_sha256, country,
//                                        language, tags ("a;b"), followers, any other
//                                        column an attribute; sent in pieces under 1 MiB
//   get profile ID                       x:@handle, mastodon:@user@host, crm:<hash>
//   create segment NAME --expr EXPR [--request-id ID]
//   get segments | delete segment ID
//   estimate segment (ID | --expr EXPR) [--sample 10000]
//   rank segments --campaign C [--segments A,B]
// Returns -1 when the command is not one of these.
#include <string>

#include "heraldctl/cli_common.h"

namespace heraldctl {

int RunAudienceCommand(const Ctx& c, const std::string& verb, const std::string& noun, const std::string& id);

}  // namespace heraldctl
