#include "campaign/audiences/segment_language.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace herald::campaign {

enum class Op : uint8_t {
  kOr, kAnd, kNot, kTextCmp, kTextIn, kNumCmp, kEngagedWithin, kTagged, kEngagedWith, kConvertedFor, kHas
};
enum class TextField : uint8_t { kNetwork, kCountry, kLanguage, kAttr };
enum class NumField : uint8_t { kFollowers, kMentions, kReplies, kClicks, kConversions, kSentiment };
enum class Cmp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

struct SegmentNode {
  Op op = Op::kOr;
  Cmp cmp = Cmp::kEq;
  uint8_t field = 0;
  bool negate = false;  // "not in"
  int32_t a = -1, b = -1;
  double number = 0;
  int64_t duration_ms = 0;
  std::string text;                 // attr name, tag, campaign, or the compared text
  std::vector<std::string> values;  // in (...), sorted
};

struct SegmentAst {
  std::vector<SegmentNode> nodes;
  int32_t root = -1;
};

namespace {

enum class Tok { kEnd, kIdent, kString, kNumber, kDuration, kLParen, kRParen, kComma, kOp };

struct Token {
  Tok kind = Tok::kEnd;
  size_t offset = 0;
  std::string text;   // ident, string contents, operator
  double number = 0;
  int64_t duration_ms = 0;
};

struct Failure {
  size_t offset;
  std::string message;
};

bool IdentStart(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }
bool IdentChar(char c) { return IdentStart(c) || (c >= '0' && c <= '9'); }
bool AttrChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  // The next token, or a failure at its position.
  std::variant<Token, Failure> Next() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    Token t;
    t.offset = pos_;
    if (pos_ >= s_.size()) return t;
    const char c = s_[pos_];
    if (c == '(' || c == ')' || c == ',') {
      t.kind = c == '(' ? Tok::kLParen : c == ')' ? Tok::kRParen : Tok::kComma;
      ++pos_;
      return t;
    }
    if (c == '=' || c == '!' || c == '<' || c == '>') {
      t.kind = Tok::kOp;
      t.text = std::string(1, c);
      ++pos_;
      if (pos_ < s_.size() && s_[pos_] == '=') {
        t.text += '=';
        ++pos_;
      } else if (c == '!') {
        return Failure{t.offset, "'!' must be '!='"};
      }
      return t;
    }
    if (c == '"') {
      t.kind = Tok::kString;
      for (++pos_;; ++pos_) {
        if (pos_ >= s_.size()) return Failure{t.offset, "a string is never closed"};
        char d = s_[pos_];
        if (d == '"') break;
        if (d == '\\') {
          if (++pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\\')) {
            return Failure{pos_ - 1, "only \\\" and \\\\ may be escaped"};
          }
          d = s_[pos_];
        } else if (static_cast<unsigned char>(d) < 0x20) {
          return Failure{pos_, "a control character in a string"};
        }
        t.text += d;
      }
      ++pos_;
      return t;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.') {
      size_t start = pos_;
      if (c == '-') ++pos_;
      while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.')) ++pos_;
      std::string digits(s_.substr(start, pos_ - start));
      char* end = nullptr;
      t.number = std::strtod(digits.c_str(), &end);
      if (digits == "-" || end != digits.c_str() + digits.size() || !std::isfinite(t.number)) {
        return Failure{start, "not a number: " + digits};
      }
      t.kind = Tok::kNumber;
      if (pos_ < s_.size() && (s_[pos_] == 'd' || s_[pos_] == 'h' || s_[pos_] == 'm')) {
        if (digits.find_first_of(".-") != std::string::npos || t.number > 3650 * 24 * 60) {
          return Failure{start, "a duration is a whole number of d, h or m (at most ten years)"};
        }
        int64_t unit = s_[pos_] == 'd' ? 86400000 : s_[pos_] == 'h' ? 3600000 : 60000;
        t.kind = Tok::kDuration;
        t.duration_ms = static_cast<int64_t>(t.number) * unit;
        ++pos_;
      }
      if (pos_ < s_.size() && IdentChar(s_[pos_])) return Failure{pos_, "unexpected text after a number"};
      return t;
    }
    if (IdentStart(c)) {
      size_t start = pos_;
      while (pos_ < s_.size() && IdentChar(s_[pos_])) ++pos_;
      t.kind = Tok::kIdent;
      t.text = std::string(s_.substr(start, pos_ - start));
      if (t.text == "attr" && pos_ < s_.size() && s_[pos_] == '.') {
        size_t name = ++pos_;
        while (pos_ < s_.size() && AttrChar(s_[pos_])) ++pos_;
        if (pos_ == name || pos_ - name > 64) return Failure{name, "attr. needs a column name (1-64 of [A-Za-z0-9_-])"};
        t.text = "attr." + std::string(s_.substr(name, pos_ - name));
      }
      return t;
    }
    return Failure{pos_, std::string("unexpected character '") + c + "'"};
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : lexer_(s) {}

