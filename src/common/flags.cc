// FlagSet: parsing and --help of every command's flags (flags.h).
#include "common/flags.h"

#include <algorithm>
#include <cstdio>

#include "common/numbers.h"
#include "common/quantity.h"
#include "common/time.h"

namespace skiff {
namespace {

std::string quoted(const std::string& v) { return "\"" + v + "\""; }

std::string duration_text(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms != 0 && ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms != 0 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string int_setter_error(const std::string& v, std::optional<int64_t> n, int64_t min,
                             int64_t max) {
  if (!n) return quoted(v) + " is not an integer";
  if (*n < min || *n > max)
    return quoted(v) + " is out of range (" + std::to_string(min) + ".." + std::to_string(max) + ")";
  return "";
}

}  // namespace

FlagSet::FlagSet(std::string command, std::string synopsis, std::string about)
    : command_(std::move(command)), synopsis_(std::move(synopsis)), about_(std::move(about)) {}

FlagSet& FlagSet::about(std::string text) {
  about_ = std::move(text);
  return *this;
}

FlagSet& FlagSet::section(std::string title) {
  section_ = std::move(title);
  return *this;
}

FlagSet& FlagSet::add(Def d) {
  d.section = section_;
  defs_.push_back(std::move(d));
  return *this;
}

FlagSet& FlagSet::string(const std::string& name, std::string* dst, std::string help,
                         std::string metavar) {
  return custom(name, std::move(metavar), std::move(help), dst->empty() ? "" : quoted(*dst),
                [dst](const std::string& v) {
                  *dst = v;
                  return std::string();
                });
}

FlagSet& FlagSet::integer(const std::string& name, int* dst, std::string help, int64_t min,
                          int64_t max, std::string metavar) {
  return custom(name, std::move(metavar), std::move(help), std::to_string(*dst),
                [dst, min, max](const std::string& v) {
                  auto n = parse_int64(v);
                  auto err = int_setter_error(v, n, std::max<int64_t>(min, INT32_MIN),
                                              std::min<int64_t>(max, INT32_MAX));
                  if (err.empty()) *dst = static_cast<int>(*n);
                  return err;
                });
}

FlagSet& FlagSet::integer(const std::string& name, int64_t* dst, std::string help, int64_t min,
                          int64_t max, std::string metavar) {
  return custom(name, std::move(metavar), std::move(help), std::to_string(*dst),
                [dst, min, max](const std::string& v) {
                  auto n = parse_int64(v);
                  auto err = int_setter_error(v, n, min, max);
                  if (err.empty()) *dst = *n;
                  return err;
                });
}

FlagSet& FlagSet::boolean(const std::string& name, bool* dst, std::string help) {
  Def d;
  d.name = name;
  d.help = std::move(help);
  d.default_text = *dst ? "true" : "";  // false, the usual default, goes unsaid
  d.takes_value = false;
  d.set = [dst](const std::string& v) {
    *dst = v == "true";
    return std::string();
  };
  return add(std::move(d));
}

FlagSet& FlagSet::custom_bool(const std::string& name, std::string help,
                              std::function<void(bool)> set) {
  Def d;
  d.name = name;
  d.help = std::move(help);
  d.takes_value = false;
  d.set = [set = std::move(set)](const std::string& v) {
    set(v == "true");
    return std::string();
  };
  return add(std::move(d));
}

FlagSet& FlagSet::duration(const std::string& name, std::chrono::milliseconds* dst,
                           std::string help, std::chrono::milliseconds min) {
  return custom(name, "DURATION", std::move(help), duration_text(*dst),
                [dst, min](const std::string& v) -> std::string {
                  // Go's time.ParseDuration takes a bare 0.
                  auto d = v == "0" ? std::chrono::milliseconds(0) : parse_duration(v);
                  if (!d) return quoted(v) + " is not a duration (such as 500ms, 40s or 5m)";
                  if (*d < min) return quoted(v) + " is less than " + duration_text(min);
                  *dst = *d;
                  return "";
                });
}

FlagSet& FlagSet::quantity(const std::string& name, std::string* dst, std::string help,
                           std::string metavar) {
  return custom(name, std::move(metavar), std::move(help), *dst,
                [dst](const std::string& v) -> std::string {
                  auto q = parse_quantity_milli(v);
                  if (!q) return quoted(v) + " is not a quantity (such as 500m, 4 or 16Gi)";
                  if (*q <= 0) return quoted(v) + " is not a positive quantity";
                  *dst = v;
                  return "";
                });
}

FlagSet& FlagSet::choice(const std::string& name, std::string* dst,
                         std::vector<std::string> choices, std::string help) {
  std::string metavar = join(choices, "|");
  return custom(name, metavar, std::move(help), *dst,
                [dst, choices = std::move(choices)](const std::string& v) -> std::string {
                  if (std::find(choices.begin(), choices.end(), v) == choices.end())
                    return quoted(v) + " is not one of " + join(choices, ", ");
                  *dst = v;
                  return "";
                });
}

FlagSet& FlagSet::list(const std::string& name, std::vector<std::string>* dst, std::string help,
                       std::string metavar) {
  return custom(name, std::move(metavar), std::move(help) + " (repeatable)", "",
                [dst](const std::string& v) {
                  dst->push_back(v);
                  return std::string();
                });
}

FlagSet& FlagSet::custom(const std::string& name, std::string metavar, std::string help,
                         std::string default_text, Setter set) {
  Def d;
  d.name = name;
  d.metavar = std::move(metavar);
  d.help = std::move(help);
  d.default_text = std::move(default_text);
  d.set = std::move(set);
  return add(std::move(d));
}

FlagSet& FlagSet::alias(const std::string& alias, const std::string& name) {
  aliases_.emplace_back(alias, name);
  return *this;
}

FlagSet& FlagSet::allow_args(std::string args_help) {
  allow_args_ = true;
  args_help_ = std::move(args_help);
  return *this;
}

FlagSet& FlagSet::epilog(std::string text) {
  epilog_ = std::move(text);
  return *this;
}

FlagSet::Def* FlagSet::find(const std::string& name) {
  std::string n = name;
  for (const auto& [a, target] : aliases_)
    if (a == name) n = target;
  for (auto& d : defs_)
    if (d.name == n) return &d;
  return nullptr;
}

bool FlagSet::seen(const std::string& name) const {
  for (const auto& d : defs_)
    if (d.name == name) return d.seen;
  return false;
}

FlagSet::Outcome FlagSet::parse(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return parse(args);
}

FlagSet::Outcome FlagSet::parse(const std::vector<std::string>& argv) {
  error_.clear();
  args_.clear();
  bool only_args = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_args || a.size() < 2 || a[0] != '-') {
      if (!allow_args_) {
        error_ = "unexpected argument " + quoted(a);
        return Outcome::kError;
      }
      args_.push_back(a);
      continue;
    }
    if (a == "--" && allow_args_) {
      only_args = true;
      continue;
    }
    if (a == "-h" || a == "--help") return Outcome::kHelp;
    auto eq = a.find('=');
    std::string name = a.substr(0, eq);
    Def* d = find(name);
    if (!d) {
      error_ = "unknown flag " + name;
      return Outcome::kError;
    }
    std::string value;
    if (!d->takes_value) {
      value = "true";
      if (eq != std::string::npos) {
        auto b = parse_bool(a.substr(eq + 1));
        if (!b) {
          error_ = d->name + ": " + quoted(a.substr(eq + 1)) + " is not true or false";
          return Outcome::kError;
        }
        value = *b ? "true" : "false";
      }
    } else if (eq != std::string::npos) {
      value = a.substr(eq + 1);
    } else if (i + 1 < argv.size()) {
      value = argv[++i];
    } else {
      error_ = d->name + " needs a value";
      return Outcome::kError;
    }
    if (auto err = d->set(value); !err.empty()) {
      error_ = d->name + ": " + err;
      return Outcome::kError;
    }
    d->seen = true;
  }
  return Outcome::kOk;
}

