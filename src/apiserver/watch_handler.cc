// Watch streams: newline-delimited JSON events over a chunked response, as tables when asked,
// with bookmarks, timeoutSeconds, and a 410 ERROR event when the start revision was compacted.
// A watch the store closes (its client fell too far behind, see storage/watch_hub.h) ends the
// stream, as upstream's cacher does: the client watches again from its last resourceVersion.
#include <chrono>

#include "apiserver/handler.h"
#include "apiserver/tables.h"
#include "common/log.h"
#include "common/numbers.h"

namespace skiff::apiserver {
namespace {
using namespace std::chrono_literals;
constexpr auto kBookmarkInterval = 30s;
constexpr auto kDefaultTimeout = 30min;
constexpr size_t kChunkBytes = 1 << 20;

std::string event_line(const std::string& type, json::value object) {
  json::object ev{{"type", type}, {"object", std::move(object)}};
  auto s = json::serialize(ev);
  s += '\n';
  return s;
}
}  // namespace

void ApiHandler::handle_watch(net::Request& req, const RequestInfo& info,
                              const api::ResourceInfo& r, net::ResponseWriter& w) {
  ListParams params;
  {
    auto ls = LabelSelector::parse(req.query_param("labelSelector"));
    if (!ls) return write_error(w, ls.error());
    params.labels = std::move(*ls);
    auto fs = FieldSelector::parse(req.query_param("fieldSelector"));
    if (!fs) return write_error(w, fs.error());
    params.fields = std::move(*fs);
  }
  // A watch of one object: /namespaces/ns/pods/name?watch=1 (legacy) means metadata.name=name.
  if (!info.name.empty()) {
    auto fs = FieldSelector::parse("metadata.name=" + info.name +
                                   (req.query_param("fieldSelector").empty()
                                        ? ""
                                        : "," + req.query_param("fieldSelector")));
    if (!fs) return write_error(w, fs.error());
    params.fields = std::move(*fs);
  }
  params.resource_version = req.query_param("resourceVersion");
  params.raw = !r.storage;  // raw events carry the stored apiVersion
  const bool send_initial = params.resource_version.empty() || params.resource_version == "0";
  const bool bookmarks = parse_bool(req.query_param("allowWatchBookmarks")).value_or(false);
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kDefaultTimeout);
  if (auto t = req.query_param("timeoutSeconds"); !t.empty()) {
    auto secs = parse_int64(t);
    if (!secs || *secs < 0)
      return write_error(w, ApiError::bad_request("invalid timeoutSeconds: " + t));
    // Clamped so the deadline arithmetic cannot overflow (about 31 years).
    if (*secs > 0) timeout = std::chrono::seconds(std::min<int64_t>(*secs, 1'000'000'000));
  }
  const bool table = wants_table(req);
  const std::string include = req.query_param("includeObject");

  auto watch = objects_.watch(r.hub(), info.namespace_, params, send_initial);
  if (!watch) {
    if (watch.error().code == 410) {
      // Upstream answers an expired watch with a 200 stream holding one ERROR event.
      if (w.start_stream(200, "application/json"))
        w.write_chunk(event_line("ERROR", watch.error().to_status()));
      w.end_stream();
      return;
    }
    return write_error(w, watch.error());
  }
  if (!w.start_stream(200, "application/json")) return;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto last_bookmark = std::chrono::steady_clock::now();
  bool first_table = true;
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    auto wait = std::min<std::chrono::milliseconds>(
        250ms, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    bool closed = false;
    auto events = (*watch)->next(wait, &closed);
    // Written in pieces of about kChunkBytes, each event's data freed once serialized: a client
    // that stops reading blocks this thread in write_chunk holding one piece, not a second copy
    // of the whole batch (the store bounds a batch; the initial list is one batch).
    std::string out;
    for (auto& ev : events) {
      if (out.size() >= kChunkBytes) {
        if (!w.write_chunk(out)) return;
        out.clear();
      }
      if (!ev.raw.empty() && !table) {
        out += "{\"type\":\"" + ev.type + "\",\"object\":" + ev.raw + "}\n";
        std::string().swap(ev.raw);
        continue;
      }
      if (!ev.raw.empty()) {
        std::string err;
        json::value v;
        bool ok = parse_json(ev.raw, v, err) && v.is_object();
        std::string().swap(ev.raw);
        if (!ok) continue;
        ev.object = std::move(v.get_object());
      }
      ev.object["apiVersion"] = r.api_version();
      ev.object["kind"] = r.kind;
      if (table) {
        std::vector<json::object> one{std::move(ev.object)};
        out += event_line(ev.type, make_table(r, one, include, first_table));
        first_table = false;
      } else {
        out += event_line(ev.type, std::move(ev.object));
      }
    }
    if (!out.empty() && !w.write_chunk(out)) return;
    if (closed) break;
    if (bookmarks && std::chrono::steady_clock::now() - last_bookmark >= kBookmarkInterval) {
      last_bookmark = std::chrono::steady_clock::now();
      json::object obj{{"kind", r.kind},
                       {"apiVersion", r.api_version()},
                       {"metadata", json::object{{"resourceVersion",
                                                  std::to_string((*watch)->progress_revision())}}}};
      if (!w.write_chunk(event_line("BOOKMARK", std::move(obj)))) return;
    }
    if (events.empty() && w.client_gone()) return;
  }
  w.end_stream();
}
}  // namespace skiff::apiserver
