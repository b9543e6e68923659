// Listening input: a rule's query (parsed, matched, written back and parsed
// again to the same form) against a mention's text, and VADER over the text.
#include "fuzz_input.h"
#include "listener/rules/query.h"
#include "listener/sentiment/vader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = herald::fuzz::Fields(data, size, 3);  // query, text, language
  auto scores = herald::listener::Vader::Embedded().Score(f[1]);
  if (!(scores.compound >= -1 && scores.compound <= 1)) __builtin_trap();
  auto query = herald::listener::Query::Parse(f[0]);
  if (!query.ok()) return 0;
  (void)query->Matches({f[1], f[2], "x"});
  (void)query->SearchTerms();
  auto again = herald::listener::Query::Parse(query->ToString());
  // The canonical form always parses back to itself (or, written out, runs past the length bound).
  if (again.ok() && again->ToString() != query->ToString()) __builtin_trap();
  return 0;
}
