#include "controllers/batch_logic.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "controllers/logic.h"

namespace skiff::controllers {
namespace {
using namespace std::chrono;

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

struct FieldSpec {
  const char* what;
  int min, max;
  const char* const* names;  // names[i] is value min+i (nullptr: numbers only)
};
constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
constexpr FieldSpec kFields[] = {{"minute", 0, 59, nullptr},
                                 {"hour", 0, 23, nullptr},
                                 {"day of month", 1, 31, nullptr},
                                 {"month", 1, 12, kMonths},
                                 {"day of week", 0, 6, kDays}};

Result<int> parse_value(std::string_view s, const FieldSpec& f) {
  if (f.names) {
    std::string lower(s);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int i = 0; i <= f.max - f.min; ++i)
      if (lower == f.names[i]) return f.min + i;
  }
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size())
    return ApiError::bad_request("failed to parse int from " + std::string(s));
  return v;
}

// One comma-separated field into bits [min, max]; *star as robfig's starBit.
Result<uint64_t> parse_field(std::string_view field, const FieldSpec& f, bool* star) {
  uint64_t bits = 0;
  *star = false;
  for (auto part : split(field, ',')) {
    auto range_step = split(part, '/');
    if (range_step.size() > 2)
      return ApiError::bad_request("too many slashes: " + std::string(part));
    auto low_high = split(range_step[0], '-');
    int start, end, step = 1;
    bool is_star = false;
    if (low_high[0] == "*" || low_high[0] == "?") {
      if (low_high.size() > 1) return ApiError::bad_request("too many hyphens: " + std::string(part));
      start = f.min, end = f.max, is_star = true;
    } else {
      if (low_high.size() > 2) return ApiError::bad_request("too many hyphens: " + std::string(part));
      auto lo = parse_value(low_high[0], f);
      if (!lo) return lo.error();
      start = end = *lo;
      if (low_high.size() == 2) {
        auto hi = parse_value(low_high[1], f);
        if (!hi) return hi.error();
        end = *hi;
      }
    }
    if (range_step.size() == 2) {
      auto st = parse_value(range_step[1], FieldSpec{f.what, 0, 0, nullptr});
      if (!st) return st.error();
      step = *st;
      if (step <= 0) return ApiError::bad_request("step of range should be a positive number: " + std::string(part));
      if (low_high.size() == 1 && !is_star) end = f.max;  // "N/step" means N-max/step
    }
    if (start < f.min) return ApiError::bad_request("beginning of range (" + std::to_string(start) + ") below minimum (" + std::to_string(f.min) + "): " + std::string(part));
    if (end > f.max) return ApiError::bad_request("end of range (" + std::to_string(end) + ") above maximum (" + std::to_string(f.max) + "): " + std::string(part));
    if (start > end) return ApiError::bad_request("beginning of range (" + std::to_string(start) + ") beyond end of range (" + std::to_string(end) + "): " + std::string(part));
    if (is_star && step == 1) *star = true;
    for (int v = start; v <= end; v += step) bits |= uint64_t{1} << v;
  }
  return bits;
}

bool day_matches(const CronSchedule& s, const year_month_day& ymd) {
  bool dom = s.dom[static_cast<unsigned>(ymd.day())];
  bool dow = s.dow[weekday(sys_days(ymd)).c_encoding()];
  if (s.dom_star || s.dow_star) return dom && dow;
  return dom || dow;
}

Clock::time_point parse_time(const json::value* v) {
  if (!v || !v->is_string()) return {};
  auto t = parse_rfc3339(std::string_view(v->get_string()));
  return t ? *t : Clock::time_point{};
}
}  // namespace

