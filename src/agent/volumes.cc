// Pod volumes (see volumes.h); files go through atomic_writer.h. Mount state is always read back from
// /proc/self/mountinfo rather than remembered, so a restarted agent tears down what an earlier
// one set up.
#include "agent/volumes.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "agent/json_fields.h"
#include "agent/atomic_writer.h"
#include "common/base64.h"
#include "runtime/host.h"
#include "common/quantity.h"

namespace skiff::agent {
namespace {
namespace fs = std::filesystem;

std::string sys_error(const std::string& what) { return what + ": " + std::strerror(errno); }

// A file mode field (the API stores them as decimal ints, 420 == 0644).
int mode_at(const json::object& o, std::string_view k, int def) {
  auto* v = o.if_contains(k);
  return v && v->is_int64() ? static_cast<int>(v->get_int64()) & 0777 : def;
}

// ---- the mount table ----

std::string canonical(const std::string& p) {
  std::error_code ec;
  auto c = fs::weakly_canonical(p, ec);
  return ec ? p : c.string();
}

bool is_mount_point(const std::string& dir) { return runtime::is_mount_point(canonical(dir)); }

// nosuid/nodev beyond upstream: nothing in a pod volume needs them.
bool ensure_tmpfs(const std::string& dir, int64_t size, std::string* err) {
  if (is_mount_point(dir)) return true;
  std::string opts = size > 0 ? "size=" + std::to_string(size) : "";
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) == 0) return true;
  *err = sys_error("mount tmpfs on " + dir);
  return false;
}


// ---- payload sources ----

struct Context {
  const json::object& pod;
  const PodFacts& facts;
  const ObjectGetter& get;
  std::string ns;
  // serviceAccountToken sources: the API call and the tokens kept between refreshes.
  const TokenRequester& request_token;
  ProjectedTokens& tokens;
  std::string volume;  // the volume being set up (keys `tokens`)
};

// The ConfigMap or Secret, an empty one when missing and optional; nullopt with *err otherwise.
std::optional<json::object> fetch(const Context& cx, const std::string& resource,
                                  const std::string& name, bool optional, std::string* err) {
  auto r = cx.get(resource, cx.ns, name);
  if (r.ok()) return std::move(*r);
  if (r.error().code == 404 && optional) return json::object{};
  if (r.error().code == 404)
    *err = (resource == "secrets" ? "secret \"" : "configmap \"") + name + "\" not found";
  else
    *err = r.error().message;
  return std::nullopt;
}

// The keys of a ConfigMap (data, binaryData) or Secret (data, base64), decoded.
std::map<std::string, std::string> object_data(const json::object& obj, bool secret) {
  std::map<std::string, std::string> out;
  auto add = [&](const char* field, bool b64) {
    if (auto* d = obj_at(obj, field))
      for (auto& [k, v] : *d) {
        if (!v.is_string()) continue;
        auto value = b64 ? base64_decode(v.get_string()) : std::string(v.get_string());
        if (value) out.emplace(std::string(k), std::move(*value));
      }
  };
  add("data", secret);
  if (!secret) add("binaryData", true);
  return out;
}

// upstream configmap/secret MakePayload: every key, or only `items` (key, path, mode).
bool make_payload(const json::object& obj, const json::object& src, bool secret, bool optional,
                  int default_mode, Payload* out, std::string* err) {
  auto data = object_data(obj, secret);
  const json::array* items = arr_at(src, "items");
  if (!items || items->empty()) {
    for (auto& [k, v] : data) (*out)[k] = {v, default_mode};
    return true;
  }
  for (auto& it : *items) {
    if (!it.is_object()) continue;
    std::string key = str_at(it.get_object(), "key");
    auto d = data.find(key);
    if (d == data.end()) {
      if (optional) continue;
      *err = secret ? "references non-existent secret key: " + key
                    : "configmap references non-existent config key: " + key;
      return false;
    }
    int mode = mode_at(it.get_object(), "mode", default_mode);
    (*out)[str_at(it.get_object(), "path")] = {d->second, mode};
  }
  return true;
}

