// The flag library of every `skiff COMMAND`: a command declares its flags once in a FlagSet
// (name, value kind, the variable it sets, help text), and the set parses argv and generates the
// --help text, defaults included, from that table.
//
// Accepted forms: "--name=value" and "--name value" for flags with a value; "--name",
// "--name=true" and "--name=false" for booleans (a boolean never takes the next argument);
// repeated flags (a list appends, others keep the last value); "-h" / "--help". Errors name the
// command and the flag: `skiff server: unknown flag --no-such-flag (see skiff server --help)`,
// `skiff agent: --kubelet-port: "abc" is not an integer`.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace skiff {

class FlagSet {
 public:
  // Sets a flag from its value text; returns an error ("" = accepted). For a boolean the text is
  // "true" or "false".
  using Setter = std::function<std::string(const std::string& value)>;

  // `command` as the user types it ("skiff server"); `synopsis` follows it in the usage line
  // ("--kubeconfig FILE [flags]"); `about` is a paragraph printed before the flags.
  FlagSet(std::string command, std::string synopsis, std::string about = "");

  // Replaces the paragraph printed before the flags.
  FlagSet& about(std::string text);
  // A heading for the flags declared after it in --help.
  FlagSet& section(std::string title);

  // Flags bound to variables; the variable's value at declaration is the default shown in --help.
  FlagSet& string(const std::string& name, std::string* dst, std::string help,
                  std::string metavar = "VALUE");
  // An integer in [min, max].
  FlagSet& integer(const std::string& name, int* dst, std::string help, int64_t min = INT32_MIN,
                   int64_t max = INT32_MAX, std::string metavar = "N");
  FlagSet& integer(const std::string& name, int64_t* dst, std::string help,
                   int64_t min = INT64_MIN, int64_t max = INT64_MAX, std::string metavar = "N");
  FlagSet& boolean(const std::string& name, bool* dst, std::string help);
  // A duration such as 500ms, 40s or 5m (common/time.h), at least `min`.
  FlagSet& duration(const std::string& name, std::chrono::milliseconds* dst, std::string help,
                    std::chrono::milliseconds min = std::chrono::milliseconds(0));
  // A Kubernetes quantity ("100m", "16Gi"), kept as text once it parses and is positive.
  FlagSet& quantity(const std::string& name, std::string* dst, std::string help,
                    std::string metavar = "Q");
  // One of `choices`.
  FlagSet& choice(const std::string& name, std::string* dst, std::vector<std::string> choices,
                  std::string help);
  // Repeatable: each occurrence appends.
  FlagSet& list(const std::string& name, std::vector<std::string>* dst, std::string help,
                std::string metavar = "VALUE");

  // A flag with its own value check. `default_text` is shown in --help ("" = none).
  FlagSet& custom(const std::string& name, std::string metavar, std::string help,
                  std::string default_text, Setter set);
  // A flag with no value (also accepting =true / =false), e.g. --no-proxy.
  FlagSet& custom_bool(const std::string& name, std::string help, std::function<void(bool)> set);

  // Another name for a declared flag ("-v" for "--verbose").
  FlagSet& alias(const std::string& alias, const std::string& name);
  // Positional arguments are collected in args() instead of refused.
  FlagSet& allow_args(std::string args_help);
  // Appended to --help after the flags.
  FlagSet& epilog(std::string text);

  enum class Outcome { kOk, kHelp, kError };
  // Parses argv[1..argc) (argv[0] is the command's name). On kError, error() says what is wrong.
  Outcome parse(int argc, char** argv);
  Outcome parse(const std::vector<std::string>& args);
  const std::string& error() const { return error_; }
  const std::vector<std::string>& args() const { return args_; }
  // Whether the flag was given on the command line.
  bool seen(const std::string& name) const;

  // The --help text.
  std::string usage() const;
  // parse() for a command's main: nullopt to go on; otherwise the exit code after printing the
  // usage to stdout (--help: 0) or "COMMAND: error (see COMMAND --help)" to stderr (2).
  std::optional<int> parse_or_exit(int argc, char** argv);
  // Prints "COMMAND: message (see COMMAND --help)" to stderr and returns 2, for checks made
  // after parsing (a required flag, a combination).
  int fail(const std::string& message) const;

 private:
  struct Def {
    std::string name, metavar, help, default_text, section;
    bool takes_value = true;
    Setter set;
    bool seen = false;
  };
  Def* find(const std::string& name);
  FlagSet& add(Def d);

  std::string command_, synopsis_, about_, epilog_, args_help_, section_;
  bool allow_args_ = false;
  std::vector<Def> defs_;
  std::vector<std::pair<std::string, std::string>> aliases_;
  std::vector<std::string> args_;
  std::string error_;
};

}  // namespace skiff
