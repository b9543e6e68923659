#include "simulator/chatter.h"

#include <array>

namespace herald::sim {
namespace {

// Shapes people really write in: praise, questions, complaints.
constexpr std::array kPositive = {
    "Just got my order from {b} and I love it! Great quality :)",
    "{b} your support team is amazing, problem solved in minutes. Thank you!",
    "Honestly the best purchase I made this year. Well done {b}!!",
    "Really impressed with the new update {b}, it is so much faster",
    "{b} thanks for the quick delivery, everything arrived perfect",
    "Can't stop recommending {b} to my friends. Excellent service",
};
constexpr std::array kNeutral = {
    "{b} what time does the store open on Sunday?",
    "Does {b} ship to Canada?",
    "{b} is the new model available in blue?",
    "Saw the {b} announcement today. Will check it out later",
    "{b} how do I change the email on my account?",
    "{b} where can I find the size chart?",
};
constexpr std::array kNegative = {
    "{b} my order is two weeks late and nobody answers. Terrible service",
    "Really disappointed with {b}, the product broke after one day",
    "{b} I have been waiting on hold for an hour. This is awful",
    "Worst experience ever with {b}. I want a refund NOW",
    "{b} the app keeps crashing, it is useless",
    "Not happy at all {b}, charged twice and no reply to my emails",
};
constexpr std::array kNames = {"maria", "john", "aiko", "lena", "omar", "sam", "priya", "diego", "chloe", "noah"};

std::string Fill(const char* shape, const std::string& brand) {
  std::string out = shape;
  for (size_t at = out.find("{b}"); at != std::string::npos; at = out.find("{b}", at + brand.size())) {
    out.replace(at, 3, brand);
  }
  return out;
}

uint64_t Mix64(uint64_t x) {  // splitmix64: spreads consecutive seeds
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

Tone PickTone(const ToneMix& mix, double unit) {
  double total = mix.positive + mix.neutral + mix.negative;
  if (total <= 0) return Tone::kNeutral;
  double x = unit * total;
  if (x < mix.positive) return Tone::kPositive;
  if (x < mix.positive + mix.neutral) return Tone::kNeutral;
  return Tone::kNegative;
}

std::string ChatterText(Tone tone, const std::string& brand, uint64_t seed) {
  uint64_t h = Mix64(seed);
  switch (tone) {
    case Tone::kPositive:
      return Fill(kPositive[h % kPositive.size()], brand);
    case Tone::kNegative:
      return Fill(kNegative[h % kNegative.size()], brand);
    default:
      return Fill(kNeutral[h % kNeutral.size()], brand);
  }
}

std::string ChatterAuthor(uint64_t seed) {
  uint64_t h = Mix64(seed ^ 0x5bd1e995);
  return std::string(kNames[h % kNames.size()]) + "_" + std::to_string(h % 97);
}

}  // namespace herald::sim