// A configMap or secret volume source, or a projected volume's configMap/secret source.
bool object_payload(const Context& cx, const json::object& src, bool secret, int default_mode,
                    Payload* out, std::string* err) {
  std::string name = str_at(src, secret && src.contains("secretName") ? "secretName" : "name");
  bool optional = bool_at(src, "optional");
  auto obj = fetch(cx, secret ? "secrets" : "configmaps", name, optional, err);
  return obj && make_payload(*obj, src, secret, optional, default_mode, out, err);
}

const json::object* find_container(const json::object& pod, const std::string& name) {
  for (const char* list : {"containers", "initContainers"}) {
    const json::value* a = find_path(pod, {"spec", list});
    if (a && a->is_array())
      for (auto& c : a->get_array())
        if (c.is_object() && str_at(c.get_object(), "name") == name) return &c.get_object();
  }
  return nullptr;
}

// upstream downwardapi CollectData: one file per item, from a fieldRef or resourceFieldRef.
bool downward_payload(const Context& cx, const json::object& src, int default_mode, Payload* out,
                      std::string* err) {
  if (auto* items = arr_at(src, "items"))
    for (auto& v : *items) {
      if (!v.is_object()) continue;
      const json::object& it = v.get_object();
      FileProjection f{"", mode_at(it, "mode", default_mode)};
      if (auto* ref = obj_at(it, "fieldRef")) {
        std::string path = str_at(*ref, "fieldPath");
        if (!field_ref_value(cx.pod, path, cx.facts, &f.data))
          return *err = "unsupported fieldPath: " + path, false;
      } else if (auto* ref = obj_at(it, "resourceFieldRef")) {
        std::string cname = str_at(*ref, "containerName");
        const json::object* c = find_container(cx.pod, cname);
        if (!c) return *err = "container " + cname + " not found", false;
        if (!resource_field_value(*c, *ref, cx.facts, &f.data, err)) return false;
      }
      (*out)[str_at(it, "path")] = std::move(f);
    }
  return true;
}

// The serviceAccountToken source of a projected volume (volume_token.h).
bool token_payload(const Context& cx, const json::object& src, int mode, Payload* out,
                   std::string* err) {
  const std::string path = str_at(src, "path");
  std::string token;
  if (!projected_token(cx.pod, src, cx.volume + "/" + path, cx.request_token, cx.tokens, &token, err))
    return false;
  (*out)[path] = {std::move(token), mode};
  return true;
}

bool projected_payload(const Context& cx, const json::object& src, Payload* out, std::string* err) {
  int mode = mode_at(src, "defaultMode", 0644);
  if (auto* sources = arr_at(src, "sources"))
    for (auto& v : *sources) {
      if (!v.is_object()) continue;
      const json::object& s = v.get_object();
      bool ok = true;  // clusterTrustBundle: not supported, no file
      if (auto* cm = obj_at(s, "configMap")) ok = object_payload(cx, *cm, false, mode, out, err);
      else if (auto* t = obj_at(s, "serviceAccountToken")) ok = token_payload(cx, *t, mode, out, err);
      else if (auto* sec = obj_at(s, "secret")) ok = object_payload(cx, *sec, true, mode, out, err);
      else if (auto* d = obj_at(s, "downwardAPI")) ok = downward_payload(cx, *d, mode, out, err);
      if (!ok) return false;
    }
  return true;
}

// ---- emptyDir and hostPath ----

bool set_up_empty_dir(const std::string& dir, const json::object& src, std::string* err) {
  std::string medium = str_at(src, "medium");
  if (medium != "" && medium != "Memory")
    return *err = "unsupported emptyDir medium \"" + medium + "\"", false;
  if (!make_dir(dir, fs::perms::all, err)) return false;  // 0777 as upstream
  if (medium.empty()) return true;
  int64_t size = 0;
  if (auto* q = src.if_contains("sizeLimit"); q && q->is_string())
    size = parse_quantity(q->get_string()).value_or(0);
  return ensure_tmpfs(dir, size, err);
}

