// YAML → JSON with yaml-cpp for the syntax and go-yaml v2's rules (which sigs.k8s.io/yaml, and so
// the API server, uses) for typing plain scalars, turning keys into strings and merging "<<".
#include "apimachinery/yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace skiff {
namespace {

constexpr const char* kTagStr = "tag:yaml.org,2002:str";
constexpr const char* kTagInt = "tag:yaml.org,2002:int";
constexpr const char* kTagFloat = "tag:yaml.org,2002:float";
constexpr const char* kTagBool = "tag:yaml.org,2002:bool";
constexpr const char* kTagNull = "tag:yaml.org,2002:null";
constexpr const char* kTagMerge = "tag:yaml.org,2002:merge";

// Nesting deeper than this (through aliases, which yaml-cpp's own guard does not see) or more
// nodes than this in the output (alias "billion laughs") is refused rather than expanded.
constexpr int kMaxDepth = 1000;
constexpr size_t kMaxNodes = 1'000'000;

// Thrown inside the converter only, and turned into an ApiError at the boundary.
struct ConvertError {
  std::string message;
};

bool one_of(std::string_view s, std::initializer_list<std::string_view> options) {
  for (auto o : options)
    if (s == o) return true;
  return false;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// strconv.ParseUint(s, 0, 64) on an unsigned body: 0x/0o/0b prefixes, a leading 0 for octal.
std::optional<uint64_t> parse_go_uint(std::string_view s) {
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') base = 16, s.remove_prefix(2);
    else if (p == 'o' || p == 'O') base = 8, s.remove_prefix(2);
    else if (p == 'b' || p == 'B') base = 2, s.remove_prefix(2);
    else base = 8, s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d = digit_value(c);
    if (d >= base) return std::nullopt;
    if (v > (std::numeric_limits<uint64_t>::max() - d) / base) return std::nullopt;
    v = v * base + d;
  }
  return v;
}

// strconv.ParseInt(s, 0, 64): an optional sign, then as parse_go_uint.
std::optional<int64_t> parse_go_int(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  auto u = parse_go_uint(s);
  if (!u) return std::nullopt;
  constexpr uint64_t kMaxPos = std::numeric_limits<int64_t>::max();
  if (neg) {
    if (*u > kMaxPos + 1) return std::nullopt;
    return *u == kMaxPos + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(*u);
  }
  if (*u > kMaxPos) return std::nullopt;
  return static_cast<int64_t>(*u);
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool is_yaml_float(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  size_t e = s.find_first_of("eE");
  std::string_view mant = s.substr(0, e);
  if (e != std::string_view::npos) {
    std::string_view exp = s.substr(e + 1);
    if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) exp.remove_prefix(1);
    if (!all_digits(exp)) return false;
  }
  size_t dot = mant.find('.');
  if (dot == std::string_view::npos) return all_digits(mant);
  std::string_view whole = mant.substr(0, dot), frac = mant.substr(dot + 1);
  if (whole.empty()) return all_digits(frac);
  return all_digits(whole) && (frac.empty() || all_digits(frac));
}

// strconv.ParseFloat on text already known to be a plain decimal float; nullopt on overflow
// (Go reports ErrRange there, and go-yaml then keeps the scalar as a string).
std::optional<double> parse_float(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// A float that Go's encoding/json writes without an exponent and with no fraction comes back
// from the API server's JSON decoding as an integer ("replicas: 3.0" is 3); mirror that.
json::value float_value(double d) {
  if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.2e18)
    return json::value(static_cast<int64_t>(d));
  return json::value(d);
}

enum class Kind { kNull, kBool, kInt, kFloat, kStr };

struct Scalar {
  Kind kind;
  json::value value;
};

// go-yaml v2's resolve() for an untagged plain scalar.
Scalar resolve_plain(const std::string& in) {
  if (one_of(in, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}))
    return {Kind::kBool, true};
  if (one_of(in, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}))
    return {Kind::kBool, false};
  if (one_of(in, {"", "~", "null", "Null", "NULL"})) return {Kind::kNull, nullptr};
  if (one_of(in, {".nan", ".NaN", ".NAN"}))
    return {Kind::kFloat, std::numeric_limits<double>::quiet_NaN()};
  if (one_of(in, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}))
    return {Kind::kFloat, std::numeric_limits<double>::infinity()};
  if (one_of(in, {"-.inf", "-.Inf", "-.INF"}))
    return {Kind::kFloat, -std::numeric_limits<double>::infinity()};

  char first = in[0];
  if (first == '.') {
    // strconv.ParseFloat directly, no underscores: ".5", ".5e3".
    if (is_yaml_float(in))
      if (auto f = parse_float(in)) return {Kind::kFloat, float_value(*f)};
  } else if ((first >= '0' && first <= '9') || first == '+' || first == '-') {
    // Ints (any base), then uints, then floats; go-yaml drops every '_' first. Timestamps stay
    // strings when decoding into interface{}, which they do here by failing all three.
    std::string plain;
    for (char c : in)
      if (c != '_') plain += c;
    if (auto i = parse_go_int(plain)) return {Kind::kInt, *i};
    if (first != '+' && first != '-')
      if (auto u = parse_go_uint(plain)) return {Kind::kInt, *u};
    if (is_yaml_float(plain))
      if (auto f = parse_float(plain)) return {Kind::kFloat, float_value(*f)};
  }
  return {Kind::kStr, json::string(in)};
}