std::string FlagSet::usage() const {
  std::string out = "usage: " + command_ + (synopsis_.empty() ? "" : " " + synopsis_) + "\n";
  if (!about_.empty()) out += "\n" + about_ + (about_.back() == '\n' ? "" : "\n");
  if (allow_args_ && !args_help_.empty())
    out += "\n" + args_help_ + (args_help_.back() == '\n' ? "" : "\n");
  std::string section = "\x01";
  for (const auto& d : defs_) {
    if (d.section != section) {
      section = d.section;
      out += "\n" + (section.empty() ? std::string("flags") : section) + ":\n";
    }
    std::string head = "  ";
    for (const auto& [a, target] : aliases_)
      if (target == d.name) head += a + ", ";
    head += d.name;
    if (d.takes_value) head += " " + d.metavar;
    std::string text = d.help;
    if (!d.default_text.empty()) text += " (default " + d.default_text + ")";
    constexpr size_t kColumn = 34;
    out += head;
    if (head.size() + 2 > kColumn) out += "\n" + std::string(kColumn, ' ');
    else out += std::string(kColumn - head.size(), ' ');
    // The help text wraps at 100 columns, continuation lines indented to the column.
    size_t col = kColumn;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t sp = text.find(' ', pos);
      if (sp == std::string::npos) sp = text.size();
      std::string word = text.substr(pos, sp - pos);
      if (col > kColumn && col + 1 + word.size() > 100) {
        out += "\n" + std::string(kColumn, ' ');
        col = kColumn;
      } else if (col > kColumn) {
        out += " ";
        ++col;
      }
      out += word;
      col += word.size();
      pos = sp + 1;
    }
    out += "\n";
  }
  out += "  -h, --help" + std::string(34 - 12, ' ') + "print this help\n";
  if (!epilog_.empty()) out += "\n" + epilog_ + (epilog_.back() == '\n' ? "" : "\n");
  return out;
}

std::optional<int> FlagSet::parse_or_exit(int argc, char** argv) {
  switch (parse(argc, argv)) {
    case Outcome::kOk:
      return std::nullopt;
    case Outcome::kHelp:
      std::fputs(usage().c_str(), stdout);
      return 0;
    case Outcome::kError:
      break;
  }
  return fail(error_);
}

int FlagSet::fail(const std::string& message) const {
  std::fprintf(stderr, "%s: %s (see %s --help)\n", command_.c_str(), message.c_str(),
               command_.c_str());
  return 2;
}

}  // namespace skiff
