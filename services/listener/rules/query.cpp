#include "listener/rules/query.h"

#include <algorithm>

namespace herald::listener {

struct Query::Node {
  enum class Kind { kAnd, kOr, kNot, kWord, kPhrase, kHashtag, kHandle, kLanguage, kNetwork };
  Kind kind = Kind::kWord;
  std::vector<std::string> words;  // lower case: one word, a phrase's words, a tag, a handle, a field's value
  std::vector<std::shared_ptr<const Node>> children;
};

namespace {

using Node = Query::Node;
using Kind = Query::Node::Kind;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
// Letters, digits, '_' and every non-ASCII byte (words in other scripts).
bool IsWordByte(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The words of a text, lower case, with '#' or '@' kept on hashtags and
// handles ("#Launch!" → "#launch", "don't" → "don", "t").
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    bool marked = (text[i] == '#' || text[i] == '@') && i + 1 < text.size() && IsWordByte(text[i + 1]);
    if (!marked && !IsWordByte(text[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    i += marked ? 1 : 0;
    while (i < text.size() && (IsWordByte(text[i]) || (text[i] == '.' && i + 1 < text.size() &&
                                                       IsWordByte(text[i + 1]) && text[start] == '@'))) {
      ++i;  // handles keep their dots (@alice.bsky.social)
    }
    out.push_back(Lower(text.substr(start, i - start)));
  }
  return out;
}

struct Token {
  enum class Type { kEnd, kOpen, kClose, kAnd, kOr, kNot, kMinus, kTerm } type = Type::kEnd;
  std::string_view text;
  size_t at = 0;  // 0-based offset
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  absl::StatusOr<std::shared_ptr<const Node>> Run() {
    if (auto s = Lex(); !s.ok()) return s;
    if (tokens_.size() == 1) return Fail(0, "an empty query; expected a term");
    auto root = Or(0);
    if (!root.ok()) return root;
    if (Peek().type == Token::Type::kClose) return Fail(Peek().at, "')' without a matching '('");
    if (Peek().type != Token::Type::kEnd) return Fail(Peek().at, "expected AND, OR or the end of the query");
    return root;
  }

 private:
  absl::Status Fail(size_t at, const std::string& what) {
    return absl::InvalidArgumentError("at " + std::to_string(at + 1) + ": " + what);
  }

  absl::Status Lex() {
    for (size_t i = 0; i < text_.size();) {
      char c = text_[i];
      if (IsSpace(c)) {
        ++i;
        continue;
      }
      if (c == '(' || c == ')') {
        tokens_.push_back({c == '(' ? Token::Type::kOpen : Token::Type::kClose, text_.substr(i, 1), i});
        ++i;
        continue;
      }
      if (c == '-' && i + 1 < text_.size() && !IsSpace(text_[i + 1])) {
        tokens_.push_back({Token::Type::kMinus, text_.substr(i, 1), i});
        ++i;
        continue;
      }
      if (c == '"') {
        size_t close = text_.find('"', i + 1);
        if (close == std::string_view::npos) return Fail(i, "a phrase opened here is never closed (expected '\"')");
        tokens_.push_back({Token::Type::kTerm, text_.substr(i, close - i + 1), i});
        i = close + 1;
        continue;
      }
      size_t start = i;
      while (i < text_.size() && !IsSpace(text_[i]) && text_[i] != '(' && text_[i] != ')' && text_[i] != '"') ++i;
      std::string_view word = text_.substr(start, i - start);
      Token::Type type = word == "AND" ? Token::Type::kAnd
                         : word == "OR" ? Token::Type::kOr
                         : word == "NOT" ? Token::Type::kNot
                                         : Token::Type::kTerm;
      tokens_.push_back({type, word, start});
    }
    tokens_.push_back({Token::Type::kEnd, "", text_.size()});
    return absl::OkStatus();
  }

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_++]; }
  bool StartsUnary(Token::Type t) const {
    return t == Token::Type::kTerm || t == Token::Type::kOpen || t == Token::Type::kNot || t == Token::Type::kMinus;
  }

  absl::StatusOr<std::shared_ptr<const Node>> Or(int depth) {
    auto left = And(depth);
    if (!left.ok()) return left;
    std::vector<std::shared_ptr<const Node>> parts{*left};
    while (Peek().type == Token::Type::kOr) {
      Next();
      auto right = And(depth);
      if (!right.ok()) return right;
      parts.push_back(*right);
    }
    return Join(Kind::kOr, std::move(parts));
  }

  absl::StatusOr<std::shared_ptr<const Node>> And(int depth) {
    auto left = Unary(depth);
    if (!left.ok()) return left;
    std::vector<std::shared_ptr<const Node>> parts{*left};
    while (Peek().type == Token::Type::kAnd || StartsUnary(Peek().type)) {
      if (Peek().type == Token::Type::kAnd) Next();
      auto right = Unary(depth);
      if (!right.ok()) return right;
      parts.push_back(*right);
    }
    return Join(Kind::kAnd, std::move(parts));
  }

  absl::StatusOr<std::shared_ptr<const Node>> Unary(int depth) {
    if (depth > Query::kMaxDepth) return Fail(Peek().at, "nested deeper than " + std::to_string(Query::kMaxDepth));
    if (Peek().type == Token::Type::kNot || Peek().type == Token::Type::kMinus) {
      const Token& op = Next();
      auto inner = op.type == Token::Type::kNot ? Unary(depth + 1) : Primary(depth + 1);
      if (!inner.ok()) return inner;
      auto node = std::make_shared<Node>();
      node->kind = Kind::kNot;
      node->children.push_back(*inner);
      return std::shared_ptr<const Node>(node);
    }
    return Primary(depth);
  }

  absl::StatusOr<std::shared_ptr<const Node>> Primary(int depth) {
    const Token& t = Peek();
    switch (t.type) {
      case Token::Type::kOpen: {
        Next();
        auto inner = Or(depth + 1);
        if (!inner.ok()) return inner;
        if (Peek().type != Token::Type::kClose) {
          return Fail(Peek().at, "expected ')' to close the '(' at " + std::to_string(t.at + 1));
        }
        Next();
        return inner;
      }
      case Token::Type::kTerm:
        Next();
        return Term(t);
      case Token::Type::kEnd:
        return Fail(t.at, "the query ends where a term or '(' was expected");
      default:
        return Fail(t.at, "expected a term or '(', found '" + std::string(t.text) + "'");
    }
  }

  absl::StatusOr<std::shared_ptr<const Node>> Term(const Token& t) {
    if (++terms_ > Query::kMaxTerms) return Fail(t.at, "more than " + std::to_string(Query::kMaxTerms) + " terms");
    auto node = std::make_shared<Node>();
    std::string_view w = t.text;
    if (w.front() == '"') {
      node->kind = Kind::kPhrase;
      node->words = Words(w.substr(1, w.size() - 2));
      if (node->words.empty()) return Fail(t.at, "an empty phrase; expected words between the quotes");
      return std::shared_ptr<const Node>(node);
    }
    if (auto colon = w.find(':'); colon != std::string_view::npos && colon > 0 && w.front() != '#' && w.front() != '@') {
      std::string field = Lower(w.substr(0, colon));
      std::string value = Lower(w.substr(colon + 1));
      if (field != "lang" && field != "network") {
        return Fail(t.at, "unknown field '" + field + "'; expected lang: or network:");
      }
      if (value.empty()) return Fail(t.at + colon + 1, "expected a value after '" + field + ":'");
      node->kind = field == "lang" ? Kind::kLanguage : Kind::kNetwork;
      node->words = {value};
      return std::shared_ptr<const Node>(node);
    }
    auto words = Words(w);
    if (words.size() != 1 || (w.front() == '#' || w.front() == '@') != (words[0][0] == '#' || words[0][0] == '@')) {
      // Punctuation inside a bare term ("e-mail", "ac/dc"): its words as a phrase.
      if (words.empty()) return Fail(t.at, "'" + std::string(w) + "' has no letters or digits; expected a term");
      node->kind = Kind::kPhrase;
      node->words = std::move(words);
      return std::shared_ptr<const Node>(node);
    }
    node->kind = words[0][0] == '#' ? Kind::kHashtag : words[0][0] == '@' ? Kind::kHandle : Kind::kWord;
    node->words = std::move(words);
    return std::shared_ptr<const Node>(node);
  }

  static std::shared_ptr<const Node> Join(Kind kind, std::vector<std::shared_ptr<const Node>> parts) {
    if (parts.size() == 1) return parts[0];
    auto node = std::make_shared<Node>();
    node->kind = kind;
    node->children = std::move(parts);
    return node;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int terms_ = 0;
};

bool Contains(const std::vector<std::string>& words, const std::vector<std::string>& run) {
  if (run.empty() || run.size() > words.size()) return false;
  for (size_t i = 0; i + run.size() <= words.size(); ++i) {
    if (std::equal(run.begin(), run.end(), words.begin() + static_cast<std::ptrdiff_t>(i))) return true;
  }
  return false;
}

bool Eval(const Node& n, const std::vector<std::string>& words, const MentionView& m) {
  switch (n.kind) {
    case Kind::kAnd:
      return std::all_of(n.children.begin(), n.children.end(), [&](const auto& c) { return Eval(*c, words, m); });
    case Kind::kOr:
      return std::any_of(n.children.begin(), n.children.end(), [&](const auto& c) { return Eval(*c, words, m); });
    case Kind::kNot:
      return !Eval(*n.children[0], words, m);
    case Kind::kLanguage: {
      // "lang:en" takes "en" and "en-GB"; an unknown language matches no lang: term.
      std::string lang = Lower(m.language);
      const std::string& want = n.words[0];
      return lang == want || (lang.size() > want.size() && lang.compare(0, want.size(), want) == 0 &&
                              lang[want.size()] == '-');
    }
    case Kind::kNetwork:
      return Lower(m.network) == n.words[0];
    default:
      return Contains(words, n.words);
  }
}

void Collect(const Node& n, bool negated, std::vector<std::string>& out) {
  switch (n.kind) {
    case Kind::kAnd:
    case Kind::kOr:
      for (const auto& c : n.children) Collect(*c, negated, out);
      return;
    case Kind::kNot:
      Collect(*n.children[0], !negated, out);
      return;
    case Kind::kLanguage:
    case Kind::kNetwork:
      return;
    default: {
      if (negated) return;
      std::string term;
      for (const auto& w : n.words) term += (term.empty() ? "" : " ") + w;
      if (n.kind == Kind::kPhrase) term = "\"" + term + "\"";
      if (std::find(out.begin(), out.end(), term) == out.end()) out.push_back(term);
    }
  }
}

std::string Write(const Node& n) {
  auto joined = [&](const char* op) {
    std::string s = "(";
    for (size_t i = 0; i < n.children.size(); ++i) s += (i ? op : "") + Write(*n.children[i]);
    return s + ")";
  };
  switch (n.kind) {
    case Kind::kAnd:
      return joined(" AND ");
    case Kind::kOr:
      return joined(" OR ");
    case Kind::kNot:
      return "NOT " + Write(*n.children[0]);
    case Kind::kLanguage:
      return "lang:" + n.words[0];
    case Kind::kNetwork:
      return "network:" + n.words[0];
    case Kind::kPhrase: {
      std::string s;
      for (const auto& w : n.words) s += (s.empty() ? "" : " ") + w;
      return "\"" + s + "\"";
    }
    default:
      return n.words[0];
  }
}

}  // namespace

absl::StatusOr<Query> Query::Parse(std::string_view text) {
  if (text.size() > kMaxLength) {
    return absl::InvalidArgumentError("at " + std::to_string(kMaxLength + 1) + ": the query is longer than " +
                                      std::to_string(kMaxLength) + " bytes");
  }
  Parser parser(text);
  auto root = parser.Run();
  if (!root.ok()) return root.status();
  Query q;
  q.root_ = *root;
  return q;
}

bool Query::Matches(const MentionView& mention) const { return Eval(*root_, Words(mention.text), mention); }

std::vector<std::string> Query::SearchTerms() const {
  std::vector<std::string> out;
  Collect(*root_, false, out);
  return out;
}

std::string Query::ToString() const { return Write(*root_); }

}  // namespace herald::listener
