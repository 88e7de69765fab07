// The system image: skiff's own binary and the shared libraries it links, as an OCI image that
// every node assembles locally (no registry), so system pods (the cluster DNS, src/addons) run
// the very binary the node runs. docs/network.md, "Cluster DNS".
//
// Its name is fixed (kSystemImageName); its tag is derived from the binary (the skiff version
// and the first 12 hex digits of the ELF build ID), so every host running the same binary, and
// the server writing the Deployment, agree on one reference without talking to each other. A
// host with another binary has another tag: its pods of the old reference fail with
// ErrImageNeverPull until the Deployment names its tag (the server sets its own at start).
#pragma once
#include <string>
#include <vector>

#include "images/images.h"

namespace skiff::images {

inline constexpr const char* kSystemImageName = "localhost/skiff/system";

// "localhost/skiff/system:<version>-<build id prefix>" for the running binary (/proc/self/exe);
// computed once. The one place both the server (the Deployment's image) and the agent (what it
// builds) get it from.
const std::string& system_image_ref();

// What goes into the image: the running binary's ELF interpreter and every shared object the
// process has mapped (/proc/self/maps), as absolute host paths, without the binary itself.
std::vector<std::string> system_image_libraries();

// Makes sure the system image is in `svc`: nothing to do when it is present (fast on restart);
// otherwise builds an OCI image-layout archive in tmp_dir (/usr/bin/skiff, the libraries at
// their host paths, the interpreter's path as a symlink when it differs) and imports it. Safe
// from several threads (one builds, the others wait).
Status ensure_system_image(ImageService& svc, const std::string& tmp_dir);

}  // namespace skiff::images
