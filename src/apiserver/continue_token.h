// Continue tokens of paged lists, as upstream's: the revision the first page was read at and the
// key (after the list's prefix) where the next page starts.
#pragma once
#include <cstdint>
#include <string>

namespace skiff::apiserver {
std::string make_continue(int64_t rv, const std::string& start);
// False for a token that is not one of ours.
bool parse_continue(const std::string& token, int64_t& rv, std::string& start);
}  // namespace skiff::apiserver
