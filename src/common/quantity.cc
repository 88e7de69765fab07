#include "common/quantity.h"

#include <limits>

namespace skiff {
namespace {

using i128 = __int128;
constexpr i128 kMax = std::numeric_limits<int64_t>::max();

i128 mul_sat(i128 a, i128 b) {
  if (a == 0 || b == 0) return 0;
  if (a > kMax / b) return kMax + 1;  // marks overflow; clamped by the caller
  return a * b;
}

}  // namespace

// value = mantissa * 10^dec_exp * binary, in milli units => mantissa * binary * 10^(dec_exp+3).
std::optional<int64_t> parse_quantity_milli(std::string_view s) {
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  bool neg = false;
  if (s[i] == '+' || s[i] == '-') {
    neg = s[i] == '-';
    ++i;
  }
  i128 mantissa = 0;
  int dec_exp = 0;
  bool any_digit = false, saturated = false;
  auto push_digit = [&](char c) {
    if (mantissa > kMax * 10) {  // keep precision bounded: further digits only scale
      saturated = true;
      return false;
    }
    mantissa = mantissa * 10 + (c - '0');
    return true;
  };
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (!push_digit(s[i])) ++dec_exp;
    any_digit = true;
    ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (push_digit(s[i])) --dec_exp;
      any_digit = true;
      ++i;
    }
  }
  if (!any_digit) return std::nullopt;
  (void)saturated;
  std::string_view suffix = s.substr(i);
  i128 binary = 1;
  if (suffix.empty()) {
  } else if (suffix.size() == 2 && suffix[1] == 'i') {
    int shift;
    switch (suffix[0]) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      case 'T': shift = 40; break;
      case 'P': shift = 50; break;
      case 'E': shift = 60; break;
      default: return std::nullopt;
    }
    binary = i128(1) << shift;
  } else if (suffix.size() == 1 && suffix != "e" && suffix != "E") {
    switch (suffix[0]) {
      case 'n': dec_exp -= 9; break;
      case 'u': dec_exp -= 6; break;
      case 'm': dec_exp -= 3; break;
      case 'k': dec_exp += 3; break;
      case 'M': dec_exp += 6; break;
      case 'G': dec_exp += 9; break;
      case 'T': dec_exp += 12; break;
      case 'P': dec_exp += 15; break;
      case 'E': dec_exp += 18; break;
      default: return std::nullopt;
    }
  } else if (suffix[0] == 'e' || suffix[0] == 'E') {
    size_t j = 1;
    bool eneg = false;
    if (j < suffix.size() && (suffix[j] == '+' || suffix[j] == '-')) {
      eneg = suffix[j] == '-';
      ++j;
    }
    if (j >= suffix.size()) return std::nullopt;
    int e = 0;
    for (; j < suffix.size(); ++j) {
      if (suffix[j] < '0' || suffix[j] > '9') return std::nullopt;
      if (e < 1000) e = e * 10 + (suffix[j] - '0');
    }
    dec_exp += eneg ? -e : e;
  } else {
    return std::nullopt;
  }
  int exp = dec_exp + 3;
  i128 v = mul_sat(mantissa, binary);
  if (exp >= 0) {
    for (int k = 0; k < exp && v <= kMax; ++k) v = mul_sat(v, 10);
  } else {
    i128 div = 1;
    bool tiny = false;
    for (int k = 0; k < -exp; ++k) {
      if (div > kMax * 1000) {
        tiny = true;
        break;
      }
      div *= 10;
    }
    if (tiny) v = v > 0 ? 1 : 0;
    else v = (v + div - 1) / div;  // round up, as MilliValue()
  }
  if (v > kMax) v = kMax;
  int64_t r = static_cast<int64_t>(v);
  return neg ? -r : r;
}

std::optional<int64_t> parse_quantity(std::string_view s) {
  auto m = parse_quantity_milli(s);
  if (!m) return std::nullopt;
  int64_t v = *m;
  if (v >= 0) return v / 1000 + (v % 1000 != 0 ? 1 : 0);
  return -((-v) / 1000);
}

}  // namespace skiff
