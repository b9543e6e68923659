#include "common/auth/principal.h"

#include <cctype>
#include <vector>

namespace herald::auth {


bool Grants(Role have, Role need) {
  if (need == v1::ROLE_UNSPECIFIED || have == v1::ROLE_UNSPECIFIED) return false;
  if (have == v1::ROLE_SERVICE) return true;
  if (need == v1::ROLE_SERVICE) return false;
  if (have == v1::ROLE_OWNER) return true;
  if (have == v1::ROLE_ADMIN) return need != v1::ROLE_OWNER;
  return have == need || need == v1::ROLE_VIEWER;
}

std::optional<Role> ParseRole(std::string_view name) {
  std::string upper = "ROLE_";
  for (char c : name) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  Role role;
  if (name.empty() || !v1::Role_Parse(upper, &role) || role == v1::ROLE_UNSPECIFIED) return std::nullopt;
  return role;
}

std::string RoleName(Role role) {
  std::string name = v1::Role_Name(role);
  if (name.rfind("ROLE_", 0) == 0) name = name.substr(5);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string EncodeOnBehalf(const Principal& p) { return p.id + ";" + p.workspace + ";" + RoleName(p.role); }

std::optional<Principal> DecodeOnBehalf(std::string_view value) {
  if (value.size() > 256) return std::nullopt;
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || value[i] == ';') {
      parts.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty()) return std::nullopt;
  auto role = ParseRole(parts[2]);
  // A service never acts for another service.
  if (!role || *role == v1::ROLE_SERVICE) return std::nullopt;
  Principal p;
  p.kind = parts[0].rfind("jwt:", 0) == 0 ? Principal::Kind::kJwt : Principal::Kind::kApiKey;
  p.id = std::string(parts[0]);
  p.workspace = std::string(parts[1]);
  p.role = *role;
  return p;
}

}  // namespace herald::auth
