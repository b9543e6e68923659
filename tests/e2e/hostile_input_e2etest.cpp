// Hostile input changes nothing and stops nothing, tried against the running
// platform: poison records on every consumed topic are dead-lettered while the
// next real post still goes out; webhook and channel URLs that point inside
// are refused; and after all of it no log line or error carries a secret.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <grpcpp/generic/generic_stub.h>

#include "common/kafka.h"
#include "herald/auth/v1/api_keys.grpc.pb.h"
#include "herald/events/v1/events.pb.h"
#include "herald/publisher/v1/webhooks.grpc.pb.h"
#include "herald/topics.h"
#include "platform_test.h"
#include "support/silent_listener.h"

namespace herald::testing {
namespace {

namespace av1 = herald::auth::v1;

// A raw TCP client, to misbehave in ways an HTTP library will not.
class RawClient {
 public:
  explicit RawClient(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }
  bool Send(const std::string& s) { return send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()); }
  // What the server said (up to 4 KiB); "" on timeout or close.
  std::string Read() {
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }
  // True once the server closed the connection (read returns 0).
  bool ClosedWithin(std::chrono::seconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    char buf[512];
    while (std::chrono::steady_clock::now() < end) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return true;
    }
    return false;
  }

 private:
  int fd_;
  bool connected_ = false;
};

int StatusOf(const std::string& response) {
  return response.rfind("HTTP/1.", 0) == 0 && response.size() > 12 ? std::atoi(response.c_str() + 9) : 0;
}

class HostileInput : public PlatformTest {
 protected:
  static void SetUpTestSuite() { shared_ = new Platform(); }
  static void TearDownTestSuite() { delete shared_; }
  void SetUp() override {
    p_.reset(shared_);
    TestAuthorization() = "Bearer " + p_->operator_key();
    workspace_ = "hostile";
  }
  void TearDown() override { (void)p_.release(); }

  // Every error message a test saw, to search for secrets at the end.
  static inline std::vector<std::string> errors_;
  static inline std::vector<std::string> secrets_;
  static inline Platform* shared_ = nullptr;
};

TEST_F(HostileInput, PoisonRecordsOnEveryTopicAreDeadLetteredAndTheNextPostIsPublished) {
  auto channel = Connect(Network::NETWORK_MASTODON, "e2e-token");
  ASSERT_FALSE(channel.id().empty());
  secrets_.push_back("e2e-token");
  KafkaProducer raw(KafkaOptions{p_->brokers(), "hostile-test", {}});
  int sent = 0;
  for (const auto& t : topics::kAll) {
    if (t.event_type.empty() || t.name == topics::k_events_deadletter) continue;
    // Garbage, and a well-formed event of another type.
    ASSERT_TRUE(raw.ProduceSync(t.name, channel.id(), "\xff\xfe garbage", {}).ok()) << t.name;
    herald::events::v1::AuditRecord other;
    other.mutable_meta()->set_event_type("herald.events.v1.AuditRecord");
    other.mutable_meta()->set_workspace_id(workspace_);
    if (t.name != topics::k_audit) {
      ASSERT_TRUE(raw.ProduceSync(t.name, channel.id(), other.SerializeAsString(), {}).ok()) << t.name;
    }
    ++sent;
  }
  ASSERT_GE(sent, 6);

  auto ids = CreatePosts({"after the poison"}, {channel.id()});
  EXPECT_EQ(WaitPublished(ids, std::chrono::seconds(60)), 1u) << p_->Logs();
  EXPECT_EQ(LedgerCounts()["after the poison"], 1);

  // Each consumer counted what it refused, by topic and reason.
  auto refused = [&](const std::string& service, const std::string& topic, const std::string& reason) {
    return Metric(service, "herald_events_deadlettered_total{reason=\"" + reason + "\",topic=\"" + topic + "\"}");
  };
  EXPECT_TRUE(Eventually([&] { return refused("publisher", "posts.due", "undecodable") >= 1; }, std::chrono::seconds(20)));
  EXPECT_GE(refused("publisher", "posts.due", "wrong_type"), 1);
  EXPECT_TRUE(Eventually([&] { return refused("scheduler", "publish.results", "undecodable") >= 1; },
                         std::chrono::seconds(20)));
  EXPECT_TRUE(Eventually([&] { return refused("analytics", "mentions", "undecodable") >= 1; }, std::chrono::seconds(20)));
  EXPECT_GE(refused("analytics", "campaign.lifecycle", "wrong_type"), 1);

  // And they are kept on events.deadletter with where they came from.
  ConsumerOptions read;
  read.kafka = KafkaOptions{p_->brokers(), "hostile-test-reader", {{"auto.offset.reset", "earliest"}}};
  read.group_id = "hostile-test-reader";
  read.topics = {std::string(topics::k_events_deadletter)};
  KafkaConsumer consumer(read);
  std::set<std::string> topics_seen;
  Eventually(
      [&] {
        for (const auto& m : consumer.PollBatch(100, std::chrono::milliseconds(500))) {
          herald::events::v1::DeadLetter dl;
          if (dl.ParseFromString(m.value)) topics_seen.insert(dl.topic());
        }
        return topics_seen.count("posts.due") && topics_seen.count("publish.results");
      },
      std::chrono::seconds(30));
  EXPECT_TRUE(topics_seen.count("posts.due"));
  EXPECT_TRUE(topics_seen.count("publish.results"));
}