// upstream hostpath checkType; "File" means "exists and is not a directory" as there.
bool check_host_path(const json::object& src, std::string* err) {
  std::string path = str_at(src, "path"), type = str_at(src, "type");
  if (path.empty() || path[0] != '/')
    return *err = "hostPath path must be absolute: " + path, false;
  struct stat st;
  bool exists = ::stat(path.c_str(), &st) == 0;
  auto fail = [&](const char* what) {
    *err = "hostPath type check failed: " + path + " is not a " + what;
    return false;
  };
  if (type.empty()) return true;
  if (type == "DirectoryOrCreate" && !exists) return make_dir(path, fs::perms(0755), err);
  if (type == "DirectoryOrCreate" || type == "Directory")
    return exists && S_ISDIR(st.st_mode) ? true : fail("directory");
  if (type == "FileOrCreate" && !exists) {
    int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) return *err = sys_error("create " + path), false;
    ::close(fd);
    return true;
  }
  if (type == "FileOrCreate" || type == "File")
    return exists && !S_ISDIR(st.st_mode) ? true : fail("file");
  if (type == "Socket") return exists && S_ISSOCK(st.st_mode) ? true : fail("socket file");
  if (type == "CharDevice") return exists && S_ISCHR(st.st_mode) ? true : fail("character device");
  if (type == "BlockDevice") return exists && S_ISBLK(st.st_mode) ? true : fail("block device");
  *err = type + " is an invalid volume type";
  return false;
}

// configMap, secret, downwardAPI and projected: files written by the atomic writer.
bool set_up_files(Context& cx, const std::string& dir, const json::object& vol,
                  std::string* err) {
  cx.volume = str_at(vol, "name");
  Payload p;
  bool ok = true, tmpfs = false;
  if (auto* s = obj_at(vol, "configMap")) {
    ok = object_payload(cx, *s, false, mode_at(*s, "defaultMode", 0644), &p, err);
  } else if (auto* s = obj_at(vol, "secret")) {
    ok = object_payload(cx, *s, true, mode_at(*s, "defaultMode", 0644), &p, err);
    tmpfs = true;  // secrets never touch the node's disk
  } else if (auto* s = obj_at(vol, "downwardAPI")) {
    ok = downward_payload(cx, *s, mode_at(*s, "defaultMode", 0644), &p, err);
  } else if (auto* s = obj_at(vol, "projected")) {
    ok = projected_payload(cx, *s, &p, err);
    tmpfs = true;  // as upstream: projected volumes usually carry secrets and tokens
  }
  return ok && make_dir(dir, fs::perms(0755), err) && (!tmpfs || ensure_tmpfs(dir, 0, err)) &&
         atomic_write(dir, p, err);
}

bool is_file_volume(const json::object& vol) {
  return vol.contains("configMap") || vol.contains("secret") || vol.contains("downwardAPI") ||
         vol.contains("projected");
}

// ---- subPath ----

bool within(const std::string& path, const std::string& base) {
  return path == base || path.starts_with(base + "/");
}

// <base>/<sub>, created as directories when missing; never leaves `base`, even through
// symlinks inside the volume (checked at each step; a container racing this is not handled).
bool resolve_sub_path(const std::string& base, const std::string& sub, std::string* out,
                      std::string* err) {
  if (sub[0] == '/')
    return *err = "error SubPath `" + sub + "` must not be an absolute path", false;
  for (auto& part : fs::path(sub))
    if (part == "..")
      return *err = "unable to provision SubPath `" + sub + "`: must not contain '..'", false;
  std::error_code ec;
  std::string root = fs::canonical(base, ec).string(), cur = root;
  if (ec) return *err = "volume path " + base + ": " + ec.message(), false;
  auto perms = fs::status(root, ec).permissions();
  for (auto& part : fs::path(sub)) {
    if (part.empty() || part == ".") continue;
    cur += "/" + part.string();
    struct stat st;
    if (::lstat(cur.c_str(), &st) != 0) {
      if (errno != ENOENT) return *err = sys_error("stat " + cur), false;
      if (!make_dir(cur, perms, err)) return false;
    } else if (S_ISLNK(st.st_mode)) {
      cur = fs::weakly_canonical(cur, ec).string();
    }
    if (!within(cur, root))
      return *err = "subpath \"" + cur + "\" not within volume path \"" + root + "\"", false;
  }
  *out = cur;
  return true;
}

}  // namespace

