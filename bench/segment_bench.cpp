// Segment evaluation benchmark: profiles per second per core that the
// segment language's evaluator judges, over 1,000,000 profiles in memory,
// beside the same predicate written by hand in C++ (what an interpreter
// could at best approach), in the same run, on one thread.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "campaign/audiences/segment_language.h"

using namespace herald::campaign;
using herald::bench::Flag;
using herald::bench::Fmt;
using herald::bench::Row;
using herald::bench::Seconds;

namespace {

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kDay = 86'400'000;

std::vector<Profile> MakeProfiles(int n) {
  std::mt19937_64 rng(7);
  static const char* kCountries[] = {"DE", "AT", "CH", "FR", "US", "GB", "NL", "IT"};
  static const char* kNetworks[] = {"x", "mastodon", "bluesky", "instagram", "crm"};
  std::vector<Profile> out(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    Profile& p = out[static_cast<size_t>(i)];
    p.id = "crm:" + std::to_string(i);
    p.network = kNetworks[rng() % 5];
    p.country = kCountries[rng() % 8];
    p.language = "de";
    p.followers = rng() % 4 == 0 ? -1 : static_cast<int64_t>(rng() % 20000);
    p.mentions = static_cast<int64_t>(rng() % 10);
    p.last_engaged_ms = kNow - static_cast<int64_t>(rng() % (90 * kDay));
    if (rng() % 20 == 0) p.tags = {"employee"};
    else if (rng() % 5 == 0) p.tags = {"customer", "vip"};
  }
  return out;
}

// Best of `rounds` passes: profiles judged per second, and how many matched.
template <class Fn>
std::pair<double, int64_t> Measure(const std::vector<Profile>& profiles, int rounds, Fn&& matches) {
  double best = 0;
  int64_t matched = 0;
  for (int r = 0; r < rounds; ++r) {
    auto start = std::chrono::steady_clock::now();
    int64_t m = 0;
    for (const auto& p : profiles) m += matches(p);
    best = std::max(best, static_cast<double>(profiles.size()) / Seconds(start));
    matched = m;
  }
  return {best, matched};
}

}  // namespace

int main(int argc, char** argv) {
  const int n = static_cast<int>(Flag(argc, argv, "profiles", 1'000'000));
  const int rounds = static_cast<int>(Flag(argc, argv, "rounds", 5));
  std::vector<Profile> profiles = MakeProfiles(n);

  const char* kExample =
      R"(country in ("DE","AT") and engaged_within(30d) and followers > 1000 and not tagged("employee"))";
  auto parsed = Segment::Parse(kExample);
  if (!std::holds_alternative<Segment>(parsed)) return 1;
  const Segment& example = std::get<Segment>(parsed);
  auto [rate, matched] = Measure(profiles, rounds, [&](const Profile& p) { return example.Matches(p, kNow); });
  auto [hand_rate, hand_matched] = Measure(profiles, rounds, [](const Profile& p) {
    return (p.country == "DE" || p.country == "AT") && p.last_engaged_ms >= kNow - 30 * kDay && p.followers > 1000 &&
           !std::binary_search(p.tags.begin(), p.tags.end(), std::string("employee"));
  });

  const char* kWide = R"(network in ("x","mastodon","bluesky") or mentions >= 5 or tagged("vip") or country = "FR")";
  const Segment wide = std::get<Segment>(Segment::Parse(kWide));
  auto [wide_rate, wide_matched] = Measure(profiles, rounds, [&](const Profile& p) { return wide.Matches(p, kNow); });
  auto [wide_hand, wide_hand_matched] = Measure(profiles, rounds, [](const Profile& p) {
    return p.network == "x" || p.network == "mastodon" || p.network == "bluesky" || p.mentions >= 5 ||
           std::binary_search(p.tags.begin(), p.tags.end(), std::string("vip")) || p.country == "FR";
  });

  auto parse_start = std::chrono::steady_clock::now();
  const int parses = 20000;
  for (int i = 0; i < parses; ++i) (void)Segment::Parse(kExample);
  const double parse_us = Seconds(parse_start) * 1e6 / parses;

  std::vector<Row> rows;
  rows.push_back({"Profiles judged per second, one core (issue's example)", Fmt(rate), Fmt(hand_rate),
                  "the same predicate written in C++", ">= 2,000,000"});
  rows.push_back({"  matched (language / hand-written)", Fmt(static_cast<double>(matched)),
                  Fmt(static_cast<double>(hand_matched)), "", "equal"});
  rows.push_back({"  a wide 'or' of six predicates", Fmt(wide_rate), Fmt(wide_hand), "hand-written", ">= 2,000,000"});
  rows.push_back({"  matched (language / hand-written)", Fmt(static_cast<double>(wide_matched)),
                  Fmt(static_cast<double>(wide_hand_matched)), "", "equal"});
  rows.push_back({"  parsing the example, us", Fmt(parse_us, 1), "", "", ""});
  herald::bench::PrintTable("Audiences: segment evaluation (" + std::to_string(n) + " profiles in memory, best of " +
                                std::to_string(rounds) + ")",
                            rows);
  return matched == hand_matched && wide_matched == wide_hand_matched ? 0 : 1;
}
