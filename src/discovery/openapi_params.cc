// The parameters of the OpenAPI v3 operations (openapi.cc): path parameters and the query
// parameters of the standard verbs and of the subresources.
#include "discovery/openapi_internal.h"

namespace skiff::discovery {

json::object param(std::string_view name, std::string_view in, std::string_view type,
                   std::string_view description, bool required) {
  json::object p;
  p["name"] = name;
  p["in"] = in;
  if (!description.empty()) p["description"] = description;
  if (required) p["required"] = true;
  json::object schema;
  schema["type"] = type;
  schema["uniqueItems"] = true;
  p["schema"] = std::move(schema);
  return p;
}

// Query parameters of the standard verbs.
void add_write_params(json::array& ps) {
  ps.push_back(param("dryRun", "query", "string",
                     "When present, indicates that modifications should not be persisted. Valid "
                     "values are: - All: all dry run stages will be processed"));
  ps.push_back(param("fieldManager", "query", "string",
                     "fieldManager is a name associated with the actor or entity that is making "
                     "these changes."));
  ps.push_back(param("fieldValidation", "query", "string",
                     "fieldValidation instructs the server on how to handle objects in the request "
                     "(POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: "
                     "- Ignore - Warn - Strict"));
}
void add_list_params(json::array& ps) {
  ps.push_back(param("allowWatchBookmarks", "query", "boolean", "requests watch events with type "
                                                               "\"BOOKMARK\"."));
  ps.push_back(param("continue", "query", "string",
                     "The continue option should be set when retrieving more results from the "
                     "server."));
  ps.push_back(param("fieldSelector", "query", "string",
                     "A selector to restrict the list of returned objects by their fields."));
  ps.push_back(param("labelSelector", "query", "string",
                     "A selector to restrict the list of returned objects by their labels."));
  ps.push_back(param("limit", "query", "integer",
                     "limit is a maximum number of responses to return for a list call."));
  ps.push_back(param("resourceVersion", "query", "string",
                     "resourceVersion sets a constraint on what resource versions a request may "
                     "be served from."));
  ps.push_back(param("resourceVersionMatch", "query", "string",
                     "resourceVersionMatch determines how resourceVersion is applied to list "
                     "calls."));
  ps.push_back(param("sendInitialEvents", "query", "boolean",
                     "`sendInitialEvents=true` may be set together with `watch=true`."));
  ps.push_back(param("timeoutSeconds", "query", "integer",
                     "Timeout for the list/watch call."));
  ps.push_back(param("watch", "query", "boolean",
                     "Watch for changes to the described resources and return them as a stream "
                     "of add, update, and remove notifications."));
}
void add_delete_params(json::array& ps) {
  ps.push_back(param("dryRun", "query", "string",
                     "When present, indicates that modifications should not be persisted."));
  ps.push_back(param("gracePeriodSeconds", "query", "integer",
                     "The duration in seconds before the object should be deleted."));
  ps.push_back(param("orphanDependents", "query", "boolean",
                     "Deprecated: please use the PropagationPolicy."));
  ps.push_back(param("propagationPolicy", "query", "string",
                     "Whether and how garbage collection will be performed: 'Orphan', "
                     "'Background' or 'Foreground'."));
}

json::array path_params(bool ns, bool name) {
  json::array ps;
  if (name)
    ps.push_back(param("name", "path", "string", "name of the object", /*required=*/true));
  if (ns)
    ps.push_back(param("namespace", "path", "string",
                       "object name and auth scope, such as for teams and projects",
                       /*required=*/true));
  ps.push_back(param("pretty", "query", "string",
                     "If 'true', then the output is pretty printed."));
  return ps;
}

void add_subresource_params(std::string_view sub, std::string_view method, json::array& ps) {
  if (sub == "log") {
    for (auto [n, t] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
             {"container", "string"},
             {"follow", "boolean"},
             {"insecureSkipTLSVerifyBackend", "boolean"},
             {"limitBytes", "integer"},
             {"previous", "boolean"},
             {"sinceSeconds", "integer"},
             {"stream", "string"},
             {"tailLines", "integer"},
             {"timestamps", "boolean"}})
      ps.push_back(param(n, "query", t, ""));
  } else if (sub == "exec" || sub == "attach") {
    if (sub == "exec") ps.push_back(param("command", "query", "string", ""));
    for (auto [n, t] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
             {"container", "string"},
             {"stderr", "boolean"},
             {"stdin", "boolean"},
             {"stdout", "boolean"},
             {"tty", "boolean"}})
      ps.push_back(param(n, "query", t, ""));
  } else if (sub == "portforward") {
    ps.push_back(param("ports", "query", "integer", ""));
  } else if (sub == "proxy") {
    ps.push_back(param("path", "query", "string", ""));
  } else if (method == "post" || method == "put" || method == "patch") {
    add_write_params(ps);
    if (method == "patch") ps.push_back(param("force", "query", "boolean", ""));
  }
}

}  // namespace skiff::discovery
