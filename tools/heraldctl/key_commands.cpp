#include "heraldctl/key_commands.h"

#include <chrono>
#include <iostream>

#include "common/auth/api_key.h"
#include "common/time_util.h"
#include "herald/auth/v1/api_keys.grpc.pb.h"
#include "heraldctl/table.h"

namespace heraldctl {
namespace {

namespace av1 = herald::auth::v1;

std::unique_ptr<av1::ApiKeyService::Stub> Keys(const Ctx& c) {
  return av1::ApiKeyService::NewStub(Dial(c.args, "scheduler", "HERALD_SCHEDULER_ADDR", "localhost:7101"));
}

int Problem(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return 2;
}

}  // namespace

int CreateApiKey(const Ctx& c) {
  av1::CreateApiKeyRequest req;
  req.set_workspace_id(c.workspace);
  req.set_name(c.args.Get("name", "", ""));
  auto role = herald::auth::ParseRole(c.args.Get("role", "", ""));
  if (!role) return Problem("--role: want viewer, analyst, agent, approver, editor, admin or owner");
  req.set_role(*role);
  if (auto expires = c.args.Get("expires")) {
    auto ms = ParseTime(*expires);
    if (!ms) return Problem("--expires: want RFC 3339 or +30d");
    *req.mutable_expire_time() = herald::FromMs(*ms);
  }
  av1::CreateApiKeyResponse out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Keys(c)->CreateApiKey(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "apikey/" << out.key().id() << " created (" << herald::auth::RoleName(out.key().role()) << " in "
            << out.key().workspace_id() << ")\n"
            << "key: " << out.secret() << "\n"
            << "Store it now: it is not shown again.\n";
  return 0;
}

int GetApiKeys(const Ctx& c) {
  av1::ListApiKeysRequest req;
  req.set_workspace_id(c.workspace);
  av1::ListApiKeysResponse out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Keys(c)->ListApiKeys(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  Table t({"ID", "NAME", "ROLE", "CREATED", "EXPIRES", "REVOKED", "LAST USED"});
  for (const auto& k : out.keys()) {
    t.Row({k.id(), k.name(), herald::auth::RoleName(k.role()), When(k.create_time()), When(k.expire_time()),
           When(k.revoke_time()), When(k.last_used_time())});
  }
  t.Print(std::cout);
  return 0;
}

int RevokeApiKey(const Ctx& c, const std::string& id) {
  av1::RevokeApiKeyRequest req;
  req.set_workspace_id(c.workspace);
  req.set_key_id(id);
  av1::ApiKey out;
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (auto s = Keys(c)->RevokeApiKey(&ctx, req, &out); !s.ok()) return Fail(s);
  if (c.json) return PrintJson(out), 0;
  std::cout << "apikey/" << out.id() << " revoked\n";
  return 0;
}

int KeyGen(const Ctx& c) {
  auto role = herald::auth::ParseRole(c.args.Get("role", "", ""));
  if (!role) return Problem("--role: want a role (owner, admin, ..., or service)");
  std::string name = c.args.Get("name", "", "");
  if (name.empty() || name.find(' ') != std::string::npos) return Problem("--name: one word");
  std::string workspace = c.args.Get("workspace", "", "");
  if (workspace.empty()) return Problem("--workspace: a workspace, or * for every workspace");
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  auto key = herald::auth::GenerateKey(workspace, name, *role, now);
  std::cout << "key: " << key.secret << "\n"
            << "keys-file line: " << herald::auth::KeysFileLine(key.stored) << "\n";
  return 0;
}

}  // namespace heraldctl
