// Versions: skiff's own, and the Kubernetes API version it serves (what kubectl sees).
#pragma once

#ifndef SKIFF_GIT_COMMIT
#define SKIFF_GIT_COMMIT "unknown"
#endif

namespace skiff {
inline constexpr const char* kSkiffVersion = "0.1.0";
inline constexpr const char* kSkiffCommit = SKIFF_GIT_COMMIT;
inline constexpr const char* kKubeMajor = "1";
inline constexpr const char* kKubeMinor = "32";
inline constexpr const char* kKubeGitVersion = "v1.32.0+skiff-0.1.0";
inline constexpr const char* kBuildDate = __DATE__;
}  // namespace skiff
