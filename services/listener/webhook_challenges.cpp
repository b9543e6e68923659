#include "listener/webhook_challenges.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "common/hmac.h"

namespace herald::listener {

namespace {
constexpr size_t kMaxToken = 256;  // both networks send short random strings

bool Printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7F; });
}
}  // namespace

std::optional<std::string> AnswerMetaChallenge(std::string_view mode, std::string_view verify_token,
                                               std::string_view challenge, std::string_view expected_token) {
  if (mode != "subscribe" || expected_token.empty() || verify_token.size() != expected_token.size()) return std::nullopt;
  if (CRYPTO_memcmp(verify_token.data(), expected_token.data(), expected_token.size()) != 0) return std::nullopt;
  // Echoed back verbatim: only a short printable token, never markup.
  if (challenge.empty() || challenge.size() > kMaxToken || !Printable(challenge)) return std::nullopt;
  return std::string(challenge);
}

std::optional<std::string> AnswerXCrc(std::string_view consumer_secret, std::string_view crc_token) {
  if (crc_token.empty() || crc_token.size() > kMaxToken || !Printable(crc_token) || consumer_secret.empty()) {
    return std::nullopt;
  }
  return "{\"response_token\":\"" + Base64SignatureHeader(consumer_secret, crc_token) + "\"}";
}

}  // namespace herald::listener
