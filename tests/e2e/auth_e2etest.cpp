// Trust, tried from outside: every RPC of every Herald service — found from
// the descriptors of the protos, so a new RPC is covered without touching this
// file — is called with each kind of bad credentials, too low a role, another
// workspace, and another workspace's resources; each gets the right code and
// Redis is byte-for-byte what it was before.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/generic/generic_stub.h>

#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "common/auth/jwt_verifier.h"
#include "common/request_bounds.h"
#include "common/redis.h"
#include "herald/auth/v1/api_keys.grpc.pb.h"
#include "herald/campaign/v1/campaign.grpc.pb.h"
#include "herald/publisher/v1/webhooks.grpc.pb.h"
#include "platform_test.h"
#include "support/jwt_issuer.h"

namespace herald::testing {
namespace {

namespace av1 = herald::auth::v1;
namespace cmp = herald::campaign::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

// Every Herald proto file (from CMake's glob of proto/).
std::vector<std::string> ProtoFiles() {
  std::vector<std::string> out;
  std::string all = HERALD_PROTO_FILES;
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find(',', start);
    if (end == std::string::npos) end = all.size();
    out.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Every RPC of every Herald proto file; a file not linked in fails the test.
std::vector<const MethodDescriptor*> AllMethods() {
  std::vector<const MethodDescriptor*> methods;
  for (const auto& file : ProtoFiles()) {
    const auto* fd = google::protobuf::DescriptorPool::generated_pool()->FindFileByName(file);
    if (!fd) {
      ADD_FAILURE() << file << " is not linked into the test";
      return {};
    }
    for (int s = 0; s < fd->service_count(); ++s) {
      for (int m = 0; m < fd->service(s)->method_count(); ++m) methods.push_back(fd->service(s)->method(m));
    }
  }
  return methods;
}

// Which process serves a service: its package's second part, except the key
// admin API, which the scheduler hosts. An unknown package fails the test.
std::string ProcessFor(const google::protobuf::ServiceDescriptor* s) {
  if (s->full_name() == "herald.auth.v1.ApiKeyService") return "scheduler";
  std::string pkg = s->file()->package();  // herald.scheduler.v1
  auto a = pkg.find('.'), b = pkg.find('.', a + 1);
  return pkg.substr(a + 1, b - a - 1);
}

struct CallResult {
  grpc::Status status;
  std::string response;
};

// One call of any RPC (unary or client-streaming) with a serialized request.
CallResult Call(const std::shared_ptr<grpc::Channel>& channel, const std::string& method, const Message& request,
                const std::string& authorization) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&ctx, method, &cq);
  void* tag;
  bool ok;
  auto step = [&](intptr_t t) {
    (void)t;
    cq.Next(&tag, &ok);
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  step(1);
  std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer buf(&slice, 1);
  call->Write(buf, reinterpret_cast<void*>(2));
  step(2);
  call->WritesDone(reinterpret_cast<void*>(3));
  step(3);
  grpc::ByteBuffer resp;
  call->Read(&resp, reinterpret_cast<void*>(4));
  bool got = step(4);
  CallResult out;
  call->Finish(&out.status, reinterpret_cast<void*>(5));
  step(5);
  if (got) {
    std::vector<grpc::Slice> slices;
    (void)resp.Dump(&slices);
    for (auto& s : slices) out.response.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return out;
}

class AuthMatrix : public PlatformTest {
 protected:
  static void SetUpTestSuite() {
    issuer_ = new JwtIssuer("idp-1");
    jwks_path_ = new std::string("/tmp/herald-auth-jwks-" + std::to_string(getpid()) + ".json");
    std::ofstream(*jwks_path_) << issuer_->Jwks();
    PlatformOptions options;
    options.service_args = {"--jwks-file=" + *jwks_path_, "--jwt-issuer=https://idp.test", "--jwt-audience=herald"};
    // No background follower reads: the matrix proves refused calls change
    // nothing in Redis, so nothing else may write while it runs.
    options.follower_read_interval = "0";
    shared_ = new Platform(options);
  }
  static void TearDownTestSuite() {
    delete shared_;
    std::remove(jwks_path_->c_str());
  }
  void SetUp() override {
    p_.reset(shared_);
    TestAuthorization() = "Bearer " + p_->operator_key();
  }
  void TearDown() override { (void)p_.release(); }

  static std::string Jwt(const std::string& audience, int64_t exp_offset_s, const std::string& role = "owner") {
    json claims = {{"iss", "https://idp.test"}, {"aud", audience}, {"sub", "mallory"},
                   {"exp", NowMs() / 1000 + exp_offset_s}, {"herald_workspace", "acme"}, {"herald_role", role}};
    return issuer_->Sign(claims);
  }

  std::string NewKey(const std::string& workspace, av1::Role role) {
    av1::CreateApiKeyRequest req;
    req.set_workspace_id(workspace);
    req.set_name("matrix-" + av1::Role_Name(role));
    req.set_role(role);
    av1::CreateApiKeyResponse out;
    auto s = Stub<av1::ApiKeyService>("scheduler")->CreateApiKey(Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.secret();
  }

  // The listener's own service key (what it calls the network gateway with).
  std::string ServiceKey() {
    std::ifstream in(p_->dir() + "/listener.key");
    std::string key;
    std::getline(in, key);
    return key;
  }

  // Every value of every key, but when an API key was last used.
  std::map<std::string, std::string> RedisState() {
    RedisOptions options;
    options.port = p_->redis_port();
    options.pool_size = 1;
    RedisClient redis(options);
    std::map<std::string, std::string> state;
    std::string cursor = "0";
    do {
      auto r = redis.Command({"SCAN", cursor, "COUNT", "1000"});
      EXPECT_TRUE(r.ok());
      if (!r.ok()) break;
      cursor = r->elements[0].str;
      for (const auto& k : r->elements[1].elements) {
        if (k.str.rfind("{auth}:key:", 0) == 0) {
          auto h = redis.Command({"HGETALL", k.str});
          std::map<std::string, std::string> fields;
          for (size_t i = 0; i + 1 < h->elements.size(); i += 2) fields[h->elements[i].str] = h->elements[i + 1].str;
          fields.erase("last_used_ms");
          state[k.str] = json(fields).dump();
        } else {
          auto dump = redis.Command({"DUMP", k.str});
          state[k.str] = dump.ok() ? dump->str : "?";
        }
      }
    } while (cursor != "0");
    return state;
  }

  static inline Platform* shared_ = nullptr;
  static inline JwtIssuer* issuer_ = nullptr;
  static inline std::string* jwks_path_ = nullptr;
};

TEST_F(AuthMatrix, EveryRpcRefusesEveryBadCallerAndChangesNothing) {
  workspace_ = "globex";
  // Another tenant's resources, made by the operator.
  pub::Channel channel = Connect(Network::NETWORK_MASTODON, "e2e-token");
  ASSERT_FALSE(channel.id().empty());
  sched::CreatePostRequest post_req;
  post_req.set_workspace_id("globex");
  post_req.set_text("globex's own post");
  post_req.add_channel_ids(channel.id());
  *post_req.mutable_publish_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(NowMs() + 3'600'000);
  sched::Post post;
  ASSERT_TRUE(Stub<sched::SchedulerService>("scheduler")->CreatePost(Ctx().get(), post_req, &post).ok());
  cmp::CreateCampaignRequest camp_req;
  camp_req.set_workspace_id("globex");
  camp_req.set_name("globex launch");
  camp_req.set_objective(cmp::OBJECTIVE_AWARENESS);
  cmp::Campaign campaign;
  ASSERT_TRUE(Stub<cmp::CampaignService>("campaign")->CreateCampaign(Ctx().get(), camp_req, &campaign).ok());
  pub::CreateWebhookRequest hook_req;
  hook_req.set_workspace_id("globex");
  hook_req.set_url(p_->simulator_url() + "/hook");
  hook_req.add_event_types("post.published");
  pub::Webhook hook;
  auto hs = Stub<pub::WebhookService>("publisher")->CreateWebhook(Ctx().get(), hook_req, &hook);
  ASSERT_TRUE(hs.ok()) << hs.error_message();
  std::string globex_key = NewKey("globex", av1::ROLE_VIEWER);
  std::string globex_key_id = globex_key.substr(3, 12);
  const std::map<std::string, std::string> foreign_ids = {
      {"post_id", post.id()},       {"channel_id", channel.id()}, {"channel_ids", channel.id()},
      {"campaign_id", campaign.id()}, {"webhook_id", hook.id()},   {"key_id", globex_key_id},
      {"item_id", "inbox-item-1"},  {"event_id", "event-1"}};

  // Callers from acme.
  std::string owner = NewKey("acme", av1::ROLE_OWNER), viewer = NewKey("acme", av1::ROLE_VIEWER);
  std::string revoked = NewKey("acme", av1::ROLE_OWNER);
  {
    av1::RevokeApiKeyRequest r;
    r.set_workspace_id("acme");
    r.set_key_id(revoked.substr(3, 12));
    av1::ApiKey out;
    ASSERT_TRUE(Stub<av1::ApiKeyService>("scheduler")->RevokeApiKey(Ctx().get(), r, &out).ok());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5500));  // past every service's key cache

  // Requests as a client would send them: workspace, ids of globex's resources, some text.
  std::map<std::string, std::string> none_ids;
  // Ids of the same shape that name nothing: letters become z, digits 9.
  for (const auto& [field, id] : foreign_ids) {
    std::string none = id;
    for (char& ch : none) ch = std::islower(ch) ? 'z' : std::isupper(ch) ? 'Z' : std::isdigit(ch) ? '9' : ch;
    none_ids[field] = none;
  }
  auto build = [&](const MethodDescriptor* m, const std::string& workspace,
                   const std::map<std::string, std::string>& ids) {
    std::unique_ptr<Message> req(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(m->input_type())->New());
    const auto* d = req->GetDescriptor();
    const auto* r = req->GetReflection();
    bool names_a_resource = false;
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (f->type() != FieldDescriptor::TYPE_STRING) continue;
      std::string value;
      if (f->name() == "workspace_id") value = workspace;
      else if (auto it = ids.find(f->name()); it != ids.end()) value = it->second, names_a_resource = true;
      else if (f->name() == "text" || f->name() == "name") value = "matrix";
      else if (f->name() == "url") value = p_->simulator_url() + "/matrix";
      if (value.empty()) continue;
      if (f->is_repeated()) r->AddString(req.get(), f, value);
      else r->SetString(req.get(), f, value);
    }
    return std::make_pair(std::move(req), names_a_resource);
  };

  struct Case {
    std::string name, authorization, workspace;
    grpc::StatusCode want;
  };
  const std::vector<Case> refused = {
      {"no credentials", "", "acme", grpc::StatusCode::UNAUTHENTICATED},
      {"malformed key", "Bearer hk_not_a_key", "acme", grpc::StatusCode::UNAUTHENTICATED},
      {"unknown key", "Bearer hk_aaaaaaaaaaaa_" + std::string(32, 'A'), "acme", grpc::StatusCode::UNAUTHENTICATED},
      {"revoked key", "Bearer " + revoked, "acme", grpc::StatusCode::UNAUTHENTICATED},
      {"expired JWT", "Bearer " + Jwt("herald", -120), "acme", grpc::StatusCode::UNAUTHENTICATED},
      {"wrong audience", "Bearer " + Jwt("someone-else", 300), "acme", grpc::StatusCode::UNAUTHENTICATED},
      {"another workspace", "Bearer " + owner, "globex", grpc::StatusCode::PERMISSION_DENIED},
      {"owner JWT, another workspace", "Bearer " + Jwt("herald", 300), "globex", grpc::StatusCode::PERMISSION_DENIED},
  };

  std::vector<const MethodDescriptor*> methods;
  std::set<std::string> processes;
  for (const auto& file : ProtoFiles()) {
    const auto* fd = google::protobuf::DescriptorPool::generated_pool()->FindFileByName(file);
    ASSERT_NE(fd, nullptr) << file << " is not linked into the test";
    for (int s = 0; s < fd->service_count(); ++s) {
      ASSERT_TRUE(p_->ports().count(ProcessFor(fd->service(s)))) << fd->service(s)->full_name() << ": which process?";
      for (int m = 0; m < fd->service(s)->method_count(); ++m) methods.push_back(fd->service(s)->method(m));
    }
  }
  ASSERT_GE(methods.size(), 38u);  // as of this writing; new RPCs only add

  auto before = RedisState();
  int calls = 0;
  for (const auto* m : methods) {
    auto channel_to = grpc::CreateChannel(p_->Grpc(ProcessFor(m->service())), grpc::InsecureChannelCredentials());
    std::string path = "/" + m->service()->full_name() + "/" + m->name();
    const auto& access = m->options().GetExtension(av1::access);
    ASSERT_NE(access.role(), av1::ROLE_UNSPECIFIED) << path << " declares no role";
    for (const auto& c : refused) {
      auto [req, _] = build(m, c.workspace, foreign_ids);
      auto r = Call(channel_to, path, *req, c.authorization);
      ++calls;
      EXPECT_EQ(r.status.error_code(), c.want) << path << " / " << c.name << ": " << r.status.error_message();
    }
    // Too low a role: a viewer holds nothing else.
    if (access.role() != av1::ROLE_VIEWER) {
      auto [req, _] = build(m, "acme", foreign_ids);
      auto r = Call(channel_to, path, *req, "Bearer " + viewer);
      ++calls;
      EXPECT_EQ(r.status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << path << " / viewer";
      EXPECT_NE(r.status.error_message().find("needs"), std::string::npos) << r.status.error_message();
    }
    // Allowed in acme, but naming globex's resources: indistinguishable from
    // resources that do not exist (same code, same answer but for the ids).
    auto [req, names_a_resource] = build(m, "acme", foreign_ids);
    if (names_a_resource) {
      auto [none_req, _] = build(m, "acme", none_ids);
      auto foreign = Call(channel_to, path, *req, "Bearer " + owner);
      auto none = Call(channel_to, path, *none_req, "Bearer " + owner);
      calls += 2;
      EXPECT_EQ(foreign.status.error_code(), none.status.error_code())
          << path << ": " << foreign.status.error_message() << " vs " << none.status.error_message();
      auto readable = [&](const std::string& bytes, const std::string& message) {
        std::unique_ptr<Message> out(
            google::protobuf::MessageFactory::generated_factory()->GetPrototype(m->output_type())->New());
        (void)out->ParseFromString(bytes);
        std::string text = out->ShortDebugString() + " | " + message;
        for (const auto& [field, id] : foreign_ids) {
          for (size_t at; (at = text.find(id)) != std::string::npos;) text.replace(at, id.size(), none_ids.at(field));
        }
        return text;
      };
      EXPECT_EQ(readable(foreign.response, foreign.status.error_message()),
                readable(none.response, none.status.error_message()))
          << path << " tells another workspace's resource from a missing one";
    }
  }
  auto after = RedisState();
  EXPECT_EQ(before.size(), after.size());
  for (const auto& [key, value] : before) {
    auto it = after.find(key);
    EXPECT_TRUE(it != after.end() && it->second == value) << "changed: " << key;
  }
  for (const auto& [key, value] : after) EXPECT_TRUE(before.count(key)) << "created: " << key;
  RecordProperty("calls", calls);

  // And the same credentials work where they should: the matrix is not
  // refusing everything.
  for (const auto* m : methods) {
    auto channel_to = grpc::CreateChannel(p_->Grpc(ProcessFor(m->service())), grpc::InsecureChannelCredentials());
    std::string path = "/" + m->service()->full_name() + "/" + m->name();
    std::unique_ptr<Message> req(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(m->input_type())->New());
    auto r = Call(channel_to, path, *req, "Bearer " + owner);
    if (m->options().GetExtension(av1::access).role() == av1::ROLE_SERVICE) {
      // Between services only (the network gateway): no person, not even an
      // owner, calls it; another service's key does.
      EXPECT_EQ(r.status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << path << ": " << r.status.error_message();
      r = Call(channel_to, path, *req, "Bearer " + ServiceKey());
    }
    EXPECT_NE(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << path << ": " << r.status.error_message();
    EXPECT_NE(r.status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << path << ": " << r.status.error_message();
  }
  auto ok = Call(grpc::CreateChannel(p_->Grpc("scheduler"), grpc::InsecureChannelCredentials()),
                 "/herald.scheduler.v1.SchedulerService/ListPosts", sched::ListPostsRequest(),
                 "Bearer " + Jwt("herald", 300, "viewer"));
  EXPECT_TRUE(ok.status.ok()) << "a valid JWT is accepted: " << ok.status.error_message();
}

// Bad input, generated from the descriptors like the matrix above: every id
// field of every RPC, given a malformed id, is refused with INVALID_ARGUMENT
// naming that field — by an owner of the workspace — and nothing is stored.
TEST_F(AuthMatrix, EveryRpcRefusesAMalformedIdNamingTheFieldAndStoresNothing) {
  std::string owner = NewKey("acme", av1::ROLE_OWNER);
  std::vector<const MethodDescriptor*> methods = AllMethods();
  ASSERT_FALSE(methods.empty());
  const std::string malformed = "bad id/../x";
  auto before = RedisState();
  int cases = 0;
  for (const auto* m : methods) {
    auto channel_to = grpc::CreateChannel(p_->Grpc(ProcessFor(m->service())), grpc::InsecureChannelCredentials());
    std::string path = "/" + m->service()->full_name() + "/" + m->name();
    const auto* d = m->input_type();
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* bad = d->field(i);
      const std::string& name = bad->name();
      bool id_field = bad->type() == FieldDescriptor::TYPE_STRING && name != "workspace_id" &&
                      ((name.size() > 3 && name.compare(name.size() - 3, 3, "_id") == 0) ||
                       (name.size() > 4 && name.compare(name.size() - 4, 4, "_ids") == 0));
      if (!id_field) continue;
      std::unique_ptr<Message> req(google::protobuf::MessageFactory::generated_factory()->GetPrototype(d)->New());
      const auto* r = req->GetReflection();
      if (const auto* ws = d->FindFieldByName("workspace_id")) r->SetString(req.get(), ws, "acme");
      if (bad->is_repeated()) {
        r->AddString(req.get(), bad, malformed);
      } else {
        r->SetString(req.get(), bad, malformed);
      }
      const bool service_only = m->options().GetExtension(av1::access).role() == av1::ROLE_SERVICE;
      auto result = Call(channel_to, path, *req, "Bearer " + (service_only ? ServiceKey() : owner));
      ++cases;
      // A bulk import answers row by row: the call ends OK, the row's error names the field.
      std::string said = result.status.error_message();
      if (m->client_streaming()) {
        std::unique_ptr<Message> out(
            google::protobuf::MessageFactory::generated_factory()->GetPrototype(m->output_type())->New());
        ASSERT_TRUE(out->ParseFromString(result.response)) << path;
        said = out->ShortDebugString();
        EXPECT_TRUE(result.status.ok()) << path << ": " << result.status.error_message();
        EXPECT_NE(said.find("row: 1"), std::string::npos) << path << " " << name << ": " << said;
        EXPECT_EQ(said.find("post_ids"), std::string::npos) << path << " stored a row with a bad " << name;
      } else {
        EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << path << " " << name << ": " << said;
      }
      EXPECT_NE(said.find(name), std::string::npos) << path << " does not name " << name << ": " << said;
      EXPECT_EQ(said.find(malformed), std::string::npos) << path << " echoes the input: " << said;
    }
  }
  EXPECT_GT(cases, 30);  // every id field of every RPC was tried
  auto after = RedisState();
  for (const auto& [key, value] : after) {
    if (key.rfind("{auth}:key:", 0) == 0 || key.rfind("{auth}:ws:", 0) == 0) continue;  // the key made above
    auto it = before.find(key);
    EXPECT_TRUE(it != before.end() && it->second == value) << "changed or created: " << key;
  }
}

// Out-of-bounds input, generated from the descriptors: every field of every
// request (and of the messages inside it) gets a value past the floor every
// RPC enforces — a string one byte too long, an enum number its enum does not
// define, a negative number, a time past year 9999, one entry too many. Each
// is refused with INVALID_ARGUMENT naming the field, and nothing is stored.
TEST_F(AuthMatrix, EveryRpcRefusesOutOfBoundsInputNamingTheFieldAndStoresNothing) {
  std::string owner = NewKey("acme", av1::ROLE_OWNER);
  std::vector<const MethodDescriptor*> methods = AllMethods();
  ASSERT_FALSE(methods.empty());
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  // Sets one bad value of field f in message m; false if f has no bad value
  // (a bool) or is a message to walk into instead.
  auto spoil = [&](Message* m, const FieldDescriptor* f) {
    const auto* r = m->GetReflection();
    if (f->is_map()) {
      Message* entry = r->AddMessage(m, f);
      entry->GetReflection()->SetString(entry, f->message_type()->map_key(), "k");
      const auto* value = f->message_type()->map_value();
      if (value->cpp_type() != FieldDescriptor::CPPTYPE_STRING) return false;
      entry->GetReflection()->SetString(entry, value, std::string(kMaxStringBytes + 1, 'a'));
      return true;
    }
    if (f->is_repeated()) {
      for (int i = 0; i <= kMaxRepeated; ++i) {
        switch (f->cpp_type()) {
          case FieldDescriptor::CPPTYPE_STRING: r->AddString(m, f, "a"); break;
          case FieldDescriptor::CPPTYPE_ENUM: r->AddEnumValue(m, f, 0); break;
          case FieldDescriptor::CPPTYPE_INT32: r->AddInt32(m, f, 1); break;
          case FieldDescriptor::CPPTYPE_INT64: r->AddInt64(m, f, 1); break;
          case FieldDescriptor::CPPTYPE_MESSAGE: r->AddMessage(m, f); break;
          default: return false;
        }
      }
      return true;
    }
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: r->SetString(m, f, std::string(kMaxStringBytes + 1, 'a')); return true;
      case FieldDescriptor::CPPTYPE_ENUM: r->SetEnumValue(m, f, 4242); return true;
      case FieldDescriptor::CPPTYPE_INT32: r->SetInt32(m, f, -1); return true;
      case FieldDescriptor::CPPTYPE_INT64: r->SetInt64(m, f, -1); return true;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (f->message_type()->full_name() != "google.protobuf.Timestamp") return false;
        r->MutableMessage(m, f)->GetReflection()->SetInt64(r->MutableMessage(m, f),
                                                           f->message_type()->FindFieldByName("seconds"), 253402300800);
        return true;
      default: return false;
    }
  };
  struct Bad {
    std::string path;  // "recycle.every_days"
    std::unique_ptr<Message> request;
  };
  // Every bad request of one input type: each field in turn, walking into
  // singular messages (two levels, enough for every request Herald has).
  using google::protobuf::Descriptor;
  std::function<void(const Descriptor*, const Descriptor*, std::vector<const FieldDescriptor*>, std::vector<Bad>*)>
      enumerate = [&](const Descriptor* root, const Descriptor* d, auto parents, auto* out) {
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (parents.empty() && f->name() == "workspace_id") continue;  // scoped by auth (the matrix above)
      std::unique_ptr<Message> req(factory->GetPrototype(root)->New());
      if (const auto* ws = root->FindFieldByName("workspace_id")) {
        req->GetReflection()->SetString(req.get(), ws, "acme");
      }
      Message* at = req.get();
      std::string path;
      for (const auto* p : parents) {
        at = at->GetReflection()->MutableMessage(at, p);
        path += p->name() + ".";
      }
      path += f->name();
      if (spoil(at, f)) {
        out->push_back({path, std::move(req)});
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !f->is_repeated() && parents.size() < 2) {
        auto deeper = parents;
        deeper.push_back(f);
        enumerate(root, f->message_type(), deeper, out);
      }
    }
  };

  auto before = RedisState();
  int cases = 0;
  std::set<std::string> kinds_seen;
  for (const auto* m : methods) {
    auto channel_to = grpc::CreateChannel(p_->Grpc(ProcessFor(m->service())), grpc::InsecureChannelCredentials());
    std::string path = "/" + m->service()->full_name() + "/" + m->name();
    std::vector<Bad> bad;
    enumerate(m->input_type(), m->input_type(), {}, &bad);
    const bool service_only = m->options().GetExtension(av1::access).role() == av1::ROLE_SERVICE;
    for (const auto& b : bad) {
      auto result = Call(channel_to, path, *b.request, "Bearer " + (service_only ? ServiceKey() : owner));
      ++cases;
      std::string said = result.status.error_message();
      if (m->client_streaming()) {  // a bulk import answers row by row
        std::unique_ptr<Message> out(factory->GetPrototype(m->output_type())->New());
        ASSERT_TRUE(out->ParseFromString(result.response)) << path;
        said = out->ShortDebugString();
        EXPECT_TRUE(result.status.ok()) << path << ": " << result.status.error_message();
        EXPECT_NE(said.find("row: 1"), std::string::npos) << path << " " << b.path << ": " << said;
        EXPECT_EQ(said.find("post_ids"), std::string::npos) << path << " stored a row with a bad " << b.path;
      } else {
        EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << path << " " << b.path << ": " << said;
      }
      // Named by its path; a repeated field's entry by its index.
      EXPECT_NE(said.find(b.path), std::string::npos) << path << " does not name " << b.path << ": " << said;
      for (const char* kind : {"bytes", "not a known", "negative", "9999", "entries"}) {
        if (said.find(kind) != std::string::npos) kinds_seen.insert(kind);
      }
    }
  }
  EXPECT_GT(cases, 100);  // 111 as of this writing; new fields only add
  EXPECT_EQ(kinds_seen.size(), 5u) << "every kind of bound was tried";
  auto after = RedisState();
  for (const auto& [key, value] : after) {
    if (key.rfind("{auth}:key:", 0) == 0 || key.rfind("{auth}:ws:", 0) == 0) continue;  // the key made above
    auto it = before.find(key);
    EXPECT_TRUE(it != before.end() && it->second == value) << "changed or created: " << key;
  }
  RecordProperty("cases", cases);
}

}  // namespace
}  // namespace herald::testing
