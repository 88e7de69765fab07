#include "kubectl/kubectl.h"

#include <cstdio>
#include <string>

namespace skiff::kubectl {
// Decision: until skiff ships its own kubectl, point users at the real one, which skiff serves
// unchanged (see README). Exit 1 so scripts notice (0 for --help, which asks for this text).
int main(int argc, char** argv) {
  const bool help = argc == 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h");
  std::fprintf(help ? stdout : stderr,
               "skiff kubectl: not implemented yet; use the real kubectl with the kubeconfig that "
               "`skiff server` writes (DATA_DIR/admin.kubeconfig)\n");
  return help ? 0 : 1;
}
}  // namespace skiff::kubectl