// (This platform's publisher may reach 127.0.0.0/8, where the simulator is.)
TEST_F(HostileInput, UrlsThatPointInsideAreRefusedNamingTheField) {
  auto hooks = Stub<pub::WebhookService>("publisher");
  for (std::string url : std::vector<std::string>{"http://10.0.0.7/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]:6379/",
                          "http://0xa9fea9fe/", "http://167772161/", "http://user:pass@example.com/", "http://0.0.0.0:" +
                          std::to_string(p_->redis_port()) + "/"}) {
    pub::CreateWebhookRequest r;
    r.set_workspace_id(workspace_);
    r.set_url(url);
    r.add_event_types("post.published");
    pub::Webhook out;
    auto s = hooks->CreateWebhook(Ctx().get(), r, &out);
    errors_.push_back(s.error_message());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << url;
    EXPECT_NE(s.error_message().find("url"), std::string::npos) << s.error_message();
  }
  pub::ConnectChannelRequest c;
  c.set_workspace_id(workspace_);
  c.set_network(Network::NETWORK_MASTODON);
  c.set_base_url("http://169.254.169.254");
  c.set_access_token("metadata-token-xyz");
  secrets_.push_back("metadata-token-xyz");
  pub::Channel ch;
  auto s = Stub<pub::PublisherService>("publisher")->ConnectChannel(Ctx().get(), c, &ch);
  errors_.push_back(s.error_message());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("base_url"), std::string::npos) << s.error_message();
}

