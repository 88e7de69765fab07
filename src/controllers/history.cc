// ControllerRevision history and pod ownership shared by the DaemonSet and StatefulSet
// controllers (upstream's pkg/controller/history and PodControllerRefManager).
#include <algorithm>

#include "apimachinery/selectors.h"
#include "controllers/apps.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;

constexpr const char* kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

json::object object_at(const json::object& o, std::initializer_list<std::string_view> path) {
  const json::value* v = find_path(o, path);
  return v && v->is_object() ? v->as_object() : json::object{};
}
}  // namespace

json::object revision_data(const json::object& pod_template) {
  json::object t = pod_template;
  t["$patch"] = "replace";
  return json::object{{"spec", json::object{{"template", std::move(t)}}}};
}

json::object revision_template(const json::object& revision) {
  json::object t = object_at(revision, {"data", "spec", "template"});
  t.erase("$patch");
  return t;
}

int64_t revision_number(const json::object& revision) {
  return get_int(revision, {"revision"}, 0);
}

std::string revision_hash(const json::object& pod_template, int64_t collision_count) {
  // pod_template_hash hashes canonical JSON; wrapping the template keeps the collision count
  // in the hashed text without a second encoder.
  json::object wrapped{{"template", pod_template}};
  if (collision_count > 0) wrapped["collisionCount"] = collision_count;
  return pod_template_hash(wrapped);
}

const json::object* RevisionSet::find(const std::string& name) const {
  for (const auto& r : history)
    if (name_of(r) == name) return &r;
  return nullptr;
}

json::object apps_owner_ref(const json::object& owner, const char* kind) {
  return json::object{{"apiVersion", "apps/v1"}, {"kind", kind},
                      {"name", name_of(owner)},  {"uid", uid_of(owner)},
                      {"controller", true},      {"blockOwnerDeletion", true}};
}

Result<RevisionSet> sync_revisions(client::Client& c, const client::Informer& revisions,
                                   const json::object& owner) {
  RevisionSet out;
  const std::string ns = ns_of(owner), uid = uid_of(owner), name = name_of(owner);
  for (const auto& r : revisions.list_namespace(ns)) {
    const json::object* ref = controller_ref(*r);
    if (ref && get_string(*ref, {"uid"}) == uid) out.history.push_back(*r);
  }
  auto by_revision = [](const json::object& a, const json::object& b) {
    int64_t ra = revision_number(a), rb = revision_number(b);
    return ra != rb ? ra < rb : name_of(a) < name_of(b);
  };
  std::sort(out.history.begin(), out.history.end(), by_revision);
  const int64_t max_rev = out.history.empty() ? 0 : revision_number(out.history.back());
  out.collision_count = get_int(owner, {"status", "collisionCount"}, 0);
  const json::object tmpl = object_at(owner, {"spec", "template"});
  const std::string want = canonical_json(tmpl);
  const auto& res = resource("apps", "controllerrevisions");

  // The newest revision equal to the template.
  for (auto it = out.history.rbegin(); it != out.history.rend(); ++it) {
    if (canonical_json(revision_template(*it)) != want) continue;
    if (revision_number(*it) < max_rev) {  // a rollback: this revision becomes the newest
      json::object patch{{"revision", max_rev + 1}};
      auto r = c.patch(res, ns, name_of(*it), "application/merge-patch+json", patch);
      if (!r) return r.error();
      *it = std::move(*r);
      std::sort(out.history.begin(), out.history.end(), by_revision);
      it = std::find_if(out.history.rbegin(), out.history.rend(), [&](const json::object& h) {
        return canonical_json(revision_template(h)) == want;
      });
    }
    out.update_name = name_of(*it);
    out.update_hash = get_string(*it, {"metadata", "labels", kControllerRevisionHashLabel});
    return out;
  }

  // A new revision. Its labels are the template's, so the owner's selector finds it (kubectl
  // lists revisions by the selector, then keeps those the owner controls).
  json::object annotations;
  if (const json::value* a = find_path(owner, {"metadata", "annotations"}); a && a->is_object())
    for (const auto& kv : a->as_object())
      if (kv.key() != kLastApplied) annotations[kv.key()] = kv.value();
  for (int attempt = 0; attempt < 5; ++attempt) {
    const std::string hash = revision_hash(tmpl, out.collision_count);
    json::object labels = object_at(tmpl, {"metadata", "labels"});
    labels[kControllerRevisionHashLabel] = hash;
    json::object md{{"name", name + "-" + hash},
                    {"namespace", ns},
                    {"labels", labels},
                    {"ownerReferences", json::array{apps_owner_ref(owner, get_string(owner, {"kind"}).c_str())}}};
    if (!annotations.empty()) md["annotations"] = annotations;
    json::object cr{{"apiVersion", "apps/v1"},
                    {"kind", "ControllerRevision"},
                    {"metadata", std::move(md)},
                    {"data", revision_data(tmpl)},
                    {"revision", max_rev + 1}};
    auto r = c.create(res, ns, cr);
    if (!r && r.error().code != 409) return r.error();
    if (!r) {
      // Taken: ours and equal (the cache is behind), or a hash collision.
      auto g = c.get(res, ns, name + "-" + hash);
      if (!g) return g.error();
      const json::object* ref = controller_ref(*g);
      if (!ref || get_string(*ref, {"uid"}) != uid ||
          canonical_json(revision_template(*g)) != want) {
        ++out.collision_count;
        continue;
      }
      r = std::move(g);
    }
    out.update_name = name_of(*r);
    out.update_hash = hash;
    out.history.push_back(std::move(*r));
    std::sort(out.history.begin(), out.history.end(), by_revision);
    return out;
  }
  return ApiError::conflict("controllerrevisions.apps", name, "revision name collisions");
}

