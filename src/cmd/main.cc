// skiff: one binary for every component; the tool is chosen by argv[0] (a `kubectl` symlink) or
// by the first argument (`skiff server ...`).
#include <cstdio>
#include <cstring>
#include <string>

#include "kubectl/kubectl.h"

int main(int argc, char** argv) {
  std::string self = argv[0];
  auto slash = self.rfind('/');
  if (slash != std::string::npos) self = self.substr(slash + 1);
  if (self == "kubectl") return skiff::kubectl::main(argc, argv);
  if (argc >= 2 && std::strcmp(argv[1], "kubectl") == 0)
    return skiff::kubectl::main(argc - 1, argv + 1);
  std::fprintf(stderr, "usage: skiff server|version|kubectl ...\n");
  return 2;
}
