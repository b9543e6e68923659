// Media judged by its bytes against each network's rules, and the multipart
// bodies uploads are sent in (no I/O).
#include <gtest/gtest.h>

#include "publisher/connectors/media_upload.h"
#include "publisher/media/media_type.h"
#include "publisher/network_catalog.h"

namespace herald::publisher {
namespace {

using herald::common::v1::Network;

const NetworkProfile& Profile(Network n) { return *NetworkCatalog::Embedded().Find(n); }

TEST(SniffMediaType, ReadsTheMagicNumbersNotTheName) {
  EXPECT_EQ(SniffMediaType(std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF", 10)), "image/jpeg");
  EXPECT_EQ(SniffMediaType("\x89PNG\r\n\x1A\nrest"), "image/png");
  EXPECT_EQ(SniffMediaType("GIF89a...."), "image/gif");
  EXPECT_EQ(SniffMediaType("GIF87a...."), "image/gif");
  EXPECT_EQ(SniffMediaType(std::string("RIFF\x10\x00\x00\x00WEBPVP8 ", 16)), "image/webp");
  EXPECT_EQ(SniffMediaType(std::string("\x00\x00\x00\x18" "ftypmp42", 12)), "video/mp4");
  // An error page served as 200, a RIFF that is not WebP (WAV), truncated headers.
  EXPECT_EQ(SniffMediaType("<!doctype html><title>404</title>"), "");
  EXPECT_EQ(SniffMediaType(std::string("RIFF\x10\x00\x00\x00WAVEfmt ", 16)), "");
  EXPECT_EQ(SniffMediaType("\x89PN"), "");
  EXPECT_EQ(SniffMediaType(""), "");
}

TEST(CheckMediaFile, EachNetworkTakesItsOwnTypesAndSizes) {
  EXPECT_TRUE(CheckMediaFile("image/png", 5000, Profile(Network::NETWORK_MASTODON)).ok());
  EXPECT_TRUE(CheckMediaFile("image/jpeg", 1'000'000, Profile(Network::NETWORK_BLUESKY)).ok());
  auto big = CheckMediaFile("image/jpeg", 1'000'001, Profile(Network::NETWORK_BLUESKY));
  EXPECT_EQ(big.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(big.message().find("bluesky takes images up to 1000000 bytes"), std::string::npos) << big;
  auto gif = CheckMediaFile("image/gif", 100, Profile(Network::NETWORK_BLUESKY));
  EXPECT_NE(gif.message().find("image/gif; bluesky takes image/jpeg, image/png, image/webp"), std::string::npos) << gif;
  EXPECT_FALSE(CheckMediaFile("image/png", 100, Profile(Network::NETWORK_INSTAGRAM)).ok());  // JPEG only
  EXPECT_NE(CheckMediaFile("", 100, Profile(Network::NETWORK_X)).message().find("not an image"), std::string::npos);
  EXPECT_FALSE(CheckMediaFile("image/png", 0, Profile(Network::NETWORK_X)).ok());
  EXPECT_FALSE(CheckMediaFile("image/png", 100, Profile(Network::NETWORK_WEBHOOK)).ok());  // the webhook uploads nothing
}

TEST(NetworkCatalog, MediaRulesAreReadAndABadOneNamesItsPath) {
  EXPECT_EQ(Profile(Network::NETWORK_X).media.max_image_bytes, 5'242'880);
  EXPECT_EQ(Profile(Network::NETWORK_INSTAGRAM).media.image_types, std::vector<std::string>{"image/jpeg"});
  auto parse = [](const std::string& media) {
    return NetworkCatalog::Parse(R"({"version":"1","networks":{"x":{"text":{"max_length":9,"counting":"code_points"},
                                    "media":)" + media + "}}}");
  };
  auto ok = parse(R"({"max":2,"max_image_bytes":1000,"image_types":["image/png"]})");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->Find(Network::NETWORK_X)->media.max_image_bytes, 1000);
  EXPECT_NE(parse(R"({"max":2,"image_types":"image/png"})").status().message().find("networks.x.media.image_types"),
            std::string::npos);
  EXPECT_NE(parse(R"({"max":2,"image_types":[""]})").status().message().find("networks.x.media.image_types"),
            std::string::npos);
  EXPECT_NE(parse(R"({"max":2,"max_image_bytes":-1})").status().message().find("networks.x.media.max_image_bytes"),
            std::string::npos);
}

TEST(Multipart, FieldsAndFilesEachUnderOneBoundaryThenTheClosingOne) {
  Multipart form;
  form.Field("segment_index", "0");
  form.File("media", "blob", "application/octet-stream", std::string("\x00\x01\r\n--", 6));
  const std::string type = form.ContentType();
  ASSERT_EQ(type.rfind("multipart/form-data; boundary=", 0), 0u);
  const std::string boundary = type.substr(type.find('=') + 1);
  EXPECT_GE(boundary.size(), 20u);
  const std::string body = form.Finish();
  EXPECT_EQ(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"segment_index\"\r\n\r\n0\r\n" +
                      "--" + boundary +
                      "\r\nContent-Disposition: form-data; name=\"media\"; filename=\"blob\"\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n" +
                      std::string("\x00\x01\r\n--", 6) + "\r\n--" + boundary + "--\r\n");
  EXPECT_NE(Multipart().ContentType(), type);  // a fresh boundary per body
}

}  // namespace
}  // namespace herald::publisher
