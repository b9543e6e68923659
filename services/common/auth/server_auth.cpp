#include "common/auth/server_auth.h"

#include <array>
#include <atomic>
#include <exception>
#include <mutex>
#include <unordered_map>

#include "common/clock.h"
#include "common/events.h"
#include "common/executor.h"
#include "common/request_bounds.h"
#include "common/status.h"

namespace herald::auth {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;

constexpr size_t kMaxCredentialBytes = 8192;
constexpr size_t kMaxAuditIds = 16;
constexpr size_t kMaxAuditIdLength = 96;

thread_local const Caller* current_caller = nullptr;

constexpr int kMaxSlowPathInFlight = 256;

std::atomic<int>& SlowPathInFlight() {
  static std::atomic<int> in_flight{0};
  return in_flight;
}

struct Verdict {
  std::mutex mu;
  bool judged = false;
  grpc::Status status;
  Caller caller;
};

// Verdicts by call, sharded so concurrent calls rarely share a lock.
class VerdictRegistry {
 public:
  void Add(const grpc::ServerContextBase* ctx, Verdict* v) {
    auto& s = Shard(ctx);
    std::lock_guard lock(s.mu);
    s.map[ctx] = v;
  }
  void Remove(const grpc::ServerContextBase* ctx) {
    auto& s = Shard(ctx);
    std::lock_guard lock(s.mu);
    s.map.erase(ctx);
  }
  Verdict* Find(const grpc::ServerContextBase* ctx) {
    auto& s = Shard(ctx);
    std::lock_guard lock(s.mu);
    auto it = s.map.find(ctx);
    return it == s.map.end() ? nullptr : it->second;
  }
  static VerdictRegistry& Instance() {
    static VerdictRegistry r;
    return r;
  }

 private:
  struct ShardT {
    std::mutex mu;
    std::unordered_map<const grpc::ServerContextBase*, Verdict*> map;
  };
  ShardT& Shard(const grpc::ServerContextBase* ctx) {
    return shards_[(reinterpret_cast<uintptr_t>(ctx) >> 6) % shards_.size()];
  }
  std::array<ShardT, 16> shards_;
};

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

std::string CodeName(grpc::StatusCode code) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                                 "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                 "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  int c = static_cast<int>(code);
  return c >= 0 && c <= 16 ? kNames[c] : "UNKNOWN";
}

// "post_id=…" for the id fields of a message (top level only), bounded.
void CollectIds(const google::protobuf::Message& m, std::vector<std::string>* out) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < d->field_count() && out->size() < kMaxAuditIds; ++i) {
    const auto* f = d->field(i);
    if (f->type() != google::protobuf::FieldDescriptor::TYPE_STRING || f->name() == "workspace_id") continue;
    const std::string& name = f->name();
    bool id_field = name == "id" || (name.size() > 3 && name.compare(name.size() - 3, 3, "_id") == 0) ||
                    (name.size() > 4 && name.compare(name.size() - 4, 4, "_ids") == 0);
    if (!id_field) continue;
    auto add = [&](const std::string& v) {
      if (!v.empty() && out->size() < kMaxAuditIds) out->push_back((name + "=" + v).substr(0, kMaxAuditIdLength));
    };
    if (f->is_repeated()) {
      for (int j = 0; j < r->FieldSize(m, f); ++j) add(r->GetRepeatedString(m, f, j));
    } else {
      add(r->GetString(m, f));
    }
  }
}