Result<CronSchedule> parse_cron(std::string_view spec) {
  while (!spec.empty() && std::isspace(static_cast<unsigned char>(spec.front()))) spec.remove_prefix(1);
  while (!spec.empty() && std::isspace(static_cast<unsigned char>(spec.back()))) spec.remove_suffix(1);
  if (spec.empty()) return ApiError::bad_request("empty spec string");
  if (spec.rfind("TZ=", 0) == 0 || spec.rfind("CRON_TZ=", 0) == 0)
    return ApiError::bad_request("cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
  std::string text(spec);
  if (spec[0] == '@') {
    if (spec == "@yearly" || spec == "@annually") text = "0 0 1 1 *";
    else if (spec == "@monthly") text = "0 0 1 * *";
    else if (spec == "@weekly") text = "0 0 * * 0";
    else if (spec == "@daily" || spec == "@midnight") text = "0 0 * * *";
    else if (spec == "@hourly") text = "0 * * * *";
    else return ApiError::bad_request("unrecognized descriptor: " + std::string(spec));
  }
  std::vector<std::string_view> fields;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t b = 0;
    while (b < rest.size() && std::isspace(static_cast<unsigned char>(rest[b]))) ++b;
    size_t e = b;
    while (e < rest.size() && !std::isspace(static_cast<unsigned char>(rest[e]))) ++e;
    if (e > b) fields.push_back(rest.substr(b, e - b));
    rest.remove_prefix(e);
  }
  if (fields.size() != 5)
    return ApiError::bad_request("expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + std::string(spec));
  CronSchedule s;
  uint64_t bits[5];
  bool stars[5];
  for (int i = 0; i < 5; ++i) {
    auto b = parse_field(fields[i], kFields[i], &stars[i]);
    if (!b) return b.error();
    bits[i] = *b;
  }
  s.minute = std::bitset<60>(bits[0]);
  s.hour = std::bitset<24>(bits[1]);
  s.dom = std::bitset<32>(bits[2]);
  s.month = std::bitset<13>(bits[3]);
  s.dow = std::bitset<7>(bits[4]);
  s.dom_star = stars[2];
  s.dow_star = stars[4];
  return s;
}

std::optional<Clock::time_point> cron_next(const CronSchedule& s, Clock::time_point after) {
  auto t = floor<minutes>(after) + minutes(1);
  const auto limit = t + days(5 * 366);
  while (t < limit) {
    auto day = floor<days>(t);
    year_month_day ymd{day};
    if (!s.month[static_cast<unsigned>(ymd.month())]) {
      t = sys_days(year_month_day(ymd.year() / ymd.month() / 1) + months(1));
      continue;
    }
    if (!day_matches(s, ymd)) {
      t = day + days(1);
      continue;
    }
    auto h = duration_cast<hours>(t - day);
    if (!s.hour[h.count()]) {
      t = day + h + hours(1);
      continue;
    }
    auto m = duration_cast<minutes>(t - day - h);
    if (!s.minute[m.count()]) {
      t += minutes(1);
      continue;
    }
    return time_point_cast<Clock::duration>(t);
  }
  return std::nullopt;
}

ScheduleWindow most_recent_schedule(const CronSchedule& s, Clock::time_point earliest,
                                    Clock::time_point now) {
  ScheduleWindow w;
  auto t = cron_next(s, earliest);
  while (t && *t <= now && w.missed <= 100) {
    w.most_recent = t;
    ++w.missed;
    t = cron_next(s, *t);
  }
  if (!t || *t > now) return w;
  // More than 100 missed: look for the latest one in growing windows ending at now.
  for (auto span : {hours(2), hours(48), hours(24 * 64), hours(24 * 800), hours(24 * 366 * 6)}) {
    auto from = std::max(earliest, now - span);
    std::optional<Clock::time_point> found;
    for (auto u = cron_next(s, from); u && *u <= now; u = cron_next(s, *u)) found = u;
    if (found) {
      w.most_recent = found;
      break;
    }
  }
  return w;
}

std::string cronjob_job_name(const std::string& cronjob, Clock::time_point scheduled) {
  return cronjob + "-" + std::to_string(duration_cast<minutes>(scheduled.time_since_epoch()).count());
}

// ---------------- jobs ----------------

std::optional<Clock::time_point> pod_finish_time(const json::object& pod) {
  Clock::time_point latest{};
  for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
    const json::value* cs = find_path(pod, {"status", list});
    if (!cs || !cs->is_array()) continue;
    for (const auto& c : cs->get_array())
      latest = std::max(latest, parse_time(find_path(c, {"state", "terminated", "finishedAt"})));
  }
  if (latest == Clock::time_point{}) latest = parse_time(find_path(pod, {"metadata", "deletionTimestamp"}));
  if (latest == Clock::time_point{}) latest = parse_time(find_path(pod, {"metadata", "creationTimestamp"}));
  if (latest == Clock::time_point{}) return std::nullopt;
  return latest;
}

int64_t pod_completion_index(const json::object& pod) {
  std::string v = get_string(pod, {"metadata", "annotations", kJobCompletionIndex});
  if (v.empty()) v = get_string(pod, {"metadata", "labels", kJobCompletionIndex});
  int64_t i = -1;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), i);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || i < 0) return -1;
  return i;
}

