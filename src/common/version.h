// Versions: skiff's own, and the Kubernetes API version it serves (what kubectl sees).
#pragma once
#include <cstdio>
#include <cstring>
#include <string>

#ifndef SKIFF_GIT_COMMIT
#define SKIFF_GIT_COMMIT "unknown"
#endif

namespace skiff {
inline constexpr const char* kSkiffVersion = "0.1.0";
inline constexpr const char* kSkiffCommit = SKIFF_GIT_COMMIT;
inline constexpr const char* kKubeMajor = "1";
inline constexpr const char* kKubeMinor = "32";
inline constexpr const char* kKubeGitVersion = "v1.32.0+skiff-0.1.0";
// The build's date in RFC 3339 ("2026-12-08T04:12:00Z"), as version.buildDate is; from the
// compiler's __DATE__ ("Dec  8 2026") and __TIME__, taken as UTC.
inline std::string build_date() {
  static const char* kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const char* d = __DATE__;
  char mon[4] = {d[0], d[1], d[2], 0};
  int month = static_cast<int>((std::strstr(kMonths, mon) - kMonths) / 3) + 1;
  int day = (d[4] == ' ' ? 0 : d[4] - '0') * 10 + (d[5] - '0');
  char out[32];
  std::snprintf(out, sizeof out, "%.4s-%02d-%02dT%.8sZ", d + 7, month, day, __TIME__);
  return out;
}
}  // namespace skiff