  std::variant<SegmentAst, Failure> Run() {
    if (auto f = Advance()) return *f;
    auto root = Or(0);
    if (auto* f = std::get_if<Failure>(&root)) return *f;
    if (tok_.kind != Tok::kEnd) return Failure{tok_.offset, "expected 'and', 'or' or the end, not " + Describe(tok_)};
    ast_.root = std::get<int32_t>(root);
    return std::move(ast_);
  }

 private:
  using Result = std::variant<int32_t, Failure>;

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Tok::kEnd: return "the end";
      case Tok::kIdent: return "'" + t.text + "'";
      case Tok::kString: return "a string";
      case Tok::kNumber: return "a number";
      case Tok::kDuration: return "a duration";
      case Tok::kLParen: return "'('";
      case Tok::kRParen: return "')'";
      case Tok::kComma: return "','";
      case Tok::kOp: return "'" + t.text + "'";
    }
    return "?";
  }

  std::optional<Failure> Advance() {
    auto next = lexer_.Next();
    if (auto* f = std::get_if<Failure>(&next)) return *f;
    tok_ = std::get<Token>(std::move(next));
    return std::nullopt;
  }

  bool IsWord(const char* w) const { return tok_.kind == Tok::kIdent && tok_.text == w; }

  std::variant<int32_t, Failure> Add(SegmentNode node, size_t offset) {
    if (static_cast<int>(ast_.nodes.size()) >= kMaxSegmentNodes) {
      return Failure{offset, "more than " + std::to_string(kMaxSegmentNodes) + " terms"};
    }
    ast_.nodes.push_back(std::move(node));
    return static_cast<int32_t>(ast_.nodes.size() - 1);
  }

  Result Binary(Op op, const char* word, int depth, Result (Parser::*operand)(int)) {
    Result left = (this->*operand)(depth);
    if (std::holds_alternative<Failure>(left)) return left;
    while (IsWord(word)) {
      size_t at = tok_.offset;
      if (auto f = Advance()) return *f;
      Result right = (this->*operand)(depth);
      if (std::holds_alternative<Failure>(right)) return right;
      SegmentNode n;
      n.op = op;
      n.a = std::get<int32_t>(left);
      n.b = std::get<int32_t>(right);
      left = Add(std::move(n), at);
      if (std::holds_alternative<Failure>(left)) return left;
    }
    return left;
  }

  Result Or(int depth) { return Binary(Op::kOr, "or", depth, &Parser::And); }
  Result And(int depth) { return Binary(Op::kAnd, "and", depth, &Parser::Unary); }

  Result Unary(int depth) {
    if (depth >= kMaxSegmentDepth) return Failure{tok_.offset, "nested more than " + std::to_string(kMaxSegmentDepth) + " deep"};
    if (IsWord("not")) {
      size_t at = tok_.offset;
      if (auto f = Advance()) return *f;
      Result inner = Unary(depth + 1);
      if (std::holds_alternative<Failure>(inner)) return inner;
      SegmentNode n;
      n.op = Op::kNot;
      n.a = std::get<int32_t>(inner);
      return Add(std::move(n), at);
    }
    if (tok_.kind == Tok::kLParen) {
      size_t open = tok_.offset;
      if (auto f = Advance()) return *f;
      Result inner = Or(depth + 1);
      if (std::holds_alternative<Failure>(inner)) return inner;
      if (tok_.kind != Tok::kRParen) {
        return Failure{tok_.offset, "expected ')' to close the '(' at " + std::to_string(open + 1) + ", not " + Describe(tok_)};
      }
      if (auto f = Advance()) return *f;
      return inner;
    }
    return Predicate();
  }

  // One value token of the kind wanted ("text", "number", "duration").
  std::variant<Token, Failure> Value(const std::string& wanted, const std::string& what) {
    Token t = tok_;
    bool ok = (wanted == "text" && t.kind == Tok::kString) || (wanted == "number" && t.kind == Tok::kNumber) ||
              (wanted == "duration" && t.kind == Tok::kDuration);
    if (!ok) {
      std::string example = wanted == "text" ? "a string in double quotes" : wanted == "number" ? "a number" : "a duration such as 30d";
      return Failure{t.offset, what + " takes " + example + ", not " + Describe(t)};
    }
    if (auto f = Advance()) return *f;
    return t;
  }

  Result Predicate() {
    if (tok_.kind != Tok::kIdent) return Failure{tok_.offset, "expected a field, a function, 'not' or '(', not " + Describe(tok_)};
    const Token name = tok_;
    if (auto f = Advance()) return *f;
    SegmentNode n;
    // Functions.
    static const std::vector<std::pair<std::string, std::pair<Op, std::string>>> kFunctions = {
        {"engaged_within", {Op::kEngagedWithin, "duration"}},
        {"tagged", {Op::kTagged, "text"}},
        {"engaged_with", {Op::kEngagedWith, "text"}},
        {"converted_for", {Op::kConvertedFor, "text"}},
        {"has", {Op::kHas, "text"}}};
    for (const auto& [fname, spec] : kFunctions) {
      if (name.text != fname) continue;
      if (tok_.kind != Tok::kLParen) return Failure{tok_.offset, fname + " is a function: expected '('"};
      if (auto f = Advance()) return *f;
      auto arg = Value(spec.second, fname);
      if (auto* f = std::get_if<Failure>(&arg)) return *f;
      if (tok_.kind != Tok::kRParen) return Failure{tok_.offset, fname + " takes one argument: expected ')'"};
      if (auto f = Advance()) return *f;
      n.op = spec.first;
      n.duration_ms = std::get<Token>(arg).duration_ms;
      n.text = std::get<Token>(arg).text;
      if (n.op == Op::kHas) n.text = n.text.rfind("attr.", 0) == 0 ? n.text.substr(5) : n.text;
      return Add(std::move(n), name.offset);
    }
    // Fields.
    static const std::vector<std::pair<std::string, TextField>> kText = {
        {"network", TextField::kNetwork}, {"country", TextField::kCountry}, {"language", TextField::kLanguage}};
    static const std::vector<std::pair<std::string, NumField>> kNumbers = {
        {"followers", NumField::kFollowers}, {"mentions", NumField::kMentions}, {"replies", NumField::kReplies},
        {"clicks", NumField::kClicks},       {"conversions", NumField::kConversions}, {"sentiment", NumField::kSentiment}};
    bool text = false;
    if (name.text.rfind("attr.", 0) == 0) {
      text = true;
      n.field = static_cast<uint8_t>(TextField::kAttr);
      n.text = name.text.substr(5);
    } else if (auto t = std::find_if(kText.begin(), kText.end(), [&](const auto& e) { return e.first == name.text; });
               t != kText.end()) {
      text = true;
      n.field = static_cast<uint8_t>(t->second);
    } else if (auto m = std::find_if(kNumbers.begin(), kNumbers.end(), [&](const auto& e) { return e.first == name.text; });
               m != kNumbers.end()) {
      n.field = static_cast<uint8_t>(m->second);
    } else {
      return Failure{name.offset, "unknown field or function '" + name.text +
                                      "' (fields: network, country, language, attr.<column>, followers, mentions, replies, "
                                      "clicks, conversions, sentiment; functions: engaged_within, tagged, engaged_with, "
                                      "converted_for, has)"};
    }
    auto normalize = [&](std::string v) {
      if (n.field == static_cast<uint8_t>(TextField::kCountry) && text) return Upper(std::move(v));
      if ((n.field == static_cast<uint8_t>(TextField::kLanguage) || n.field == static_cast<uint8_t>(TextField::kNetwork)) && text) {
        return Lower(std::move(v));
      }
      return v;
    };
    bool negate = false;
    if (IsWord("not")) {
      negate = true;
      if (auto f = Advance()) return *f;
      if (!IsWord("in")) return Failure{tok_.offset, "expected 'in' after '" + name.text + " not'"};
    }
    if (IsWord("in")) {
      if (!text) return Failure{tok_.offset, "'in' compares text; " + name.text + " is a number"};
      if (auto f = Advance()) return *f;
      if (tok_.kind != Tok::kLParen) return Failure{tok_.offset, "expected '(' after 'in'"};
      if (auto f = Advance()) return *f;
      for (;;) {
        if (static_cast<int>(n.values.size()) >= kMaxInValues) {
          return Failure{tok_.offset, "more than " + std::to_string(kMaxInValues) + " values in one 'in'"};
        }
        auto v = Value("text", name.text + " in (...)");
        if (auto* f = std::get_if<Failure>(&v)) return *f;
        n.values.push_back(normalize(std::get<Token>(v).text));
        if (tok_.kind == Tok::kRParen) break;
        if (tok_.kind != Tok::kComma) return Failure{tok_.offset, "expected ',' or ')' in the values of 'in', not " + Describe(tok_)};
        if (auto f = Advance()) return *f;
      }
      if (auto f = Advance()) return *f;
      std::sort(n.values.begin(), n.values.end());
      n.values.erase(std::unique(n.values.begin(), n.values.end()), n.values.end());
      n.op = Op::kTextIn;
      n.negate = negate;
      return Add(std::move(n), name.offset);
    }
    if (tok_.kind != Tok::kOp) return Failure{tok_.offset, "expected a comparison (=, !=, <, <=, >, >=) or 'in' after '" + name.text + "'"};
    const Token op = tok_;
    static const std::vector<std::pair<std::string, Cmp>> kCmps = {{"=", Cmp::kEq}, {"!=", Cmp::kNe}, {"<", Cmp::kLt},
                                                                  {"<=", Cmp::kLe}, {">", Cmp::kGt},  {">=", Cmp::kGe}};
    n.cmp = std::find_if(kCmps.begin(), kCmps.end(), [&](const auto& e) { return e.first == op.text; })->second;
    if (auto f = Advance()) return *f;
    if (text) {
      if (n.cmp != Cmp::kEq && n.cmp != Cmp::kNe) return Failure{op.offset, name.text + " is text: only = and != compare it"};
      auto v = Value("text", name.text + " " + op.text);
      if (auto* f = std::get_if<Failure>(&v)) return *f;
      n.op = Op::kTextCmp;
      n.values = {normalize(std::get<Token>(v).text)};
    } else {
      auto v = Value("number", name.text + " " + op.text);
      if (auto* f = std::get_if<Failure>(&v)) return *f;
      n.op = Op::kNumCmp;
      n.number = std::get<Token>(v).number;
    }
    return Add(std::move(n), name.offset);
  }

  Lexer lexer_;
  Token tok_;
  SegmentAst ast_;
};

