// Grammar from the distribution reference package (reference.go), implemented by hand:
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [domain '/'] path-component ['/' path-component]*
//   domain    := host [':' port]; host is dot-separated labels or a bracketed IPv6 address
//   path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*, separator := [._] | "__" | "-"+
//   tag       := [\w][\w.-]{0,127}
#include "images/reference.h"

#include <cctype>

namespace skiff::images {
namespace {

bool fail(std::string* err, std::string msg) {
  if (err) *err = std::move(msg);
  return false;
}

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool valid_path_component(std::string_view c) {
  if (c.empty() || !lower_alnum(c.front()) || !lower_alnum(c.back())) return false;
  for (size_t i = 0; i < c.size();) {
    if (lower_alnum(c[i])) {
      ++i;
      continue;
    }
    // A separator: one '.', one '_', "__", or a run of '-'; it must be followed by alnum.
    size_t j = i;
    if (c[i] == '.') {
      j = i + 1;
    } else if (c[i] == '_') {
      j = (i + 1 < c.size() && c[i + 1] == '_') ? i + 2 : i + 1;
    } else if (c[i] == '-') {
      while (j < c.size() && c[j] == '-') ++j;
    } else {
      return false;
    }
    if (j >= c.size() || !lower_alnum(c[j])) return false;
    i = j;
  }
  return true;
}

bool valid_label(std::string_view l) {
  if (l.empty()) return false;
  auto an = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!an(l.front()) || !an(l.back())) return false;
  for (char c : l)
    if (!an(c) && c != '-') return false;
  return true;
}

bool valid_domain(std::string_view d) {
  std::string_view host = d, port;
  if (!d.empty() && d.front() == '[') {
    auto close = d.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : d.substr(1, close - 1))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':') return false;
    std::string_view rest = d.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    port = rest.substr(1);
    if (port.empty()) return false;
    host = {};
  } else {
    auto colon = d.find(':');
    if (colon != std::string_view::npos) {
      host = d.substr(0, colon);
      port = d.substr(colon + 1);
      if (port.empty()) return false;
    }
  }
  for (char c : port)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  if (!host.empty() || d.front() != '[') {
    size_t start = 0;
    while (true) {
      auto dot = host.find('.', start);
      if (!valid_label(host.substr(start, dot == std::string_view::npos ? dot : dot - start)))
        return false;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  return true;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > 128 || !word_char(t.front())) return false;
  for (char c : t)
    if (!word_char(c) && c != '.' && c != '-') return false;
  return true;
}

}  // namespace

bool valid_digest(std::string_view d) {
  if (d.size() != 71 || d.substr(0, 7) != "sha256:") return false;
  for (char c : d.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string Reference::str() const {
  std::string s = name();
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

std::optional<Reference> parse_reference(std::string_view s, std::string* err) {
  Reference r;
  if (s.empty()) return fail(err, "invalid reference format: empty"), std::nullopt;
  std::string_view rest = s;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    r.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!valid_digest(r.digest))
      return fail(err, "invalid digest \"" + r.digest + "\" (want sha256:<64 hex digits>)"),
             std::nullopt;
  }
  // A tag is after the last ':' that comes after the last '/' (a ':' before it is a port).
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    r.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (!valid_tag(r.tag))
      return fail(err, "invalid tag \"" + r.tag + "\" in \"" + std::string(s) + "\""), std::nullopt;
  }
  if (rest.empty()) return fail(err, "invalid reference format: no repository name"), std::nullopt;
  if (rest.size() > 255)
    return fail(err, "repository name must not be more than 255 characters"), std::nullopt;
  // The first component is a domain when it has a '.' or ':', or is "localhost"; Docker also
  // treats it as a domain when it has upper-case letters (which then fail as a path otherwise).
  std::string_view remainder = rest;
  auto first = rest.find('/');
  if (first != std::string_view::npos) {
    std::string_view head = rest.substr(0, first);
    bool upper = false;
    for (char c : head) upper |= (c >= 'A' && c <= 'Z');
    if (head.find_first_of(".:") != std::string_view::npos || head == "localhost" || upper) {
      r.domain = std::string(head);
      remainder = rest.substr(first + 1);
    }
  }
  if (r.domain.empty()) {
    r.domain = std::string(kDefaultDomain);
  } else if (!valid_domain(r.domain)) {
    return fail(err, "invalid registry host \"" + r.domain + "\""), std::nullopt;
  }
  if (r.domain == "index.docker.io" || r.domain == "registry-1.docker.io")
    r.domain = std::string(kDefaultDomain);
  r.path = std::string(remainder);
  if (r.domain == kDefaultDomain && r.path.find('/') == std::string::npos)
    r.path = "library/" + r.path;
  size_t start = 0;
  while (true) {
    auto p = r.path.find('/', start);
    std::string_view comp =
        std::string_view(r.path).substr(start, p == std::string::npos ? p : p - start);
    if (!valid_path_component(comp)) {
      bool upper = false;
      for (char c : comp) upper |= (c >= 'A' && c <= 'Z');
      return fail(err, upper ? "invalid reference format: repository name must be lowercase (\"" +
                                   std::string(s) + "\")"
                             : "invalid reference format: \"" + std::string(s) + "\""),
             std::nullopt;
    }
    if (p == std::string::npos) break;
    start = p + 1;
  }
  if (r.domain == kDefaultDomain && r.path.size() == 64 + 8 && r.path.substr(0, 8) == "library/") {
    bool hex = true;
    for (char c : r.path.substr(8)) hex &= std::isxdigit(static_cast<unsigned char>(c)) != 0;
    if (hex && r.tag.empty() && r.digest.empty())
      return fail(err, "invalid repository name (64 hex characters look like an image ID)"),
             std::nullopt;
  }
  if (r.tag.empty() && r.digest.empty()) r.tag = "latest";
  return r;
}

}  // namespace skiff::images
