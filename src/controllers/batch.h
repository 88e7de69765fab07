// The Job and CronJob controllers (batch/v1). Their decisions live in batch_logic.h; these
// classes read the informer caches, write through the API and requeue with add_after for the
// times they wait for (pod failure backoff, activeDeadlineSeconds, ttlSecondsAfterFinished, the
// next schedule time). docs/controllers.md describes the behaviour and what differs upstream.
#pragma once
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "controllers/batch_logic.h"
#include "controllers/controllers.h"

namespace skiff::controllers {

// Job: creates pods from spec.template up to parallelism until completions succeed (NonIndexed
// and Indexed), fails the Job on backoffLimit or activeDeadlineSeconds, honours suspend and
// deletes finished Jobs after ttlSecondsAfterFinished (upstream's separate TTL-after-finished
// controller, folded in here). Terminal pods are counted by phase (no job-tracking finalizer).
class JobController : public QueueController {
 public:
  JobController(client::Client& c, InformerFactory& inf, int workers = 4);
  static constexpr int64_t kBurst = 500;  // pods created or deleted per sync

 protected:
  Status sync(const std::string& key) override;

 private:
  void on_pod(const client::ObjectPtr& pod, bool deleted);
  Status sync_ttl(const json::object& job, const std::string& key);
  // Creates `n` pods (Indexed: the given indexes); counts only successful creates.
  Status create_pods(const json::object& job, const std::string& key, int64_t n,
                     const std::vector<int64_t>& indexes);
  Status delete_pods(const json::object& job, const std::string& key,
                     const std::vector<client::ObjectPtr>& pods);
  void event(const json::object& job, const std::string& type, const std::string& reason,
             const std::string& message);

  client::Client& client_;
  client::Informer& pods_;
  client::Informer& jobs_;
  Expectations expectations_;
  // UIDs of Jobs this controller marked finished whose cached copy may not show it yet: their
  // syncs wait for the cache rather than finish them twice. Guarded by finished_mu_.
  std::mutex finished_mu_;
  std::set<std::string> finished_;
};

// CronJob: creates a Job per schedule time (UTC; spec.timeZone other than UTC/Etc/UTC is
// refused with an UnknownTimeZone event), honouring startingDeadlineSeconds, concurrencyPolicy
// and suspend; keeps status.active, lastScheduleTime and lastSuccessfulTime; deletes finished
// Jobs beyond the history limits.
class CronJobController : public QueueController {
 public:
  CronJobController(client::Client& c, InformerFactory& inf, int workers = 2);

 protected:
  Status sync(const std::string& key) override;

 private:
  void on_job(const client::ObjectPtr& job);
  void event(const json::object& cj, const std::string& type, const std::string& reason,
             const std::string& message);
  Status cleanup_history(const json::object& cj, std::vector<client::ObjectPtr> finished);

  client::Client& client_;
  client::Informer& jobs_;
  client::Informer& cronjobs_;
  // Events written in the last few minutes by (uid, reason, message): a sync that repeats one
  // (a bad timeZone, a Forbid skip) does not write it again, standing in for the event
  // aggregation of client-go's recorder. Guarded by events_mu_.
  std::mutex events_mu_;
  std::map<std::string, Clock::time_point> recent_events_;
};

}  // namespace skiff::controllers