JobPodSummary summarize_job_pods(const std::vector<client::ObjectPtr>& pods) {
  JobPodSummary s;
  std::optional<Clock::time_point> last_success;
  std::vector<Clock::time_point> failures;
  for (const auto& p : pods) {
    const std::string phase = get_string(*p, {"status", "phase"});
    if (phase == "Succeeded") {
      ++s.succeeded;
      if (int64_t i = pod_completion_index(*p); i >= 0) s.succeeded_indexes.insert(i);
      auto t = pod_finish_time(*p);
      if (t && (!last_success || *t > *last_success)) last_success = t;
    } else if (phase == "Failed") {
      ++s.failed;
      if (auto t = pod_finish_time(*p)) failures.push_back(*t);
    } else if (find_path(*p, {"metadata", "deletionTimestamp"})) {
      ++s.terminating;
    } else {
      s.active.push_back(p);
      if (is_pod_ready(*p)) ++s.ready;
      if (int64_t i = pod_completion_index(*p); i >= 0) s.active_indexes.insert(i);
      for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
        const json::value* cs = find_path(*p, {"status", list});
        if (cs && cs->is_array())
          for (const auto& c : cs->get_array()) s.active_restarts += get_int(c, {"restartCount"}, 0);
      }
    }
  }
  for (auto t : failures) {
    if (last_success && t <= *last_success) continue;
    ++s.failures_since_success;
    if (!s.last_failure || t > *s.last_failure) s.last_failure = t;
  }
  return s;
}

int64_t job_want_active(std::optional<int64_t> completions, int64_t parallelism,
                        int64_t succeeded, int64_t active) {
  if (!completions) return succeeded > 0 ? active : parallelism;
  return std::clamp<int64_t>(*completions - succeeded, 0, parallelism);
}

std::chrono::seconds job_failure_backoff(int64_t n) {
  if (n <= 0) return seconds(0);
  int64_t s = 10;
  for (int64_t i = 1; i < n && s < 360; ++i) s *= 2;
  return seconds(std::min<int64_t>(s, 360));
}

bool past_backoff_limit_on_failure(int64_t restarts, int64_t backoff_limit) {
  if (backoff_limit == 0) return restarts > 0;
  return restarts >= backoff_limit;
}

std::string format_index_set(const std::set<int64_t>& s) {
  std::string out;
  for (auto it = s.begin(); it != s.end();) {
    int64_t first = *it, last = *it;
    for (++it; it != s.end() && *it == last + 1; ++it) last = *it;
    if (!out.empty()) out += ",";
    out += std::to_string(first);
    if (last != first) out += "-" + std::to_string(last);
  }
  return out;
}

std::set<int64_t> parse_index_set(std::string_view s, int64_t completions) {
  std::set<int64_t> out;
  if (s.empty()) return out;
  for (auto part : split(s, ',')) {
    auto ends = split(part, '-');
    int64_t a = -1, b = -1;
    std::from_chars(ends[0].data(), ends[0].data() + ends[0].size(), a);
    b = a;
    if (ends.size() == 2) std::from_chars(ends[1].data(), ends[1].data() + ends[1].size(), b);
    if (ends.size() > 2 || a < 0 || b < a) continue;
    for (int64_t i = a; i <= b && i < completions; ++i) out.insert(i);
  }
  return out;
}

std::vector<int64_t> missing_indexes(const std::set<int64_t>& succeeded,
                                     const std::set<int64_t>& active, int64_t completions,
                                     int64_t n) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < completions && static_cast<int64_t>(out.size()) < n; ++i)
    if (!succeeded.count(i) && !active.count(i)) out.push_back(i);
  return out;
}

json::object job_condition(const std::string& type, const std::string& reason,
                           const std::string& message, Clock::time_point now,
                           const std::string& status) {
  std::string ts = format_rfc3339(now);
  return json::object{{"type", type},          {"status", status},
                      {"lastProbeTime", ts},   {"lastTransitionTime", ts},
                      {"reason", reason},      {"message", message}};
}

std::string job_finished_type(const json::object& job) {
  const json::value* conds = find_path(job, {"status", "conditions"});
  if (!conds || !conds->is_array()) return "";
  for (const auto& c : conds->get_array()) {
    std::string type = get_string(c, {"type"});
    if ((type == "Complete" || type == "Failed") && get_string(c, {"status"}) == "True") return type;
  }
  return "";
}

std::optional<Clock::time_point> job_finish_time(const json::object& job) {
  if (auto t = parse_time(find_path(job, {"status", "completionTime"})); t != Clock::time_point{})
    return t;
  const std::string type = job_finished_type(job);
  if (type.empty()) return std::nullopt;
  for (const auto& c : find_path(job, {"status", "conditions"})->get_array())
    if (get_string(c, {"type"}) == type) {
      auto t = parse_time(find_path(c, {"lastTransitionTime"}));
      if (t != Clock::time_point{}) return t;
    }
  return std::nullopt;
}

}  // namespace skiff::controllers