bool Sorted(const std::vector<std::string>& list, const std::string& v) {
  return std::binary_search(list.begin(), list.end(), v);
}

const std::string* Attribute(const Profile& p, const std::string& name) {
  auto it = std::lower_bound(p.attributes.begin(), p.attributes.end(), name,
                             [](const auto& kv, const std::string& n) { return kv.first < n; });
  return it != p.attributes.end() && it->first == name ? &it->second : nullptr;
}

const std::string* TextOf(const Profile& p, const SegmentNode& n) {
  switch (static_cast<TextField>(n.field)) {
    case TextField::kNetwork: return &p.network;
    case TextField::kCountry: return p.country.empty() ? nullptr : &p.country;
    case TextField::kLanguage: return p.language.empty() ? nullptr : &p.language;
    case TextField::kAttr: return Attribute(p, n.text);
  }
  return nullptr;
}

// nullopt: the profile has no value for the field.
std::optional<double> NumberOf(const Profile& p, NumField f) {
  switch (f) {
    case NumField::kFollowers: return p.followers < 0 ? std::nullopt : std::optional<double>(static_cast<double>(p.followers));
    case NumField::kMentions: return static_cast<double>(p.mentions);
    case NumField::kReplies: return static_cast<double>(p.replies);
    case NumField::kClicks: return static_cast<double>(p.clicks);
    case NumField::kConversions: return static_cast<double>(p.conversions);
    case NumField::kSentiment: return p.scored > 0 ? std::optional<double>(p.sentiment()) : std::nullopt;
  }
  return std::nullopt;
}

