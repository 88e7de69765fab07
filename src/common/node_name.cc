#include "common/node_name.h"

#include <unistd.h>

#include <cctype>

namespace skiff {
std::string default_node_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::string s;
  for (unsigned char c : std::string(host)) {
    c = static_cast<unsigned char>(std::tolower(c));
    s += std::isalnum(c) || c == '.' || c == '-' ? static_cast<char>(c) : '-';
  }
  while (!s.empty() && !std::isalnum(static_cast<unsigned char>(s.back()))) s.pop_back();
  while (!s.empty() && !std::isalnum(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  if (s.size() > 253) s.resize(253);
  return s.empty() ? "node" : s;
}
}  // namespace skiff