std::string short_tag(std::string_view tag) {
  constexpr std::string_view kPrefix = "tag:yaml.org,2002:";
  if (tag.substr(0, kPrefix.size()) == kPrefix)
    return "!!" + std::string(tag.substr(kPrefix.size()));
  return std::string(tag);
}

std::string location(const YAML::Mark& m) {
  return m.is_null() ? std::string() : "line " + std::to_string(m.line + 1) + ": ";
}

// The parsed document as yaml-cpp's events describe it. Aliases share the anchored node.
struct YNode {
  enum class Type { kNull, kScalar, kSequence, kMap };
  Type type = Type::kNull;
  std::string tag;    // "?" plain, "!" quoted or block, or a resolved tag
  std::string value;  // scalars
  std::vector<std::shared_ptr<const YNode>> items;  // sequences; maps as key, value, key, ...
  YAML::Mark mark;
};
using YNodePtr = std::shared_ptr<const YNode>;

// Builds YNodes from parser events (yaml-cpp's own builder is not public, and its LoadAll never
// returns on some inputs, so documents are pulled one at a time here).
class TreeBuilder : public YAML::EventHandler {
 public:
  YNodePtr take_root() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark& mark) override {
    root_.reset();
    stack_.clear();
    anchors_.clear();
    doc_mark_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto n = std::make_shared<YNode>();
    n->mark = mark;
    finish(std::move(n), anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || !anchors_[anchor])
      throw ConvertError{location(mark) + "anchor value contains itself"};
    add(anchors_[anchor]);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    auto n = std::make_shared<YNode>();
    n->type = YNode::Type::kScalar;
    n->tag = tag;
    n->value = value;
    n->mark = mark;
    finish(std::move(n), anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(YNode::Type::kSequence, mark, tag, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(YNode::Type::kMap, mark, tag, anchor);
  }
  void OnMapEnd() override { close(); }

  const YAML::Mark& doc_mark() const { return doc_mark_; }

 private:
  struct Open {
    std::shared_ptr<YNode> node;
    YAML::anchor_t anchor;
  };

  void open(YNode::Type type, const YAML::Mark& mark, const std::string& tag,
            YAML::anchor_t anchor) {
    if (stack_.size() >= static_cast<size_t>(kMaxDepth))
      throw ConvertError{location(mark) + "document nested too deeply"};
    auto n = std::make_shared<YNode>();
    n->type = type;
    n->tag = tag;
    n->mark = mark;
    stack_.push_back({std::move(n), anchor});
  }
  void close() {
    if (stack_.empty()) return;
    Open top = std::move(stack_.back());
    stack_.pop_back();
    finish(std::move(top.node), top.anchor);
  }
  // An anchor names its node only once the node is complete, so an alias inside its own anchor
  // (a cycle) is refused rather than built.
  void finish(std::shared_ptr<YNode> n, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
      anchors_[anchor] = n;
    }
    add(std::move(n));
  }
  void add(YNodePtr n) {
    if (stack_.empty()) {
      root_ = std::move(n);
    } else {
      stack_.back().node->items.push_back(std::move(n));
    }
  }

  YNodePtr root_;
  std::vector<Open> stack_;
  std::vector<YNodePtr> anchors_;  // by yaml-cpp's per-document anchor id
  YAML::Mark doc_mark_;
};