// A network that takes the connection and never answers holds only the calls
// that need it: they wait in their own short line, the overflow is told to
// retry, and the rest of the publisher's API keeps answering meanwhile.
TEST_F(HostileInput, ANetworkThatNeverAnswersHoldsOnlyTheCallsThatNeedIt) {
  // Accepted by the kernel (backlog), never read, never answered.
  auto silent = std::make_unique<SilentListener>();
  const std::string base_url = silent->url();

  auto publisher = Stub<pub::PublisherService>("publisher");
  constexpr int kConnects = 30;  // more than the pool (4) and its line (16) hold
  std::vector<grpc::StatusCode> codes(kConnects, grpc::StatusCode::OK);
  std::vector<std::thread> callers;
  for (int i = 0; i < kConnects; ++i) {
    callers.emplace_back([&, i] {
      pub::ConnectChannelRequest c;
      c.set_workspace_id(workspace_);
      c.set_network(Network::NETWORK_MASTODON);
      c.set_base_url(base_url);
      c.set_access_token("silent-token");
      pub::Channel ch;
      auto ctx = Ctx();
      ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(12));
      codes[static_cast<size_t>(i)] = publisher->ConnectChannel(ctx.get(), c, &ch).error_code();
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  // While the network holds its calls, the rest of the API answers.
  for (int i = 0; i < 10; ++i) {
    pub::ListChannelsRequest l;
    l.set_workspace_id(workspace_);
    pub::ListChannelsResponse out;
    auto ctx = Ctx();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    auto s = publisher->ListChannels(ctx.get(), l, &out);
    EXPECT_TRUE(s.ok()) << "call " << i << ": " << s.error_message();
  }
  for (auto& t : callers) t.join();
  silent.reset();
  int told_to_retry = 0;
  for (auto code : codes) {
    EXPECT_NE(code, grpc::StatusCode::OK) << "a network that never answered connected a channel";
    told_to_retry += code == grpc::StatusCode::UNAVAILABLE;
  }
  EXPECT_GE(told_to_retry, kConnects - 20) << "calls beyond the pool's line were not refused";
}

// The webhook endpoint faces the internet: slow, idle and oversized clients
// are bounded, and meanwhile health checks and valid webhooks are served.
TEST_F(HostileInput, SlowChunkedAndOversizedClientsDoNotStopValidWebhooks) {
  auto channel = Connect(Network::NETWORK_MASTODON, "e2e-token");
  int port = std::atoi(p_->listener_url().substr(p_->listener_url().rfind(':') + 1).c_str());
  const std::string path = "/v1/webhooks/mastodon/" + workspace_ + "/" + channel.id();
  // Headers that never end, and chunked bodies that stall.
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 30; ++i) {
    slow.push_back(std::make_unique<RawClient>(port));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->Send("POST " + path + " HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  }
  for (int i = 0; i < 10; ++i) {
    slow.push_back(std::make_unique<RawClient>(port));
    ASSERT_TRUE(slow.back()->Send("POST " + path + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"event\":\"menti"));
  }
  auto started = std::chrono::steady_clock::now();
  // Health and a valid, signed webhook still answered at once.
  HttpRequest health;
  health.url = p_->listener_url() + "/healthz";
  auto h = SendHttp(health);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
  json mention = {{"webhook_url", p_->listener_url() + path}, {"author", "fan"}, {"text", "still served"}};
  EXPECT_EQ(HttpJson("POST", p_->simulator_url() + "/_sim/mention", mention.dump()).value("webhook_status", 0), 202);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));

  // A declared body over the limit is refused before a byte of it is sent.
  RawClient big(port);
  ASSERT_TRUE(big.Send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n"));
  EXPECT_EQ(StatusOf(big.Read()), 413);
  // A chunked body is cut off (connection closed) once it passes the limit
  // (1 MiB), not read to its end.
  RawClient chunked(port);
  ASSERT_TRUE(chunked.Send("POST " + path + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string chunk = "10000\r\n" + std::string(0x10000, 'a') + "\r\n";  // 64 KiB a chunk
  int sent_chunks = 0;
  // 64 MiB offered; the kernel's buffers take a few MiB, the server no more than 1.
  for (; sent_chunks < 1024 && chunked.Send(chunk); ++sent_chunks) {
  }
  EXPECT_LT(sent_chunks, 1024) << "the server read 64 MiB of a body limited to 1 MiB";
  EXPECT_TRUE(chunked.ClosedWithin(std::chrono::seconds(5)));
  // Headers beyond the per-connection memory are refused.
  RawClient headers(port);
  std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 200; ++i) many += "X-H" + std::to_string(i) + ": " + std::string(400, 'h') + "\r\n";
  (void)headers.Send(many + "\r\n");
  int status = StatusOf(headers.Read());
  EXPECT_TRUE(status >= 400 && status < 500) << status;
  // Idle clients are closed after the idle timeout (10 s).
  EXPECT_TRUE(slow.front()->ClosedWithin(std::chrono::seconds(20)));
  EXPECT_TRUE(slow.back()->ClosedWithin(std::chrono::seconds(5)));
}

// A bulk import that sends no row still answers for its caller.
TEST_F(HostileInput, AnEmptyImportIsJudgedLikeAnyOtherCall) {
  auto scheduler = Stub<sched::SchedulerService>("scheduler");
  for (bool with_key : {false, true}) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (with_key) ctx.AddMetadata("authorization", TestAuthorization());
    sched::ImportPostsResponse summary;
    auto writer = scheduler->ImportPosts(&ctx, &summary);
    writer->WritesDone();
    auto s = writer->Finish();
    EXPECT_EQ(s.error_code(), with_key ? grpc::StatusCode::OK : grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
    EXPECT_EQ(summary.created(), 0);
  }
}

TEST_F(HostileInput, NoLogLineOrErrorCarriesASecret) {
  // Secrets this platform handled: its keys, a new API key, a webhook
  // signing secret, network tokens, and keys sent that were refused.
  secrets_.push_back(p_->operator_key());
  for (const char* s : {"scheduler", "publisher", "listener", "campaign", "analytics"}) {
    std::ifstream in(p_->dir() + "/" + s + ".key");
    std::string key;
    in >> key;
    secrets_.push_back(key);
  }
  av1::CreateApiKeyRequest kr;
  kr.set_workspace_id(workspace_);
  kr.set_name("ci");
  kr.set_role(av1::ROLE_EDITOR);
  av1::CreateApiKeyResponse key;
  ASSERT_TRUE(Stub<av1::ApiKeyService>("scheduler")->CreateApiKey(Ctx().get(), kr, &key).ok());
  secrets_.push_back(key.secret());
  pub::CreateWebhookRequest wr;
  wr.set_workspace_id(workspace_);
  wr.set_url(p_->simulator_url() + "/hook");
  wr.add_event_types("post.published");
  pub::Webhook hook;
  ASSERT_TRUE(Stub<pub::WebhookService>("publisher")->CreateWebhook(Ctx().get(), wr, &hook).ok());
  secrets_.push_back(hook.secret());
  // A caller that sends a secret where it does not belong is refused without an echo.
  std::string refused_key = "hk_zzzzzzzzzzzz_" + std::string(32, 'Q');
  secrets_.push_back(refused_key);
  for (const std::string& bad : {refused_key, "Bearer " + refused_key, "Bearer " + key.secret() + "x"}) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", bad);
    sched::ListPostsRequest lr;
    sched::ListPostsResponse out;
    auto s = Stub<sched::SchedulerService>("scheduler")->ListPosts(&ctx, lr, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    errors_.push_back(s.error_message());
  }
  pub::ConnectChannelRequest c;
  c.set_workspace_id(workspace_);
  c.set_network(Network::NETWORK_MASTODON);
  c.set_base_url(p_->simulator_url());
  c.set_access_token("wrong-token-" + std::string(20, 'w'));
  secrets_.push_back(c.access_token());
  pub::Channel ch;
  errors_.push_back(Stub<pub::PublisherService>("publisher")->ConnectChannel(Ctx().get(), c, &ch).error_message());
  secrets_.push_back(p_->webhook_secret());

  std::this_thread::sleep_for(std::chrono::seconds(1));  // logs flushed
  std::string logs;
  DIR* d = opendir(p_->dir().c_str());
  ASSERT_NE(d, nullptr);
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() < 4 || name.substr(name.size() - 4) != ".log") continue;
    std::ifstream in(p_->dir() + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    logs += ss.str();
  }
  closedir(d);
  ASSERT_GT(logs.size(), 1000u) << "the logs were read";
  for (const auto& secret : secrets_) {
    ASSERT_GE(secret.size(), 8u);
    EXPECT_EQ(logs.find(secret), std::string::npos) << "a log line carries a secret (" << secret.substr(0, 6) << "…)";
    for (const auto& e : errors_) EXPECT_EQ(e.find(secret), std::string::npos) << "an error carries a secret: " << e;
  }
}

// A bulk import sent as raw bytes, to send rows the typed client cannot.
class RawImport {
 public:
  RawImport(const std::string& address, std::chrono::seconds deadline)
      : stub_(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())) {
    ctx_.set_deadline(std::chrono::system_clock::now() + deadline);
    ctx_.AddMetadata("authorization", TestAuthorization());
    call_ = stub_.PrepareCall(&ctx_, "/herald.scheduler.v1.SchedulerService/ImportPosts", &cq_);
    call_->StartCall(this);
    Wait();
  }
  bool Write(const std::string& bytes) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer buffer(&slice, 1);
    call_->Write(buffer, this);
    return Wait();
  }
  // Half-closes (unless `half_close` is false) and returns the verdict.
  grpc::Status Finish(sched::ImportPostsResponse* summary, bool half_close = true) {
    if (half_close) {
      call_->WritesDone(this);
      Wait();
    }
    grpc::ByteBuffer answer;
    call_->Read(&answer, this);
    if (Wait()) {
      std::vector<grpc::Slice> slices;
      (void)answer.Dump(&slices);
      std::string bytes;
      for (auto& sl : slices) bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
      summary->ParseFromString(bytes);
    }
    grpc::Status status;
    call_->Finish(&status, this);
    Wait();
    return status;
  }

 private:
  bool Wait() {
    void* tag;
    bool ok = false;
    return cq_.Next(&tag, &ok) && ok;
  }
  grpc::GenericStub stub_;
  grpc::ClientContext ctx_;
  grpc::CompletionQueue cq_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
};

