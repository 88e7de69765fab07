// The resource verbs: get, list, create, update, patch, delete, deletecollection, and the
// status, scale, binding and finalize subresources.
#include "apiextensions/jsonpath.h"
#include "apimachinery/duplicates.h"
#include "apimachinery/yaml.h"
#include "api/conversion.h"
#include "api/typecheck.h"
#include "apiserver/field_check.h"
#include "apiserver/handler.h"
#include "apiserver/tables.h"
#include "common/log.h"
#include "common/numbers.h"
#include "common/time.h"
#include "patch/patch.h"

namespace skiff::apiserver {

Result<bool> parse_dry_run(const net::Request& req) {
  auto it = req.query.equal_range("dryRun");
  bool dry = false;
  for (auto i = it.first; i != it.second; ++i) {
    if (i->second == "All") dry = true;
    else if (!i->second.empty())
      return ApiError::bad_request("Invalid dry run value: " + i->second +
                                   ": supported values: \"All\"");
  }
  return dry;
}

Result<DeleteOptions> parse_delete_options(const json::object& body, bool dry_run,
                                           const net::Request* query) {
  DeleteOptions opts;
  opts.dry_run = dry_run;
  if (const auto* g = body.if_contains("gracePeriodSeconds"); g && g->is_number())
    opts.grace_period_seconds = get_int(body, {"gracePeriodSeconds"});
  opts.propagation_policy = get_string(body, {"propagationPolicy"});
  if (query) {
    if (auto g = query->query_param("gracePeriodSeconds"); !g.empty()) {
      auto n = parse_int64(g);
      if (!n) return ApiError::bad_request("invalid gracePeriodSeconds: " + g);
      opts.grace_period_seconds = *n;
    }
    if (auto pp = query->query_param("propagationPolicy"); !pp.empty()) opts.propagation_policy = pp;
  }
  const json::value* orphan = body.if_contains("orphanDependents");
  if (orphan && ((orphan->is_bool() && orphan->get_bool()) ||
                 (orphan->is_string() && orphan->get_string() == "true")))
    opts.propagation_policy = "Orphan";
  if (!opts.propagation_policy.empty() && opts.propagation_policy != "Orphan" &&
      opts.propagation_policy != "Background" && opts.propagation_policy != "Foreground")
    return ApiError::bad_request("propagationPolicy: Unsupported value: \"" +
                                 opts.propagation_policy + "\"");
  if (const auto* pre = find_path(body, {"preconditions", "uid"}); pre && pre->is_string())
    opts.precondition_uid = std::string(pre->get_string());
  if (const auto* pre = find_path(body, {"preconditions", "resourceVersion"}); pre && pre->is_string())
    opts.precondition_resource_version = std::string(pre->get_string());
  if (const auto* dr = body.if_contains("dryRun"); dr && dr->is_array() && !dr->get_array().empty())
    opts.dry_run = true;
  if (const auto* ig = body.if_contains("ignoreStoreReadErrorWithClusterBreakingPotential");
      ig && ig->is_bool())
    opts.ignore_store_read_error = ig->get_bool();
  return opts;
}

void write_success(net::ResponseWriter& w, int code) {
  write_json(w, code,
             json::object{{"kind", "Status"},
                          {"apiVersion", "v1"},
                          {"metadata", json::object{}},
                          {"status", "Success"},
                          {"code", code}});
}

namespace {

Result<ListParams> parse_list_params(const net::Request& req) {
  ListParams p;
  auto ls = LabelSelector::parse(req.query_param("labelSelector"));
  if (!ls) return ls.error();
  p.labels = std::move(*ls);
  auto fs = FieldSelector::parse(req.query_param("fieldSelector"));
  if (!fs) return fs.error();
  p.fields = std::move(*fs);
  if (auto lim = req.query_param("limit"); !lim.empty()) {
    auto n = parse_int64(lim);
    if (!n || *n < 0) return ApiError::bad_request("invalid limit: " + lim);
    p.limit = *n;
  }
  p.continue_token = req.query_param("continue");
  p.resource_version = req.query_param("resourceVersion");
  p.resource_version_match = req.query_param("resourceVersionMatch");
  if (!p.resource_version_match.empty() && p.resource_version_match != "Exact" &&
      p.resource_version_match != "NotOlderThan")
    return ApiError::bad_request("invalid resourceVersionMatch: " + p.resource_version_match);
  // upstream's ValidateListOptions
  if (!p.resource_version_match.empty() && p.resource_version.empty())
    return ApiError::bad_request("resourceVersionMatch is forbidden unless resourceVersion is provided");
  if (!p.resource_version_match.empty() && !p.continue_token.empty())
    return ApiError::bad_request("resourceVersionMatch is forbidden when continue is provided");
  return p;
}

void set_type_meta(const api::ResourceInfo& r, json::object& obj) {
  api::convert_from_storage(r, obj);
}

// A deprecated version's responses carry upstream's Warning header.
class WarningWriter : public net::ResponseWriter {
 public:
  WarningWriter(net::ResponseWriter& w, const std::string& warning)
      : w_(w), header_("299 - " + json::serialize(json::value(warning))) {}
  void respond(int status, std::string_view ct, std::string body, const net::Headers& extra) override {
    w_.respond(status, ct, std::move(body), with(extra));
  }
  bool start_stream(int status, std::string_view ct, const net::Headers& extra) override {
    return w_.start_stream(status, ct, with(extra));
  }
  bool write_chunk(std::string_view data) override { return w_.write_chunk(data); }
  void end_stream() override { w_.end_stream(); }
  bool client_gone() override { return w_.client_gone(); }
  net::RawStream* hijack() override { return w_.hijack(); }