// A scalar (or null) node's value under go-yaml's rules for its tag.
Scalar resolve_scalar(const YNode& node) {
  const std::string& tag = node.tag;
  if (node.type == YNode::Type::kNull) return {Kind::kNull, nullptr};
  const std::string& text = node.value;
  // Quoted and block scalars carry the non-specific tag "!": always strings, as are explicit
  // !!str and tags go-yaml does not resolve (custom "!foo" tags, !!binary kept undecoded).
  bool resolvable = tag.empty() || tag == "?" ||
                    one_of(tag, {kTagInt, kTagFloat, kTagBool, kTagNull, kTagMerge});
  if (!resolvable) return {Kind::kStr, json::string(text)};
  Scalar s = resolve_plain(text);
  if (tag.empty() || tag == "?" || tag == kTagMerge) return s;
  Kind want = tag == kTagInt     ? Kind::kInt
              : tag == kTagFloat ? Kind::kFloat
              : tag == kTagBool  ? Kind::kBool
                                 : Kind::kNull;
  if (s.kind == want) return s;
  if (want == Kind::kFloat && s.kind == Kind::kInt) {
    double d = s.value.is_int64() ? static_cast<double>(s.value.get_int64())
                                  : static_cast<double>(s.value.get_uint64());
    return {Kind::kFloat, float_value(d)};
  }
  static const char* const kNames[] = {"!!null", "!!bool", "!!int", "!!float", "!!str"};
  throw ConvertError{location(node.mark) + "cannot decode " + kNames[static_cast<int>(s.kind)] +
                     " `" + text + "` as a " + short_tag(tag)};
}

// strconv.FormatFloat(f, 'g', -1, 32): shortest float32 digits, %e when exp < -4 || exp >= 6.
std::string format_float32_g(double d) {
  if (std::isnan(d)) return ".nan";
  if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
  float f = static_cast<float>(d);
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // "-1.2345e+06"
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exp = std::stoi(sci.substr(e + 1));
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return out + ebuf;
  }
  if (exp < 0) return out + "0." + std::string(-exp - 1, '0') + digits;
  if (static_cast<size_t>(exp) + 1 >= digits.size())
    return out + digits + std::string(exp + 1 - digits.size(), '0');
  return out + digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
}

class Converter {
 public:
  explicit Converter(std::vector<std::string>* duplicates) : duplicates_(duplicates) {}

