#include "common/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/ids.h"

namespace herald {

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return ToHex(std::string_view(reinterpret_cast<const char*>(out), len));
}

std::string Sha256Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return ToHex(std::string_view(reinterpret_cast<const char*>(out), len));
}

std::string SignatureHeader(std::string_view secret, std::string_view body) {
  return "sha256=" + HmacSha256Hex(secret, body);
}

bool VerifySignatureHeader(std::string_view secret, std::string_view body, std::string_view header) {
  std::string expected = SignatureHeader(secret, body);
  if (header.size() != expected.size()) return false;
  return CRYPTO_memcmp(expected.data(), header.data(), expected.size()) == 0;
}

std::string Base64SignatureHeader(std::string_view secret, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(b64, mac, static_cast<int>(len));  // standard alphabet, padded
  return "sha256=" + std::string(reinterpret_cast<const char*>(b64), static_cast<size_t>(n));
}

bool VerifyBase64SignatureHeader(std::string_view secret, std::string_view data, std::string_view header) {
  std::string expected = Base64SignatureHeader(secret, data);
  if (header.size() != expected.size()) return false;
  return CRYPTO_memcmp(expected.data(), header.data(), expected.size()) == 0;
}

std::string TimestampedSignature(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  std::string t = std::to_string(unix_seconds);
  return "t=" + t + ",v1=" + HmacSha256Hex(secret, t + "." + std::string(body));
}

bool VerifyTimestampedSignature(std::string_view secret, std::string_view body, std::string_view header,
                                int64_t now_s, int64_t max_age_s) {
  if (header.rfind("t=", 0) != 0) return false;
  auto comma = header.find(",v1=");
  if (comma == std::string_view::npos) return false;
  int64_t t = std::atoll(std::string(header.substr(2, comma - 2)).c_str());
  if (t <= 0 || now_s - t > max_age_s || t - now_s > max_age_s) return false;
  std::string expected = TimestampedSignature(secret, t, body);
  if (header.size() != expected.size()) return false;
  return CRYPTO_memcmp(expected.data(), header.data(), expected.size()) == 0;
}

std::string WorkspaceWebhookSecret(std::string_view master, std::string_view workspace_id) {
  return "whin_" + HmacSha256Hex(master, "herald-inbound-webhook-v1|" + std::string(workspace_id));
}

std::string InboundSignature(std::string_view secret, int64_t unix_seconds, std::string_view workspace_id,
                             std::string_view channel_id, std::string_view body) {
  std::string signed_bytes = std::string(workspace_id) + "." + std::string(channel_id) + "." + std::string(body);
  return TimestampedSignature(secret, unix_seconds, signed_bytes);
}

bool VerifyInboundSignature(std::string_view secret, std::string_view workspace_id, std::string_view channel_id,
                            std::string_view body, std::string_view header, int64_t now_s, int64_t window_s) {
  if (header.size() > 200) return false;
  std::string signed_bytes = std::string(workspace_id) + "." + std::string(channel_id) + "." + std::string(body);
  return VerifyTimestampedSignature(secret, signed_bytes, header, now_s, window_s);
}

}  // namespace herald
