#include "publisher/network_catalog.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

namespace herald::publisher {

extern const char* const kEmbeddedNetworksJson;  // generated from networks.json

namespace {

using herald::common::v1::Network;
using nlohmann::json;

constexpr const char* kPriorityNames[] = {"publish", "reply", "listen", "backfill"};

// Reads typed fields and remembers the first problem with its path.
class Reader {
 public:
  std::string error;

  const json* Object(const json& parent, const std::string& key, const std::string& path, bool required = true) {
    if (!parent.contains(key)) {
      if (required) Fail(path + "." + key, "required");
      return nullptr;
    }
    const json& v = parent.at(key);
    if (!v.is_object()) return Fail(path + "." + key, "want an object"), nullptr;
    return &v;
  }
  int64_t Int(const json& parent, const std::string& key, const std::string& path, int64_t min, int64_t max,
              std::optional<int64_t> fallback = std::nullopt) {
    if (!parent.contains(key)) {
      if (!fallback) Fail(path + "." + key, "required");
      return fallback.value_or(0);
    }
    const json& v = parent.at(key);
    if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > max) {
      Fail(path + "." + key, "want an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
      return fallback.value_or(0);
    }
    return v.get<int64_t>();
  }
  bool Bool(const json& parent, const std::string& key, const std::string& path, bool fallback) {
    if (!parent.contains(key)) return fallback;
    if (!parent.at(key).is_boolean()) return Fail(path + "." + key, "want true or false"), fallback;
    return parent.at(key).get<bool>();
  }
  std::string String(const json& parent, const std::string& key, const std::string& path) {
    if (!parent.contains(key) || !parent.at(key).is_string() || parent.at(key).get<std::string>().empty()) {
      return Fail(path + "." + key, "want a non-empty string"), "";
    }
    return parent.at(key).get<std::string>();
  }
  std::vector<std::string> Strings(const json& parent, const std::string& key, const std::string& path) {
    std::vector<std::string> out;
    if (!parent.contains(key)) return out;
    const json& v = parent.at(key);
    if (!v.is_array()) return Fail(path + "." + key, "want an array of strings"), out;
    for (const auto& e : v) {
      if (!e.is_string() || e.get<std::string>().empty()) return Fail(path + "." + key, "want non-empty strings"), out;
      out.push_back(e.get<std::string>());
    }
    return out;
  }
  void Fail(const std::string& path, const std::string& why) {
    if (error.empty()) error = path + ": " + why;
  }
};

TextRules ParseText(Reader& r, const json& j, const std::string& path) {
  TextRules t;
  t.max_length = static_cast<int>(r.Int(j, "max_length", path, 1, 1'000'000));
  std::string counting = r.String(j, "counting", path);
  if (counting == "code_points") {
    t.counting = Counting::kCodePoints;
  } else if (counting == "x_weighted") {
    t.counting = Counting::kXWeighted;
  } else if (counting == "graphemes") {
    t.counting = Counting::kGraphemes;
  } else if (!counting.empty()) {
    r.Fail(path + ".counting", "one of code_points, x_weighted, graphemes");
  }
  t.url_length = static_cast<int>(r.Int(j, "url_length", path, 0, 1000, 0));
  t.max_hashtags = static_cast<int>(r.Int(j, "max_hashtags", path, 0, 1000, -1));
  return t;
}

QuotaRule ParseQuota(Reader& r, const json& j, const std::string& path) {
  QuotaRule q;
  std::string scope = r.String(j, "scope", path);
  if (scope == "account") {
    q.scope = QuotaRule::Scope::kAccount;
  } else if (scope == "app") {
    q.scope = QuotaRule::Scope::kApp;
  } else if (!scope.empty()) {
    r.Fail(path + ".scope", "account or app");
  }
  if (!j.contains("windows") || !j.at("windows").is_array() || j.at("windows").empty()) {
    r.Fail(path + ".windows", "want a non-empty array");
    return q;
  }
  for (size_t i = 0; i < j.at("windows").size(); ++i) {
    const json& w = j.at("windows")[i];
    std::string wpath = path + ".windows[" + std::to_string(i) + "]";
    if (!w.is_object()) {
      r.Fail(wpath, "want an object");
      continue;
    }
    QuotaWindow window;
    window.name = r.String(w, "name", wpath);
    window.limit = r.Int(w, "limit", wpath, 1, 100'000'000);
    window.window_ms = r.Int(w, "seconds", wpath, 1, 31 * 86400) * 1000;
    window.burst = r.Int(w, "burst", wpath, 1, std::max<int64_t>(1, window.limit / 2), 0);
    q.windows.push_back(window);
  }
  if (const json* cost = r.Object(j, "cost", path, false)) {
    q.cost_publish = r.Int(*cost, "publish", path + ".cost", 0, 1000, 1);
    q.cost_reply = r.Int(*cost, "reply", path + ".cost", 0, 1000, 1);
    q.cost_read = r.Int(*cost, "read", path + ".cost", 0, 1000, 1);
  }
  return q;
}

}  // namespace

const char* PriorityName(Priority p) { return kPriorityNames[static_cast<int>(p)]; }

int64_t QuotaRule::Cost(CallKind kind) const {
  switch (kind) {
    case CallKind::kPublish: return cost_publish;
    case CallKind::kReply: return cost_reply;
    case CallKind::kRead: return cost_read;
  }
  return 1;
}

absl::StatusOr<NetworkCatalog> NetworkCatalog::Parse(const std::string& json_text) {
  json root = json::parse(json_text, nullptr, false);
  if (root.is_discarded() || !root.is_object()) return absl::InvalidArgumentError("networks file: not a JSON object");
  Reader r;
  NetworkCatalog out;
  out.version_ = r.String(root, "version", "networks file");
  if (const json* priorities = r.Object(root, "priorities", "networks file", false)) {
    for (int p = 0; p < kPriorities; ++p) {
      if (!priorities->contains(kPriorityNames[p])) continue;
      const json& v = priorities->at(kPriorityNames[p]);
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() >= 1) {
        r.Fail(std::string("priorities.") + kPriorityNames[p], "want a share in [0, 1)");
        continue;
      }
      out.reserve_[p] = v.get<double>();
    }
    for (int p = 1; p < kPriorities; ++p) {
      if (out.reserve_[p] < out.reserve_[p - 1]) {
        r.Fail(std::string("priorities.") + kPriorityNames[p],
               std::string("a lower class must leave at least what ") + kPriorityNames[p - 1] + " leaves");
      }
    }
  }
  if (const json* networks = r.Object(root, "networks", "networks file")) {
    for (const auto& [name, j] : networks->items()) {
      std::string path = "networks." + name;
      Network network = NetworkFromName(name);
      if (network == herald::common::v1::NETWORK_UNSPECIFIED) {
        r.Fail(path, "unknown network");
        continue;
      }
      if (!j.is_object()) {
        r.Fail(path, "want an object");
        continue;
      }
      NetworkProfile p;
      p.network = network;
      p.name = name;
      if (const json* text = r.Object(j, "text", path)) p.text = ParseText(r, *text, path + ".text");
      if (const json* media = r.Object(j, "media", path)) {
        p.media.max = static_cast<int>(r.Int(*media, "max", path + ".media", 0, 100));
        p.media.required = r.Bool(*media, "required", path + ".media", false);
        p.media.max_image_bytes = r.Int(*media, "max_image_bytes", path + ".media", 0, int64_t{1} << 32, 0);
        p.media.image_types = r.Strings(*media, "image_types", path + ".media");
      }
      if (const json* threads = r.Object(j, "threads", path, false)) {
        p.threads.supported = r.Bool(*threads, "supported", path + ".threads", false);
        p.threads.max_parts = static_cast<int>(r.Int(*threads, "max_parts", path + ".threads", 1, 100, 1));
      }
      if (const json* oauth = r.Object(j, "oauth", path, false)) {
        p.oauth.token_url = r.String(*oauth, "token_url", path + ".oauth");
        std::string auth = r.String(*oauth, "client_auth", path + ".oauth");
        if (auth != "basic" && auth != "body") r.Fail(path + ".oauth.client_auth", "want \"basic\" or \"body\"");
        p.oauth.client_auth_basic = auth == "basic";
      }
      if (const json* api = r.Object(j, "api", path, false)) {
        p.api.version = r.String(*api, "version", path + ".api");
        p.api.oldest_version = r.String(*api, "oldest_version", path + ".api");
      }
      if (j.contains("quotas")) {
        if (!j.at("quotas").is_array()) r.Fail(path + ".quotas", "want an array");
        for (size_t i = 0; j.at("quotas").is_array() && i < j.at("quotas").size(); ++i) {
          p.quotas.push_back(ParseQuota(r, j.at("quotas")[i], path + ".quotas[" + std::to_string(i) + "]"));
        }
      }
      out.networks_[network] = std::move(p);
    }
  }
  if (!r.error.empty()) return absl::InvalidArgumentError("networks file: " + r.error);
  return out;
}

const NetworkCatalog& NetworkCatalog::Embedded() {
  static const NetworkCatalog catalog = [] {
    auto parsed = Parse(kEmbeddedNetworksJson);
    // The build checks the file (a unit test parses it), so this cannot fail at run time.
    if (!parsed.ok()) std::abort();
    return *std::move(parsed);
  }();
  return catalog;
}

const NetworkProfile* NetworkCatalog::Find(Network network) const {
  auto it = networks_.find(network);
  return it == networks_.end() ? nullptr : &it->second;
}

}  // namespace herald::publisher