 private:
  net::Headers with(const net::Headers& extra) const {
    net::Headers h = extra;
    h.emplace_back("Warning", header_);
    return h;
  }
  net::ResponseWriter& w_;
  std::string header_;
};

// The object in the response, as a Table when the client asked for one.
void write_object(net::ResponseWriter& w, const net::Request& req, const api::ResourceInfo& r,
                  int status, json::object obj, const net::Headers& extra = {}) {
  set_type_meta(r, obj);
  if (wants_table(req)) {
    std::vector<json::object> items{std::move(obj)};
    json::object meta{{"resourceVersion", get_string(items[0], {"metadata", "resourceVersion"})}};
    write_json(w, status, make_table(r, items, req.query_param("includeObject"), true, meta), extra);
    return;
  }
  write_json(w, status, obj, extra);
}

// Checks apiVersion/kind of a body against the endpoint's kind.
Status check_type(const json::object& obj, const std::string& api_version,
                  const std::string& kind) {
  auto av = get_string(obj, {"apiVersion"});
  auto k = get_string(obj, {"kind"});
  if (k.empty() && av.empty()) return ok_status();  // both absent: the endpoint says what it is
  if (k.empty())
    return ApiError::bad_request("Object 'Kind' is missing in '" + json::serialize(obj).substr(0, 200) + "'");
  if (!av.empty() && av != api_version)
    return ApiError::bad_request("the API version in the data (" + av +
                                 ") does not match the expected API version (" + api_version + ")");
  if (k != kind)
    return ApiError::bad_request("the kind in the data (" + k +
                                 ") does not match the expected kind (" + kind + ")");
  return ok_status();
}

// The scale subresource's paths: a CRD version's, else the built-in kinds' (spec.replicas,
// status.replicas, spec.selector as a label selector object).
api::ScalePaths scale_paths(const api::ResourceInfo& r) {
  if (r.runtime && r.runtime->scale()) return *r.runtime->scale();
  return {".spec.replicas", ".status.replicas", ""};
}

int64_t int_at_path(const json::object& obj, const std::string& path) {
  const auto* v = apiextensions::json_path_get(json::value(obj), path);
  return v && v->is_number() ? v->to_number<int64_t>() : 0;
}

json::object scale_of(const api::ResourceInfo& r, const json::object& obj) {
  json::object meta;
  for (const char* k : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"})
    if (const auto* v = find_path(obj, {"metadata", k})) meta[k] = *v;
  auto paths = scale_paths(r);
  std::string selector;
  if (!paths.label_selector.empty()) {
    json::value whole(obj);
    if (const auto* v = apiextensions::json_path_get(whole, paths.label_selector); v && v->is_string())
      selector = std::string(v->get_string());
  } else if (const auto* sel = find_path(obj, {"spec", "selector"})) {
    auto ls = LabelSelector::from_json(sel);
    if (ls) selector = ls->to_string();
  }
  json::object status{{"replicas", int_at_path(obj, paths.status_replicas)}};
  if (!selector.empty()) status["selector"] = selector;
  return {{"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata", std::move(meta)},
          {"spec", json::object{{"replicas", int_at_path(obj, paths.spec_replicas)}}},
          {"status", std::move(status)}};
}

// A patch may not rename or move an object or change what it is; a uid it sets is a
// precondition (upstream's patch handler: checkName, and the uid check of its preconditions).
Status check_patched_identity(const json::object& out, const json::object& cur,
                              const api::ResourceInfo& r, const RequestInfo& info) {
  if (auto st = check_type(out, r.api_version(), r.kind); !st) return st;
  auto name = get_string(out, {"metadata", "name"});
  if (name != info.name)
    return ApiError::bad_request("the name of the object (" + name +
                                 ") does not match the name on the URL (" + info.name + ")");
  auto ns = get_string(out, {"metadata", "namespace"});
  if (r.namespaced && !ns.empty() && ns != info.namespace_)
    return ApiError::bad_request(
        "the namespace of the provided object does not match the namespace sent on the request");
  auto uid = get_string(out, {"metadata", "uid"});
  auto cur_uid = get_string(cur, {"metadata", "uid"});
  if (!uid.empty() && uid != cur_uid)
    return ApiError::conflict(r.qualified_resource(), info.name,
                              "Precondition failed: UID in precondition: " + uid +
                                  ", UID in object meta: " + cur_uid);
  return ok_status();
}

Result<json::value> apply_patch_body(const net::Request& req, const json::value& current,
                                     const std::string& group, const std::string& kind) {
  auto ct = req.header("content-type");
  if (auto semi = ct.find(';'); semi != std::string::npos) ct = ct.substr(0, semi);
  json::value patch;
  std::string err;
  if (ct == "application/apply-patch+yaml") {
    auto y = yaml_to_json(req.body);
    if (!y) return y.error();
    patch = std::move(*y);
  } else if (!parse_json(req.body, patch, err)) {
    return ApiError::bad_request("error decoding patch: " + err);
  }
  if (ct == "application/json-patch+json") return apply_json_patch(current, patch);
  if (!patch.is_object()) return ApiError::bad_request("patch body must be a JSON object");
  if (ct == "application/merge-patch+json") return apply_merge_patch(current, patch);
  if (ct == "application/strategic-merge-patch+json" || ct == "application/apply-patch+yaml")
    return apply_strategic_merge_patch(current, patch, group, kind);
  return ApiError::unsupported_media_type(
      "the body of the request was in an unknown format - accepted media types include: "
      "application/json-patch+json, application/merge-patch+json, "
      "application/apply-patch+yaml, application/strategic-merge-patch+json");
}
}  // namespace

void ApiHandler::handle_resource(net::Request& req, const RequestInfo& info,
                                 const UserInfo& user, net::ResponseWriter& w_in) {
  if (info.group == "authentication.k8s.io" && info.resource == "selfsubjectreviews")
    return handle_self_subject_review(req, info, user, w_in);
  // `served` is the version the client speaks, `r` the one objects are stored at (the same
  // unless the kind is served at several versions, api/conversion.h).
  const auto* served = api::find_resource(info.group, info.version, info.resource);
  if (!served || (!served->namespaced && !info.namespace_.empty() && info.resource != "namespaces")) {
    write_error(w_in, ApiError::no_such_path());
    return;
  }
  std::optional<WarningWriter> warned;
  if (!served->deprecation.empty()) warned.emplace(w_in, served->deprecation);
  net::ResponseWriter& w = warned ? static_cast<net::ResponseWriter&>(*warned) : w_in;
  const auto* r = &served->hub();
  const std::string& ns = info.namespace_;
  const std::string& name = info.name;
  const std::string& sub = info.subresource;
  if (!sub.empty() && !served->has_subresource(sub)) {
    write_error(w, ApiError::no_such_path());
    return;
  }
  auto dry = parse_dry_run(req);
  if (!dry) return write_error(w, dry.error());
  WriteOptions wo{*dry};

  if (sub == "scale") return handle_scale(req, info, *r, w);
  if (sub == "binding" || (r->resource == "bindings" && info.verb == "create")) {
    auto body = decode_body(req);
    if (!body) return write_error(w, body.error());
    std::string pod = sub == "binding" ? name : get_string(*body, {"metadata", "name"});
    (void)body;
    return handle_binding(req, ns, pod, w);
  }
  if (sub == "token" && r->group.empty() && r->resource == "serviceaccounts")
    return handle_token_request(req, info, w);
  if (sub == "eviction" && r->group.empty() && r->resource == "pods")
    return handle_eviction(req, ns, name, w);
  if (r->group.empty() && ((r->resource == "pods" && (sub == "log" || sub == "exec" ||
                                                      sub == "attach" || sub == "portforward")) ||
                           (r->resource == "nodes" && sub == "proxy")))
    return handle_kubelet_proxy(req, info, *r, w);
  if (!sub.empty() && sub != "status" && sub != "finalize") {
    write_error(w, ApiError::method_not_allowed("the subresource " + sub + " of " + r->resource +
                                                " is not served yet"));
    return;
  }

  if (r->group.empty() && r->resource == "componentstatuses")
    return handle_component_statuses(req, info, w);
  const std::string& verb = info.verb;
  if ((verb == "update" || verb == "patch") && name.empty()) {
    write_error(w, ApiError::method_not_allowed(req.method + " is not allowed on a collection"));
    return;
  }
  if (verb == "get") {
    auto obj = objects_.get(*r, ns, name, req.query_param("resourceVersion"));
    if (!obj) return write_error(w, obj.error());
    return write_object(w, req, *served, 200, std::move(*obj));
  }
  if (verb == "list") return handle_list(req, info, *served, w);
  if (verb == "watch") return handle_watch(req, info, *served, w);
  if (verb == "create") {
    if (!name.empty() || !sub.empty()) {
      write_error(w, ApiError::method_not_allowed("POST is not allowed on a named object"));
      return;
    }
    std::vector<std::string> duplicates;
    auto body = decode_body(req, &duplicates);
    if (!body) return write_error(w, body.error());
    if (auto st = check_type(*body, served->api_version(), served->kind); !st) return write_error(w, st.error());
    api::convert_to_storage(*served, *body);
    auto warn = check_fields(req, *r, *body, std::move(duplicates));
    if (!warn) return write_error(w, warn.error());
    set_type_meta(*r, *body);
    auto obj = objects_.create(*r, ns, std::move(*body), wo);
    if (!obj) return write_error(w, obj.error());
    return write_object(w, req, *served, 201, std::move(*obj), *warn);
  }
  if (verb == "update") {
    std::vector<std::string> duplicates;
    auto body = decode_body(req, &duplicates);
    if (!body) return write_error(w, body.error());
    if (auto st = check_type(*body, served->api_version(), served->kind); !st) return write_error(w, st.error());
    api::convert_to_storage(*served, *body);
    auto warn = check_fields(req, *r, *body, std::move(duplicates));
    if (!warn) return write_error(w, warn.error());
    set_type_meta(*r, *body);
    bool is_ns = r->group.empty() && r->resource == "namespaces";
    Result<json::object> obj = ApiError::internal("unset");
    if (is_ns && (sub.empty() || sub == "finalize")) {
      // spec.finalizers change only through /finalize; the main resource keeps them.
      json::object desired = std::move(*body);
      obj = objects_.guaranteed_update(
          *r, ns, name, sub,
          [&](const json::object& cur) -> Result<json::object> {
            json::object out = desired;
            auto& spec = ensure_object(out, "spec");
            const auto* old_fin = find_path(cur, {"spec", "finalizers"});
            if (sub.empty()) {
              if (old_fin) spec["finalizers"] = *old_fin;
              else spec.erase("finalizers");
            }
            return out;
          },
          wo);
    } else {
      obj = objects_.update(*r, ns, name, sub, std::move(*body), wo);
    }
    if (!obj) return write_error(w, obj.error());
    return write_object(w, req, *served, 200, std::move(*obj), *warn);
  }
  if (verb == "patch") return handle_patch(req, info, *served, w);
  if (verb == "delete" || verb == "deletecollection") {
    json::object body;
    if (!req.body.empty()) {
      auto b = decode_body(req);
      if (!b) return write_error(w, b.error());
      body = std::move(*b);
    }
    auto parsed = parse_delete_options(body, wo.dry_run, &req);
    if (!parsed) return write_error(w, parsed.error());
    const DeleteOptions& opts = *parsed;
    if (verb == "delete") {
      auto obj = objects_.remove(*r, ns, name, opts);
      if (!obj) return write_error(w, obj.error());
      return write_object(w, req, *served, 200, std::move(*obj));
    }
    return delete_collection(req, *served, ns, opts, w);
  }
  write_error(w, ApiError::method_not_allowed("the server does not allow this method on the "
                                              "requested resource"));
}

// deletecollection: the matching objects are listed and deleted a page at a time, and the
// deleted objects are streamed back as the list upstream answers with, so a collection of any
// size costs one page of memory. Decision: pages are read at the latest revision, not one
// snapshot (upstream lists once), so an object created during a long deletecollection past
// the current page may be deleted too.
void ApiHandler::delete_collection(net::Request& req, const api::ResourceInfo& r,
                                   const std::string& ns, const DeleteOptions& opts,
                                   net::ResponseWriter& w) {
  auto params = parse_list_params(req);
  if (!params) return write_error(w, params.error());
  params->limit = 500;
  params->continue_token.clear();
  const api::ResourceInfo& hub = r.hub();
  auto page = objects_.list(hub, ns, *params);
  if (!page) return write_error(w, page.error());
  std::string head = "{\"kind\":" + json::serialize(json::value(r.list_kind())) +
                     ",\"apiVersion\":" + json::serialize(json::value(r.api_version())) +
                     ",\"metadata\":{},\"items\":[";
  bool started = false, first = true;
  for (;;) {
    std::string out;
    for (auto& o : page->items) {
      auto res = objects_.remove(hub, get_string(o, {"metadata", "namespace"}),
                                 get_string(o, {"metadata", "name"}), opts);
      if (!res) {
        if (res.error().code == 404) continue;
        if (!started) return write_error(w, res.error());
        SKIFF_LOG(WARN) << "deletecollection of " << r.qualified_resource() << ": "
                        << res.error().message;
        continue;
      }
      set_type_meta(r, *res);
      if (!first) out += ',';
      out += json::serialize(*res);
      first = false;
    }
    if (!started) {
      if (!w.start_stream(200, "application/json")) return;
      started = true;
      out = head + out;
    }
    if (!out.empty() && !w.write_chunk(out)) return;
    if (page->continue_token.empty()) break;
    // The next page starts after this one at the latest revision: deleting a large collection
    // may take longer than the compaction interval, which would expire a continue token.
    params->resume_after = page->last_key;
    page = objects_.list(hub, ns, *params);
    if (!page) {
      SKIFF_LOG(WARN) << "deletecollection of " << r.qualified_resource() << ": "
                      << page.error().message;
      break;
    }
  }
  w.write_chunk("]}");
  w.end_stream();
}

void ApiHandler::handle_list(net::Request& req, const RequestInfo& info,
                             const api::ResourceInfo& r, net::ResponseWriter& w) {
  auto params = parse_list_params(req);
  if (!params) return write_error(w, params.error());
  const bool table = wants_table(req);
  // Raw items carry the stored apiVersion: only for the storage version.
  params->raw = !table && !r.storage;
  auto list = objects_.list(r.hub(), info.namespace_, *params);
  if (!list) return write_error(w, list.error());
  net::Headers warnings;
  for (const auto& msg : list->warnings)
    warnings.emplace_back("Warning", "299 - " + json::serialize(json::value(msg)));
  json::object meta{{"resourceVersion", list->resource_version}};
  if (!list->continue_token.empty()) meta["continue"] = list->continue_token;
  if (list->remaining && *list->remaining > 0) meta["remainingItemCount"] = *list->remaining;
  if (table) {
    write_json(w, 200,
               make_table(r, list->items, req.query_param("includeObject"), true, std::move(meta)),
               warnings);
    return;
  }
  // The list is written as text: stored objects already carry apiVersion and kind.
  std::string body = "{\"kind\":" + json::serialize(json::value(r.list_kind())) +
                     ",\"apiVersion\":" + json::serialize(json::value(r.api_version())) +
                     ",\"metadata\":" + json::serialize(meta) + ",\"items\":[";
  size_t total = body.size() + 2;
  for (const auto& s : list->raw_items) total += s.size() + 1;
  for (const auto& s : list->shared_items) total += s->size() + 1;
  body.reserve(total);
  bool first = true;
  for (const auto& s : list->raw_items) {
    if (!first) body += ',';
    body += s;
    first = false;
  }
  for (const auto& s : list->shared_items) {
    if (!first) body += ',';
    body += *s;
    first = false;
  }
  for (auto& o : list->items) {
    set_type_meta(r, o);
    if (!first) body += ',';
    body += json::serialize(o);
    first = false;
  }
  body += "]}";
  w.respond(200, "application/json", std::move(body), warnings);
}

void ApiHandler::handle_patch(net::Request& req, const RequestInfo& info,
                              const api::ResourceInfo& r, net::ResponseWriter& w) {
  auto dry = parse_dry_run(req);
  WriteOptions wo{dry && *dry};
  bool apply = req.header("content-type").rfind("application/apply-patch+yaml", 0) == 0;
  if (apply && req.query_param("fieldManager").empty())
    return write_error(w, ApiError::bad_request(
                              "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required "
                              "value: is required for apply patch"));
  if (r.runtime && req.header("content-type").rfind("application/strategic-merge-patch+json", 0) == 0)
    return write_error(w, ApiError::unsupported_media_type(
                              "the body of the request was in an unknown format - accepted media types "
                              "include: application/json-patch+json, application/merge-patch+json, "
                              "application/apply-patch+yaml"));
  const api::ResourceInfo& hub = r.hub();
  // fieldValidation of JSON, merge and strategic merge patches: duplicates in the patch, and
  // fields of the patched object its kind does not have (the stored object has none).
  auto mode = validation_mode(req);
  if (!mode) return write_error(w, mode.error());
  std::vector<std::string> patch_duplicates;
  if (!apply && req.header("content-type").rfind("application/json-patch+json", 0) != 0)
    for (auto& path : json_duplicate_fields(req.body))
      patch_duplicates.push_back("duplicate field \"" + path + "\"");
  net::Headers warnings;
  auto obj = objects_.guaranteed_update(
      hub, info.namespace_, info.name, info.subresource,
      [&](const json::object& stored) -> Result<json::object> {
        json::object cur = stored;
        api::convert_from_storage(r, cur);
        auto patched = apply_patch_body(req, json::value(cur), hub.group, hub.kind);
        if (!patched) return patched.error();
        if (!patched->is_object()) return ApiError::bad_request("the patch made the object not an object");
        json::object out = std::move(patched->get_object());
        if (auto st = check_patched_identity(out, cur, r, info); !st) return st.error();
        if (!apply) {
          std::vector<std::string> errors = patch_duplicates;
          if (auto st = add_unknown_fields(r, out, errors); !st) return st.error();
          auto reported = report_strict_errors(*mode, "", errors);
          if (!reported) return reported.error();
          warnings = std::move(*reported);
        }
        // The current resourceVersion came from `cur`: not a precondition (allows retries).
        if (get_string(out, {"metadata", "resourceVersion"}) ==
            get_string(cur, {"metadata", "resourceVersion"}))
          ensure_object(out, "metadata").erase("resourceVersion");
        out["apiVersion"] = r.api_version();
        out["kind"] = r.kind;
        api::convert_to_storage(r, out);
        return out;
      },
      wo);
  if (!obj && apply && obj.error().code == 404 && info.subresource.empty()) {
    // Server-side apply of a missing object creates it.
    auto y = yaml_to_json(req.body);
    if (!y || !y->is_object()) return write_error(w, y ? ApiError::bad_request("apply body must be an object") : y.error());
    json::object body = std::move(y->get_object());
    if (auto st = check_type(body, r.api_version(), r.kind); !st) return write_error(w, st.error());
    api::convert_to_storage(r, body);
    set_type_meta(hub, body);
    ensure_object(body, "metadata")["name"] = info.name;
    auto created = objects_.create(hub, info.namespace_, std::move(body), wo);
    if (!created) return write_error(w, created.error());
    return write_object(w, req, r, 201, std::move(*created));
  }
  if (!obj) return write_error(w, obj.error());
  write_object(w, req, r, 200, std::move(*obj), warnings);
}

void ApiHandler::handle_scale(net::Request& req, const RequestInfo& info,
                              const api::ResourceInfo& r, net::ResponseWriter& w) {
  auto dry = parse_dry_run(req);
  WriteOptions wo{dry && *dry};
  if (info.verb == "get") {
    auto obj = objects_.get(r, info.namespace_, info.name);
    if (!obj) return write_error(w, obj.error());
    return write_json(w, 200, scale_of(r, *obj));
  }
  if (info.verb != "update" && info.verb != "patch")
    return write_error(w, ApiError::method_not_allowed("scale supports get, update and patch"));
  Result<json::object> body = json::object{};
  if (info.verb == "update") {
    body = decode_body(req);
    if (!body) return write_error(w, body.error());
  }
  auto obj = objects_.guaranteed_update(
      r, info.namespace_, info.name, "",
      [&](const json::object& cur) -> Result<json::object> {
        json::object scale = scale_of(r, cur);
        json::object desired;
        if (info.verb == "update") {
          desired = *body;
        } else {
          auto patched = apply_patch_body(req, json::value(scale), "autoscaling", "Scale");
          if (!patched) return patched.error();
          if (!patched->is_object()) return ApiError::bad_request("patched scale is not an object");
          desired = std::move(patched->get_object());
        }
        const auto* rep = find_path(desired, {"spec", "replicas"});
        if (rep && !rep->is_int64() && !rep->is_uint64())
          return ApiError::bad_request("spec.replicas must be an integer");
        int64_t replicas = rep ? get_int(desired, {"spec", "replicas"}) : 0;
        if (replicas < 0)
          return ApiError::invalid("Scale", info.name, "autoscaling",
                                   {invalid("spec.replicas", json::value(replicas),
                                            "must be greater than or equal to 0")});
        json::object out = cur;
        if (!apiextensions::json_path_set(out, scale_paths(r).spec_replicas, json::value(replicas)))
          return ApiError::internal("the scale subresource's specReplicasPath cannot be written");
        auto want_rv = get_string(desired, {"metadata", "resourceVersion"});
        auto& meta = ensure_object(out, "metadata");
        if (!want_rv.empty() && want_rv != get_string(cur, {"metadata", "resourceVersion"}))
          meta["resourceVersion"] = want_rv;  // a stale precondition: the update answers 409
        else
          meta.erase("resourceVersion");
        return out;
      },
      wo);
  if (!obj) return write_error(w, obj.error());
  write_json(w, 200, scale_of(r, *obj));
}

void ApiHandler::handle_binding(net::Request& req, const std::string& ns, const std::string& pod,
                                net::ResponseWriter& w) {
  auto body = decode_body(req);
  if (!body) return write_error(w, body.error());
  auto node = get_string(*body, {"target", "name"});
  const auto* pods = api::find_resource("", "v1", "pods");
  if (node.empty())
    return write_error(w, ApiError::invalid("Binding", pod, "", {required("target.name")}));
  auto dry = parse_dry_run(req);
  WriteOptions wo{dry && *dry};
  auto obj = objects_.guaranteed_update(
      *pods, ns, pod, "binding",
      [&](const json::object& cur) -> Result<json::object> {
        auto have = get_string(cur, {"spec", "nodeName"});
        if (!have.empty())
          return ApiError::conflict("pods/binding", pod,
                                    "pod " + pod + " is already assigned to node \"" + have + "\"");
        if (find_path(cur, {"metadata", "deletionTimestamp"}))
          return ApiError::conflict("pods/binding", pod, "pod " + pod + " is being deleted");
        json::object out = cur;
        ensure_object(out, "spec")["nodeName"] = node;
        auto& status = ensure_object(out, "status");
        auto& conds = ensure_array(status, "conditions");
        json::array kept;
        for (auto& c : conds)
          if (get_string(c, {"type"}) != "PodScheduled") kept.push_back(c);
        kept.push_back(json::object{{"type", "PodScheduled"},
                                    {"status", "True"},
                                    {"lastProbeTime", nullptr},
                                    {"lastTransitionTime", now_rfc3339()}});
        status["conditions"] = std::move(kept);
        ensure_object(out, "metadata").erase("resourceVersion");
        return out;
      },
      wo);
  if (!obj) return write_error(w, obj.error());
  write_success(w, 201);
}
}  // namespace skiff::apiserver
