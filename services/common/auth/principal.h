#pragma once
// Who is calling: an API key, a JWT from the identity provider, or another
// Herald service (which may act for an end user named in call metadata).
#include <optional>
#include <string>
#include <string_view>

#include "herald/auth/v1/access.pb.h"

namespace herald::auth {

using Role = herald::auth::v1::Role;

// The workspace of a platform principal (service identities, the operator's
// bootstrap key): it may name any workspace in a request, and must name one.
inline constexpr std::string_view kAnyWorkspace = "*";

struct Principal {
  enum class Kind { kApiKey, kJwt, kService };
  Kind kind = Kind::kApiKey;
  // "key:<id>", "jwt:<sub>", "service:<name>": what audits name.
  std::string id;
  std::string workspace;
  Role role = herald::auth::v1::ROLE_UNSPECIFIED;

  bool platform() const { return workspace == kAnyWorkspace; }
};

// Holding `have` lets a caller do what `need` allows. Owner and admin (and
// services) hold every role below them; the others hold themselves and viewer.
bool Grants(Role have, Role need);

// "editor" ↔ ROLE_EDITOR.
std::optional<Role> ParseRole(std::string_view name);
std::string RoleName(Role role);

// The end user a service acts for travels as "x-herald-on-behalf-of":
// "<id>;<workspace>;<role>". Only believed when the direct caller is a service.
std::string EncodeOnBehalf(const Principal& p);
std::optional<Principal> DecodeOnBehalf(std::string_view value);

}  // namespace herald::auth
