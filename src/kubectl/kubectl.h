// The kubectl tool of the multi-call binary (`skiff kubectl ...` or a `kubectl` symlink).
#pragma once

namespace skiff::kubectl {
int main(int argc, char** argv);
}
