// Random patches must never throw or crash: every outcome is a value or an ApiError.
#include <gtest/gtest.h>

#include <random>

#include "patch/patch.h"
#include "test_json.h"

namespace skiff {
namespace {

class RandomJson {
 public:
  explicit RandomJson(uint32_t seed) : rng_(seed) {}

  json::value value(int depth) {
    switch (pick(depth > 0 ? 8 : 5)) {
      case 0: return nullptr;
      case 1: return pick(2) == 0;
      case 2: return static_cast<int64_t>(pick(4));
      case 3: return json::string(word());
      case 4: return 1.5;
      case 5:
      case 6: {
        json::object o;
        for (int n = pick(4); n > 0; --n) o[key()] = value(depth - 1);
        return o;
      }
      default: {
        json::array a;
        for (int n = pick(4); n > 0; --n) a.push_back(value(depth - 1));
        return a;
      }
    }
  }

  std::string key() {
    static const char* keys[] = {"spec", "containers", "name", "image", "env", "ports",
                                 "containerPort", "metadata", "finalizers", "template",
                                 "$patch", "$retainKeys", "$setElementOrder/containers",
                                 "$setElementOrder/env", "$deleteFromPrimitiveList/finalizers",
                                 "$setElementOrder/", "strategy", "volumes", "op", "path",
                                 "value", "from"};
    return keys[pick(std::size(keys))];
  }

  std::string word() {
    static const char* words[] = {"replace", "delete", "merge", "web", "add", "remove", "test",
                                  "move", "copy", "/spec", "/spec/containers/0", "/-", "",
                                  "/metadata/finalizers/-", "~", "/a~1b"};
    return words[pick(std::size(words))];
  }

  int pick(size_t n) { return static_cast<int>(rng_() % n); }

 private:
  std::mt19937 rng_;
};

TEST(Robustness, RandomPatchesNeverThrow) {
  RandomJson gen(12345);
  const json::value doc = patch_test::J(R"({"metadata":{"name":"x","finalizers":["a"]},
      "spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"A"}],
      "ports":[{"containerPort":80}]}],"volumes":[{"name":"v","emptyDir":{}}]}},
      "strategy":{"type":"Recreate"}}})");
  for (int i = 0; i < 20000; ++i) {
    json::value patch = gen.value(5);
    json::value base = i % 3 == 0 ? gen.value(4) : doc;
    json::array ops;
    for (int n = gen.pick(3); n >= 0; --n) ops.push_back(gen.value(2));
    // An internal error would mean an exception was caught at the boundary.
    auto not_internal = [](const Result<json::value>& r) { return r.ok() || r.error().code != 500; };
    EXPECT_TRUE(not_internal(apply_strategic_merge_patch(base, patch, "apps", "Deployment")))
        << patch;
    EXPECT_TRUE(not_internal(apply_strategic_merge_patch(base, patch, "", "Pod"))) << patch;
    EXPECT_TRUE(not_internal(apply_merge_patch(base, patch))) << patch;
    EXPECT_TRUE(not_internal(apply_json_patch(base, patch))) << patch;
    EXPECT_TRUE(not_internal(apply_json_patch(base, ops))) << ops;
  }
}

}  // namespace
}  // namespace skiff
