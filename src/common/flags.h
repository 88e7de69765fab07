// The flag loop every `skiff COMMAND` shares: "--name=value", "--name value", and boolean flags
// that take no value ("--no-proxy"). Each command keeps its own table of names; this reads one
// flag at a time so none of them splits arguments by hand (and none swallows the argument after
// a boolean flag).
#pragma once
#include <cstdio>
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

// next_flag with the usual handling: on --help prints `usage` to stdout and sets *exit_code = 0,
// on an error prints "CMD: what\n\nUSAGE" to stderr and sets *exit_code = 2; both return false.
inline bool read_flag(int argc, char** argv, int& i,
                      std::initializer_list<std::string_view> booleans, const char* cmd,
                      const char* usage, Flag& out, int* exit_code) {
  std::string error;
  switch (next_flag(argc, argv, i, booleans, out, error)) {
    case FlagStep::kFlag:
      return true;
    case FlagStep::kHelp:
      std::fputs(usage, stdout);
      *exit_code = 0;
      return false;
    case FlagStep::kError:
      break;
  }
  std::fprintf(stderr, "%s: %s\n\n%s", cmd, error.c_str(), usage);
  *exit_code = 2;
  return false;
}

}  // namespace skiff
