#include "api/validation_util.h"

#include <arpa/inet.h>

#include <cmath>
#include <set>

namespace skiff::api::detail {
namespace {
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// upstream's RegexError: msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')
std::string regex_error(const std::string& msg, const std::string& fmt,
                        std::initializer_list<const char*> examples) {
  std::string out = msg;
  if (examples.size() == 0) return out + " (regex used for validation is '" + fmt + "')";
  out += " (e.g. ";
  bool first = true;
  for (const char* e : examples) {
    if (!first) out += " or ";
    first = false;
    out += "'" + std::string(e) + "', ";
  }
  return out + "regex used for validation is '" + fmt + "')";
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool match_label(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  for (char c : s)
    if (!is_lower_alnum(c) && c != '-') return false;
  return true;
}
bool match_subdomain(std::string_view s) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (!match_label(s.substr(start, dot == std::string_view::npos ? dot : dot - start)))
      return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}
// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool match_qualified(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  for (char c : s)
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

const char* kLabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
const char* kLabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const char* kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
const char* kSubdomainFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const char* kQualifiedMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
const char* kQualifiedFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
}  // namespace

const char* const kQuantityRegexMsg =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

std::string child(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}
std::string idx(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }
std::string key(const std::string& path, std::string_view k) {
  return path + "[" + std::string(k) + "]";
}

const json::object* obj_at(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it == o.end() ? nullptr : it->value().if_object();
}
json::object* obj_at(json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it == o.end() ? nullptr : it->value().if_object();
}
const json::array* arr_at(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it == o.end() ? nullptr : it->value().if_array();
}
json::array* arr_at(json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it == o.end() ? nullptr : it->value().if_array();
}
std::optional<std::string> str_at(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}
std::string str_or(const json::object& o, std::string_view k, std::string_view def) {
  auto s = str_at(o, k);
  return s ? *s : std::string(def);
}
bool as_int(const json::value& v, int64_t& out) {
  if (v.is_int64()) {
    out = v.get_int64();
    return true;
  }
  if (v.is_uint64()) {
    out = static_cast<int64_t>(v.get_uint64());
    return true;
  }
  if (v.is_double() && std::floor(v.get_double()) == v.get_double()) {
    out = static_cast<int64_t>(v.get_double());
    return true;
  }
  return false;
}
std::optional<int64_t> int_at(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  int64_t n;
  if (it == o.end() || !as_int(it->value(), n)) return std::nullopt;
  return n;
}
std::optional<bool> bool_at(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  if (it == o.end() || !it->value().is_bool()) return std::nullopt;
  return it->value().get_bool();
}
bool has(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it != o.end() && !it->value().is_null();
}
const json::value& value_at(const json::object& o, std::string_view k) {
  static const json::value kNull;
  auto it = o.find(k);
  return it == o.end() ? kNull : it->value();
}

std::string max_len_error(size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}
std::string inclusive_range_error(int64_t lo, int64_t hi) {
  return "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", inclusive";
}

Msgs dns1123_label(std::string_view s) {
  Msgs errs;
  if (s.size() > 63) errs.push_back(max_len_error(63));
  if (!match_label(s)) {
    if (match_subdomain(s))
      errs.push_back("must not contain dots");
    else
      errs.push_back(regex_error(kLabelMsg, kLabelFmt, {"my-name", "123-abc"}));
  }
  return errs;
}
Msgs dns1123_subdomain(std::string_view s) {
  Msgs errs;
  if (s.size() > 253) errs.push_back(max_len_error(253));
  if (!match_subdomain(s))
    errs.push_back(regex_error(kSubdomainMsg, kSubdomainFmt, {"example.com"}));
  return errs;
}
Msgs dns1035_label(std::string_view s) {
  Msgs errs;
  if (s.size() > 63) errs.push_back(max_len_error(63));
  if (!match_label(s) || !(s.front() >= 'a' && s.front() <= 'z'))
    errs.push_back(regex_error(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
        "an alphabetic character, and end with an alphanumeric character",
        "[a-z]([-a-z0-9]*[a-z0-9])?", {"my-name", "abc-123"}));
  return errs;
}
Msgs qualified_name(std::string_view s) {
  Msgs errs;
  std::string_view name = s;
  size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    if (s.find('/', slash + 1) != std::string_view::npos) {
      errs.push_back("a qualified name " +
                     regex_error(kQualifiedMsg, kQualifiedFmt, {"MyName", "my.name", "123-abc"}) +
                     " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errs;
    }
    std::string_view prefix = s.substr(0, slash);
    name = s.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (auto& m : dns1123_subdomain(prefix)) errs.push_back("prefix part " + m);
    }
  }
  if (name.empty())
    errs.push_back("name part must be non-empty");
  else if (name.size() > 63)
    errs.push_back("name part " + max_len_error(63));
  if (!match_qualified(name))
    errs.push_back("name part " +
                   regex_error(kQualifiedMsg, kQualifiedFmt, {"MyName", "my.name", "123-abc"}));
  return errs;
}
Msgs label_value(std::string_view s) {
  Msgs errs;
  if (s.size() > 63) errs.push_back(max_len_error(63));
  if (!s.empty() && !match_qualified(s))
    errs.push_back(regex_error(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
        "'.', and must start and end with an alphanumeric character",
        "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", {"MyValue", "my_value", "12345"}));
  return errs;
}
Msgs iana_svc_name(std::string_view s) {
  Msgs errs;
  if (s.size() > 15) errs.push_back(max_len_error(15));
  bool charset = !s.empty(), letter = false;
  for (char c : s) {
    if (!is_lower_alnum(c) && c != '-') charset = false;
    if (c >= 'a' && c <= 'z') letter = true;
  }
  if (!charset)
    errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!letter) errs.push_back("must contain at least one letter (a-z)");
  if (s.find("--") != std::string_view::npos)
    errs.push_back("must not contain consecutive hyphens");
  if (!s.empty() && (s.front() == '-' || s.back() == '-'))
    errs.push_back("must not begin or end with a hyphen");
  return errs;
}
Msgs env_var_name(std::string_view s) {
  bool ok = !s.empty() && !is_digit(s.front());
  for (char c : s)
    if (!is_alnum(c) && c != '-' && c != '.' && c != '_') ok = false;
  if (ok) return {};
  return {regex_error(
      "a valid environment variable name must consist of alphabetic characters, digits, '_', "
      "'-', or '.', and must not start with a digit",
      "[-._a-zA-Z][-._a-zA-Z0-9]*", {"my.env-name", "MY_ENV.NAME", "MyEnvName1"})};
}
Msgs config_map_key(std::string_view s) {
  Msgs errs;
  if (s.size() > 253) errs.push_back(max_len_error(253));
  bool ok = !s.empty();
  for (char c : s)
    if (!is_alnum(c) && c != '-' && c != '.' && c != '_') ok = false;
  if (!ok)
    errs.push_back(
        regex_error("a valid config key must consist of alphanumeric characters, '-', "
                    "'_' or '.'",
                    "[-._a-zA-Z0-9]+", {"key.name", "KEY_NAME", "key-name"}));
  if (s == ".")
    errs.push_back("must not be '.'");
  else if (s == "..")
    errs.push_back("must not be '..'");
  else if (s.substr(0, 2) == "..")
    errs.push_back("must not start with '..'");
  return errs;
}
Msgs valid_percent(std::string_view s) {
  bool ok = s.size() >= 2 && s.back() == '%';
  for (size_t i = 0; ok && i + 1 < s.size(); ++i) ok = is_digit(s[i]);
  if (ok) return {};
  return {regex_error("a valid percent string must be a numeric string followed by an ending '%'",
                      "[0-9]+%", {"1%", "93%"})};
}
Msgs port_num(int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {inclusive_range_error(1, 65535)};
}
bool is_ipv4(std::string_view s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, std::string(s).c_str(), buf) == 1;
}
bool is_ip(std::string_view s) {
  unsigned char buf[16];
  std::string str(s);
  return inet_pton(AF_INET, str.c_str(), buf) == 1 || inet_pton(AF_INET6, str.c_str(), buf) == 1;
}
bool is_cidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash + 1 >= s.size()) return false;
  std::string_view ip = s.substr(0, slash), bits = s.substr(slash + 1);
  for (char c : bits)
    if (!is_digit(c)) return false;
  if (bits.size() > 3) return false;
  int n = std::stoi(std::string(bits));
  return is_ipv4(ip) ? n <= 32 : (is_ip(ip) && n <= 128);
}

