// Resource quantities as the API writes them ("100m", "2", "128Mi", "1G", "1e3", "0.5"):
// resource.Quantity's grammar, parsed exactly (no floating point) and rounded up as upstream's
// Value()/MilliValue() do. The scheduler compares cpu in millicores and everything else in units; the agent, the
// controllers and the flag library (common/flags.h) read quantities with these too.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace skiff {

// The quantity in thousandths of a unit ("100m" -> 100, "2" -> 2000, "1Ki" -> 1024000), rounded
// up; nullopt when the text is not a quantity. Saturates at INT64_MAX.
std::optional<int64_t> parse_quantity_milli(std::string_view text);
// The quantity in whole units, rounded up ("128Mi" -> 134217728, "100m" -> 1).
std::optional<int64_t> parse_quantity(std::string_view text);

}  // namespace skiff