bool Compare(double a, Cmp c, double b) {
  switch (c) {
    case Cmp::kEq: return a == b;
    case Cmp::kNe: return a != b;
    case Cmp::kLt: return a < b;
    case Cmp::kLe: return a <= b;
    case Cmp::kGt: return a > b;
    case Cmp::kGe: return a >= b;
  }
  return false;
}

bool Eval(const std::vector<SegmentNode>& nodes, int32_t i, const Profile& p, int64_t now_ms) {
  const SegmentNode& n = nodes[static_cast<size_t>(i)];
  switch (n.op) {
    case Op::kOr: return Eval(nodes, n.a, p, now_ms) || Eval(nodes, n.b, p, now_ms);
    case Op::kAnd: return Eval(nodes, n.a, p, now_ms) && Eval(nodes, n.b, p, now_ms);
    case Op::kNot: return !Eval(nodes, n.a, p, now_ms);
    case Op::kTextCmp: {
      const std::string* v = TextOf(p, n);
      if (!v) return false;
      return (*v == n.values[0]) == (n.cmp == Cmp::kEq);
    }
    case Op::kTextIn: {
      const std::string* v = TextOf(p, n);
      if (!v) return false;
      return Sorted(n.values, *v) != n.negate;
    }
    case Op::kNumCmp: {
      auto v = NumberOf(p, static_cast<NumField>(n.field));
      return v && Compare(*v, n.cmp, n.number);
    }
    case Op::kEngagedWithin: return p.last_engaged_ms > 0 && p.last_engaged_ms >= now_ms - n.duration_ms;
    case Op::kTagged: return Sorted(p.tags, n.text);
    case Op::kEngagedWith: return Sorted(p.campaigns, n.text);
    case Op::kConvertedFor: return Sorted(p.converted, n.text);
    case Op::kHas: return Attribute(p, n.text) != nullptr;
  }
  return false;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Number(double d) {
  if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  std::string s = std::to_string(d);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

std::string Duration(int64_t ms) {
  if (ms % 86400000 == 0) return std::to_string(ms / 86400000) + "d";
  if (ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  return std::to_string(ms / 60000) + "m";
}

std::string Render(const std::vector<SegmentNode>& nodes, int32_t i, int parent) {
  const SegmentNode& n = nodes[static_cast<size_t>(i)];
  static const char* kCmp[] = {"=", "!=", "<", "<=", ">", ">="};
  static const char* kText[] = {"network", "country", "language", "attr."};
  static const char* kNum[] = {"followers", "mentions", "replies", "clicks", "conversions", "sentiment"};
  auto field = [&] {
    std::string f = kText[n.field];
    return n.field == static_cast<uint8_t>(TextField::kAttr) ? f + n.text : f;
  };
  switch (n.op) {
    case Op::kOr:
    case Op::kAnd: {
      int prec = n.op == Op::kOr ? 1 : 2;
      std::string s = Render(nodes, n.a, prec) + (n.op == Op::kOr ? " or " : " and ") + Render(nodes, n.b, prec + 1);
      return prec < parent ? "(" + s + ")" : s;
    }
    case Op::kNot: return "not " + Render(nodes, n.a, 3);
    case Op::kTextCmp: return field() + " " + kCmp[static_cast<int>(n.cmp)] + " " + Quote(n.values[0]);
    case Op::kTextIn: {
      std::string s = field() + (n.negate ? " not in (" : " in (");
      for (size_t k = 0; k < n.values.size(); ++k) s += (k ? ", " : "") + Quote(n.values[k]);
      return s + ")";
    }
    case Op::kNumCmp: return std::string(kNum[n.field]) + " " + kCmp[static_cast<int>(n.cmp)] + " " + Number(n.number);
    case Op::kEngagedWithin: return "engaged_within(" + Duration(n.duration_ms) + ")";
    case Op::kTagged: return "tagged(" + Quote(n.text) + ")";
    case Op::kEngagedWith: return "engaged_with(" + Quote(n.text) + ")";
    case Op::kConvertedFor: return "converted_for(" + Quote(n.text) + ")";
    case Op::kHas: return "has(" + Quote(n.text) + ")";
  }
  return "";
}

}  // namespace

std::string SegmentError::ToString() const {
  return std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

std::variant<Segment, SegmentError> Segment::Parse(std::string_view expression) {
  auto error_at = [&](size_t offset, std::string message) {
    SegmentError e;
    e.offset = std::min(offset, expression.size());
    for (size_t i = 0; i < e.offset; ++i) {
      if (expression[i] == '\n') {
        ++e.line;
        e.column = 1;
      } else if ((static_cast<unsigned char>(expression[i]) & 0xC0) != 0x80) {
        ++e.column;  // columns count characters, not UTF-8 continuation bytes
      }
    }
    e.message = std::move(message);
    return e;
  };
  if (expression.size() > kMaxSegmentBytes) {
    return error_at(kMaxSegmentBytes, "longer than " + std::to_string(kMaxSegmentBytes) + " bytes");
  }
  auto parsed = Parser(expression).Run();
  if (auto* f = std::get_if<Failure>(&parsed)) return error_at(f->offset, f->message);
  Segment s;
  s.ast_ = std::make_shared<const SegmentAst>(std::get<SegmentAst>(std::move(parsed)));
  return s;
}

bool Segment::Matches(const Profile& profile, int64_t now_ms) const {
  return Eval(ast_->nodes, ast_->root, profile, now_ms);
}

std::string Segment::ToString() const { return Render(ast_->nodes, ast_->root, 0); }

}  // namespace herald::campaign