  json::value convert(const YNode& node, int depth) {
    if (depth > kMaxDepth) throw ConvertError{location(node.mark) + "document nested too deeply"};
    if (++nodes_ > kMaxNodes)
      throw ConvertError{location(node.mark) + "document contains excessive aliasing"};
    switch (node.type) {
      case YNode::Type::kNull:
      case YNode::Type::kScalar: {
        Scalar s = resolve_scalar(node);
        if (s.kind == Kind::kFloat && s.value.is_double() && !std::isfinite(s.value.get_double())) {
          double d = s.value.get_double();
          // sigs.k8s.io/yaml fails in json.Marshal on these.
          throw ConvertError{std::string("json: unsupported value: ") +
                             (std::isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf")};
        }
        return std::move(s.value);
      }
      case YNode::Type::kSequence: {
        json::array arr;
        arr.reserve(node.items.size());
        for (const YNodePtr& item : node.items) arr.push_back(convert(*item, depth + 1));
        return arr;
      }
      case YNode::Type::kMap: {
        json::object obj;
        fill_map(node, obj, depth);
        return obj;
      }
    }
    return nullptr;
  }

 private:
  static bool is_merge_key(const YNode& key) {
    return key.type == YNode::Type::kScalar && key.value == "<<" &&
           (key.tag == "?" || key.tag == kTagMerge);
  }

  // Explicit keys win over merged ones, and earlier merged maps over later ones (YAML's merge
  // key spec; go-yaml v2 agrees whenever "<<" comes first, the usual way to write it).
  void fill_map(const YNode& node, json::object& obj, int depth) {
    std::vector<const YNode*> merges;
    for (size_t i = 0; i + 1 < node.items.size(); i += 2) {
      const YNode& key = *node.items[i];
      const YNode& value = *node.items[i + 1];
      if (is_merge_key(key)) {
        merges.push_back(&value);
        continue;
      }
      std::string k = key_string(key);
      if (duplicates_ && obj.contains(k))
        duplicates_->push_back(location(key.mark) + "key " +
                               (resolve_scalar(key).kind == Kind::kStr ? "\"" + k + "\"" : k) +
                               " already set in map");
      obj.insert_or_assign(k, convert(value, depth + 1));  // duplicate keys: last wins
    }
    for (const YNode* m : merges) {
      if (m->type == YNode::Type::kMap) {
        merge_into(*m, obj, depth);
      } else if (m->type == YNode::Type::kSequence) {
        for (const YNodePtr& item : m->items) {
          if (item->type != YNode::Type::kMap)
            throw ConvertError{location(item->mark) +
                               "map merge requires map or sequence of maps as the value"};
          merge_into(*item, obj, depth);
        }
      } else {
        throw ConvertError{location(m->mark) +
                           "map merge requires map or sequence of maps as the value"};
      }
    }
  }

  void merge_into(const YNode& source, json::object& obj, int depth) {
    if (depth > kMaxDepth) throw ConvertError{location(source.mark) + "document nested too deeply"};
    json::object merged;
    fill_map(source, merged, depth + 1);
    for (auto& [k, v] : merged)
      if (!obj.contains(k)) obj.emplace(k, std::move(v));
  }

  // sigs.k8s.io/yaml's key conversion: go-yaml types the key like any scalar, then bools, ints and
  // floats are printed back ("yes: 1" has the key "true"); null and non-scalar keys are refused.
  std::string key_string(const YNode& key) {
    if (key.type == YNode::Type::kSequence || key.type == YNode::Type::kMap)
      throw ConvertError{location(key.mark) + "unsupported map key: not a scalar"};
    Scalar s = resolve_scalar(key);
    switch (s.kind) {
      case Kind::kStr: return std::string(s.value.get_string());
      case Kind::kBool: return s.value.get_bool() ? "true" : "false";
      case Kind::kInt:
        return s.value.is_int64() ? std::to_string(s.value.get_int64())
                                  : std::to_string(s.value.get_uint64());
      case Kind::kFloat:
        return format_float32_g(s.value.is_double() ? s.value.get_double()
                                                    : static_cast<double>(s.value.get_int64()));
      case Kind::kNull: break;
    }
    throw ConvertError{location(key.mark) + "unsupported map key: null"};
  }

  size_t nodes_ = 0;
  std::vector<std::string>* duplicates_;
};

ApiError yaml_error(const std::string& detail) {
  return ApiError::bad_request("error converting YAML to JSON: yaml: " + detail);
}

}  // namespace

Result<json::value> yaml_to_json(std::string_view text, std::vector<std::string>* duplicate_keys) {
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    TreeBuilder builder;
    // Every real document takes at least a few characters ("---"); a parser that keeps reporting
    // documents past that is stuck (yaml-cpp 0.7 does so on a leading ',').
    const size_t max_documents = text.size() / 3 + 2;
    size_t documents = 0;
    YNodePtr doc;
    while (parser.HandleNextDocument(builder)) {
      if (++documents > max_documents)
        return yaml_error(location(builder.doc_mark()) + "did not find expected node content");
      YNodePtr root = builder.take_root();
      // Empty documents (a stray "---" at either end) do not count; two real ones are an error.
      if (!root || root->type == YNode::Type::kNull) continue;
      if (doc)
        return yaml_error(location(root->mark) +
                          "expected a single YAML document, found more than one");
      doc = std::move(root);
    }
    if (!doc) return json::value(nullptr);
    return Converter(duplicate_keys).convert(*doc, 0);
  } catch (const YAML::Exception& e) {
    return yaml_error(location(e.mark) + e.msg);
  } catch (const ConvertError& e) {
    return yaml_error(e.message);
  } catch (const std::exception& e) {
    return yaml_error(e.what());
  } catch (...) {
    return yaml_error("malformed document");
  }
}

}  // namespace skiff
