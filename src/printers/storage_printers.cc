// Tables of persistent volumes and persistent volume claims.
#include "printers/printing.h"

namespace skiff::api::printing {
namespace {

constexpr std::string_view kBetaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

bool deleting(const json::object& o) {
  const auto* ts = at(o, {"metadata", "deletionTimestamp"});
  return ts && !ts->is_null();
}

// helper.GetPersistentVolumeClass / GetPersistentVolumeClaimClass: the beta annotation wins over
// spec.storageClassName.
std::string storage_class(const json::object& o) {
  const auto& annotations = obj(o, {"metadata", "annotations"});
  if (const auto* a = annotations.if_contains(kBetaStorageClassAnnotation); a && a->is_string())
    return std::string(a->get_string());
  return str(o, {"spec", "storageClassName"});
}

std::string unset_or(const json::object& o, std::initializer_list<std::string_view> path) {
  const auto* v = at(o, path);
  return v && v->is_string() ? std::string(v->get_string()) : std::string("<unset>");
}

json::array pv_cells(const json::object& pv, Clock::time_point now) {
  std::string claim;
  if (const auto* ref = at(pv, {"spec", "claimRef"}); ref && ref->is_object())
    claim = str(ref, {"namespace"}) + "/" + str(ref, {"name"});
  std::string phase = deleting(pv) ? "Terminating" : str(pv, {"status", "phase"});
  return json::array{name_of(pv),
                     quantity(at(pv, {"spec", "capacity", "storage"})),
                     access_modes(arr(pv, {"spec", "accessModes"})),
                     str(pv, {"spec", "persistentVolumeReclaimPolicy"}),
                     phase,
                     claim,
                     storage_class(pv),
                     unset_or(pv, {"spec", "volumeAttributesClassName"}),
                     str(pv, {"status", "reason"}),
                     age(pv, now),
                     unset_or(pv, {"spec", "volumeMode"})};
}

json::array pvc_cells(const json::object& pvc, Clock::time_point now) {
  std::string phase = deleting(pvc) ? "Terminating" : str(pvc, {"status", "phase"});
  std::string volume = str(pvc, {"spec", "volumeName"});
  std::string capacity, modes;
  if (!volume.empty()) {  // capacity and modes are shown only once bound
    modes = access_modes(arr(pvc, {"status", "accessModes"}));
    capacity = quantity(at(pvc, {"status", "capacity", "storage"}));
  }
  return json::array{name_of(pvc),
                     phase,
                     volume,
                     capacity,
                     modes,
                     storage_class(pvc),
                     unset_or(pvc, {"spec", "volumeAttributesClassName"}),
                     age(pvc, now),
                     unset_or(pvc, {"spec", "volumeMode"})};
}

}  // namespace

void add_storage_printers(std::vector<Printer>& out) {
  out.push_back({"",
                 "persistentvolumes",
                 {name_col(), col("Capacity", "string", kDescPVCapacity),
                  col("Access Modes", "string", kDescPVAccessModes),
                  col("Reclaim Policy", "string", kDescPVReclaimPolicy),
                  col("Status", "string", kDescPVPhase), col("Claim", "string", kDescPVClaimRef),
                  col("StorageClass", "string", "StorageClass of the pv"),
                  col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
                  col("Reason", "string", kDescPVReason), age_col(),
                  col("VolumeMode", "string", kDescPVVolumeMode, 1)},
                 pv_cells});
  out.push_back(
      {"",
       "persistentvolumeclaims",
       {name_col(), col("Status", "string", kDescPVCPhase),
        col("Volume", "string", kDescPVCVolumeName), col("Capacity", "string", kDescPVCCapacity),
        col("Access Modes", "string", kDescPVCAccessModes),
        col("StorageClass", "string", "StorageClass of the pvc"),
        col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"), age_col(),
        col("VolumeMode", "string", kDescPVCVolumeMode, 1)},
       pvc_cells});
}

}  // namespace skiff::api::printing