sched::CreatePostRequest ImportRow(const std::string& workspace, const std::string& channel_id) {
  sched::CreatePostRequest r;
  r.set_workspace_id(workspace);
  r.set_text("imported row");
  r.add_channel_ids(channel_id);
  r.set_draft(true);
  return r;
}

// A row that does not decode fails the import, naming the row; the rows
// before it are kept and reported. (gRPC reports a decode failure like the
// end of the stream: the import used to end OK with the rest dropped.)
TEST_F(HostileInput, AnImportRowThatDoesNotDecodeFailsTheImport) {
  auto channel = Connect(Network::NETWORK_MASTODON, "e2e-token");
  RawImport import(p_->Grpc("scheduler"), std::chrono::seconds(20));
  ASSERT_TRUE(import.Write(ImportRow(workspace_, channel.id()).SerializeAsString()));
  ASSERT_TRUE(import.Write(std::string("\xff\xff\xff\xff garbage", 13)));
  (void)import.Write(ImportRow(workspace_, channel.id()).SerializeAsString());
  sched::ImportPostsResponse summary;
  auto s = import.Finish(&summary);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("row 2"), std::string::npos) << s.error_message();
  // The first row was imported; nothing after the bad one was.
  sched::ListPostsRequest l;
  l.set_workspace_id(workspace_);
  sched::ListPostsResponse posts;
  ASSERT_TRUE(Stub<sched::SchedulerService>("scheduler")->ListPosts(Ctx().get(), l, &posts).ok());
  int imported = 0;
  for (const auto& post : posts.posts()) imported += post.text() == "imported row";
  EXPECT_EQ(imported, 1);
}

