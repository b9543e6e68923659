#pragma once
// Encrypts channel credentials at rest (libsodium secretbox: XSalsa20-Poly1305).
// The key comes from the environment or a Kubernetes Secret and is never stored
// beside the data; a token is decrypted only in memory, just before use.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace herald::publisher {

class CredentialsBox {
 public:
  static constexpr size_t kKeyBytes = 32;
  // From 64 hex characters; nullopt if malformed.
  static std::optional<CredentialsBox> FromHex(std::string_view hex);

  // nonce || ciphertext
  std::string Seal(std::string_view plaintext) const;
  absl::StatusOr<std::string> Open(std::string_view sealed) const;

 private:
  explicit CredentialsBox(std::array<unsigned char, kKeyBytes> key) : key_(key) {}
  std::array<unsigned char, kKeyBytes> key_;
};

}  // namespace herald::publisher
