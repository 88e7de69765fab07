// Label selectors follow k8s.io/apimachinery/pkg/labels (lexer + recursive-descent parser with the
// same tokens, error texts and validation of keys and values); field selectors follow pkg/fields.
#include "apimachinery/selectors.h"

#include <algorithm>
#include <charconv>
#include <optional>

namespace skiff {
namespace {

// ---- validation (k8s.io/apimachinery/pkg/util/validation) ----

constexpr size_t kQualifiedNameMaxLength = 63;
constexpr size_t kLabelValueMaxLength = 63;
constexpr size_t kDns1123SubdomainMaxLength = 253;

constexpr const char* kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr const char* kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr const char* kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr const char* kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr const char* kDns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr const char* kDns1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], non-empty.
bool is_qualified_name_part(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool is_dns1123_label_part(std::string_view s) {
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (s.empty() || !lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return lower_alnum(c) || c == '-'; });
}

bool is_dns1123_subdomain_syntax(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!is_dns1123_label_part(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// validation.RegexError's wording: message, examples, then the regex.
std::string regex_error(const std::string& msg, const std::string& fmt,
                        std::initializer_list<const char*> examples) {
  std::string out = msg + " (e.g. ";
  bool first = true;
  for (const char* e : examples) {
    if (!first) out += " or ";
    first = false;
    out += std::string("'") + e + "', ";
  }
  return out + "regex used for validation is '" + fmt + "')";
}

std::string max_len_error(size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

// validation.IsQualifiedName: "[prefix/]name".
std::vector<std::string> qualified_name_errors(std::string_view value) {
  std::vector<std::string> errs;
  std::string_view name = value;
  size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos) {
      errs.push_back("a qualified name " +
                     regex_error(kQualifiedNameErrMsg, kQualifiedNameFmt,
                                 {"MyName", "my.name", "123-abc"}) +
                     " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errs;
    }
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      if (prefix.size() > kDns1123SubdomainMaxLength)
        errs.push_back("prefix part " + max_len_error(kDns1123SubdomainMaxLength));
      if (!is_dns1123_subdomain_syntax(prefix))
        errs.push_back("prefix part " +
                       regex_error(kDns1123SubdomainErrMsg, kDns1123SubdomainFmt, {"example.com"}));
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else {
    if (name.size() > kQualifiedNameMaxLength)
      errs.push_back("name part " + max_len_error(kQualifiedNameMaxLength));
    if (!is_qualified_name_part(name))
      errs.push_back("name part " + regex_error(kQualifiedNameErrMsg, kQualifiedNameFmt,
                                                {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

// validation.IsValidLabelValue.
std::vector<std::string> label_value_errors(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kLabelValueMaxLength) errs.push_back(max_len_error(kLabelValueMaxLength));
  if (!value.empty() && !is_qualified_name_part(value))
    errs.push_back(
        regex_error(kLabelValueErrMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  return errs;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string quote(std::string_view s) { return json::serialize(json::value(json::string(s))); }

// Go's %#v of a []string, as field.Invalid prints a whole values list.
std::string go_string_slice(const std::vector<std::string>& v) {
  std::string out = "[]string{";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + quote(v[i]);
  return out + "}";
}

// field.Invalid(path, value, detail).Error()
std::string invalid_error(const std::string& path, const std::string& shown_value,
                          const std::string& detail) {
  return path + ": Invalid value: " + shown_value + ": " + detail;
}

// strconv.ParseInt(s, 10, 64)
std::optional<int64_t> parse_int64(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

using Op = LabelSelector::Op;
using Requirement = LabelSelector::Requirement;

// labels.NewRequirement: validates key, operator arity and values; errors are aggregated as
// upstream's ErrorList.ToAggregate() prints them.
Result<Requirement> new_requirement(std::string key, Op op, std::vector<std::string> values) {
  std::vector<std::string> errs;
  if (auto e = qualified_name_errors(key); !e.empty())
    errs.push_back(invalid_error("key", quote(key), join(e, "; ")));
  switch (op) {
    case Op::kIn:
    case Op::kNotIn:
      if (values.empty())
        errs.push_back(invalid_error("values", go_string_slice(values),
                                     "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case Op::kEquals:
    case Op::kNotEquals:
      if (values.size() != 1)
        errs.push_back(invalid_error("values", go_string_slice(values),
                                     "exact-match compatibility requires one single value"));
      break;
    case Op::kExists:
    case Op::kDoesNotExist:
      if (!values.empty())
        errs.push_back(invalid_error("values", go_string_slice(values),
                                     "values set must be empty for exists and does not exist"));
      break;
    case Op::kGreaterThan:
    case Op::kLessThan:
      if (values.size() != 1)
        errs.push_back(invalid_error("values", go_string_slice(values),
                                     "for 'Gt', 'Lt' operators, exactly one value is required"));
      for (size_t i = 0; i < values.size(); ++i)
        if (!parse_int64(values[i]))
          errs.push_back(invalid_error("values[" + std::to_string(i) + "]", quote(values[i]),
                                       "for 'Gt', 'Lt' operators, the value must be an integer"));
      break;
  }
  for (size_t i = 0; i < values.size(); ++i)
    if (auto e = label_value_errors(values[i]); !e.empty())
      errs.push_back(invalid_error("values[" + std::to_string(i) + "][" + key + "]",
                                   quote(values[i]), join(e, "; ")));
  if (errs.size() == 1) return ApiError::bad_request(errs[0]);
  if (!errs.empty()) return ApiError::bad_request("[" + join(errs, ", ") + "]");
  // Value order does not matter to matching; keep one canonical order (upstream sorts on output).
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return Requirement{std::move(key), op, std::move(values)};
}

void sort_by_key(std::vector<Requirement>& reqs) {
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
}

// ---- label selector lexer and parser (pkg/labels/selector.go) ----

enum class Tok {
  kEnd, kClosedPar, kComma, kDoesNotExist, kDoubleEquals, kEquals, kGreaterThan,
  kIdentifier, kIn, kLessThan, kNotEquals, kNotIn, kOpenPar
};

struct Token {
  Tok tok;
  std::string lit;
};

bool is_whitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_special(char c) { return std::string_view("=!(),><").find(c) != std::string_view::npos; }

std::optional<Tok> symbol_token(std::string_view s) {
  if (s == "!") return Tok::kDoesNotExist;
  if (s == "!=") return Tok::kNotEquals;
  if (s == "(") return Tok::kOpenPar;
  if (s == ")") return Tok::kClosedPar;
  if (s == ",") return Tok::kComma;
  if (s == "=") return Tok::kEquals;
  if (s == "==") return Tok::kDoubleEquals;
  if (s == ">") return Tok::kGreaterThan;
  if (s == "<") return Tok::kLessThan;
  return std::nullopt;
}

// Every single special character is a token, so the lexer cannot fail: it takes the longest run
// of special characters that still forms a token ("!=" but "=" then "(" for "=(").
std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && is_whitespace(s[i])) ++i;
    if (i >= s.size()) break;
    if (is_special(s[i])) {
      size_t len = 1;
      while (i + len < s.size() && is_special(s[i + len]) && symbol_token(s.substr(i, len + 1)))
        ++len;
      std::string lit(s.substr(i, len));
      out.push_back({*symbol_token(lit), lit});
      i += len;
    } else {
      size_t start = i;
      while (i < s.size() && !is_whitespace(s[i]) && !is_special(s[i])) ++i;
      std::string lit(s.substr(start, i - start));
      Tok t = lit == "in" ? Tok::kIn : lit == "notin" ? Tok::kNotIn : Tok::kIdentifier;
      out.push_back({t, std::move(lit)});
    }
  }
  out.push_back({Tok::kEnd, ""});
  return out;
}

// Where a keyword may appear ("in", "notin") versus where it is just a value or key.
enum class Mode { kKeyAndOperator, kValues };

class Parser {
 public:
  explicit Parser(std::string_view text) : items_(lex(text)) {}

  Result<std::vector<Requirement>> parse() {
    std::vector<Requirement> reqs;
    while (true) {
      Token t = lookahead(Mode::kValues);
      switch (t.tok) {
        case Tok::kIdentifier:
        case Tok::kDoesNotExist: {
          auto r = parse_requirement();
          if (!r) return fail("unable to parse requirement: " + r.error().message);
          reqs.push_back(std::move(*r));
          Token next = consume(Mode::kValues);
          if (next.tok == Tok::kEnd) return reqs;
          if (next.tok != Tok::kComma)
            return fail("found '" + next.lit + "', expected: ',' or 'end of string'");
          Token after = lookahead(Mode::kValues);
          if (after.tok != Tok::kIdentifier && after.tok != Tok::kDoesNotExist)
            return fail("found '" + after.lit + "', expected: identifier after ','");
          break;
        }
        case Tok::kEnd:
          return reqs;
        default:
          return fail("found '" + t.lit + "', expected: !, identifier, or 'end of string'");
      }
    }
  }

 private:
  static ApiError fail(std::string msg) { return ApiError::bad_request(std::move(msg)); }

  Token lookahead(Mode mode) const { return adjust(items_[pos_], mode); }
  Token consume(Mode mode) {
    Token t = adjust(items_[pos_], mode);
    if (pos_ + 1 < items_.size()) ++pos_;  // the end token stays current
    return t;
  }
  static Token adjust(Token t, Mode mode) {
    if (mode == Mode::kValues && (t.tok == Tok::kIn || t.tok == Tok::kNotIn))
      t.tok = Tok::kIdentifier;
    return t;
  }

  Result<Requirement> parse_requirement() {
    std::optional<Op> op;
    Token t = consume(Mode::kValues);
    if (t.tok == Tok::kDoesNotExist) {
      op = Op::kDoesNotExist;
      t = consume(Mode::kValues);
    }
    if (t.tok != Tok::kIdentifier) return fail("found '" + t.lit + "', expected: identifier");
    std::string key = t.lit;
    if (auto e = qualified_name_errors(key); !e.empty())
      return fail(invalid_error("key", quote(key), join(e, "; ")));
    Tok next = lookahead(Mode::kValues).tok;
    if ((next == Tok::kEnd || next == Tok::kComma) && !op) op = Op::kExists;
    if (op) return new_requirement(std::move(key), *op, {});

    Token o = consume(Mode::kKeyAndOperator);
    std::vector<std::string> values;
    switch (o.tok) {
      case Tok::kIn:
      case Tok::kNotIn: {
        auto v = parse_values();
        if (!v) return v.error();
        values = std::move(*v);
        op = o.tok == Tok::kIn ? Op::kIn : Op::kNotIn;
        break;
      }
      case Tok::kEquals:
      case Tok::kDoubleEquals:
      case Tok::kNotEquals:
      case Tok::kGreaterThan:
      case Tok::kLessThan: {
        auto v = parse_exact_value();
        if (!v) return v.error();
        values.push_back(std::move(*v));
        op = o.tok == Tok::kNotEquals     ? Op::kNotEquals
             : o.tok == Tok::kGreaterThan ? Op::kGreaterThan
             : o.tok == Tok::kLessThan    ? Op::kLessThan
                                          : Op::kEquals;
        break;
      }
      default:
        return fail("found '" + o.lit + "', expected: in, notin, =, ==, !=, gt, lt");
    }
    return new_requirement(std::move(key), *op, std::move(values));
  }

  // "(a,b)"; empty members stand for the empty value: "()" "(,a)" "(a,)" "(a,,b)".
  Result<std::vector<std::string>> parse_values() {
    Token t = consume(Mode::kValues);
    if (t.tok != Tok::kOpenPar) return fail("found '" + t.lit + "' expected: '('");
    t = lookahead(Mode::kValues);
    if (t.tok == Tok::kClosedPar) {
      consume(Mode::kValues);
      return std::vector<std::string>{""};
    }
    if (t.tok != Tok::kIdentifier && t.tok != Tok::kComma)
      return fail("found '" + t.lit + "', expected: ',', ')' or identifier");
    auto list = parse_identifiers_list();
    if (!list) return list;
    t = consume(Mode::kValues);
    if (t.tok != Tok::kClosedPar) return fail("found '" + t.lit + "', expected: ')'");
    return list;
  }

  Result<std::vector<std::string>> parse_identifiers_list() {
    std::vector<std::string> out;
    while (true) {
      Token t = consume(Mode::kValues);
      if (t.tok == Tok::kIdentifier) {
        out.push_back(t.lit);
        Token next = lookahead(Mode::kValues);
        if (next.tok == Tok::kClosedPar) return out;
        if (next.tok != Tok::kComma)
          return fail("found '" + next.lit + "', expected: ',' or ')'");
      } else if (t.tok == Tok::kComma) {
        if (out.empty()) out.push_back("");  // "(,"
        Token next = lookahead(Mode::kValues);
        if (next.tok == Tok::kClosedPar) {  // ",)"
          out.push_back("");
          return out;
        }
        if (next.tok == Tok::kComma) {  // ",,"
          consume(Mode::kValues);
          out.push_back("");
        }
      } else {
        return fail("found '" + t.lit + "', expected: ',', or identifier");
      }
    }
  }

  // The value after =, ==, !=, >, <; nothing before ',' or the end is the empty value.
  Result<std::string> parse_exact_value() {
    Token t = lookahead(Mode::kValues);
    if (t.tok == Tok::kEnd || t.tok == Tok::kComma) return std::string();
    t = consume(Mode::kValues);
    if (t.tok == Tok::kIdentifier) return t.lit;
    return fail("found '" + t.lit + "', expected: identifier");
  }

  std::vector<Token> items_;
  size_t pos_ = 0;
};

template <typename Lookup>  // Lookup: (const std::string&) -> std::optional<std::string_view>
bool requirement_matches(const Requirement& r, const Lookup& get) {
  std::optional<std::string_view> v = get(r.key);
  auto has_value = [&] {
    return v && std::find(r.values.begin(), r.values.end(), *v) != r.values.end();
  };
  switch (r.op) {
    case Op::kEquals:
    case Op::kIn:
      return has_value();
    case Op::kNotEquals:
    case Op::kNotIn:
      return !v || !has_value();
    case Op::kExists:
      return v.has_value();
    case Op::kDoesNotExist:
      return !v;
    case Op::kGreaterThan:
    case Op::kLessThan: {
      if (!v || r.values.size() != 1) return false;
      auto have = parse_int64(*v);
      auto want = parse_int64(r.values[0]);
      if (!have || !want) return false;
      return r.op == Op::kGreaterThan ? *have > *want : *have < *want;
    }
  }
  return false;
}

template <typename Lookup>
bool all_match(const std::vector<Requirement>& reqs, const Lookup& get) {
  return std::all_of(reqs.begin(), reqs.end(),
                     [&](const Requirement& r) { return requirement_matches(r, get); });
}

// ---- field selectors (pkg/fields/selector.go) ----

// Splits on commas that are not escaped by a backslash; escapes stay in the terms.
std::vector<std::string_view> split_terms(std::string_view s) {
  std::vector<std::string_view> terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (in_slash) {
      in_slash = false;
    } else if (s[i] == '\\') {
      in_slash = true;
    } else if (s[i] == ',') {
      terms.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(s.substr(start));
  return terms;
}

// The first unescaped "!=", "==" or "=" splits a term into field, operator and value.
bool split_term(std::string_view term, std::string_view& lhs, std::string_view& op,
                std::string_view& rhs) {
  bool in_slash = false;
  for (size_t i = 0; i < term.size(); ++i) {
    if (in_slash) {
      in_slash = false;
      continue;
    }
    if (term[i] == '\\') {
      in_slash = true;
      continue;
    }
    for (std::string_view candidate : {"!=", "==", "="}) {
      if (term.substr(i, candidate.size()) == candidate) {
        lhs = term.substr(0, i);
        op = candidate;
        rhs = term.substr(i + candidate.size());
        return true;
      }
    }
  }
  return false;
}

// fields.UnescapeValue: "\\", "\," and "\=" are the only escapes; bare ',' and '=' are errors.
Result<std::string> unescape_value(std::string_view s) {
  std::string out;
  bool in_slash = false;
  for (char c : s) {
    if (in_slash) {
      if (c != '\\' && c != ',' && c != '=')
        return ApiError::bad_request(
            std::string("invalid field selector: invalid escape sequence: \\") + c);
      out += c;
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      return ApiError::bad_request(
          std::string("invalid field selector: unescaped character in value: ") + c);
    } else {
      out += c;
    }
  }
  if (in_slash) return ApiError::bad_request("invalid field selector: invalid escape sequence: \\");
  return out;
}

std::string escape_value(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

// ---- LabelSelector ----

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  auto reqs = Parser(text).parse();
  if (!reqs) return reqs.error();
  LabelSelector sel;
  sel.reqs_ = std::move(*reqs);
  sort_by_key(sel.reqs_);
  return sel;
}

Result<LabelSelector> LabelSelector::from_json(const json::value* selector) {
  LabelSelector sel;
  if (!selector || selector->is_null()) {
    sel.match_nothing_ = true;
    return sel;
  }
  const json::object* obj = selector->if_object();
  if (!obj) return ApiError::bad_request("label selector must be an object");

  if (const json::value* ml = obj->if_contains("matchLabels"); ml && !ml->is_null()) {
    const json::object* labels = ml->if_object();
    if (!labels) return ApiError::bad_request("matchLabels must be an object");
    for (const auto& [k, v] : *labels) {
      if (!v.is_string())
        return ApiError::bad_request("matchLabels[" + std::string(k) + "] must be a string");
      auto r = new_requirement(std::string(k), Op::kEquals, {std::string(v.get_string())});
      if (!r) return r.error();
      sel.reqs_.push_back(std::move(*r));
    }
  }
  if (const json::value* me = obj->if_contains("matchExpressions"); me && !me->is_null()) {
    const json::array* exprs = me->if_array();
    if (!exprs) return ApiError::bad_request("matchExpressions must be an array");
    for (const json::value& e : *exprs) {
      const json::object* expr = e.if_object();
      if (!expr) return ApiError::bad_request("matchExpressions entries must be objects");
      std::string key = get_string(e, {"key"});
      std::string op_name = get_string(e, {"operator"});
      Op op;
      if (op_name == "In") op = Op::kIn;
      else if (op_name == "NotIn") op = Op::kNotIn;
      else if (op_name == "Exists") op = Op::kExists;
      else if (op_name == "DoesNotExist") op = Op::kDoesNotExist;
      else return ApiError::bad_request(quote(op_name) + " is not a valid label selector operator");
      std::vector<std::string> values;
      if (const json::value* vs = expr->if_contains("values"); vs && !vs->is_null()) {
        const json::array* arr = vs->if_array();
        if (!arr) return ApiError::bad_request("matchExpressions values must be an array");
        for (const json::value& v : *arr) {
          if (!v.is_string())
            return ApiError::bad_request("matchExpressions values must be strings");
          values.emplace_back(v.get_string());
        }
      }
      auto r = new_requirement(std::move(key), op, std::move(values));
      if (!r) return r.error();
      sel.reqs_.push_back(std::move(*r));
    }
  }
  sort_by_key(sel.reqs_);
  return sel;
}

bool LabelSelector::matches(const json::object* labels) const {
  if (match_nothing_) return false;
  return all_match(reqs_, [&](const std::string& key) -> std::optional<std::string_view> {
    if (!labels) return std::nullopt;
    const json::value* v = labels->if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string_view(v->get_string());
  });
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  if (match_nothing_) return false;
  return all_match(reqs_, [&](const std::string& key) -> std::optional<std::string_view> {
    auto it = labels.find(key);
    if (it == labels.end()) return std::nullopt;
    return std::string_view(it->second);
  });
}

std::string LabelSelector::to_string() const {
  std::string out;
  for (const Requirement& r : reqs_) {
    if (!out.empty()) out += ',';
    switch (r.op) {
      case Op::kExists: out += r.key; continue;
      case Op::kDoesNotExist: out += "!" + r.key; continue;
      case Op::kEquals: out += r.key + "="; break;
      case Op::kNotEquals: out += r.key + "!="; break;
      case Op::kGreaterThan: out += r.key + ">"; break;
      case Op::kLessThan: out += r.key + "<"; break;
      case Op::kIn: out += r.key + " in "; break;
      case Op::kNotIn: out += r.key + " notin "; break;
    }
    if (r.op == Op::kIn || r.op == Op::kNotIn) {
      out += "(" + join(r.values, ",") + ")";
    } else if (!r.values.empty()) {
      out += r.values[0];
    }
  }
  return out;
}

// ---- FieldSelector ----

Result<FieldSelector> FieldSelector::parse(std::string_view text) {
  FieldSelector sel;
  for (std::string_view term : split_terms(text)) {
    if (term.empty()) continue;
    std::string_view lhs, op, rhs;
    if (!split_term(term, lhs, op, rhs))
      return ApiError::bad_request("invalid selector: '" + std::string(text) +
                                   "'; can't understand '" + std::string(term) + "'");
    auto value = unescape_value(rhs);
    if (!value) return value.error();
    sel.reqs_.push_back({std::string(lhs), op != "!=", std::move(*value)});
  }
  return sel;
}

bool FieldSelector::matches(const std::map<std::string, std::string>& fields) const {
  return std::all_of(reqs_.begin(), reqs_.end(), [&](const Requirement& r) {
    auto it = fields.find(r.field);
    if (it == fields.end()) return false;
    return (it->second == r.value) == r.equals;
  });
}

Status FieldSelector::check_supported(const std::vector<std::string>& supported) const {
  for (const Requirement& r : reqs_)
    if (std::find(supported.begin(), supported.end(), r.field) == supported.end())
      return ApiError::bad_request("field label not supported: " + r.field);
  return ok_status();
}

const std::string* FieldSelector::exact(const std::string& field) const {
  for (const Requirement& r : reqs_)
    if (r.equals && r.field == field) return &r.value;
  return nullptr;
}

std::string FieldSelector::to_string() const {
  std::string out;
  for (const Requirement& r : reqs_) {
    if (!out.empty()) out += ',';
    out += r.field + (r.equals ? "=" : "!=") + escape_value(r.value);
  }
  return out;
}

}  // namespace skiff
