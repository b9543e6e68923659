// Sentiment throughput: VADER texts per second on one core over realistic
// mention texts (the 6,000 of tests/unit/data/vader_reference.jsonl), beside a
// tokenise-only pass over the same texts (split on whitespace, lower-case
// each word: the least any scorer does) and, when Node and the reference
// package are installed (tools/vader_fixture), the JavaScript reference.
#include <fstream>
#include <nlohmann/json.hpp>

#include "bench_util.h"
#include "listener/sentiment/vader.h"

using namespace herald::bench;

namespace {

std::vector<std::string> LoadTexts() {
  std::vector<std::string> texts;
  std::ifstream in(std::string(HERALD_SOURCE_DIR) + "/tests/unit/data/vader_reference.jsonl");
  std::string line;
  while (std::getline(in, line)) texts.push_back(nlohmann::json::parse(line)["text"]);
  return texts;
}

// Runs `one` over the texts round and round for about `seconds`; texts/s.
template <typename F>
double Rate(const std::vector<std::string>& texts, double seconds, F one) {
  size_t done = 0;
  auto start = std::chrono::steady_clock::now();
  do {
    for (const auto& t : texts) one(t);
    done += texts.size();
  } while (Seconds(start) < seconds);
  return static_cast<double>(done) / Seconds(start);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = static_cast<double>(Flag(argc, argv, "millis", 3000)) / 1000.0;
  auto texts = LoadTexts();
  if (texts.empty()) {
    std::fprintf(stderr, "sentiment_bench: no texts (tests/unit/data/vader_reference.jsonl)\n");
    return 1;
  }
  const auto& vader = herald::listener::Vader::Embedded();
  double sink = 0;
  // Warm up both (caches, the lexicon's first touch).
  for (const auto& t : texts) sink += vader.Score(t).compound;

  std::string lower;
  size_t words = 0;
  double tokenise = Rate(texts, seconds, [&](const std::string& t) {
    size_t start = 0;
    for (size_t i = 0; i <= t.size(); ++i) {
      if (i == t.size() || t[i] == ' ' || t[i] == '\n' || t[i] == '\t') {
        lower.assign(t, start, i - start);
        for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        words += !lower.empty();
        start = i + 1;
      }
    }
  });
  double scored = Rate(texts, seconds, [&](const std::string& t) { sink += vader.Score(t).compound; });

  // The reference, in the same run where it is installed.
  std::string reference = "not installed";
  std::string js = std::string(HERALD_SOURCE_DIR) + "/tools/vader_fixture";
  if (std::system(("command -v node >/dev/null 2>&1 && test -d " + js + "/node_modules/vader-sentiment").c_str()) == 0) {
    std::string out = RunCommand(
        "cd " + js + " && node -e \"import('vader-sentiment').then(m => { const v = m.default;"
        " const texts = require('fs').readFileSync('../../tests/unit/data/vader_reference.jsonl', 'utf8')"
        ".trim().split('\\n').map(l => JSON.parse(l).text); let n = 0, s = 0; const t0 = Date.now();"
        " for (const t of texts) s += v.SentimentIntensityAnalyzer.polarity_scores(t).compound;"
        " const t1 = Date.now(); while (Date.now() - t1 < " + std::to_string(static_cast<int>(seconds * 1000)) +
        ") { for (const t of texts) s += v.SentimentIntensityAnalyzer.polarity_scores(t).compound; n += texts.length; }"
        " console.log(Math.round(n / ((Date.now() - t1) / 1000))); })\"");
    if (!out.empty()) reference = Fmt(std::atof(out.c_str())) + " texts/s";
  }

  std::vector<Row> rows{
      {"VADER scores, one core (texts/s)", Fmt(scored), Fmt(tokenise), "tokenise-only pass, same texts", ">= 200,000/s"},
      {"VADER, JavaScript reference (texts/s)", reference, "", "vader-sentiment 1.1.3 on Node", ""},
      {"share of the tokenise-only rate", Fmt(100.0 * scored / tokenise, 1) + " %", "", "", ""},
  };
  PrintTable("Sentiment: " + std::to_string(texts.size()) + " mention texts, " + Fmt(seconds, 1) + " s per figure",
             rows);
  std::fprintf(stderr, "(checksum %.3f, %zu words)\n", sink, words);
  return 0;
}
