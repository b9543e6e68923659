// Writes tests/unit/data/vader_reference.jsonl: realistic mention texts and the
// scores the reference VADER (npm vader-sentiment 1.1.3) gives them. Herald's
// C++ scorer must agree with these. Run once; the output is committed:
//   cd tools/vader_fixture && npm ci && node generate.mjs > ../../tests/unit/data/vader_reference.jsonl
// The texts come from a seeded generator, so a rerun writes the same file.
import fs from 'node:fs';
import vader from 'vader-sentiment';

const COUNT = Number(process.argv[2] ?? 6000);
let seed = 20261130;
function rand() {  // mulberry32
  seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
const chance = (p) => rand() < p;

// Words the lexicon rates, so most sentences carry sentiment; plus common ones.
const lexicon = fs.readFileSync(new URL('../../services/listener/sentiment/vader_lexicon.txt', import.meta.url), 'utf8')
  .split('\n').filter(Boolean).map((l) => l.split('\t')[0]).filter((w) => /^[a-z]+$/.test(w));
const positive = ['love', 'great', 'amazing', 'awesome', 'good', 'nice', 'happy', 'excellent', 'perfect', 'wonderful',
  'fantastic', 'helpful', 'easy', 'beautiful', 'brilliant', 'cool', 'fun', 'impressive', 'best', 'glad', 'thanks'];
const negative = ['bad', 'terrible', 'awful', 'horrible', 'broken', 'useless', 'disappointing', 'annoying',
  'frustrating', 'ugly', 'worst', 'poor', 'confusing', 'rude', 'sad', 'angry', 'hate', 'fail', 'scam', 'waste'];
const subjects = ['the new app', 'your support team', 'the update', 'this product', 'my order', 'the checkout',
  'delivery', 'customer service', 'the latest release', 'the battery', 'the camera', 'your website', 'the price',
  'the subscription', 'this brand', 'the ad', 'your chatbot', 'the refund', 'the launch event', 'the new logo'];
const copulas = ['is', 'was', 'has been', 'seems', 'looks', 'feels', 'is really', 'is not', "isn't", 'was never',
  'is kind of', 'is sort of', 'is SO', 'is absolutely', 'is barely', 'is hardly', 'is very', 'is extremely',
  'is totally', 'is not so', 'was never so', 'is at least', 'is the least', 'is without doubt', 'is just', 'is kinda',
  "won't be", "can't be", 'is NOT', 'is pretty', 'is quite', 'is somewhat', 'is slightly'];
const openers = ['', '', '', '@herald', 'Hey @acme', 'Just tried', 'So', 'Honestly', 'Ok so', 'lol', 'Update:', 'PSA:',
  'Wow.', 'Ugh,', 'Yeah right,', 'Not gonna lie,', 'Dear @brand_support'];
const closers = ['', '', '', '!', '!!', '!!!', '?', '??', '???', '?!?', '...', '.', ' :)', ' :(', ' :D', ' :-)', ' ;)',
  ' <3', ' :/', ' xD', " :'(", ' ^_^', ' 😍', ' 😡', ' 🔥', ' 👍', ' 🙄', ' 😂', ' #fail', ' #love',
  ' #CustomerService', ' #win', ' https://t.co/aB3dE9', ' via @techcrunch', ' 10/10', ' 0/10 would not recommend'];
const idioms = ['yeah right', 'the bomb', 'kiss of death', 'cut the mustard', 'hand to mouth', 'bad ass', 'the shit'];
const joins = [' but ', ' and ', ', ', '. ', ' BUT ', ' although ', ' - ', '; ', '\n', '  ', ' but honestly ', '. But '];
const extras = ['café', 'naïve', 'São Paulo', 'Zürich', 'déjà vu', '東京', 'ok', 'idk', 'tbh', 'smh', 'imo', 'fwiw'];

function adjective() {
  const r = rand();
  if (r < 0.35) return pick(positive);
  if (r < 0.7) return pick(negative);
  return pick(lexicon);
}
function caps(word) { return chance(0.12) ? word.toUpperCase() : word; }
function clause() {
  const r = rand();
  if (r < 0.6) return `${pick(subjects)} ${pick(copulas)} ${caps(adjective())}`;
  if (r < 0.72) return `I ${pick(['really', 'absolutely', "don't", 'never', 'kind of', 'totally', 'just', ''])} ${caps(pick(['love', 'hate', 'like', 'enjoy', 'recommend', 'trust', 'miss']))} ${pick(subjects)}`.replace(/\s+/g, ' ');
  if (r < 0.8) return `${pick(subjects)} is ${pick(idioms)}`;
  if (r < 0.88) return `${caps(adjective())} ${pick(['experience', 'service', 'day', 'move', 'idea', 'job'])} ${pick(['', 'tbh', 'ngl', 'imo', 'so far'])}`.trim();
  if (r < 0.94) return `${pick(['no', 'not', 'never', 'without', 'nothing'])} ${caps(adjective())} ${pick(['about it', 'here', 'at all', ''])}`.trim();
  return `${pick(extras)} ${adjective()} ${pick(extras)}`;
}
function text() {
  let t = pick(openers);
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) t += (i === 0 ? (t ? ' ' : '') : pick(joins)) + clause();
  t += pick(closers);
  if (chance(0.1)) t += pick(closers);
  if (chance(0.05)) t = t.replace(' ', '\u00a0');
  if (chance(0.1)) t = t.charAt(0).toUpperCase() + t.slice(1);
  return t;
}

const seen = new Set();
const out = [];
while (out.length < COUNT) {
  const t = text();
  if (seen.has(t)) continue;
  seen.add(t);
  const s = vader.SentimentIntensityAnalyzer.polarity_scores(t);
  out.push(JSON.stringify({ text: t, compound: s.compound, pos: s.pos, neu: s.neu, neg: s.neg }));
}
process.stdout.write(out.join('\n') + '\n');
