// The flag loop every `skiff COMMAND` shares: "--name=value", "--name value", and boolean flags
// that take no value ("--no-proxy"). Each command keeps its own table of names; this reads one
// flag at a time so none of them splits arguments by hand (and none swallows the argument after
// a boolean flag).
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>

namespace skiff {

struct Flag {
  std::string name;   // "--kubeconfig"
  std::string value;  // "" for a boolean flag
};

enum class FlagStep {
  kFlag,   // `out` holds the flag
  kHelp,   // -h or --help: print the usage and exit 0
  kError,  // `error` says what is wrong: print it with the usage and exit 2
};

// Reads the flag at argv[i] and advances `i` past its value. `booleans` names the flags that
// take no value.
inline FlagStep next_flag(int argc, char** argv, int& i,
                          std::initializer_list<std::string_view> booleans, Flag& out,
                          std::string& error) {
  std::string a = argv[i];
  if (a == "-h" || a == "--help") return FlagStep::kHelp;
  out = Flag{};
  for (auto b : booleans)
    if (a == b) {
      out.name = a;
      return FlagStep::kFlag;
    }
  if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
    out.name = a.substr(0, eq);
    out.value = a.substr(eq + 1);
    return FlagStep::kFlag;
  }
  if (i + 1 >= argc) {
    error = a + " needs a value";
    return FlagStep::kError;
  }
  out.name = a;
  out.value = argv[++i];
  return FlagStep::kFlag;
}

}  // namespace skiff
