#include "kubectl/kubectl.h"

#include <cstdio>

namespace skiff::kubectl {
// Decision: until skiff ships its own kubectl, point users at the real one, which skiff serves
// unchanged (see README). Exit 1 so scripts notice.
int main(int argc, char** argv) {
  std::fprintf(stderr,
               "skiff kubectl: not implemented yet; use the real kubectl with the kubeconfig that "
               "`skiff server` writes (DATA_DIR/admin.kubeconfig)\n");
  return 1;
}
}  // namespace skiff::kubectl