class AuthInterceptor final : public grpc::experimental::Interceptor {
 public:
  AuthInterceptor(grpc::experimental::ServerRpcInfo* info, const ServerAuthOptions& options)
      : info_(info), options_(options), rule_(RuleFor(info->method())) {
    VerdictRegistry::Instance().Add(info_->server_context(), &verdict_);
  }
  ~AuthInterceptor() override { VerdictRegistry::Instance().Remove(info_->server_context()); }

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      ReadMetadata(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // Client streams are served from raw bytes (see CheckStreamedRequest):
      // their messages are not protobuf objects here.
      auto* request = rule_.kind == MethodRule::Kind::kGuarded && !rule_.method->client_streaming()
                          ? static_cast<google::protobuf::Message*>(methods->GetRecvMessage())
                          : nullptr;
      // A unary request gRPC could not decode (bytes that are no such
      // message, a string that is not UTF-8) reaches no handler; gRPC then
      // answers UNIMPLEMENTED with no message. It is the caller's bad input.
      undecodable_ = rule_.kind == MethodRule::Kind::kGuarded && !rule_.method->client_streaming() && !request;
      if (!authenticated_) {
        if (!StartAuthentication(methods, request)) return;  // finishes on the slow path
      }
      Judge(request);
    }
    // Only Herald's RPCs carry protobuf messages here (health and reflection
    // are served from raw byte buffers).
    if (rule_.kind == MethodRule::Kind::kGuarded && options_.audit && !rule_.access.read_only() &&
        !rule_.method->client_streaming() && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      if (const void* msg = methods->GetSendMessage()) {
        CollectIds(*static_cast<const google::protobuf::Message*>(msg), &response_ids_);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      if (undecodable_) {
        // A caller who may not call is told so before anything about its input.
        grpc::Status verdict;
        {
          std::lock_guard lock(verdict_.mu);
          verdict = verdict_.status;
        }
        methods->ModifySendStatus(
            !verdict.ok() ? verdict
                          : InvalidArgument("request", "not a valid " + rule_.method->input_type()->full_name() +
                                                           " (every string must be UTF-8)"));
      }
      Audit(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void ReadMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& md) {
    auto get = [&](const char* key, std::string* out) {
      auto it = md.find(key);
      if (it == md.end()) return true;
      if (it->second.size() > kMaxCredentialBytes) return false;
      out->assign(it->second.data(), it->second.size());
      return true;
    };
    metadata_ok_ = get("authorization", &authorization_) && get("x-herald-on-behalf-of", &on_behalf_);
  }

  // Authenticates from memory when it can; otherwise hands the lookup to the
  // slow path, which judges and proceeds itself. Returns false in that case.
  bool StartAuthentication(InterceptorBatchMethods* methods, google::protobuf::Message* request) {
    if (rule_.kind == MethodRule::Kind::kOpen) {
      authenticated_ = true;
      return true;
    }
    if (!options_.enabled) {
      caller_.direct = Principal{Principal::Kind::kService, "anonymous", std::string(kAnyWorkspace),
                                 herald::auth::v1::ROLE_OWNER};
      authenticated_ = true;
      return true;
    }
    if (!metadata_ok_) {
      authenticated_ = true;
      authn_status_ = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "credentials too long");
      return true;
    }
    std::optional<absl::StatusOr<Principal>> cached;
    try {
      cached = options_.authenticator->TryCached(authorization_);
    } catch (const std::exception&) {
      cached = absl::StatusOr<Principal>(absl::UnauthenticatedError("invalid credentials"));
    }
    if (cached) {
      Authenticated(*cached);
      return true;
    }
    // The slow path is bounded: a flood of made-up credentials is answered
    // UNAVAILABLE at once instead of queueing behind each other.
    if (SlowPathInFlight().fetch_add(1) >= kMaxSlowPathInFlight) {
      SlowPathInFlight().fetch_sub(1);
      Authenticated(absl::UnavailableError("too many credential checks in flight; retry"));
      return true;
    }
    bool queued = options_.slow_path->Submit([this, methods, request] {
      absl::StatusOr<Principal> principal = absl::UnauthenticatedError("invalid credentials");
      try {
        principal = options_.authenticator->Authenticate(authorization_);
      } catch (const std::exception&) {
        // A parser that throws on hostile input refuses it; it never ends the process.
      }
      SlowPathInFlight().fetch_sub(1);
      Authenticated(principal);
      Judge(request);
      methods->Proceed();
    });
    if (!queued) {
      SlowPathInFlight().fetch_sub(1);
      Authenticated(absl::UnavailableError("server is shutting down"));
      return true;
    }
    return false;
  }

  void Authenticated(const absl::StatusOr<Principal>& principal) {
    authenticated_ = true;
    if (!principal.ok()) {
      authn_status_ = ToGrpc(principal.status());
      return;
    }
    caller_.direct = *principal;
    if (!on_behalf_.empty()) {
      auto user = DecodeOnBehalf(on_behalf_);
      if (caller_.direct.kind != Principal::Kind::kService) {
        authn_status_ = grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "only services may act for another principal");
      } else if (!user) {
        authn_status_ = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "malformed x-herald-on-behalf-of");
      } else {
        caller_.on_behalf = *user;
      }
    }
  }

  // The first message decides; each later one (client streams) can only refuse.
  void Judge(google::protobuf::Message* request) {
    grpc::Status status = authn_status_;
    if (status.ok()) status = AuthorizeRole(caller_, rule_);
    // Calls between services must carry a deadline: a stuck callee then
    // cannot hold the caller's threads.
    if (status.ok() && options_.enabled && caller_.direct.kind == Principal::Kind::kService &&
        rule_.kind == MethodRule::Kind::kGuarded &&
        info_->server_context()->deadline() == std::chrono::system_clock::time_point::max()) {
      status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "calls between services need a deadline");
    }
    if (status.ok() && rule_.kind == MethodRule::Kind::kGuarded && request) status = ScopeRequest(caller_, *request);
    if (status.ok() && rule_.kind == MethodRule::Kind::kGuarded && request) status = CheckRequestBounds(*request);
    if (request && rule_.kind == MethodRule::Kind::kGuarded) {
      const auto* f = request->GetDescriptor()->FindFieldByName("workspace_id");
      if (f && f->type() == google::protobuf::FieldDescriptor::TYPE_STRING && !f->is_repeated()) {
        workspace_ = request->GetReflection()->GetString(*request, f).substr(0, 64);
      }
      if (options_.audit) {
        request_ids_.clear();
        CollectIds(*request, &request_ids_);
      }
    }
    std::lock_guard lock(verdict_.mu);
    if (!verdict_.judged || verdict_.status.ok()) verdict_.status = status;
    verdict_.judged = true;
    verdict_.caller = caller_;
  }

  void Audit(grpc::StatusCode code) {
    if (!options_.audit || rule_.kind == MethodRule::Kind::kOpen) return;
    // Unknown method names are the caller's text: not worth a record each.
    if (rule_.method == nullptr) return;
    if (rule_.kind == MethodRule::Kind::kGuarded && rule_.access.read_only() && code != grpc::StatusCode::UNAUTHENTICATED &&
        code != grpc::StatusCode::PERMISSION_DENIED) {
      return;
    }
    herald::events::v1::AuditRecord record;
    record.set_principal(caller_.direct.id);
    if (caller_.on_behalf) record.set_on_behalf_of(caller_.on_behalf->id);
    record.set_method(info_->method());
    record.set_workspace_id(workspace_);
    for (const auto& id : request_ids_) record.add_resource_ids(id);
    for (const auto& id : response_ids_) {
      if (record.resource_ids_size() < static_cast<int>(kMaxAuditIds)) record.add_resource_ids(id);
    }
    record.set_code(CodeName(code));
    record.set_peer(info_->server_context()->peer().substr(0, 128));
    *record.mutable_meta() = NewEventMeta(record, workspace_, *options_.clock);
    options_.audit->Record(record);
  }

  grpc::experimental::ServerRpcInfo* info_;
  const ServerAuthOptions& options_;
  const MethodRule& rule_;
  Verdict verdict_;
  std::string authorization_, on_behalf_, workspace_;
  bool metadata_ok_ = true;
  bool authenticated_ = false;
  bool undecodable_ = false;
  grpc::Status authn_status_;
  Caller caller_;
  std::vector<std::string> request_ids_, response_ids_;
};

class AuthInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AuthInterceptorFactory(ServerAuthOptions options) : options_(std::move(options)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new AuthInterceptor(info, options_);
  }

 private:
  ServerAuthOptions options_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeServerAuthInterceptorFactory(
    ServerAuthOptions options) {
  return std::make_unique<AuthInterceptorFactory>(std::move(options));
}

grpc::Status CheckCall(const grpc::ServerContextBase* ctx, Caller* caller) {
  Verdict* v = VerdictRegistry::Instance().Find(ctx);
  if (!v) return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "call was not checked");
  std::lock_guard lock(v->mu);
  if (!v->judged) return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "call was not checked");
  if (v->status.ok() && caller) *caller = v->caller;
  return v->status;
}

grpc::Status CheckStreamedRequest(const grpc::ServerContextBase* ctx, google::protobuf::Message* request,
                                  Caller* caller) {
  Caller judged;
  grpc::Status status = CheckCall(ctx, &judged);
  if (status.ok()) status = ScopeRequest(judged, *request);
  if (status.ok()) status = CheckRequestBounds(*request);
  if (status.ok() && caller) *caller = judged;
  return status;
}

const Caller* CurrentCaller() { return current_caller; }

CallerScope::CallerScope(const Caller* caller) : previous_(current_caller) { current_caller = caller; }
CallerScope::~CallerScope() { current_caller = previous_; }

}  // namespace herald::auth
