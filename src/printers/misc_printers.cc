// Tables of events (core/v1 and events.k8s.io/v1 share upstream's printer), leases, endpoint
// slices and pod disruption budgets.
#include <algorithm>

#include "printers/printing.h"

namespace skiff::api::printing {
namespace {

// ---- events --------------------------------------------------------------------------------

// The fields printEvent reads, from either API version of an event.
struct EventView {
  const json::value* first_timestamp = nullptr;
  const json::value* last_timestamp = nullptr;
  const json::value* event_time = nullptr;
  const json::value* series = nullptr;
  const json::value* count = nullptr;
  const json::value* involved = nullptr;
  const json::value* source = nullptr;
  std::string reporting_controller, reporting_instance, type, reason, message;
};

json::array event_row(const json::object& ev, const EventView& v, Clock::time_point now) {
  std::string first = since(v.first_timestamp, now);
  if (!timestamp(v.first_timestamp)) first = since(v.event_time, now);
  std::string last = since(v.last_timestamp, now);
  if (!timestamp(v.last_timestamp)) last = first;

  int64_t count = num(v.count);
  if (v.series && v.series->is_object()) {
    last = since(at(v.series, {"lastObservedTime"}), now);
    count = num(v.series, {"count"});
  } else if (count == 0) {
    count = 1;  // singleton events carry no count in the new API
  }

  std::string kind = to_lower(str(v.involved, {"kind"})), name = str(v.involved, {"name"});
  std::string target = name.empty() ? kind : kind + "/" + name;

  // formatEventSource: component (or reporting controller) and ", host" (or instance).
  std::string component = str(v.source, {"component"});
  if (component.empty()) component = v.reporting_controller;
  std::string host = str(v.source, {"host"});
  if (host.empty()) host = v.reporting_instance;
  std::string source = host.empty() ? component : component + ", " + host;

  // strings.TrimSpace of the message.
  std::string message = v.message;
  const char* kSpace = " \t\n\r\v\f";
  auto b = message.find_first_not_of(kSpace);
  message =
      b == std::string::npos ? "" : message.substr(b, message.find_last_not_of(kSpace) - b + 1);

  return json::array{last,   v.type,  v.reason, target, str(v.involved, {"fieldPath"}),
                     source, message, first,    count,  name_of(ev)};
}

json::array core_event_cells(const json::object& ev, Clock::time_point now) {
  EventView v;
  v.first_timestamp = at(ev, {"firstTimestamp"});
  v.last_timestamp = at(ev, {"lastTimestamp"});
  v.event_time = at(ev, {"eventTime"});
  v.series = at(ev, {"series"});
  v.count = at(ev, {"count"});
  v.involved = at(ev, {"involvedObject"});
  v.source = at(ev, {"source"});
  v.reporting_controller = str(ev, {"reportingComponent"});
  v.reporting_instance = str(ev, {"reportingInstance"});
  v.type = str(ev, {"type"});
  v.reason = str(ev, {"reason"});
  v.message = str(ev, {"message"});
  return event_row(ev, v, now);
}

// events.k8s.io/v1 names the same fields differently (regarding, note, deprecated*).
json::array events_v1_cells(const json::object& ev, Clock::time_point now) {
  EventView v;
  v.first_timestamp = at(ev, {"deprecatedFirstTimestamp"});
  v.last_timestamp = at(ev, {"deprecatedLastTimestamp"});
  v.event_time = at(ev, {"eventTime"});
  v.series = at(ev, {"series"});
  v.count = at(ev, {"deprecatedCount"});
  v.involved = at(ev, {"regarding"});
  v.source = at(ev, {"deprecatedSource"});
  v.reporting_controller = str(ev, {"reportingController"});
  v.reporting_instance = str(ev, {"reportingInstance"});
  v.type = str(ev, {"type"});
  v.reason = str(ev, {"reason"});
  v.message = str(ev, {"note"});
  return event_row(ev, v, now);
}

std::vector<Column> event_columns() {
  Column name = name_col();
  name.priority = 1;
  return {col("Last Seen", "string", kDescEventLastTimestamp),
          col("Type", "string", kDescEventType),
          col("Reason", "string", kDescEventReason),
          col("Object", "string", kDescEventInvolvedObject),
          col("Subobject", "string", kDescObjectRefFieldPath, 1),
          col("Source", "string", kDescEventSource, 1),
          col("Message", "string", kDescEventMessage),
          col("First Seen", "string", kDescEventFirstTimestamp, 1),
          col("Count", "string", kDescEventCount, 1),
          name};
}

// ---- leases, endpoint slices, disruption budgets -------------------------------------------

json::array lease_cells(const json::object& l, Clock::time_point now) {
  return json::array{name_of(l), str(l, {"spec", "holderIdentity"}), age(l, now)};
}

// listWithMoreString: at most three entries, " + N more...", "<unset>" when empty.
std::string list_with_more(const std::vector<std::string>& all) {
  constexpr size_t kMax = 3;
  std::vector<std::string> list(all.begin(), all.begin() + std::min(all.size(), kMax));
  std::string out = join(list, ",");
  if (all.size() > kMax) return out + " + " + std::to_string(all.size() - kMax) + " more...";
  return out.empty() ? "<unset>" : out;
}

json::array endpointslice_cells(const json::object& s, Clock::time_point now) {
  std::vector<std::string> ports, addresses;
  for (const auto& p : arr(s, {"ports"})) {
    const auto* port = at(&p, {"port"});
    const auto* name = at(&p, {"name"});
    if (port && port->is_number()) {
      ports.push_back(std::to_string(num(port)));
    } else if (name && name->is_string()) {
      ports.push_back(std::string(name->get_string()));
    } else {
      ports.push_back("*");
    }
  }
  for (const auto& e : arr(s, {"endpoints"}))
    for (const auto& a : arr(&e, {"addresses"})) addresses.push_back(str(&a));
  return json::array{name_of(s), str(s, {"addressType"}), list_with_more(ports),
                     list_with_more(addresses), age(s, now)};
}

json::array pdb_cells(const json::object& pdb, Clock::time_point now) {
  return json::array{name_of(pdb), int_or_string(at(pdb, {"spec", "minAvailable"}), "N/A"),
                     int_or_string(at(pdb, {"spec", "maxUnavailable"}), "N/A"),
                     num(pdb, {"status", "disruptionsAllowed"}), age(pdb, now)};
}

json::array priority_class_cells(const json::object& pc, Clock::time_point now) {
  return json::array{name_of(pc), num(pc, {"value"}), flag(at(pc, {"globalDefault"})), age(pc, now),
                     str(pc, {"preemptionPolicy"})};
}

}  // namespace

void add_misc_printers(std::vector<Printer>& out) {
  out.push_back({"", "events", event_columns(), core_event_cells});
  out.push_back({"events.k8s.io", "events", event_columns(), events_v1_cells});
  out.push_back({"coordination.k8s.io",
                 "leases",
                 {name_col(), col("Holder", "string", kDescLeaseHolder), age_col()},
                 lease_cells});
  out.push_back({"discovery.k8s.io",
                 "endpointslices",
                 {name_col(), col("AddressType", "string", kDescSliceAddressType),
                  col("Ports", "string", kDescSlicePorts),
                  col("Endpoints", "string", kDescSliceEndpoints), age_col()},
                 endpointslice_cells});
  out.push_back(
      {"policy",
       "poddisruptionbudgets",
       {name_col(),
        col("Min Available", "string", "The minimum number of pods that must be available."),
        col("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
        col("Allowed Disruptions", "integer",
            "Calculated number of pods that may be disrupted at this time."),
        age_col()},
       pdb_cells});
  // Upstream shows PreemptionPolicy without -o wide too.
  out.push_back(
      {"scheduling.k8s.io",
       "priorityclasses",
       {name_col(),
        col("Value", "integer",
            "value represents the integer value of this priority class. This is the actual "
            "priority that pods receive when they have the name of this class in their pod spec."),
        col("Global-Default", "boolean",
            "globalDefault specifies whether this PriorityClass should be considered as the "
            "default priority for pods that do not have any priority class. Only one "
            "PriorityClass can be marked as `globalDefault`. However, if more than one "
            "PriorityClasses exists with their `globalDefault` field set to true, the smallest "
            "value of such global default PriorityClasses will be used as the default priority."),
        age_col(),
        col("PreemptionPolicy", "string",
            "preemptionPolicy is the Policy for preempting pods with lower priority. One of "
            "Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.")},
       priority_class_cells});
}

}  // namespace skiff::api::printing