// An import that stops sending is closed after the idle timeout (the test
// platform sets 3 s), long before the call's own deadline.
TEST_F(HostileInput, AnIdleImportIsClosed) {
  auto channel = Connect(Network::NETWORK_MASTODON, "e2e-token");
  RawImport import(p_->Grpc("scheduler"), std::chrono::seconds(60));
  ASSERT_TRUE(import.Write(ImportRow(workspace_, channel.id()).SerializeAsString()));
  auto started = std::chrono::steady_clock::now();
  sched::ImportPostsResponse summary;
  auto s = import.Finish(&summary, /*half_close=*/false);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  EXPECT_NE(s.error_message().find("idle"), std::string::npos) << s.error_message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

// One unary call with raw request bytes; the verdict only.
grpc::Status RawUnary(const std::string& address, const std::string& method, const std::string& bytes,
                      const std::string& authorization) {
  grpc::GenericStub stub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
  grpc::CompletionQueue cq;
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), answer;
  auto call = stub.PrepareUnaryCall(&ctx, method, request, &cq);
  call->StartCall();
  grpc::Status status;
  call->Finish(&answer, &status, &cq);
  void* tag;
  bool ok;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

// gRPC answers a request it cannot decode with UNIMPLEMENTED and no message
// (it never reaches a handler); Herald answers INVALID_ARGUMENT naming the
// request type — after telling a caller without credentials so — and
// nothing is created.
TEST_F(HostileInput, AUnaryRequestThatDoesNotDecodeIsInvalidArgumentAndCreatesNothing) {
  workspace_ = "undecodable";  // a workspace of its own, so "nothing created" is a count
  auto channel = Connect(Network::NETWORK_MASTODON, "e2e-token");
  sched::CreatePostRequest not_utf8 = ImportRow(workspace_, channel.id());
  not_utf8.set_text("caf\xe9");  // Latin-1, not UTF-8
  const std::string method = "/herald.scheduler.v1.SchedulerService/CreatePost";
  for (const std::string& bytes : {not_utf8.SerializeAsString(), std::string("\xff\xff\xff\xff garbage", 13)}) {
    auto s = RawUnary(p_->Grpc("scheduler"), method, bytes, TestAuthorization());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_NE(s.error_message().find("request: not a valid herald.scheduler.v1.CreatePostRequest"), std::string::npos)
        << s.error_message();
    auto anonymous = RawUnary(p_->Grpc("scheduler"), method, bytes, "");
    EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED) << anonymous.error_message();
  }
  sched::ListPostsRequest l;
  l.set_workspace_id(workspace_);
  sched::ListPostsResponse posts;
  ASSERT_TRUE(Stub<sched::SchedulerService>("scheduler")->ListPosts(Ctx().get(), l, &posts).ok());
  EXPECT_EQ(posts.posts_size(), 0);
  // The same request, decodable, is created: the refusal was the encoding.
  auto ok = RawUnary(p_->Grpc("scheduler"), method, ImportRow(workspace_, channel.id()).SerializeAsString(),
                     TestAuthorization());
  EXPECT_TRUE(ok.ok()) << ok.error_message();
}

}  // namespace
}  // namespace herald::testing
