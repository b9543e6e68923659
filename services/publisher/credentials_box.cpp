#include "publisher/credentials_box.h"

#include <sodium.h>

namespace herald::publisher {

std::optional<CredentialsBox> CredentialsBox::FromHex(std::string_view hex) {
  if (sodium_init() < 0) return std::nullopt;
  std::array<unsigned char, kKeyBytes> key{};
  size_t len = 0;
  if (hex.size() != kKeyBytes * 2 ||
      sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
      len != kKeyBytes) {
    return std::nullopt;
  }
  return CredentialsBox(key);
}

std::string CredentialsBox::Seal(std::string_view plaintext) const {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        plaintext.size(), nonce, key_.data());
  return out;
}

absl::StatusOr<std::string> CredentialsBox::Open(std::string_view sealed) const {
  if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return absl::DataLossError("sealed credential too short");
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  const auto* ct = nonce + crypto_secretbox_NONCEBYTES;
  size_t ct_len = sealed.size() - crypto_secretbox_NONCEBYTES;
  std::string out(ct_len - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()), ct, ct_len, nonce, key_.data()) != 0) {
    return absl::DataLossError("credential does not decrypt (wrong HERALD_CREDENTIALS_KEY?)");
  }
  return out;
}

}  // namespace herald::publisher