Status truncate_history(client::Client& c, const RevisionSet& revs,
                        const std::set<std::string>& live, int64_t limit) {
  std::vector<const json::object*> idle;
  for (const auto& r : revs.history)
    if (name_of(r) != revs.update_name && !live.count(name_of(r))) idle.push_back(&r);
  const int64_t excess = static_cast<int64_t>(idle.size()) - std::max<int64_t>(limit, 0);
  for (int64_t i = 0; i < excess; ++i) {  // idle is oldest first
    auto r = c.remove(resource("apps", "controllerrevisions"), ns_of(*idle[i]), name_of(*idle[i]));
    if (!r && r.error().code != 404) return r.error();
  }
  return ok_status();
}

Result<std::vector<ObjectPtr>> claim_pods(client::Client& c, const client::Informer& pods,
                                          const json::object& owner, const char* kind) {
  std::vector<ObjectPtr> owned;
  auto sel = LabelSelector::from_json(find_path(owner, {"spec", "selector"}));
  if (!sel) return sel.error();
  const std::string uid = uid_of(owner);
  const bool deleting = find_path(owner, {"metadata", "deletionTimestamp"}) != nullptr;
  const auto& res = resource("", "pods");
  for (const auto& p : pods.list_namespace(ns_of(owner))) {
    const json::value* lv = find_path(*p, {"metadata", "labels"});
    const bool matches = !sel->empty() && sel->matches(lv && lv->is_object() ? &lv->as_object()
                                                                              : nullptr);
    const json::object* ref = controller_ref(*p);
    if (ref && get_string(*ref, {"uid"}) != uid) continue;
    if (ref && matches) {
      owned.push_back(p);
      continue;
    }
    if (!ref && (!matches || deleting || find_path(*p, {"metadata", "deletionTimestamp"})))
      continue;
    // Release (ours, no longer matching) or adopt (a matching orphan).
    json::array refs;
    if (const json::value* v = find_path(*p, {"metadata", "ownerReferences"}); v && v->is_array())
      for (const auto& r : v->as_array())
        if (get_string(r, {"uid"}) != uid) refs.push_back(r);
    if (!ref) refs.push_back(apps_owner_ref(owner, kind));
    json::object patch{{"metadata", json::object{{"ownerReferences", refs}, {"uid", uid_of(*p)}}}};
    auto r = c.patch(res, ns_of(*p), name_of(*p), "application/merge-patch+json", patch);
    if (!r && r.error().code != 404) return r.error();
    if (r && !ref) owned.push_back(std::make_shared<const json::object>(std::move(*r)));
  }
  return owned;
}

}  // namespace skiff::controllers
