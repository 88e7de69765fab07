// Helpers shared by the patch tests.
#pragma once
#include <gtest/gtest.h>

#include <string_view>

#include "common/json.h"

namespace skiff::patch_test {

// Parses JSON text written in a test; a typo in a fixture fails the test loudly.
inline json::value J(std::string_view text) {
  json::value v;
  std::string error;
  if (!parse_json(text, v, error)) ADD_FAILURE() << "bad test JSON: " << error << ": " << text;
  return v;
}

}  // namespace skiff::patch_test
