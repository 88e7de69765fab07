// Private to net/: percent-decoding of request paths and query strings (RFC 3986, plus the
// form-encoding rule that '+' in a query means space).
#pragma once
#include <map>
#include <string>
#include <string_view>

namespace skiff::net {

// Decodes %XX escapes; a malformed escape is kept literally. With plus_is_space, '+' -> ' '.
std::string percent_decode(std::string_view s, bool plus_is_space);

// Splits "a=1&b=x%20y&c" into {a:1, b:"x y", c:""} (keys and values decoded, '+' = space).
std::multimap<std::string, std::string> parse_query(std::string_view query);

}  // namespace skiff::net