Msgs check_name(NameRule rule, std::string_view name, bool prefix) {
  std::string n(name);
  if (prefix && n.size() > 1 && n.back() == '-') n = n.substr(0, n.size() - 2) + "a";
  switch (rule) {
    case NameRule::kSubdomain:
      return dns1123_subdomain(n);
    case NameRule::kLabel:
      return dns1123_label(n);
    case NameRule::kDns1035:
      return dns1035_label(n);
    case NameRule::kPathSegment: {
      Msgs errs;
      if (n == "." || n == "..") errs.push_back("may not be '" + n + "'");
      if (n.find('/') != std::string::npos) errs.push_back("may not contain '/'");
      if (n.find('%') != std::string::npos) errs.push_back("may not contain '%'");
      return errs;
    }
  }
  return {};
}

void add_msgs(Causes& out, const std::string& path, const json::value& v, const Msgs& msgs) {
  for (const auto& m : msgs) out.push_back(invalid(path, v, m));
}
void nonnegative(Causes& out, const json::object& o, std::string_view k, const std::string& path) {
  auto n = int_at(o, k);
  if (n && *n < 0) out.push_back(invalid(path, *n, "must be greater than or equal to 0"));
}
void enum_field(Causes& out, const json::object& o, std::string_view k, const std::string& path,
                const std::vector<std::string>& valid, bool required) {
  auto s = str_at(o, k);
  if (!s || s->empty()) {
    if (required) out.push_back(::skiff::required(path));
    return;
  }
  for (const auto& v : valid)
    if (v == *s) return;
  out.push_back(not_supported(path, json::value(*s), valid));
}
FieldCause not_found(std::string field, const json::value& v) {
  return {"FieldValueNotFound", std::move(field), "Not found: " + json::serialize(v)};
}
void port_num_or_name(Causes& out, const json::value& v, const std::string& path) {
  int64_t n;
  if (as_int(v, n)) {
    add_msgs(out, path, v, port_num(n));
  } else if (v.is_string()) {
    add_msgs(out, path, v, iana_svc_name(v.get_string()));
  } else {
    out.push_back(::skiff::required(path));
  }
}
bool is_percent(const json::value& v) { return v.is_string(); }
void positive_int_or_percent(Causes& out, const json::value& v, const std::string& path) {
  int64_t n;
  if (v.is_string()) {
    add_msgs(out, path, v, valid_percent(v.get_string()));
  } else if (as_int(v, n) && n < 0) {
    out.push_back(invalid(path, v, "must be greater than or equal to 0"));
  }
}
int64_t int_or_percent_value(const json::value& v) {
  int64_t n = 0;
  if (as_int(v, n)) return n;
  if (v.is_string()) {
    std::string s(v.get_string());
    if (!s.empty() && s.back() == '%') s.pop_back();
    try {
      return std::stoll(s);
    } catch (...) {
      return -1;
    }
  }
  return 0;
}

}  // namespace skiff::api::detail