PodVolumes::PodVolumes(std::string pod_dir) : pod_dir_(std::move(pod_dir)) {
  std::error_code ec;
  fs::create_directories(pod_dir_, ec);  // a failure shows up in set_up, which can report it
}

std::string PodVolumes::volume_dir(const std::string& name) const {
  return pod_dir_ + "/volumes/" + name;
}

bool PodVolumes::set_up(const json::object& pod, const PodFacts& facts, const ObjectGetter& get,
                        std::string* err, const TokenRequester& request_token) {
  Context cx{pod, facts, get, get_string(pod, {"metadata", "namespace"}, "default"),
             request_token, tokens_, ""};
  std::string first;
  // Every volume is attempted: one missing ConfigMap must not stop the others refreshing.
  const json::value* vols = find_path(pod, {"spec", "volumes"});
  if (vols && vols->is_array())
    for (auto& v : vols->get_array()) {
      if (!v.is_object()) continue;
      const json::object& vol = v.get_object();
      std::string name = str_at(vol, "name"), e;
      bool ok = true;
      if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
        e = "invalid volume name \"" + name + "\"", ok = false;
      else if (auto* s = obj_at(vol, "emptyDir")) ok = set_up_empty_dir(volume_dir(name), *s, &e);
      else if (auto* s = obj_at(vol, "hostPath")) ok = check_host_path(*s, &e);
      else if (is_file_volume(vol)) ok = set_up_files(cx, volume_dir(name), vol, &e);
      else e = "volume \"" + name + "\": unsupported volume type", ok = false;
      if (!ok && first.empty()) first = e;
    }
  if (!first.empty()) *err = first;
  return first.empty();
}

bool PodVolumes::mounts(const json::object& pod, const json::object& container,
                        std::vector<runtime::MountSpec>* out, std::string* err) const {
  std::map<std::string, const json::object*> vols;
  if (const json::value* a = find_path(pod, {"spec", "volumes"}); a && a->is_array())
    for (auto& v : a->get_array())
      if (v.is_object()) vols[str_at(v.get_object(), "name")] = &v.get_object();
  const json::array* vms = arr_at(container, "volumeMounts");
  if (!vms) return true;
  for (auto& v : *vms) {
    if (!v.is_object()) continue;
    const json::object& vm = v.get_object();
    std::string name = str_at(vm, "name"), sub = str_at(vm, "subPath");
    auto it = vols.find(name);
    if (it == vols.end())
      return *err = "cannot find volume \"" + name + "\" to mount into container \"" +
                    str_at(container, "name") + "\"", false;
    if (!str_at(vm, "subPathExpr").empty()) return *err = "subPathExpr is not supported", false;
    const json::object* host = obj_at(*it->second, "hostPath");
    std::string source = host ? str_at(*host, "path") : volume_dir(name);
    if (!sub.empty() && !resolve_sub_path(source, sub, &source, err)) return false;
    runtime::MountSpec m{str_at(vm, "mountPath"), "bind", source, {"rbind", "rprivate"}};
    if (bool_at(vm, "readOnly") || is_file_volume(*it->second)) m.options.push_back("ro");
    out->push_back(std::move(m));
  }
  return true;
}

bool PodVolumes::tear_down(std::string* err) {
  std::string root = pod_dir_ + "/volumes";
  std::error_code ec;
  if (!fs::exists(root, ec)) return true;
  std::string real = canonical(root);
  // Unmount in reverse mount order: nested and stacked mounts go before what they cover.
  auto points = runtime::mounts_under(real);
  for (auto it = points.rbegin(); it != points.rend(); ++it)
    if (::umount2(it->c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      return *err = sys_error("unmount " + *it), false;
  // Never remove through a mount: that would delete what it shows (a tmpfs is harmless, but
  // anything else bound here would not be).
  if (!runtime::mounts_under(real).empty()) return *err = "mounts remain under " + real, false;
  fs::remove_all(root, ec);
  if (ec) return *err = "remove " + root + ": " + ec.message(), false;
  return true;
}

}  // namespace skiff::agent
