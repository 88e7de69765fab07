// Generated from upstream k8s.io/api and k8s.io/apimachinery generated.proto field numbers and
// Go struct tags (json names, omitempty, pointers) by a throwaway script; facts only. Do not edit by hand.
#include "protobuf/k8s_schema.h"

namespace skiff::protobuf::schema {
namespace {
using K = Kind;
constexpr uint8_t R = kRepeated, M = kMap, O = kOmitEmpty, I = kInline, P = kPointer;
constexpr FieldDesc f0[] = {  // meta.v1.APIGroup
    {1, "name", K::String, 0, -1},
    {2, "versions", K::Msg, R, 14},
    {3, "preferredVersion", K::Msg, O, 14},
    {4, "serverAddressByClientCIDRs", K::Msg, R|O, 31}};
constexpr FieldDesc f1[] = {  // meta.v1.APIGroupList
    {1, "groups", K::Msg, R, 0}};
constexpr FieldDesc f2[] = {  // meta.v1.APIResource
    {1, "name", K::String, 0, -1},
    {6, "singularName", K::String, 0, -1},
    {2, "namespaced", K::Bool, 0, -1},
    {8, "group", K::String, O, -1},
    {9, "version", K::String, O, -1},
    {3, "kind", K::String, 0, -1},
    {4, "verbs", K::StringList, 0, -1},
    {5, "shortNames", K::String, R|O, -1},
    {7, "categories", K::String, R|O, -1},
    {10, "storageVersionHash", K::String, O, -1}};
constexpr FieldDesc f3[] = {  // meta.v1.APIResourceList
    {1, "groupVersion", K::String, 0, -1},
    {2, "resources", K::Msg, R, 2}};
constexpr FieldDesc f4[] = {  // meta.v1.APIVersions
    {1, "versions", K::String, R, -1},
    {2, "serverAddressByClientCIDRs", K::Msg, R, 31}};
constexpr FieldDesc f5[] = {  // meta.v1.ApplyOptions
    {1, "dryRun", K::String, R|O, -1},
    {2, "force", K::Bool, 0, -1},
    {3, "fieldManager", K::String, 0, -1}};
constexpr FieldDesc f6[] = {  // meta.v1.Condition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {3, "observedGeneration", K::Int64, O, -1},
    {4, "lastTransitionTime", K::Time, 0, -1},
    {5, "reason", K::String, 0, -1},
    {6, "message", K::String, 0, -1}};
constexpr FieldDesc f7[] = {  // meta.v1.CreateOptions
    {1, "dryRun", K::String, R|O, -1},
    {3, "fieldManager", K::String, O, -1},
    {4, "fieldValidation", K::String, O, -1}};
constexpr FieldDesc f8[] = {  // meta.v1.DeleteOptions
    {1, "gracePeriodSeconds", K::Int64, P, -1},
    {2, "preconditions", K::Msg, P, 29},
    {3, "orphanDependents", K::Bool, P, -1},
    {4, "propagationPolicy", K::String, P, -1},
    {5, "dryRun", K::String, R|O, -1},
    {6, "ignoreStoreReadErrorWithClusterBreakingPotential", K::Bool, P, -1}};
constexpr FieldDesc f9[] = {  // meta.v1.FieldSelectorRequirement
    {1, "key", K::String, 0, -1},
    {2, "operator", K::String, 0, -1},
    {3, "values", K::String, R|O, -1}};
constexpr FieldDesc f10[] = {  // meta.v1.GetOptions
    {1, "resourceVersion", K::String, O, -1}};
constexpr FieldDesc f11[] = {  // meta.v1.GroupKind
    {1, "group", K::String, 0, -1},
    {2, "kind", K::String, 0, -1}};
constexpr FieldDesc f12[] = {  // meta.v1.GroupResource
    {1, "group", K::String, 0, -1},
    {2, "resource", K::String, 0, -1}};
constexpr FieldDesc f13[] = {  // meta.v1.GroupVersion
    {1, "group", K::String, 0, -1},
    {2, "version", K::String, 0, -1}};
constexpr FieldDesc f14[] = {  // meta.v1.GroupVersionForDiscovery
    {1, "groupVersion", K::String, 0, -1},
    {2, "version", K::String, 0, -1}};
constexpr FieldDesc f15[] = {  // meta.v1.GroupVersionKind
    {1, "group", K::String, 0, -1},
    {2, "version", K::String, 0, -1},
    {3, "kind", K::String, 0, -1}};
constexpr FieldDesc f16[] = {  // meta.v1.GroupVersionResource
    {1, "group", K::String, 0, -1},
    {2, "version", K::String, 0, -1},
    {3, "resource", K::String, 0, -1}};
constexpr FieldDesc f17[] = {  // meta.v1.LabelSelector
    {1, "matchLabels", K::String, M|O, -1},
    {2, "matchExpressions", K::Msg, R|O, 18}};
constexpr FieldDesc f18[] = {  // meta.v1.LabelSelectorRequirement
    {1, "key", K::String, 0, -1},
    {2, "operator", K::String, 0, -1},
    {3, "values", K::String, R|O, -1}};
constexpr FieldDesc f19[] = {  // meta.v1.List
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::RawJson, R, -1}};
constexpr FieldDesc f20[] = {  // meta.v1.ListMeta
    {1, "selfLink", K::String, O, -1},
    {2, "resourceVersion", K::String, O, -1},
    {3, "continue", K::String, O, -1},
    {4, "remainingItemCount", K::Int64, P, -1},
    {5, "shardInfo", K::Msg, P, 32}};
constexpr FieldDesc f21[] = {  // meta.v1.ListOptions
    {1, "labelSelector", K::String, O, -1},
    {2, "fieldSelector", K::String, O, -1},
    {3, "watch", K::Bool, O, -1},
    {9, "allowWatchBookmarks", K::Bool, O, -1},
    {4, "resourceVersion", K::String, O, -1},
    {10, "resourceVersionMatch", K::String, O, -1},
    {5, "timeoutSeconds", K::Int64, P, -1},
    {7, "limit", K::Int64, O, -1},
    {8, "continue", K::String, O, -1},
    {11, "sendInitialEvents", K::Bool, P, -1},
    {15, "shardSelector", K::String, O, -1}};
constexpr FieldDesc f22[] = {  // meta.v1.ManagedFieldsEntry
    {1, "manager", K::String, O, -1},
    {2, "operation", K::String, O, -1},
    {3, "apiVersion", K::String, O, -1},
    {4, "time", K::Time, P, -1},
    {6, "fieldsType", K::String, O, -1},
    {7, "fieldsV1", K::RawJson, P, -1},
    {8, "subresource", K::String, O, -1}};
constexpr FieldDesc f23[] = {  // meta.v1.ObjectMeta
    {1, "name", K::String, O, -1},
    {2, "generateName", K::String, O, -1},
    {3, "namespace", K::String, O, -1},
    {4, "selfLink", K::String, O, -1},
    {5, "uid", K::String, O, -1},
    {6, "resourceVersion", K::String, O, -1},
    {7, "generation", K::Int64, O, -1},
    {8, "creationTimestamp", K::Time, O, -1},
    {9, "deletionTimestamp", K::Time, P, -1},
    {10, "deletionGracePeriodSeconds", K::Int64, P, -1},
    {11, "labels", K::String, M|O, -1},
    {12, "annotations", K::String, M|O, -1},
    {13, "ownerReferences", K::Msg, R|O, 24},
    {14, "finalizers", K::String, R|O, -1},
    {17, "managedFields", K::Msg, R|O, 22}};
constexpr FieldDesc f24[] = {  // meta.v1.OwnerReference
    {5, "apiVersion", K::String, 0, -1},
    {1, "kind", K::String, 0, -1},
    {3, "name", K::String, 0, -1},
    {4, "uid", K::String, 0, -1},
    {6, "controller", K::Bool, P, -1},
    {7, "blockOwnerDeletion", K::Bool, P, -1}};
constexpr FieldDesc f25[] = {  // meta.v1.PartialObjectMetadata
    {1, "metadata", K::Msg, O, 23}};
constexpr FieldDesc f26[] = {  // meta.v1.PartialObjectMetadataList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 25}};
constexpr FieldDesc f28[] = {  // meta.v1.PatchOptions
    {1, "dryRun", K::String, R|O, -1},
    {2, "force", K::Bool, P, -1},
    {3, "fieldManager", K::String, O, -1},
    {4, "fieldValidation", K::String, O, -1}};
constexpr FieldDesc f29[] = {  // meta.v1.Preconditions
    {1, "uid", K::String, P, -1},
    {2, "resourceVersion", K::String, P, -1}};
constexpr FieldDesc f30[] = {  // meta.v1.RootPaths
    {1, "paths", K::String, R, -1}};
constexpr FieldDesc f31[] = {  // meta.v1.ServerAddressByClientCIDR
    {1, "clientCIDR", K::String, 0, -1},
    {2, "serverAddress", K::String, 0, -1}};
constexpr FieldDesc f32[] = {  // meta.v1.ShardInfo
    {1, "selector", K::String, 0, -1}};
constexpr FieldDesc f33[] = {  // meta.v1.Status
    {1, "metadata", K::Msg, O, 20},
    {2, "status", K::String, O, -1},
    {3, "message", K::String, O, -1},
    {4, "reason", K::String, O, -1},
    {5, "details", K::Msg, P, 35},
    {6, "code", K::Int32, O, -1}};
constexpr FieldDesc f34[] = {  // meta.v1.StatusCause
    {1, "reason", K::String, O, -1},
    {2, "message", K::String, O, -1},
    {3, "field", K::String, O, -1}};
constexpr FieldDesc f35[] = {  // meta.v1.StatusDetails
    {1, "name", K::String, O, -1},
    {2, "group", K::String, O, -1},
    {3, "kind", K::String, O, -1},
    {6, "uid", K::String, O, -1},
    {4, "causes", K::Msg, R|O, 34},
    {5, "retryAfterSeconds", K::Int32, O, -1}};
constexpr FieldDesc f36[] = {  // meta.v1.TableOptions
    {1, "includeObject", K::String, O, -1}};
constexpr FieldDesc f37[] = {  // meta.v1.TypeMeta
    {1, "kind", K::String, O, -1},
    {2, "apiVersion", K::String, O, -1}};
constexpr FieldDesc f38[] = {  // meta.v1.UpdateOptions
    {1, "dryRun", K::String, R|O, -1},
    {2, "fieldManager", K::String, O, -1},
    {3, "fieldValidation", K::String, O, -1}};
constexpr FieldDesc f39[] = {  // meta.v1.Verbs
    {1, "items", K::String, R, -1}};
constexpr FieldDesc f40[] = {  // meta.v1.WatchEvent
    {1, "type", K::String, 0, -1},
    {2, "object", K::RawJson, 0, -1}};
constexpr FieldDesc f41[] = {  // core.v1.AWSElasticBlockStoreVolumeSource
    {1, "volumeID", K::String, 0, -1},
    {2, "fsType", K::String, O, -1},
    {3, "partition", K::Int32, O, -1},
    {4, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f42[] = {  // core.v1.Affinity
    {1, "nodeAffinity", K::Msg, P, 145},
    {2, "podAffinity", K::Msg, P, 182},
    {3, "podAntiAffinity", K::Msg, P, 184}};
constexpr FieldDesc f43[] = {  // core.v1.AppArmorProfile
    {1, "type", K::String, 0, -1},
    {2, "localhostProfile", K::String, P, -1}};
constexpr FieldDesc f44[] = {  // core.v1.AttachedVolume
    {1, "name", K::String, 0, -1},
    {2, "devicePath", K::String, 0, -1}};
constexpr FieldDesc f45[] = {  // core.v1.AvoidPods
    {1, "preferAvoidPods", K::Msg, R|O, 214}};
constexpr FieldDesc f46[] = {  // core.v1.AzureDiskVolumeSource
    {1, "diskName", K::String, 0, -1},
    {2, "diskURI", K::String, 0, -1},
    {3, "cachingMode", K::String, P, -1},
    {4, "fsType", K::String, P, -1},
    {5, "readOnly", K::Bool, P, -1},
    {6, "kind", K::String, P, -1}};
constexpr FieldDesc f47[] = {  // core.v1.AzureFilePersistentVolumeSource
    {1, "secretName", K::String, 0, -1},
    {2, "shareName", K::String, 0, -1},
    {3, "readOnly", K::Bool, O, -1},
    {4, "secretNamespace", K::String, P, -1}};
constexpr FieldDesc f48[] = {  // core.v1.AzureFileVolumeSource
    {1, "secretName", K::String, 0, -1},
    {2, "shareName", K::String, 0, -1},
    {3, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f49[] = {  // core.v1.Binding
    {1, "metadata", K::Msg, O, 23},
    {2, "target", K::Msg, 0, 167}};
constexpr FieldDesc f50[] = {  // core.v1.CSIPersistentVolumeSource
    {1, "driver", K::String, 0, -1},
    {2, "volumeHandle", K::String, 0, -1},
    {3, "readOnly", K::Bool, O, -1},
    {4, "fsType", K::String, O, -1},
    {5, "volumeAttributes", K::String, M|O, -1},
    {6, "controllerPublishSecretRef", K::Msg, P, 248},
    {7, "nodeStageSecretRef", K::Msg, P, 248},
    {8, "nodePublishSecretRef", K::Msg, P, 248},
    {9, "controllerExpandSecretRef", K::Msg, P, 248},
    {10, "nodeExpandSecretRef", K::Msg, P, 248}};
constexpr FieldDesc f51[] = {  // core.v1.CSIVolumeSource
    {1, "driver", K::String, 0, -1},
    {2, "readOnly", K::Bool, P, -1},
    {3, "fsType", K::String, P, -1},
    {4, "volumeAttributes", K::String, M|O, -1},
    {5, "nodePublishSecretRef", K::Msg, P, 134}};
constexpr FieldDesc f52[] = {  // core.v1.Capabilities
    {1, "add", K::String, R|O, -1},
    {2, "drop", K::String, R|O, -1}};
constexpr FieldDesc f53[] = {  // core.v1.CephFSPersistentVolumeSource
    {1, "monitors", K::String, R, -1},
    {2, "path", K::String, O, -1},
    {3, "user", K::String, O, -1},
    {4, "secretFile", K::String, O, -1},
    {5, "secretRef", K::Msg, P, 248},
    {6, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f54[] = {  // core.v1.CephFSVolumeSource
    {1, "monitors", K::String, R, -1},
    {2, "path", K::String, O, -1},
    {3, "user", K::String, O, -1},
    {4, "secretFile", K::String, O, -1},
    {5, "secretRef", K::Msg, P, 134},
    {6, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f55[] = {  // core.v1.CinderPersistentVolumeSource
    {1, "volumeID", K::String, 0, -1},
    {2, "fsType", K::String, O, -1},
    {3, "readOnly", K::Bool, O, -1},
    {4, "secretRef", K::Msg, P, 248}};
constexpr FieldDesc f56[] = {  // core.v1.CinderVolumeSource
    {1, "volumeID", K::String, 0, -1},
    {2, "fsType", K::String, O, -1},
    {3, "readOnly", K::Bool, O, -1},
    {4, "secretRef", K::Msg, P, 134}};
constexpr FieldDesc f57[] = {  // core.v1.ClientIPConfig
    {1, "timeoutSeconds", K::Int32, P, -1}};
constexpr FieldDesc f58[] = {  // core.v1.ClusterTrustBundleProjection
    {1, "name", K::String, P, -1},
    {2, "signerName", K::String, P, -1},
    {3, "labelSelector", K::Msg, P, 17},
    {5, "optional", K::Bool, P, -1},
    {4, "path", K::String, 0, -1},
    {6, "user", K::Int64, P, -1}};
constexpr FieldDesc f59[] = {  // core.v1.ComponentCondition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {3, "message", K::String, O, -1},
    {4, "error", K::String, O, -1}};
constexpr FieldDesc f60[] = {  // core.v1.ComponentStatus
    {1, "metadata", K::Msg, O, 23},
    {2, "conditions", K::Msg, R|O, 59}};
constexpr FieldDesc f61[] = {  // core.v1.ComponentStatusList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 60}};
constexpr FieldDesc f62[] = {  // core.v1.ConfigMap
    {1, "metadata", K::Msg, O, 23},
    {4, "immutable", K::Bool, P, -1},
    {2, "data", K::String, M|O, -1},
    {3, "binaryData", K::Bytes, M|O, -1}};
constexpr FieldDesc f63[] = {  // core.v1.ConfigMapEnvSource
    {1, "localObjectReference", K::Msg, I, 134},
    {2, "optional", K::Bool, P, -1}};
constexpr FieldDesc f64[] = {  // core.v1.ConfigMapKeySelector
    {1, "localObjectReference", K::Msg, I, 134},
    {2, "key", K::String, 0, -1},
    {3, "optional", K::Bool, P, -1}};
constexpr FieldDesc f65[] = {  // core.v1.ConfigMapList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 62}};
constexpr FieldDesc f66[] = {  // core.v1.ConfigMapNodeConfigSource
    {1, "namespace", K::String, 0, -1},
    {2, "name", K::String, 0, -1},
    {3, "uid", K::String, O, -1},
    {4, "resourceVersion", K::String, O, -1},
    {5, "kubeletConfigKey", K::String, 0, -1}};
constexpr FieldDesc f67[] = {  // core.v1.ConfigMapProjection
    {1, "localObjectReference", K::Msg, I, 134},
    {2, "items", K::Msg, R|O, 123},
    {4, "optional", K::Bool, P, -1}};
constexpr FieldDesc f68[] = {  // core.v1.ConfigMapVolumeSource
    {1, "localObjectReference", K::Msg, I, 134},
    {2, "items", K::Msg, R|O, 123},
    {3, "defaultMode", K::Int32, P, -1},
    {4, "optional", K::Bool, P, -1},
    {5, "defaultUser", K::Int64, P, -1}};
constexpr FieldDesc f69[] = {  // core.v1.Container
    {1, "name", K::String, 0, -1},
    {2, "image", K::String, O, -1},
    {3, "command", K::String, R|O, -1},
    {4, "args", K::String, R|O, -1},
    {5, "workingDir", K::String, O, -1},
    {6, "ports", K::Msg, R|O, 72},
    {19, "envFrom", K::Msg, R|O, 92},
    {7, "env", K::Msg, R|O, 93},
    {8, "resources", K::Msg, O, 235},
    {23, "resizePolicy", K::Msg, R|O, 73},
    {24, "restartPolicy", K::String, P, -1},
    {25, "restartPolicyRules", K::Msg, R|O, 74},
    {9, "volumeMounts", K::Msg, R|O, 278},
    {21, "volumeDevices", K::Msg, R|O, 275},
    {10, "livenessProbe", K::Msg, P, 216},
    {11, "readinessProbe", K::Msg, P, 216},
    {22, "startupProbe", K::Msg, P, 216},
    {12, "lifecycle", K::Msg, P, 124},
    {13, "terminationMessagePath", K::String, O, -1},
    {20, "terminationMessagePolicy", K::String, O, -1},
    {14, "imagePullPolicy", K::String, O, -1},
    {15, "securityContext", K::Msg, P, 250},
    {16, "stdin", K::Bool, O, -1},
    {17, "stdinOnce", K::Bool, O, -1},
    {18, "tty", K::Bool, O, -1}};
constexpr FieldDesc f70[] = {  // core.v1.ContainerExtendedResourceRequest
    {1, "containerName", K::String, 0, -1},
    {2, "resourceName", K::String, 0, -1},
    {3, "requestName", K::String, 0, -1}};
constexpr FieldDesc f71[] = {  // core.v1.ContainerImage
    {1, "names", K::String, R, -1},
    {2, "sizeBytes", K::Int64, O, -1}};
constexpr FieldDesc f72[] = {  // core.v1.ContainerPort
    {1, "name", K::String, O, -1},
    {2, "hostPort", K::Int32, O, -1},
    {3, "containerPort", K::Int32, 0, -1},
    {4, "protocol", K::String, O, -1},
    {5, "hostIP", K::String, O, -1}};
constexpr FieldDesc f73[] = {  // core.v1.ContainerResizePolicy
    {1, "resourceName", K::String, 0, -1},
    {2, "restartPolicy", K::String, 0, -1}};
constexpr FieldDesc f74[] = {  // core.v1.ContainerRestartRule
    {1, "action", K::String, O, -1},
    {2, "exitCodes", K::Msg, P, 75}};
constexpr FieldDesc f75[] = {  // core.v1.ContainerRestartRuleOnExitCodes
    {1, "operator", K::String, O, -1},
    {2, "values", K::Int32, R|O, -1}};
constexpr FieldDesc f76[] = {  // core.v1.ContainerState
    {1, "waiting", K::Msg, P, 79},
    {2, "running", K::Msg, P, 77},
    {3, "terminated", K::Msg, P, 78}};
constexpr FieldDesc f77[] = {  // core.v1.ContainerStateRunning
    {1, "startedAt", K::Time, O, -1}};
constexpr FieldDesc f78[] = {  // core.v1.ContainerStateTerminated
    {1, "exitCode", K::Int32, 0, -1},
    {2, "signal", K::Int32, O, -1},
    {3, "reason", K::String, O, -1},
    {4, "message", K::String, O, -1},
    {5, "startedAt", K::Time, O, -1},
    {6, "finishedAt", K::Time, O, -1},
    {7, "containerID", K::String, O, -1}};
constexpr FieldDesc f79[] = {  // core.v1.ContainerStateWaiting
    {1, "reason", K::String, O, -1},
    {2, "message", K::String, O, -1}};
constexpr FieldDesc f80[] = {  // core.v1.ContainerStatus
    {1, "name", K::String, 0, -1},
    {2, "state", K::Msg, O, 76},
    {3, "lastState", K::Msg, O, 76},
    {4, "ready", K::Bool, 0, -1},
    {5, "restartCount", K::Int32, 0, -1},
    {6, "image", K::String, 0, -1},
    {7, "imageID", K::String, 0, -1},
    {8, "containerID", K::String, O, -1},
    {9, "started", K::Bool, P, -1},
    {10, "allocatedResources", K::Quantity, M|O, -1},
    {11, "resources", K::Msg, P, 235},
    {12, "volumeMounts", K::Msg, R|O, 279},
    {13, "user", K::Msg, P, 81},
    {14, "allocatedResourcesStatus", K::Msg, R|O, 236},
    {15, "stopSignal", K::String, P, -1}};
constexpr FieldDesc f81[] = {  // core.v1.ContainerUser
    {1, "linux", K::Msg, P, 130}};
constexpr FieldDesc f82[] = {  // core.v1.DaemonEndpoint
    {1, "Port", K::Int32, 0, -1}};
constexpr FieldDesc f83[] = {  // core.v1.DownwardAPIProjection
    {1, "items", K::Msg, R|O, 84}};
constexpr FieldDesc f84[] = {  // core.v1.DownwardAPIVolumeFile
    {1, "path", K::String, 0, -1},
    {2, "fieldRef", K::Msg, P, 166},
    {3, "resourceFieldRef", K::Msg, P, 229},
    {4, "mode", K::Int32, P, -1},
    {5, "user", K::Int64, P, -1}};
constexpr FieldDesc f85[] = {  // core.v1.DownwardAPIVolumeSource
    {1, "items", K::Msg, R|O, 84},
    {2, "defaultMode", K::Int32, P, -1},
    {3, "defaultUser", K::Int64, P, -1}};
constexpr FieldDesc f86[] = {  // core.v1.EmptyDirVolumeSource
    {1, "medium", K::String, O, -1},
    {2, "sizeLimit", K::Quantity, P, -1},
    {3, "mode", K::Int32, P, -1}};
constexpr FieldDesc f87[] = {  // core.v1.EndpointAddress
    {1, "ip", K::String, 0, -1},
    {3, "hostname", K::String, O, -1},
    {4, "nodeName", K::String, P, -1},
    {2, "targetRef", K::Msg, P, 167}};
constexpr FieldDesc f88[] = {  // core.v1.EndpointPort
    {1, "name", K::String, O, -1},
    {2, "port", K::Int32, 0, -1},
    {3, "protocol", K::String, O, -1},
    {4, "appProtocol", K::String, P, -1}};
constexpr FieldDesc f89[] = {  // core.v1.EndpointSubset
    {1, "addresses", K::Msg, R|O, 87},
    {2, "notReadyAddresses", K::Msg, R|O, 87},
    {3, "ports", K::Msg, R|O, 88}};
constexpr FieldDesc f90[] = {  // core.v1.Endpoints
    {1, "metadata", K::Msg, O, 23},
    {2, "subsets", K::Msg, R|O, 89}};
constexpr FieldDesc f91[] = {  // core.v1.EndpointsList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 90}};
constexpr FieldDesc f92[] = {  // core.v1.EnvFromSource
    {1, "prefix", K::String, O, -1},
    {2, "configMapRef", K::Msg, P, 63},
    {3, "secretRef", K::Msg, P, 244}};
constexpr FieldDesc f93[] = {  // core.v1.EnvVar
    {1, "name", K::String, 0, -1},
    {2, "value", K::String, O, -1},
    {3, "valueFrom", K::Msg, P, 94}};
constexpr FieldDesc f94[] = {  // core.v1.EnvVarSource
    {1, "fieldRef", K::Msg, P, 166},
    {2, "resourceFieldRef", K::Msg, P, 229},
    {3, "configMapKeyRef", K::Msg, P, 64},
    {4, "secretKeyRef", K::Msg, P, 245},
    {5, "fileKeyRef", K::Msg, P, 105}};
constexpr FieldDesc f95[] = {  // core.v1.EphemeralContainer
    {1, "ephemeralContainerCommon", K::Msg, I, 96},
    {2, "targetContainerName", K::String, O, -1}};
constexpr FieldDesc f96[] = {  // core.v1.EphemeralContainerCommon
    {1, "name", K::String, 0, -1},
    {2, "image", K::String, O, -1},
    {3, "command", K::String, R|O, -1},
    {4, "args", K::String, R|O, -1},
    {5, "workingDir", K::String, O, -1},
    {6, "ports", K::Msg, R|O, 72},
    {19, "envFrom", K::Msg, R|O, 92},
    {7, "env", K::Msg, R|O, 93},
    {8, "resources", K::Msg, O, 235},
    {23, "resizePolicy", K::Msg, R|O, 73},
    {24, "restartPolicy", K::String, P, -1},
    {25, "restartPolicyRules", K::Msg, R|O, 74},
    {9, "volumeMounts", K::Msg, R|O, 278},
    {21, "volumeDevices", K::Msg, R|O, 275},
    {10, "livenessProbe", K::Msg, P, 216},
    {11, "readinessProbe", K::Msg, P, 216},
    {22, "startupProbe", K::Msg, P, 216},
    {12, "lifecycle", K::Msg, P, 124},
    {13, "terminationMessagePath", K::String, O, -1},
    {20, "terminationMessagePolicy", K::String, O, -1},
    {14, "imagePullPolicy", K::String, O, -1},
    {15, "securityContext", K::Msg, P, 250},
    {16, "stdin", K::Bool, O, -1},
    {17, "stdinOnce", K::Bool, O, -1},
    {18, "tty", K::Bool, O, -1}};
constexpr FieldDesc f97[] = {  // core.v1.EphemeralVolumeSource
    {1, "volumeClaimTemplate", K::Msg, P, 174}};
constexpr FieldDesc f98[] = {  // core.v1.Event
    {1, "metadata", K::Msg, 0, 23},
    {2, "involvedObject", K::Msg, 0, 167},
    {3, "reason", K::String, O, -1},
    {4, "message", K::String, O, -1},
    {5, "source", K::Msg, O, 101},
    {6, "firstTimestamp", K::Time, O, -1},
    {7, "lastTimestamp", K::Time, O, -1},
    {8, "count", K::Int32, O, -1},
    {9, "type", K::String, O, -1},
    {10, "eventTime", K::MicroTime, O, -1},
    {11, "series", K::Msg, P, 100},
    {12, "action", K::String, O, -1},
    {13, "related", K::Msg, P, 167},
    {14, "reportingComponent", K::String, 0, -1},
    {15, "reportingInstance", K::String, 0, -1}};
constexpr FieldDesc f99[] = {  // core.v1.EventList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 98}};
constexpr FieldDesc f100[] = {  // core.v1.EventSeries
    {1, "count", K::Int32, O, -1},
    {2, "lastObservedTime", K::MicroTime, O, -1}};
constexpr FieldDesc f101[] = {  // core.v1.EventSource
    {1, "component", K::String, O, -1},
    {2, "host", K::String, O, -1}};
constexpr FieldDesc f102[] = {  // core.v1.EvictionResponder
    {1, "name", K::String, 0, -1},
    {2, "priority", K::Int32, P, -1}};
constexpr FieldDesc f103[] = {  // core.v1.ExecAction
    {1, "command", K::String, R|O, -1}};
constexpr FieldDesc f104[] = {  // core.v1.FCVolumeSource
    {1, "targetWWNs", K::String, R|O, -1},
    {2, "lun", K::Int32, P, -1},
    {3, "fsType", K::String, O, -1},
    {4, "readOnly", K::Bool, O, -1},
    {5, "wwids", K::String, R|O, -1}};
constexpr FieldDesc f105[] = {  // core.v1.FileKeySelector
    {1, "volumeName", K::String, 0, -1},
    {2, "path", K::String, 0, -1},
    {3, "key", K::String, 0, -1},
    {4, "optional", K::Bool, P, -1}};
constexpr FieldDesc f106[] = {  // core.v1.FlexPersistentVolumeSource
    {1, "driver", K::String, 0, -1},
    {2, "fsType", K::String, O, -1},
    {3, "secretRef", K::Msg, P, 248},
    {4, "readOnly", K::Bool, O, -1},
    {5, "options", K::String, M|O, -1}};
constexpr FieldDesc f107[] = {  // core.v1.FlexVolumeSource
    {1, "driver", K::String, 0, -1},
    {2, "fsType", K::String, O, -1},
    {3, "secretRef", K::Msg, P, 134},
    {4, "readOnly", K::Bool, O, -1},
    {5, "options", K::String, M|O, -1}};
constexpr FieldDesc f108[] = {  // core.v1.FlockerVolumeSource
    {1, "datasetName", K::String, O, -1},
    {2, "datasetUUID", K::String, O, -1}};
constexpr FieldDesc f109[] = {  // core.v1.GCEPersistentDiskVolumeSource
    {1, "pdName", K::String, 0, -1},
    {2, "fsType", K::String, O, -1},
    {3, "partition", K::Int32, O, -1},
    {4, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f110[] = {  // core.v1.GRPCAction
    {1, "port", K::Int32, 0, -1},
    {2, "service", K::String, P, -1},
    {3, "mode", K::String, P, -1}};
constexpr FieldDesc f111[] = {  // core.v1.GitRepoVolumeSource
    {1, "repository", K::String, 0, -1},
    {2, "revision", K::String, O, -1},
    {3, "directory", K::String, O, -1}};
constexpr FieldDesc f112[] = {  // core.v1.GlusterfsPersistentVolumeSource
    {1, "endpoints", K::String, 0, -1},
    {2, "path", K::String, 0, -1},
    {3, "readOnly", K::Bool, O, -1},
    {4, "endpointsNamespace", K::String, P, -1}};
constexpr FieldDesc f113[] = {  // core.v1.GlusterfsVolumeSource
    {1, "endpoints", K::String, 0, -1},
    {2, "path", K::String, 0, -1},
    {3, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f114[] = {  // core.v1.HTTPGetAction
    {1, "path", K::String, O, -1},
    {2, "port", K::IntOrString, 0, -1},
    {3, "host", K::String, O, -1},
    {4, "scheme", K::String, O, -1},
    {5, "httpHeaders", K::Msg, R|O, 115},
    {6, "protocol", K::String, P, -1}};
constexpr FieldDesc f115[] = {  // core.v1.HTTPHeader
    {1, "name", K::String, 0, -1},
    {2, "value", K::String, 0, -1}};
constexpr FieldDesc f116[] = {  // core.v1.HostAlias
    {1, "ip", K::String, 0, -1},
    {2, "hostnames", K::String, R|O, -1}};
constexpr FieldDesc f117[] = {  // core.v1.HostIP
    {1, "ip", K::String, 0, -1}};
constexpr FieldDesc f118[] = {  // core.v1.HostPathVolumeSource
    {1, "path", K::String, 0, -1},
    {2, "type", K::String, P, -1}};
constexpr FieldDesc f119[] = {  // core.v1.ISCSIPersistentVolumeSource
    {1, "targetPortal", K::String, 0, -1},
    {2, "iqn", K::String, 0, -1},
    {3, "lun", K::Int32, 0, -1},
    {4, "iscsiInterface", K::String, O, -1},
    {5, "fsType", K::String, O, -1},
    {6, "readOnly", K::Bool, O, -1},
    {7, "portals", K::String, R|O, -1},
    {8, "chapAuthDiscovery", K::Bool, O, -1},
    {11, "chapAuthSession", K::Bool, O, -1},
    {10, "secretRef", K::Msg, P, 248},
    {12, "initiatorName", K::String, P, -1}};
constexpr FieldDesc f120[] = {  // core.v1.ISCSIVolumeSource
    {1, "targetPortal", K::String, 0, -1},
    {2, "iqn", K::String, 0, -1},
    {3, "lun", K::Int32, 0, -1},
    {4, "iscsiInterface", K::String, O, -1},
    {5, "fsType", K::String, O, -1},
    {6, "readOnly", K::Bool, O, -1},
    {7, "portals", K::String, R|O, -1},
    {8, "chapAuthDiscovery", K::Bool, O, -1},
    {11, "chapAuthSession", K::Bool, O, -1},
    {10, "secretRef", K::Msg, P, 134},
    {12, "initiatorName", K::String, P, -1}};
constexpr FieldDesc f121[] = {  // core.v1.ImageVolumeSource
    {1, "reference", K::String, O, -1},
    {2, "pullPolicy", K::String, O, -1}};
constexpr FieldDesc f122[] = {  // core.v1.ImageVolumeStatus
    {1, "imageRef", K::String, O, -1}};
constexpr FieldDesc f123[] = {  // core.v1.KeyToPath
    {1, "key", K::String, 0, -1},
    {2, "path", K::String, 0, -1},
    {3, "mode", K::Int32, P, -1},
    {4, "user", K::Int64, P, -1}};
constexpr FieldDesc f124[] = {  // core.v1.Lifecycle
    {1, "postStart", K::Msg, P, 125},
    {2, "preStop", K::Msg, P, 125},
    {3, "stopSignal", K::String, P, -1}};
constexpr FieldDesc f125[] = {  // core.v1.LifecycleHandler
    {1, "exec", K::Msg, P, 103},
    {2, "httpGet", K::Msg, P, 114},
    {3, "tcpSocket", K::Msg, P, 266},
    {4, "sleep", K::Msg, P, 262}};
constexpr FieldDesc f126[] = {  // core.v1.LimitRange
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 129}};
constexpr FieldDesc f127[] = {  // core.v1.LimitRangeItem
    {1, "type", K::String, 0, -1},
    {2, "max", K::Quantity, M|O, -1},
    {3, "min", K::Quantity, M|O, -1},
    {4, "default", K::Quantity, M|O, -1},
    {5, "defaultRequest", K::Quantity, M|O, -1},
    {6, "maxLimitRequestRatio", K::Quantity, M|O, -1}};
constexpr FieldDesc f128[] = {  // core.v1.LimitRangeList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 126}};
constexpr FieldDesc f129[] = {  // core.v1.LimitRangeSpec
    {1, "limits", K::Msg, R, 127}};
constexpr FieldDesc f130[] = {  // core.v1.LinuxContainerUser
    {1, "uid", K::Int64, 0, -1},
    {2, "gid", K::Int64, 0, -1},
    {3, "supplementalGroups", K::Int64, R|O, -1}};
constexpr FieldDesc f131[] = {  // core.v1.List
    {1, "metadata", K::Msg, 0, 20},
    {2, "items", K::RawJson, R, -1}};
constexpr FieldDesc f132[] = {  // core.v1.LoadBalancerIngress
    {1, "ip", K::String, O, -1},
    {2, "hostname", K::String, O, -1},
    {3, "ipMode", K::String, P, -1},
    {4, "ports", K::Msg, R|O, 211}};
constexpr FieldDesc f133[] = {  // core.v1.LoadBalancerStatus
    {1, "ingress", K::Msg, R|O, 132}};
constexpr FieldDesc f134[] = {  // core.v1.LocalObjectReference
    {1, "name", K::String, O, -1}};
constexpr FieldDesc f135[] = {  // core.v1.LocalVolumeSource
    {1, "path", K::String, 0, -1},
    {2, "fsType", K::String, P, -1}};
constexpr FieldDesc f136[] = {  // core.v1.ModifyVolumeStatus
    {1, "targetVolumeAttributesClassName", K::String, O, -1},
    {2, "status", K::String, 0, -1}};
constexpr FieldDesc f137[] = {  // core.v1.NFSVolumeSource
    {1, "server", K::String, 0, -1},
    {2, "path", K::String, 0, -1},
    {3, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f138[] = {  // core.v1.Namespace
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 141},
    {3, "status", K::Msg, O, 142}};
constexpr FieldDesc f139[] = {  // core.v1.NamespaceCondition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {4, "lastTransitionTime", K::Time, O, -1},
    {5, "reason", K::String, O, -1},
    {6, "message", K::String, O, -1}};
constexpr FieldDesc f140[] = {  // core.v1.NamespaceList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 138}};
constexpr FieldDesc f141[] = {  // core.v1.NamespaceSpec
    {1, "finalizers", K::String, R|O, -1}};
constexpr FieldDesc f142[] = {  // core.v1.NamespaceStatus
    {1, "phase", K::String, O, -1},
    {2, "conditions", K::Msg, R|O, 139}};
constexpr FieldDesc f143[] = {  // core.v1.Node
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 162},
    {3, "status", K::Msg, O, 163}};
constexpr FieldDesc f144[] = {  // core.v1.NodeAddress
    {1, "type", K::String, 0, -1},
    {2, "address", K::String, 0, -1}};
constexpr FieldDesc f145[] = {  // core.v1.NodeAffinity
    {1, "requiredDuringSchedulingIgnoredDuringExecution", K::Msg, P, 159},
    {2, "preferredDuringSchedulingIgnoredDuringExecution", K::Msg, R|O, 215}};
constexpr FieldDesc f146[] = {  // core.v1.NodeAllocatableMappedResources
    {1, "name", K::String, 0, -1},
    {2, "quantity", K::Quantity, P, -1}};
constexpr FieldDesc f147[] = {  // core.v1.NodeAllocatableOverheadResources
    {1, "name", K::String, 0, -1},
    {2, "perPod", K::Quantity, P, -1},
    {3, "perContainer", K::Quantity, P, -1}};
constexpr FieldDesc f148[] = {  // core.v1.NodeAllocatableResourceClaimStatus
    {1, "resourceClaimName", K::String, 0, -1},
    {2, "containers", K::String, R|O, -1},
    {4, "mapping", K::Msg, R|O, 146},
    {5, "overhead", K::Msg, R|O, 147}};
constexpr FieldDesc f149[] = {  // core.v1.NodeCondition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {3, "lastHeartbeatTime", K::Time, O, -1},
    {4, "lastTransitionTime", K::Time, O, -1},
    {5, "reason", K::String, O, -1},
    {6, "message", K::String, O, -1}};
constexpr FieldDesc f150[] = {  // core.v1.NodeConfigSource
    {2, "configMap", K::Msg, P, 66}};
constexpr FieldDesc f151[] = {  // core.v1.NodeConfigStatus
    {1, "assigned", K::Msg, P, 150},
    {2, "active", K::Msg, P, 150},
    {3, "lastKnownGood", K::Msg, P, 150},
    {4, "error", K::String, O, -1}};
constexpr FieldDesc f152[] = {  // core.v1.NodeDaemonEndpoints
    {1, "kubeletEndpoint", K::Msg, O, 82}};
constexpr FieldDesc f153[] = {  // core.v1.NodeFeatures
    {1, "supplementalGroupsPolicy", K::Bool, P, -1}};
constexpr FieldDesc f154[] = {  // core.v1.NodeList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 143}};
constexpr FieldDesc f155[] = {  // core.v1.NodePodPreemptionPolicy
    {1, "disableResizePreemption", K::String, R|O, -1}};
constexpr FieldDesc f156[] = {  // core.v1.NodeProxyOptions
    {1, "path", K::String, O, -1}};
constexpr FieldDesc f157[] = {  // core.v1.NodeRuntimeHandler
    {1, "name", K::String, 0, -1},
    {2, "features", K::Msg, P, 158}};
constexpr FieldDesc f158[] = {  // core.v1.NodeRuntimeHandlerFeatures
    {1, "recursiveReadOnlyMounts", K::Bool, P, -1},
    {2, "userNamespaces", K::Bool, P, -1}};
constexpr FieldDesc f159[] = {  // core.v1.NodeSelector
    {1, "nodeSelectorTerms", K::Msg, R, 161}};
constexpr FieldDesc f160[] = {  // core.v1.NodeSelectorRequirement
    {1, "key", K::String, 0, -1},
    {2, "operator", K::String, 0, -1},
    {3, "values", K::String, R|O, -1}};
constexpr FieldDesc f161[] = {  // core.v1.NodeSelectorTerm
    {1, "matchExpressions", K::Msg, R|O, 160},
    {2, "matchFields", K::Msg, R|O, 160}};
constexpr FieldDesc f162[] = {  // core.v1.NodeSpec
    {1, "podCIDR", K::String, O, -1},
    {7, "podCIDRs", K::String, R|O, -1},
    {3, "providerID", K::String, O, -1},
    {4, "unschedulable", K::Bool, O, -1},
    {5, "taints", K::Msg, R|O, 267},
    {6, "configSource", K::Msg, P, 150},
    {2, "externalID", K::String, O, -1},
    {8, "podPreemptionPolicy", K::Msg, P, 155}};
constexpr FieldDesc f163[] = {  // core.v1.NodeStatus
    {1, "capacity", K::Quantity, M|O, -1},
    {2, "allocatable", K::Quantity, M|O, -1},
    {3, "phase", K::String, O, -1},
    {4, "conditions", K::Msg, R|O, 149},
    {5, "addresses", K::Msg, R|O, 144},
    {6, "daemonEndpoints", K::Msg, O, 152},
    {7, "nodeInfo", K::Msg, O, 165},
    {8, "images", K::Msg, R|O, 71},
    {9, "volumesInUse", K::String, R|O, -1},
    {10, "volumesAttached", K::Msg, R|O, 44},
    {11, "config", K::Msg, P, 151},
    {12, "runtimeHandlers", K::Msg, R|O, 157},
    {13, "features", K::Msg, P, 153},
    {14, "declaredFeatures", K::String, R|O, -1}};
constexpr FieldDesc f164[] = {  // core.v1.NodeSwapStatus
    {1, "capacity", K::Int64, P, -1}};
constexpr FieldDesc f165[] = {  // core.v1.NodeSystemInfo
    {1, "machineID", K::String, 0, -1},
    {2, "systemUUID", K::String, 0, -1},
    {3, "bootID", K::String, 0, -1},
    {4, "kernelVersion", K::String, 0, -1},
    {5, "osImage", K::String, 0, -1},
    {6, "containerRuntimeVersion", K::String, 0, -1},
    {7, "kubeletVersion", K::String, 0, -1},
    {8, "kubeProxyVersion", K::String, 0, -1},
    {9, "operatingSystem", K::String, 0, -1},
    {10, "architecture", K::String, 0, -1},
    {11, "swap", K::Msg, P, 164}};
constexpr FieldDesc f166[] = {  // core.v1.ObjectFieldSelector
    {1, "apiVersion", K::String, O, -1},
    {2, "fieldPath", K::String, 0, -1}};
constexpr FieldDesc f167[] = {  // core.v1.ObjectReference
    {1, "kind", K::String, O, -1},
    {2, "namespace", K::String, O, -1},
    {3, "name", K::String, O, -1},
    {4, "uid", K::String, O, -1},
    {5, "apiVersion", K::String, O, -1},
    {6, "resourceVersion", K::String, O, -1},
    {7, "fieldPath", K::String, O, -1}};
constexpr FieldDesc f168[] = {  // core.v1.PersistentVolume
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 178},
    {3, "status", K::Msg, O, 179}};
constexpr FieldDesc f169[] = {  // core.v1.PersistentVolumeClaim
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 172},
    {3, "status", K::Msg, O, 173}};
constexpr FieldDesc f170[] = {  // core.v1.PersistentVolumeClaimCondition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {3, "lastProbeTime", K::Time, O, -1},
    {4, "lastTransitionTime", K::Time, O, -1},
    {5, "reason", K::String, O, -1},
    {6, "message", K::String, O, -1}};
constexpr FieldDesc f171[] = {  // core.v1.PersistentVolumeClaimList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 169}};
constexpr FieldDesc f172[] = {  // core.v1.PersistentVolumeClaimSpec
    {1, "accessModes", K::String, R|O, -1},
    {4, "selector", K::Msg, P, 17},
    {2, "resources", K::Msg, O, 282},
    {3, "volumeName", K::String, O, -1},
    {5, "storageClassName", K::String, P, -1},
    {6, "volumeMode", K::String, P, -1},
    {7, "dataSource", K::Msg, P, 272},
    {8, "dataSourceRef", K::Msg, P, 273},
    {9, "volumeAttributesClassName", K::String, P, -1}};
constexpr FieldDesc f173[] = {  // core.v1.PersistentVolumeClaimStatus
    {1, "phase", K::String, O, -1},
    {2, "accessModes", K::String, R|O, -1},
    {3, "capacity", K::Quantity, M|O, -1},
    {4, "conditions", K::Msg, R|O, 170},
    {5, "allocatedResources", K::Quantity, M|O, -1},
    {7, "allocatedResourceStatuses", K::String, M|O, -1},
    {8, "currentVolumeAttributesClassName", K::String, P, -1},
    {9, "modifyVolumeStatus", K::Msg, P, 136},
    {10, "healthStatus", K::Msg, P, 277}};
constexpr FieldDesc f174[] = {  // core.v1.PersistentVolumeClaimTemplate
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 172}};
constexpr FieldDesc f175[] = {  // core.v1.PersistentVolumeClaimVolumeSource
    {1, "claimName", K::String, 0, -1},
    {2, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f176[] = {  // core.v1.PersistentVolumeList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 168}};
constexpr FieldDesc f177[] = {  // core.v1.PersistentVolumeSource
    {1, "gcePersistentDisk", K::Msg, P, 109},
    {2, "awsElasticBlockStore", K::Msg, P, 41},
    {3, "hostPath", K::Msg, P, 118},
    {4, "glusterfs", K::Msg, P, 112},
    {5, "nfs", K::Msg, P, 137},
    {6, "rbd", K::Msg, P, 220},
    {7, "iscsi", K::Msg, P, 119},
    {8, "cinder", K::Msg, P, 55},
    {9, "cephfs", K::Msg, P, 53},
    {10, "fc", K::Msg, P, 104},
    {11, "flocker", K::Msg, P, 108},
    {12, "flexVolume", K::Msg, P, 106},
    {13, "azureFile", K::Msg, P, 47},
    {14, "vsphereVolume", K::Msg, P, 285},
    {15, "quobyte", K::Msg, P, 219},
    {16, "azureDisk", K::Msg, P, 46},
    {17, "photonPersistentDisk", K::Msg, P, 180},
    {18, "portworxVolume", K::Msg, P, 212},
    {19, "scaleIO", K::Msg, P, 238},
    {20, "local", K::Msg, P, 135},
    {21, "storageos", K::Msg, P, 263},
    {22, "csi", K::Msg, P, 50}};
constexpr FieldDesc f178[] = {  // core.v1.PersistentVolumeSpec
    {1, "capacity", K::Quantity, M|O, -1},
    {2, "persistentVolumeSource", K::Msg, I, 177},
    {3, "accessModes", K::String, R|O, -1},
    {4, "claimRef", K::Msg, P, 167},
    {5, "persistentVolumeReclaimPolicy", K::String, O, -1},
    {6, "storageClassName", K::String, O, -1},
    {7, "mountOptions", K::String, R|O, -1},
    {8, "volumeMode", K::String, P, -1},
    {9, "nodeAffinity", K::Msg, P, 280},
    {10, "volumeAttributesClassName", K::String, P, -1}};
constexpr FieldDesc f179[] = {  // core.v1.PersistentVolumeStatus
    {1, "phase", K::String, O, -1},
    {2, "message", K::String, O, -1},
    {3, "reason", K::String, O, -1},
    {4, "lastPhaseTransitionTime", K::Time, P, -1}};
constexpr FieldDesc f180[] = {  // core.v1.PhotonPersistentDiskVolumeSource
    {1, "pdID", K::String, 0, -1},
    {2, "fsType", K::String, O, -1}};
constexpr FieldDesc f181[] = {  // core.v1.Pod
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 205},
    {3, "status", K::Msg, O, 206}};
constexpr FieldDesc f182[] = {  // core.v1.PodAffinity
    {1, "requiredDuringSchedulingIgnoredDuringExecution", K::Msg, R|O, 183},
    {2, "preferredDuringSchedulingIgnoredDuringExecution", K::Msg, R|O, 286}};
constexpr FieldDesc f183[] = {  // core.v1.PodAffinityTerm
    {1, "labelSelector", K::Msg, P, 17},
    {2, "namespaces", K::String, R|O, -1},
    {3, "topologyKey", K::String, 0, -1},
    {4, "namespaceSelector", K::Msg, P, 17},
    {5, "matchLabelKeys", K::String, R|O, -1},
    {6, "mismatchLabelKeys", K::String, R|O, -1}};
constexpr FieldDesc f184[] = {  // core.v1.PodAntiAffinity
    {1, "requiredDuringSchedulingIgnoredDuringExecution", K::Msg, R|O, 183},
    {2, "preferredDuringSchedulingIgnoredDuringExecution", K::Msg, R|O, 286}};
constexpr FieldDesc f185[] = {  // core.v1.PodAttachOptions
    {1, "stdin", K::Bool, O, -1},
    {2, "stdout", K::Bool, O, -1},
    {3, "stderr", K::Bool, O, -1},
    {4, "tty", K::Bool, O, -1},
    {5, "container", K::String, O, -1}};
constexpr FieldDesc f186[] = {  // core.v1.PodCertificateProjection
    {1, "signerName", K::String, O, -1},
    {2, "keyType", K::String, O, -1},
    {3, "maxExpirationSeconds", K::Int32, P, -1},
    {4, "credentialBundlePath", K::String, O, -1},
    {5, "keyPath", K::String, O, -1},
    {6, "certificateChainPath", K::String, O, -1},
    {7, "userAnnotations", K::String, M|O, -1},
    {8, "user", K::Int64, P, -1}};
constexpr FieldDesc f187[] = {  // core.v1.PodCondition
    {1, "type", K::String, 0, -1},
    {7, "observedGeneration", K::Int64, O, -1},
    {2, "status", K::String, 0, -1},
    {3, "lastProbeTime", K::Time, O, -1},
    {4, "lastTransitionTime", K::Time, O, -1},
    {5, "reason", K::String, O, -1},
    {6, "message", K::String, O, -1}};
constexpr FieldDesc f188[] = {  // core.v1.PodDNSConfig
    {1, "nameservers", K::String, R|O, -1},
    {2, "searches", K::String, R|O, -1},
    {3, "options", K::Msg, R|O, 189}};
constexpr FieldDesc f189[] = {  // core.v1.PodDNSConfigOption
    {1, "name", K::String, O, -1},
    {2, "value", K::String, P, -1}};
constexpr FieldDesc f190[] = {  // core.v1.PodExecOptions
    {1, "stdin", K::Bool, O, -1},
    {2, "stdout", K::Bool, O, -1},
    {3, "stderr", K::Bool, O, -1},
    {4, "tty", K::Bool, O, -1},
    {5, "container", K::String, O, -1},
    {6, "command", K::String, R, -1}};
constexpr FieldDesc f191[] = {  // core.v1.PodExtendedResourceClaimStatus
    {1, "requestMappings", K::Msg, R, 70},
    {2, "resourceClaimName", K::String, 0, -1}};
constexpr FieldDesc f192[] = {  // core.v1.PodIP
    {1, "ip", K::String, 0, -1}};
constexpr FieldDesc f193[] = {  // core.v1.PodList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 181}};
constexpr FieldDesc f194[] = {  // core.v1.PodLogOptions
    {1, "container", K::String, O, -1},
    {2, "follow", K::Bool, O, -1},
    {3, "previous", K::Bool, O, -1},
    {4, "sinceSeconds", K::Int64, P, -1},
    {5, "sinceTime", K::Time, P, -1},
    {6, "timestamps", K::Bool, O, -1},
    {7, "tailLines", K::Int64, P, -1},
    {8, "limitBytes", K::Int64, P, -1},
    {9, "insecureSkipTLSVerifyBackend", K::Bool, O, -1},
    {10, "stream", K::String, P, -1}};
constexpr FieldDesc f195[] = {  // core.v1.PodOS
    {1, "name", K::String, 0, -1}};
constexpr FieldDesc f196[] = {  // core.v1.PodPortForwardOptions
    {1, "ports", K::Int32, R|O, -1}};
constexpr FieldDesc f197[] = {  // core.v1.PodProxyOptions
    {1, "path", K::String, O, -1}};
constexpr FieldDesc f198[] = {  // core.v1.PodReadinessGate
    {1, "conditionType", K::String, 0, -1}};
constexpr FieldDesc f199[] = {  // core.v1.PodResourceClaim
    {1, "name", K::String, 0, -1},
    {3, "resourceClaimName", K::String, P, -1},
    {4, "resourceClaimTemplateName", K::String, P, -1}};
constexpr FieldDesc f200[] = {  // core.v1.PodResourceClaimStatus
    {1, "name", K::String, 0, -1},
    {2, "resourceClaimName", K::String, P, -1}};
constexpr FieldDesc f201[] = {  // core.v1.PodSchedulingGate
    {1, "name", K::String, 0, -1}};
constexpr FieldDesc f202[] = {  // core.v1.PodSchedulingGroup
    {1, "podGroupName", K::String, P, -1}};
constexpr FieldDesc f203[] = {  // core.v1.PodSecurityContext
    {1, "seLinuxOptions", K::Msg, P, 237},
    {8, "windowsOptions", K::Msg, P, 287},
    {2, "runAsUser", K::Int64, P, -1},
    {6, "runAsGroup", K::Int64, P, -1},
    {3, "runAsNonRoot", K::Bool, P, -1},
    {4, "supplementalGroups", K::Int64, R|O, -1},
    {12, "supplementalGroupsPolicy", K::String, P, -1},
    {5, "fsGroup", K::Int64, P, -1},
    {7, "sysctls", K::Msg, R|O, 265},
    {9, "fsGroupChangePolicy", K::String, P, -1},
    {10, "seccompProfile", K::Msg, P, 242},
    {11, "appArmorProfile", K::Msg, P, 43},
    {13, "seLinuxChangePolicy", K::String, P, -1}};
constexpr FieldDesc f204[] = {  // core.v1.PodSignature
    {1, "podController", K::Msg, P, 24}};
constexpr FieldDesc f205[] = {  // core.v1.PodSpec
    {1, "volumes", K::Msg, R|O, 274},
    {20, "initContainers", K::Msg, R|O, 69},
    {2, "containers", K::Msg, R, 69},
    {34, "ephemeralContainers", K::Msg, R|O, 95},
    {3, "restartPolicy", K::String, O, -1},
    {4, "terminationGracePeriodSeconds", K::Int64, P, -1},
    {5, "activeDeadlineSeconds", K::Int64, P, -1},
    {6, "dnsPolicy", K::String, O, -1},
    {7, "nodeSelector", K::String, M|O, -1},
    {8, "serviceAccountName", K::String, O, -1},
    {9, "serviceAccount", K::String, O, -1},
    {21, "automountServiceAccountToken", K::Bool, P, -1},
    {10, "nodeName", K::String, O, -1},
    {11, "hostNetwork", K::Bool, O, -1},
    {12, "hostPID", K::Bool, O, -1},
    {13, "hostIPC", K::Bool, O, -1},
    {27, "shareProcessNamespace", K::Bool, P, -1},
    {14, "securityContext", K::Msg, P, 203},
    {15, "imagePullSecrets", K::Msg, R|O, 134},
    {16, "hostname", K::String, O, -1},
    {17, "subdomain", K::String, O, -1},
    {18, "affinity", K::Msg, P, 42},
    {19, "schedulerName", K::String, O, -1},
    {22, "tolerations", K::Msg, R|O, 268},
    {23, "hostAliases", K::Msg, R|O, 116},
    {24, "priorityClassName", K::String, O, -1},
    {25, "priority", K::Int32, P, -1},
    {26, "dnsConfig", K::Msg, P, 188},
    {28, "readinessGates", K::Msg, R|O, 198},
    {29, "runtimeClassName", K::String, P, -1},
    {30, "enableServiceLinks", K::Bool, P, -1},
    {31, "preemptionPolicy", K::String, P, -1},
    {32, "overhead", K::Quantity, M|O, -1},
    {33, "topologySpreadConstraints", K::Msg, R|O, 271},
    {35, "setHostnameAsFQDN", K::Bool, P, -1},
    {36, "os", K::Msg, P, 195},
    {37, "hostUsers", K::Bool, P, -1},
    {38, "schedulingGates", K::Msg, R|O, 201},
    {39, "resourceClaims", K::Msg, R|O, 199},
    {40, "resources", K::Msg, P, 235},
    {41, "hostnameOverride", K::String, P, -1},
    {43, "schedulingGroup", K::Msg, P, 202},
    {44, "evictionResponders", K::Msg, R|O, 102}};
constexpr FieldDesc f206[] = {  // core.v1.PodStatus
    {17, "observedGeneration", K::Int64, O, -1},
    {1, "phase", K::String, O, -1},
    {2, "conditions", K::Msg, R|O, 187},
    {3, "message", K::String, O, -1},
    {4, "reason", K::String, O, -1},
    {11, "nominatedNodeName", K::String, O, -1},
    {5, "hostIP", K::String, O, -1},
    {16, "hostIPs", K::Msg, R|O, 117},
    {6, "podIP", K::String, O, -1},
    {12, "podIPs", K::Msg, R|O, 192},
    {7, "startTime", K::Time, P, -1},
    {10, "initContainerStatuses", K::Msg, R|O, 80},
    {8, "containerStatuses", K::Msg, R|O, 80},
    {9, "qosClass", K::String, O, -1},
    {13, "ephemeralContainerStatuses", K::Msg, R|O, 80},
    {14, "resize", K::String, O, -1},
    {15, "resourceClaimStatuses", K::Msg, R|O, 200},
    {18, "extendedResourceClaimStatus", K::Msg, P, 191},
    {19, "allocatedResources", K::Quantity, M|O, -1},
    {20, "resources", K::Msg, P, 235},
    {21, "nodeAllocatableResourceClaimStatuses", K::Msg, R|O, 148},
    {22, "volumeHealth", K::Msg, R|O, 210}};
constexpr FieldDesc f207[] = {  // core.v1.PodTemplate
    {1, "metadata", K::Msg, O, 23},
    {2, "template", K::Msg, O, 209}};
constexpr FieldDesc f208[] = {  // core.v1.PodTemplateList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 207}};
constexpr FieldDesc f209[] = {  // core.v1.PodTemplateSpec
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 205}};
constexpr FieldDesc f210[] = {  // core.v1.PodVolumeHealth
    {1, "name", K::String, 0, -1},
    {2, "healthConditions", K::Msg, R|O, 276},
    {3, "lastTransitionTime", K::Time, O, -1}};
constexpr FieldDesc f211[] = {  // core.v1.PortStatus
    {1, "port", K::Int32, 0, -1},
    {2, "protocol", K::String, 0, -1},
    {3, "error", K::String, P, -1}};
constexpr FieldDesc f212[] = {  // core.v1.PortworxVolumeSource
    {1, "volumeID", K::String, 0, -1},
    {2, "fsType", K::String, O, -1},
    {3, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f213[] = {  // core.v1.Preconditions
    {1, "uid", K::String, P, -1}};
constexpr FieldDesc f214[] = {  // core.v1.PreferAvoidPodsEntry
    {1, "podSignature", K::Msg, 0, 204},
    {2, "evictionTime", K::Time, O, -1},
    {3, "reason", K::String, O, -1},
    {4, "message", K::String, O, -1}};
constexpr FieldDesc f215[] = {  // core.v1.PreferredSchedulingTerm
    {1, "weight", K::Int32, 0, -1},
    {2, "preference", K::Msg, 0, 161}};
constexpr FieldDesc f216[] = {  // core.v1.Probe
    {1, "handler", K::Msg, I, 217},
    {2, "initialDelaySeconds", K::Int32, O, -1},
    {3, "timeoutSeconds", K::Int32, O, -1},
    {4, "periodSeconds", K::Int32, O, -1},
    {5, "successThreshold", K::Int32, O, -1},
    {6, "failureThreshold", K::Int32, O, -1},
    {7, "terminationGracePeriodSeconds", K::Int64, P, -1}};
constexpr FieldDesc f217[] = {  // core.v1.ProbeHandler
    {1, "exec", K::Msg, P, 103},
    {2, "httpGet", K::Msg, P, 114},
    {3, "tcpSocket", K::Msg, P, 266},
    {4, "grpc", K::Msg, P, 110}};
constexpr FieldDesc f218[] = {  // core.v1.ProjectedVolumeSource
    {1, "sources", K::Msg, R, 281},
    {2, "defaultMode", K::Int32, P, -1},
    {3, "defaultUser", K::Int64, P, -1}};
constexpr FieldDesc f219[] = {  // core.v1.QuobyteVolumeSource
    {1, "registry", K::String, 0, -1},
    {2, "volume", K::String, 0, -1},
    {3, "readOnly", K::Bool, O, -1},
    {4, "user", K::String, O, -1},
    {5, "group", K::String, O, -1},
    {6, "tenant", K::String, O, -1}};
constexpr FieldDesc f220[] = {  // core.v1.RBDPersistentVolumeSource
    {1, "monitors", K::String, R, -1},
    {2, "image", K::String, 0, -1},
    {3, "fsType", K::String, O, -1},
    {4, "pool", K::String, O, -1},
    {5, "user", K::String, O, -1},
    {6, "keyring", K::String, O, -1},
    {7, "secretRef", K::Msg, P, 248},
    {8, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f221[] = {  // core.v1.RBDVolumeSource
    {1, "monitors", K::String, R, -1},
    {2, "image", K::String, 0, -1},
    {3, "fsType", K::String, O, -1},
    {4, "pool", K::String, O, -1},
    {5, "user", K::String, O, -1},
    {6, "keyring", K::String, O, -1},
    {7, "secretRef", K::Msg, P, 134},
    {8, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f222[] = {  // core.v1.RangeAllocation
    {1, "metadata", K::Msg, O, 23},
    {2, "range", K::String, 0, -1},
    {3, "data", K::Bytes, 0, -1}};
constexpr FieldDesc f223[] = {  // core.v1.ReplicationController
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 226},
    {3, "status", K::Msg, O, 227}};
constexpr FieldDesc f224[] = {  // core.v1.ReplicationControllerCondition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {3, "lastTransitionTime", K::Time, O, -1},
    {4, "reason", K::String, O, -1},
    {5, "message", K::String, O, -1}};
constexpr FieldDesc f225[] = {  // core.v1.ReplicationControllerList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 223}};
constexpr FieldDesc f226[] = {  // core.v1.ReplicationControllerSpec
    {1, "replicas", K::Int32, P, -1},
    {4, "minReadySeconds", K::Int32, O, -1},
    {2, "selector", K::String, M|O, -1},
    {3, "template", K::Msg, P, 209}};
constexpr FieldDesc f227[] = {  // core.v1.ReplicationControllerStatus
    {1, "replicas", K::Int32, 0, -1},
    {2, "fullyLabeledReplicas", K::Int32, O, -1},
    {4, "readyReplicas", K::Int32, O, -1},
    {5, "availableReplicas", K::Int32, O, -1},
    {3, "observedGeneration", K::Int64, O, -1},
    {6, "conditions", K::Msg, R|O, 224}};
constexpr FieldDesc f228[] = {  // core.v1.ResourceClaim
    {1, "name", K::String, 0, -1},
    {2, "request", K::String, O, -1}};
constexpr FieldDesc f229[] = {  // core.v1.ResourceFieldSelector
    {1, "containerName", K::String, O, -1},
    {2, "resource", K::String, 0, -1},
    {3, "divisor", K::Quantity, O, -1}};
constexpr FieldDesc f230[] = {  // core.v1.ResourceHealth
    {1, "resourceID", K::String, 0, -1},
    {2, "health", K::String, O, -1},
    {6, "message", K::String, P, -1}};
constexpr FieldDesc f231[] = {  // core.v1.ResourceQuota
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 233},
    {3, "status", K::Msg, O, 234}};
constexpr FieldDesc f232[] = {  // core.v1.ResourceQuotaList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 231}};
constexpr FieldDesc f233[] = {  // core.v1.ResourceQuotaSpec
    {1, "hard", K::Quantity, M|O, -1},
    {2, "scopes", K::String, R|O, -1},
    {3, "scopeSelector", K::Msg, P, 240}};
constexpr FieldDesc f234[] = {  // core.v1.ResourceQuotaStatus
    {1, "hard", K::Quantity, M|O, -1},
    {2, "used", K::Quantity, M|O, -1}};
constexpr FieldDesc f235[] = {  // core.v1.ResourceRequirements
    {1, "limits", K::Quantity, M|O, -1},
    {2, "requests", K::Quantity, M|O, -1},
    {3, "claims", K::Msg, R|O, 228}};
constexpr FieldDesc f236[] = {  // core.v1.ResourceStatus
    {1, "name", K::String, 0, -1},
    {2, "resources", K::Msg, R|O, 230}};
constexpr FieldDesc f237[] = {  // core.v1.SELinuxOptions
    {1, "user", K::String, O, -1},
    {2, "role", K::String, O, -1},
    {3, "type", K::String, O, -1},
    {4, "level", K::String, O, -1}};
constexpr FieldDesc f238[] = {  // core.v1.ScaleIOPersistentVolumeSource
    {1, "gateway", K::String, 0, -1},
    {2, "system", K::String, 0, -1},
    {3, "secretRef", K::Msg, P, 248},
    {4, "sslEnabled", K::Bool, O, -1},
    {5, "protectionDomain", K::String, O, -1},
    {6, "storagePool", K::String, O, -1},
    {7, "storageMode", K::String, O, -1},
    {8, "volumeName", K::String, O, -1},
    {9, "fsType", K::String, O, -1},
    {10, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f239[] = {  // core.v1.ScaleIOVolumeSource
    {1, "gateway", K::String, 0, -1},
    {2, "system", K::String, 0, -1},
    {3, "secretRef", K::Msg, P, 134},
    {4, "sslEnabled", K::Bool, O, -1},
    {5, "protectionDomain", K::String, O, -1},
    {6, "storagePool", K::String, O, -1},
    {7, "storageMode", K::String, O, -1},
    {8, "volumeName", K::String, O, -1},
    {9, "fsType", K::String, O, -1},
    {10, "readOnly", K::Bool, O, -1}};
constexpr FieldDesc f240[] = {  // core.v1.ScopeSelector
    {1, "matchExpressions", K::Msg, R|O, 241}};
constexpr FieldDesc f241[] = {  // core.v1.ScopedResourceSelectorRequirement
    {1, "scopeName", K::String, 0, -1},
    {2, "operator", K::String, 0, -1},
    {3, "values", K::String, R|O, -1}};
constexpr FieldDesc f242[] = {  // core.v1.SeccompProfile
    {1, "type", K::String, 0, -1},
    {2, "localhostProfile", K::String, P, -1}};
constexpr FieldDesc f243[] = {  // core.v1.Secret
    {1, "metadata", K::Msg, O, 23},
    {5, "immutable", K::Bool, P, -1},
    {2, "data", K::Bytes, M|O, -1},
    {4, "stringData", K::String, M|O, -1},
    {3, "type", K::String, O, -1}};
constexpr FieldDesc f244[] = {  // core.v1.SecretEnvSource
    {1, "localObjectReference", K::Msg, I, 134},
    {2, "optional", K::Bool, P, -1}};
constexpr FieldDesc f245[] = {  // core.v1.SecretKeySelector
    {1, "localObjectReference", K::Msg, I, 134},
    {2, "key", K::String, 0, -1},
    {3, "optional", K::Bool, P, -1}};
constexpr FieldDesc f246[] = {  // core.v1.SecretList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 243}};
constexpr FieldDesc f247[] = {  // core.v1.SecretProjection
    {1, "localObjectReference", K::Msg, I, 134},
    {2, "items", K::Msg, R|O, 123},
    {4, "optional", K::Bool, P, -1}};
constexpr FieldDesc f248[] = {  // core.v1.SecretReference
    {1, "name", K::String, O, -1},
    {2, "namespace", K::String, O, -1}};
constexpr FieldDesc f249[] = {  // core.v1.SecretVolumeSource
    {1, "secretName", K::String, O, -1},
    {2, "items", K::Msg, R|O, 123},
    {3, "defaultMode", K::Int32, P, -1},
    {4, "optional", K::Bool, P, -1},
    {5, "defaultUser", K::Int64, P, -1}};
constexpr FieldDesc f250[] = {  // core.v1.SecurityContext
    {1, "capabilities", K::Msg, P, 52},
    {2, "privileged", K::Bool, P, -1},
    {3, "seLinuxOptions", K::Msg, P, 237},
    {10, "windowsOptions", K::Msg, P, 287},
    {4, "runAsUser", K::Int64, P, -1},
    {8, "runAsGroup", K::Int64, P, -1},
    {5, "runAsNonRoot", K::Bool, P, -1},
    {6, "readOnlyRootFilesystem", K::Bool, P, -1},
    {7, "allowPrivilegeEscalation", K::Bool, P, -1},
    {9, "procMount", K::String, P, -1},
    {11, "seccompProfile", K::Msg, P, 242},
    {12, "appArmorProfile", K::Msg, P, 43}};
constexpr FieldDesc f251[] = {  // core.v1.SerializedReference
    {1, "reference", K::Msg, O, 167}};
constexpr FieldDesc f252[] = {  // core.v1.Service
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 259},
    {3, "status", K::Msg, O, 260}};
constexpr FieldDesc f253[] = {  // core.v1.ServiceAccount
    {1, "metadata", K::Msg, O, 23},
    {2, "secrets", K::Msg, R|O, 167},
    {3, "imagePullSecrets", K::Msg, R|O, 134},
    {4, "automountServiceAccountToken", K::Bool, P, -1}};
constexpr FieldDesc f254[] = {  // core.v1.ServiceAccountList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 253}};
constexpr FieldDesc f255[] = {  // core.v1.ServiceAccountTokenProjection
    {1, "audience", K::String, O, -1},
    {2, "expirationSeconds", K::Int64, P, -1},
    {3, "path", K::String, 0, -1},
    {4, "user", K::Int64, P, -1}};
constexpr FieldDesc f256[] = {  // core.v1.ServiceList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 252}};
constexpr FieldDesc f257[] = {  // core.v1.ServicePort
    {1, "name", K::String, O, -1},
    {2, "protocol", K::String, O, -1},
    {6, "appProtocol", K::String, P, -1},
    {3, "port", K::Int32, 0, -1},
    {4, "targetPort", K::IntOrString, O, -1},
    {5, "nodePort", K::Int32, O, -1}};
constexpr FieldDesc f258[] = {  // core.v1.ServiceProxyOptions
    {1, "path", K::String, O, -1}};
constexpr FieldDesc f259[] = {  // core.v1.ServiceSpec
    {1, "ports", K::Msg, R|O, 257},
    {2, "selector", K::String, M|O, -1},
    {3, "clusterIP", K::String, O, -1},
    {18, "clusterIPs", K::String, R|O, -1},
    {4, "type", K::String, O, -1},
    {5, "externalIPs", K::String, R|O, -1},
    {7, "sessionAffinity", K::String, O, -1},
    {8, "loadBalancerIP", K::String, O, -1},
    {9, "loadBalancerSourceRanges", K::String, R|O, -1},
    {10, "externalName", K::String, O, -1},
    {11, "externalTrafficPolicy", K::String, O, -1},
    {12, "healthCheckNodePort", K::Int32, O, -1},
    {13, "publishNotReadyAddresses", K::Bool, O, -1},
    {14, "sessionAffinityConfig", K::Msg, P, 261},
    {19, "ipFamilies", K::String, R|O, -1},
    {17, "ipFamilyPolicy", K::String, P, -1},
    {20, "allocateLoadBalancerNodePorts", K::Bool, P, -1},
    {21, "loadBalancerClass", K::String, P, -1},
    {22, "internalTrafficPolicy", K::String, P, -1},
    {23, "trafficDistribution", K::String, P, -1}};
constexpr FieldDesc f260[] = {  // core.v1.ServiceStatus
    {1, "loadBalancer", K::Msg, O, 133},
    {2, "conditions", K::Msg, R|O, 6}};
constexpr FieldDesc f261[] = {  // core.v1.SessionAffinityConfig
    {1, "clientIP", K::Msg, P, 57}};
constexpr FieldDesc f262[] = {  // core.v1.SleepAction
    {1, "seconds", K::Int64, 0, -1}};
constexpr FieldDesc f263[] = {  // core.v1.StorageOSPersistentVolumeSource
    {1, "volumeName", K::String, O, -1},
    {2, "volumeNamespace", K::String, O, -1},
    {3, "fsType", K::String, O, -1},
    {4, "readOnly", K::Bool, O, -1},
    {5, "secretRef", K::Msg, P, 167}};
constexpr FieldDesc f264[] = {  // core.v1.StorageOSVolumeSource
    {1, "volumeName", K::String, O, -1},
    {2, "volumeNamespace", K::String, O, -1},
    {3, "fsType", K::String, O, -1},
    {4, "readOnly", K::Bool, O, -1},
    {5, "secretRef", K::Msg, P, 134}};
constexpr FieldDesc f265[] = {  // core.v1.Sysctl
    {1, "name", K::String, 0, -1},
    {2, "value", K::String, 0, -1}};
constexpr FieldDesc f266[] = {  // core.v1.TCPSocketAction
    {1, "port", K::IntOrString, 0, -1},
    {2, "host", K::String, O, -1}};
constexpr FieldDesc f267[] = {  // core.v1.Taint
    {1, "key", K::String, 0, -1},
    {2, "value", K::String, O, -1},
    {3, "effect", K::String, 0, -1},
    {4, "timeAdded", K::Time, P, -1}};
constexpr FieldDesc f268[] = {  // core.v1.Toleration
    {1, "key", K::String, O, -1},
    {2, "operator", K::String, O, -1},
    {3, "value", K::String, O, -1},
    {4, "effect", K::String, O, -1},
    {5, "tolerationSeconds", K::Int64, P, -1}};
constexpr FieldDesc f269[] = {  // core.v1.TopologySelectorLabelRequirement
    {1, "key", K::String, 0, -1},
    {2, "values", K::String, R, -1}};
constexpr FieldDesc f270[] = {  // core.v1.TopologySelectorTerm
    {1, "matchLabelExpressions", K::Msg, R|O, 269}};
constexpr FieldDesc f271[] = {  // core.v1.TopologySpreadConstraint
    {1, "maxSkew", K::Int32, 0, -1},
    {2, "topologyKey", K::String, 0, -1},
    {3, "whenUnsatisfiable", K::String, 0, -1},
    {4, "labelSelector", K::Msg, P, 17},
    {5, "minDomains", K::Int32, P, -1},
    {6, "nodeAffinityPolicy", K::String, P, -1},
    {7, "nodeTaintsPolicy", K::String, P, -1},
    {8, "matchLabelKeys", K::String, R|O, -1}};
constexpr FieldDesc f272[] = {  // core.v1.TypedLocalObjectReference
    {1, "apiGroup", K::String, P, -1},
    {2, "kind", K::String, 0, -1},
    {3, "name", K::String, 0, -1}};
constexpr FieldDesc f273[] = {  // core.v1.TypedObjectReference
    {1, "apiGroup", K::String, P, -1},
    {2, "kind", K::String, 0, -1},
    {3, "name", K::String, 0, -1},
    {4, "namespace", K::String, P, -1}};
constexpr FieldDesc f274[] = {  // core.v1.Volume
    {1, "name", K::String, 0, -1},
    {2, "volumeSource", K::Msg, I, 283}};
constexpr FieldDesc f275[] = {  // core.v1.VolumeDevice
    {1, "name", K::String, 0, -1},
    {2, "devicePath", K::String, 0, -1}};
constexpr FieldDesc f276[] = {  // core.v1.VolumeHealthCondition
    {1, "status", K::String, 0, -1},
    {2, "reason", K::String, 0, -1},
    {3, "message", K::String, O, -1}};
constexpr FieldDesc f277[] = {  // core.v1.VolumeHealthStatus
    {1, "healthConditions", K::Msg, R|O, 276},
    {2, "lastTransitionTime", K::Time, O, -1}};
constexpr FieldDesc f278[] = {  // core.v1.VolumeMount
    {1, "name", K::String, 0, -1},
    {2, "readOnly", K::Bool, O, -1},
    {7, "recursiveReadOnly", K::String, P, -1},
    {3, "mountPath", K::String, 0, -1},
    {4, "subPath", K::String, O, -1},
    {5, "mountPropagation", K::String, P, -1},
    {6, "subPathExpr", K::String, O, -1},
    {8, "bindMountOptions", K::String, R|O, -1}};
constexpr FieldDesc f279[] = {  // core.v1.VolumeMountStatus
    {1, "name", K::String, 0, -1},
    {2, "mountPath", K::String, 0, -1},
    {3, "readOnly", K::Bool, O, -1},
    {4, "recursiveReadOnly", K::String, P, -1},
    {5, "volumeStatus", K::Msg, P, 284}};
constexpr FieldDesc f280[] = {  // core.v1.VolumeNodeAffinity
    {1, "required", K::Msg, P, 159}};
constexpr FieldDesc f281[] = {  // core.v1.VolumeProjection
    {1, "secret", K::Msg, P, 247},
    {2, "downwardAPI", K::Msg, P, 83},
    {3, "configMap", K::Msg, P, 67},
    {4, "serviceAccountToken", K::Msg, P, 255},
    {5, "clusterTrustBundle", K::Msg, P, 58},
    {6, "podCertificate", K::Msg, P, 186}};
constexpr FieldDesc f282[] = {  // core.v1.VolumeResourceRequirements
    {1, "limits", K::Quantity, M|O, -1},
    {2, "requests", K::Quantity, M|O, -1}};
constexpr FieldDesc f283[] = {  // core.v1.VolumeSource
    {1, "hostPath", K::Msg, P, 118},
    {2, "emptyDir", K::Msg, P, 86},
    {3, "gcePersistentDisk", K::Msg, P, 109},
    {4, "awsElasticBlockStore", K::Msg, P, 41},
    {5, "gitRepo", K::Msg, P, 111},
    {6, "secret", K::Msg, P, 249},
    {7, "nfs", K::Msg, P, 137},
    {8, "iscsi", K::Msg, P, 120},
    {9, "glusterfs", K::Msg, P, 113},
    {10, "persistentVolumeClaim", K::Msg, P, 175},
    {11, "rbd", K::Msg, P, 221},
    {12, "flexVolume", K::Msg, P, 107},
    {13, "cinder", K::Msg, P, 56},
    {14, "cephfs", K::Msg, P, 54},
    {15, "flocker", K::Msg, P, 108},
    {16, "downwardAPI", K::Msg, P, 85},
    {17, "fc", K::Msg, P, 104},
    {18, "azureFile", K::Msg, P, 48},
    {19, "configMap", K::Msg, P, 68},
    {20, "vsphereVolume", K::Msg, P, 285},
    {21, "quobyte", K::Msg, P, 219},
    {22, "azureDisk", K::Msg, P, 46},
    {23, "photonPersistentDisk", K::Msg, P, 180},
    {26, "projected", K::Msg, P, 218},
    {24, "portworxVolume", K::Msg, P, 212},
    {25, "scaleIO", K::Msg, P, 239},
    {27, "storageos", K::Msg, P, 264},
    {28, "csi", K::Msg, P, 51},
    {29, "ephemeral", K::Msg, P, 97},
    {30, "image", K::Msg, P, 121}};
constexpr FieldDesc f284[] = {  // core.v1.VolumeStatus
    {1, "image", K::Msg, P, 122}};
constexpr FieldDesc f285[] = {  // core.v1.VsphereVirtualDiskVolumeSource
    {1, "volumePath", K::String, 0, -1},
    {2, "fsType", K::String, O, -1},
    {3, "storagePolicyName", K::String, O, -1},
    {4, "storagePolicyID", K::String, O, -1}};
constexpr FieldDesc f286[] = {  // core.v1.WeightedPodAffinityTerm
    {1, "weight", K::Int32, 0, -1},
    {2, "podAffinityTerm", K::Msg, 0, 183}};
constexpr FieldDesc f287[] = {  // core.v1.WindowsSecurityContextOptions
    {1, "gmsaCredentialSpecName", K::String, P, -1},
    {2, "gmsaCredentialSpec", K::String, P, -1},
    {3, "runAsUserName", K::String, P, -1},
    {4, "hostProcess", K::Bool, P, -1}};
constexpr FieldDesc f288[] = {  // apps.v1.ControllerRevision
    {1, "metadata", K::Msg, O, 23},
    {2, "data", K::RawJson, 0, -1},
    {3, "revision", K::Int64, 0, -1}};
constexpr FieldDesc f289[] = {  // apps.v1.ControllerRevisionList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 288}};
constexpr FieldDesc f290[] = {  // apps.v1.DaemonSet
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 293},
    {3, "status", K::Msg, O, 294}};
constexpr FieldDesc f291[] = {  // apps.v1.DaemonSetCondition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {3, "lastTransitionTime", K::Time, O, -1},
    {4, "reason", K::String, O, -1},
    {5, "message", K::String, O, -1}};
constexpr FieldDesc f292[] = {  // apps.v1.DaemonSetList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 290}};
constexpr FieldDesc f293[] = {  // apps.v1.DaemonSetSpec
    {1, "selector", K::Msg, P, 17},
    {2, "template", K::Msg, 0, 209},
    {3, "updateStrategy", K::Msg, O, 295},
    {4, "minReadySeconds", K::Int32, O, -1},
    {6, "revisionHistoryLimit", K::Int32, P, -1}};
constexpr FieldDesc f294[] = {  // apps.v1.DaemonSetStatus
    {1, "currentNumberScheduled", K::Int32, 0, -1},
    {2, "numberMisscheduled", K::Int32, 0, -1},
    {3, "desiredNumberScheduled", K::Int32, 0, -1},
    {4, "numberReady", K::Int32, 0, -1},
    {5, "observedGeneration", K::Int64, O, -1},
    {6, "updatedNumberScheduled", K::Int32, O, -1},
    {7, "numberAvailable", K::Int32, O, -1},
    {8, "numberUnavailable", K::Int32, O, -1},
    {9, "collisionCount", K::Int32, P, -1},
    {10, "conditions", K::Msg, R|O, 291}};
constexpr FieldDesc f295[] = {  // apps.v1.DaemonSetUpdateStrategy
    {1, "type", K::String, O, -1},
    {2, "rollingUpdate", K::Msg, P, 307}};
constexpr FieldDesc f296[] = {  // apps.v1.Deployment
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 299},
    {3, "status", K::Msg, O, 300}};
constexpr FieldDesc f297[] = {  // apps.v1.DeploymentCondition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {6, "lastUpdateTime", K::Time, O, -1},
    {7, "lastTransitionTime", K::Time, O, -1},
    {4, "reason", K::String, O, -1},
    {5, "message", K::String, O, -1}};
constexpr FieldDesc f298[] = {  // apps.v1.DeploymentList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 296}};
constexpr FieldDesc f299[] = {  // apps.v1.DeploymentSpec
    {1, "replicas", K::Int32, P, -1},
    {2, "selector", K::Msg, P, 17},
    {3, "template", K::Msg, 0, 209},
    {4, "strategy", K::Msg, O, 301},
    {5, "minReadySeconds", K::Int32, O, -1},
    {6, "revisionHistoryLimit", K::Int32, P, -1},
    {7, "paused", K::Bool, O, -1},
    {9, "progressDeadlineSeconds", K::Int32, P, -1}};
constexpr FieldDesc f300[] = {  // apps.v1.DeploymentStatus
    {1, "observedGeneration", K::Int64, O, -1},
    {2, "replicas", K::Int32, O, -1},
    {3, "updatedReplicas", K::Int32, O, -1},
    {7, "readyReplicas", K::Int32, O, -1},
    {4, "availableReplicas", K::Int32, O, -1},
    {5, "unavailableReplicas", K::Int32, O, -1},
    {9, "terminatingReplicas", K::Int32, P, -1},
    {6, "conditions", K::Msg, R|O, 297},
    {8, "collisionCount", K::Int32, P, -1}};
constexpr FieldDesc f301[] = {  // apps.v1.DeploymentStrategy
    {1, "type", K::String, O, -1},
    {2, "rollingUpdate", K::Msg, P, 308}};
constexpr FieldDesc f302[] = {  // apps.v1.ReplicaSet
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 305},
    {3, "status", K::Msg, O, 306}};
constexpr FieldDesc f303[] = {  // apps.v1.ReplicaSetCondition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {3, "lastTransitionTime", K::Time, O, -1},
    {4, "reason", K::String, O, -1},
    {5, "message", K::String, O, -1}};
constexpr FieldDesc f304[] = {  // apps.v1.ReplicaSetList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 302}};
constexpr FieldDesc f305[] = {  // apps.v1.ReplicaSetSpec
    {1, "replicas", K::Int32, P, -1},
    {4, "minReadySeconds", K::Int32, O, -1},
    {2, "selector", K::Msg, P, 17},
    {3, "template", K::Msg, O, 209}};
constexpr FieldDesc f306[] = {  // apps.v1.ReplicaSetStatus
    {1, "replicas", K::Int32, 0, -1},
    {2, "fullyLabeledReplicas", K::Int32, O, -1},
    {4, "readyReplicas", K::Int32, O, -1},
    {5, "availableReplicas", K::Int32, O, -1},
    {7, "terminatingReplicas", K::Int32, P, -1},
    {3, "observedGeneration", K::Int64, O, -1},
    {6, "conditions", K::Msg, R|O, 303}};
constexpr FieldDesc f307[] = {  // apps.v1.RollingUpdateDaemonSet
    {1, "maxUnavailable", K::IntOrString, P, -1},
    {2, "maxSurge", K::IntOrString, P, -1}};
constexpr FieldDesc f308[] = {  // apps.v1.RollingUpdateDeployment
    {1, "maxUnavailable", K::IntOrString, P, -1},
    {2, "maxSurge", K::IntOrString, P, -1}};
constexpr FieldDesc f309[] = {  // apps.v1.RollingUpdateStatefulSetStrategy
    {1, "partition", K::Int32, P, -1},
    {2, "maxUnavailable", K::IntOrString, P, -1}};
constexpr FieldDesc f310[] = {  // apps.v1.StatefulSet
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 315},
    {3, "status", K::Msg, O, 316}};
constexpr FieldDesc f311[] = {  // apps.v1.StatefulSetCondition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {3, "lastTransitionTime", K::Time, O, -1},
    {4, "reason", K::String, O, -1},
    {5, "message", K::String, O, -1}};
constexpr FieldDesc f312[] = {  // apps.v1.StatefulSetList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 310}};
constexpr FieldDesc f313[] = {  // apps.v1.StatefulSetOrdinals
    {1, "start", K::Int32, 0, -1}};
constexpr FieldDesc f314[] = {  // apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy
    {1, "whenDeleted", K::String, O, -1},
    {2, "whenScaled", K::String, O, -1}};
constexpr FieldDesc f315[] = {  // apps.v1.StatefulSetSpec
    {1, "replicas", K::Int32, P, -1},
    {2, "selector", K::Msg, P, 17},
    {3, "template", K::Msg, 0, 209},
    {4, "volumeClaimTemplates", K::Msg, R|O, 169},
    {5, "serviceName", K::String, 0, -1},
    {6, "podManagementPolicy", K::String, O, -1},
    {7, "updateStrategy", K::Msg, O, 317},
    {8, "revisionHistoryLimit", K::Int32, P, -1},
    {9, "minReadySeconds", K::Int32, O, -1},
    {10, "persistentVolumeClaimRetentionPolicy", K::Msg, P, 314},
    {11, "ordinals", K::Msg, P, 313}};
constexpr FieldDesc f316[] = {  // apps.v1.StatefulSetStatus
    {1, "observedGeneration", K::Int64, O, -1},
    {2, "replicas", K::Int32, 0, -1},
    {3, "readyReplicas", K::Int32, O, -1},
    {4, "currentReplicas", K::Int32, O, -1},
    {5, "updatedReplicas", K::Int32, O, -1},
    {6, "currentRevision", K::String, O, -1},
    {7, "updateRevision", K::String, O, -1},
    {9, "collisionCount", K::Int32, P, -1},
    {10, "conditions", K::Msg, R|O, 311},
    {11, "availableReplicas", K::Int32, 0, -1}};
constexpr FieldDesc f317[] = {  // apps.v1.StatefulSetUpdateStrategy
    {1, "type", K::String, O, -1},
    {2, "rollingUpdate", K::Msg, P, 309}};
constexpr FieldDesc f318[] = {  // batch.v1.CronJob
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 320},
    {3, "status", K::Msg, O, 321}};
constexpr FieldDesc f319[] = {  // batch.v1.CronJobList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 318}};
constexpr FieldDesc f320[] = {  // batch.v1.CronJobSpec
    {1, "schedule", K::String, 0, -1},
    {8, "timeZone", K::String, P, -1},
    {2, "startingDeadlineSeconds", K::Int64, P, -1},
    {3, "concurrencyPolicy", K::String, O, -1},
    {4, "suspend", K::Bool, P, -1},
    {5, "jobTemplate", K::Msg, 0, 328},
    {6, "successfulJobsHistoryLimit", K::Int32, P, -1},
    {7, "failedJobsHistoryLimit", K::Int32, P, -1}};
constexpr FieldDesc f321[] = {  // batch.v1.CronJobStatus
    {1, "active", K::Msg, R|O, 167},
    {4, "lastScheduleTime", K::Time, P, -1},
    {5, "lastSuccessfulTime", K::Time, P, -1}};
constexpr FieldDesc f322[] = {  // batch.v1.Job
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 326},
    {3, "status", K::Msg, O, 327}};
constexpr FieldDesc f323[] = {  // batch.v1.JobCondition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {3, "lastProbeTime", K::Time, O, -1},
    {4, "lastTransitionTime", K::Time, O, -1},
    {5, "reason", K::String, O, -1},
    {6, "message", K::String, O, -1}};
constexpr FieldDesc f324[] = {  // batch.v1.JobList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 322}};
constexpr FieldDesc f326[] = {  // batch.v1.JobSpec
    {1, "parallelism", K::Int32, P, -1},
    {2, "completions", K::Int32, P, -1},
    {3, "activeDeadlineSeconds", K::Int64, P, -1},
    {11, "podFailurePolicy", K::Msg, P, 329},
    {16, "successPolicy", K::Msg, P, 333},
    {7, "backoffLimit", K::Int32, P, -1},
    {12, "backoffLimitPerIndex", K::Int32, P, -1},
    {13, "maxFailedIndexes", K::Int32, P, -1},
    {4, "selector", K::Msg, P, 17},
    {5, "manualSelector", K::Bool, P, -1},
    {6, "template", K::Msg, 0, 209},
    {8, "ttlSecondsAfterFinished", K::Int32, P, -1},
    {9, "completionMode", K::String, P, -1},
    {10, "suspend", K::Bool, P, -1},
    {14, "podReplacementPolicy", K::String, P, -1},
    {15, "managedBy", K::String, P, -1},
    {17, "scheduling", K::Msg, P, 325}};
constexpr FieldDesc f327[] = {  // batch.v1.JobStatus
    {1, "conditions", K::Msg, R|O, 323},
    {2, "startTime", K::Time, P, -1},
    {3, "completionTime", K::Time, P, -1},
    {4, "active", K::Int32, O, -1},
    {5, "succeeded", K::Int32, O, -1},
    {6, "failed", K::Int32, O, -1},
    {11, "terminating", K::Int32, P, -1},
    {7, "completedIndexes", K::String, O, -1},
    {10, "failedIndexes", K::String, P, -1},
    {8, "uncountedTerminatedPods", K::Msg, P, 335},
    {9, "ready", K::Int32, P, -1}};
constexpr FieldDesc f328[] = {  // batch.v1.JobTemplateSpec
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 326}};
constexpr FieldDesc f329[] = {  // batch.v1.PodFailurePolicy
    {1, "rules", K::Msg, R, 332}};
constexpr FieldDesc f330[] = {  // batch.v1.PodFailurePolicyOnExitCodesRequirement
    {1, "containerName", K::String, P, -1},
    {2, "operator", K::String, 0, -1},
    {3, "values", K::Int32, R, -1}};
constexpr FieldDesc f331[] = {  // batch.v1.PodFailurePolicyOnPodConditionsPattern
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1}};
constexpr FieldDesc f332[] = {  // batch.v1.PodFailurePolicyRule
    {1, "action", K::String, 0, -1},
    {2, "onExitCodes", K::Msg, P, 330},
    {3, "onPodConditions", K::Msg, R|O, 331}};
constexpr FieldDesc f333[] = {  // batch.v1.SuccessPolicy
    {1, "rules", K::Msg, R, 334}};
constexpr FieldDesc f334[] = {  // batch.v1.SuccessPolicyRule
    {1, "succeededIndexes", K::String, P, -1},
    {2, "succeededCount", K::Int32, P, -1}};
constexpr FieldDesc f335[] = {  // batch.v1.UncountedTerminatedPods
    {1, "succeeded", K::String, R|O, -1},
    {2, "failed", K::String, R|O, -1}};
constexpr FieldDesc f336[] = {  // policy.v1.Eviction
    {1, "metadata", K::Msg, O, 23},
    {2, "deleteOptions", K::Msg, P, 8}};
constexpr FieldDesc f337[] = {  // policy.v1.PodDisruptionBudget
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 339},
    {3, "status", K::Msg, O, 340}};
constexpr FieldDesc f338[] = {  // policy.v1.PodDisruptionBudgetList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 337}};
constexpr FieldDesc f339[] = {  // policy.v1.PodDisruptionBudgetSpec
    {1, "minAvailable", K::IntOrString, P, -1},
    {2, "selector", K::Msg, P, 17},
    {3, "maxUnavailable", K::IntOrString, P, -1},
    {4, "unhealthyPodEvictionPolicy", K::String, P, -1}};
constexpr FieldDesc f340[] = {  // policy.v1.PodDisruptionBudgetStatus
    {1, "observedGeneration", K::Int64, O, -1},
    {2, "disruptedPods", K::Time, M|O, -1},
    {3, "disruptionsAllowed", K::Int32, 0, -1},
    {4, "currentHealthy", K::Int32, 0, -1},
    {5, "desiredHealthy", K::Int32, 0, -1},
    {6, "expectedPods", K::Int32, 0, -1},
    {7, "conditions", K::Msg, R|O, 6}};
constexpr FieldDesc f341[] = {  // coordination.v1.Lease
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 343}};
constexpr FieldDesc f342[] = {  // coordination.v1.LeaseList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 341}};
constexpr FieldDesc f343[] = {  // coordination.v1.LeaseSpec
    {1, "holderIdentity", K::String, P, -1},
    {2, "leaseDurationSeconds", K::Int32, P, -1},
    {3, "acquireTime", K::MicroTime, P, -1},
    {4, "renewTime", K::MicroTime, P, -1},
    {5, "leaseTransitions", K::Int32, P, -1},
    {6, "strategy", K::String, P, -1},
    {7, "preferredHolder", K::String, P, -1}};
constexpr FieldDesc f344[] = {  // discovery.v1.Endpoint
    {1, "addresses", K::String, R, -1},
    {2, "conditions", K::Msg, O, 345},
    {3, "hostname", K::String, P, -1},
    {4, "targetRef", K::Msg, P, 167},
    {5, "deprecatedTopology", K::String, M|O, -1},
    {6, "nodeName", K::String, P, -1},
    {7, "zone", K::String, P, -1},
    {8, "hints", K::Msg, P, 346}};
constexpr FieldDesc f345[] = {  // discovery.v1.EndpointConditions
    {1, "ready", K::Bool, P, -1},
    {2, "serving", K::Bool, P, -1},
    {3, "terminating", K::Bool, P, -1}};
constexpr FieldDesc f346[] = {  // discovery.v1.EndpointHints
    {1, "forZones", K::Msg, R|O, 351},
    {2, "forNodes", K::Msg, R|O, 350}};
constexpr FieldDesc f347[] = {  // discovery.v1.EndpointPort
    {1, "name", K::String, P, -1},
    {2, "protocol", K::String, P, -1},
    {3, "port", K::Int32, P, -1},
    {4, "appProtocol", K::String, P, -1}};
constexpr FieldDesc f348[] = {  // discovery.v1.EndpointSlice
    {1, "metadata", K::Msg, O, 23},
    {4, "addressType", K::String, 0, -1},
    {2, "endpoints", K::Msg, R, 344},
    {3, "ports", K::Msg, R, 347}};
constexpr FieldDesc f349[] = {  // discovery.v1.EndpointSliceList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 348}};
constexpr FieldDesc f350[] = {  // discovery.v1.ForNode
    {1, "name", K::String, 0, -1}};
constexpr FieldDesc f351[] = {  // discovery.v1.ForZone
    {1, "name", K::String, 0, -1}};
constexpr FieldDesc f352[] = {  // events.v1.Event
    {1, "metadata", K::Msg, 0, 23},
    {2, "eventTime", K::MicroTime, 0, -1},
    {3, "series", K::Msg, P, 354},
    {4, "reportingController", K::String, O, -1},
    {5, "reportingInstance", K::String, O, -1},
    {6, "action", K::String, O, -1},
    {7, "reason", K::String, O, -1},
    {8, "regarding", K::Msg, O, 167},
    {9, "related", K::Msg, P, 167},
    {10, "note", K::String, O, -1},
    {11, "type", K::String, O, -1},
    {12, "deprecatedSource", K::Msg, O, 101},
    {13, "deprecatedFirstTimestamp", K::Time, O, -1},
    {14, "deprecatedLastTimestamp", K::Time, O, -1},
    {15, "deprecatedCount", K::Int32, O, -1}};
constexpr FieldDesc f353[] = {  // events.v1.EventList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 352}};
constexpr FieldDesc f354[] = {  // events.v1.EventSeries
    {1, "count", K::Int32, 0, -1},
    {2, "lastObservedTime", K::MicroTime, 0, -1}};
constexpr FieldDesc f355[] = {  // scheduling.v1.PriorityClass
    {1, "metadata", K::Msg, O, 23},
    {2, "value", K::Int32, 0, -1},
    {3, "globalDefault", K::Bool, O, -1},
    {4, "description", K::String, O, -1},
    {5, "preemptionPolicy", K::String, P, -1}};
constexpr FieldDesc f356[] = {  // scheduling.v1.PriorityClassList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 355}};
constexpr FieldDesc f357[] = {  // rbac.v1.AggregationRule
    {1, "clusterRoleSelectors", K::Msg, R|O, 17}};
constexpr FieldDesc f358[] = {  // rbac.v1.ClusterRole
    {1, "metadata", K::Msg, O, 23},
    {2, "rules", K::Msg, R, 362},
    {3, "aggregationRule", K::Msg, P, 357}};
constexpr FieldDesc f359[] = {  // rbac.v1.ClusterRoleBinding
    {1, "metadata", K::Msg, O, 23},
    {2, "subjects", K::Msg, R|O, 368},
    {3, "roleRef", K::Msg, 0, 367}};
constexpr FieldDesc f360[] = {  // rbac.v1.ClusterRoleBindingList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 359}};
constexpr FieldDesc f361[] = {  // rbac.v1.ClusterRoleList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 358}};
constexpr FieldDesc f362[] = {  // rbac.v1.PolicyRule
    {1, "verbs", K::String, R, -1},
    {2, "apiGroups", K::String, R|O, -1},
    {3, "resources", K::String, R|O, -1},
    {4, "resourceNames", K::String, R|O, -1},
    {5, "nonResourceURLs", K::String, R|O, -1}};
constexpr FieldDesc f363[] = {  // rbac.v1.Role
    {1, "metadata", K::Msg, O, 23},
    {2, "rules", K::Msg, R, 362}};
constexpr FieldDesc f364[] = {  // rbac.v1.RoleBinding
    {1, "metadata", K::Msg, O, 23},
    {2, "subjects", K::Msg, R|O, 368},
    {3, "roleRef", K::Msg, 0, 367}};
constexpr FieldDesc f365[] = {  // rbac.v1.RoleBindingList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 364}};
constexpr FieldDesc f366[] = {  // rbac.v1.RoleList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 363}};
constexpr FieldDesc f367[] = {  // rbac.v1.RoleRef
    {1, "apiGroup", K::String, 0, -1},
    {2, "kind", K::String, 0, -1},
    {3, "name", K::String, 0, -1}};
constexpr FieldDesc f368[] = {  // rbac.v1.Subject
    {1, "kind", K::String, 0, -1},
    {2, "apiGroup", K::String, O, -1},
    {3, "name", K::String, 0, -1},
    {4, "namespace", K::String, O, -1}};
constexpr FieldDesc f369[] = {  // certificates.v1.CertificateSigningRequest
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 372},
    {3, "status", K::Msg, O, 373}};
constexpr FieldDesc f370[] = {  // certificates.v1.CertificateSigningRequestCondition
    {1, "type", K::String, 0, -1},
    {6, "status", K::String, 0, -1},
    {2, "reason", K::String, O, -1},
    {3, "message", K::String, O, -1},
    {4, "lastUpdateTime", K::Time, O, -1},
    {5, "lastTransitionTime", K::Time, O, -1}};
constexpr FieldDesc f371[] = {  // certificates.v1.CertificateSigningRequestList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 369}};
constexpr FieldDesc f372[] = {  // certificates.v1.CertificateSigningRequestSpec
    {1, "request", K::Bytes, 0, -1},
    {7, "signerName", K::String, 0, -1},
    {8, "expirationSeconds", K::Int32, P, -1},
    {5, "usages", K::String, R|O, -1},
    {2, "username", K::String, O, -1},
    {3, "uid", K::String, O, -1},
    {4, "groups", K::String, R|O, -1},
    {6, "extra", K::StringList, M|O, -1}};
constexpr FieldDesc f373[] = {  // certificates.v1.CertificateSigningRequestStatus
    {1, "conditions", K::Msg, R|O, 370},
    {2, "certificate", K::Bytes, O, -1}};
constexpr FieldDesc f374[] = {  // certificates.v1.ClusterTrustBundle
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 376}};
constexpr FieldDesc f375[] = {  // certificates.v1.ClusterTrustBundleList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 374}};
constexpr FieldDesc f376[] = {  // certificates.v1.ClusterTrustBundleSpec
    {1, "signerName", K::String, O, -1},
    {2, "trustBundle", K::String, 0, -1}};
constexpr FieldDesc f377[] = {  // certificates.v1.ExtraValue
    {1, "items", K::String, R, -1}};
constexpr FieldDesc f378[] = {  // certificates.v1.PodCertificateRequest
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 380},
    {3, "status", K::Msg, O, 381}};
constexpr FieldDesc f379[] = {  // certificates.v1.PodCertificateRequestList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 378}};
constexpr FieldDesc f380[] = {  // certificates.v1.PodCertificateRequestSpec
    {1, "signerName", K::String, 0, -1},
    {2, "podName", K::String, 0, -1},
    {3, "podUID", K::String, 0, -1},
    {4, "serviceAccountName", K::String, 0, -1},
    {5, "serviceAccountUID", K::String, 0, -1},
    {6, "nodeName", K::String, 0, -1},
    {7, "nodeUID", K::String, 0, -1},
    {8, "maxExpirationSeconds", K::Int32, P, -1},
    {12, "stubPKCS10Request", K::Bytes, 0, -1},
    {11, "unverifiedUserAnnotations", K::String, M|O, -1}};
constexpr FieldDesc f381[] = {  // certificates.v1.PodCertificateRequestStatus
    {1, "conditions", K::Msg, R|O, 6},
    {2, "certificateChain", K::String, O, -1},
    {4, "notBefore", K::Time, P, -1},
    {5, "beginRefreshAt", K::Time, P, -1},
    {6, "notAfter", K::Time, P, -1}};
constexpr FieldDesc f382[] = {  // authentication.v1.AttestationValue
    {1, "items", K::String, R, -1}};
constexpr FieldDesc f383[] = {  // authentication.v1.BoundObjectReference
    {1, "kind", K::String, O, -1},
    {2, "apiVersion", K::String, O, -1},
    {3, "name", K::String, O, -1},
    {4, "uid", K::String, O, -1}};
constexpr FieldDesc f384[] = {  // authentication.v1.ExtraValue
    {1, "items", K::String, R, -1}};
constexpr FieldDesc f385[] = {  // authentication.v1.SelfSubjectReview
    {1, "metadata", K::Msg, O, 23},
    {2, "status", K::Msg, O, 386}};
constexpr FieldDesc f386[] = {  // authentication.v1.SelfSubjectReviewStatus
    {1, "userInfo", K::Msg, O, 393}};
constexpr FieldDesc f387[] = {  // authentication.v1.TokenRequest
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 388},
    {3, "status", K::Msg, O, 389}};
constexpr FieldDesc f388[] = {  // authentication.v1.TokenRequestSpec
    {1, "audiences", K::String, R, -1},
    {4, "expirationSeconds", K::Int64, P, -1},
    {3, "boundObjectRef", K::Msg, P, 383},
    {5, "attestations", K::StringList, M|O, -1}};
constexpr FieldDesc f389[] = {  // authentication.v1.TokenRequestStatus
    {1, "token", K::String, 0, -1},
    {2, "expirationTimestamp", K::Time, 0, -1}};
constexpr FieldDesc f390[] = {  // authentication.v1.TokenReview
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 391},
    {3, "status", K::Msg, O, 392}};
constexpr FieldDesc f391[] = {  // authentication.v1.TokenReviewSpec
    {1, "token", K::String, O, -1},
    {2, "audiences", K::String, R|O, -1}};
constexpr FieldDesc f392[] = {  // authentication.v1.TokenReviewStatus
    {1, "authenticated", K::Bool, O, -1},
    {2, "user", K::Msg, O, 393},
    {4, "audiences", K::String, R|O, -1},
    {3, "error", K::String, O, -1}};
constexpr FieldDesc f393[] = {  // authentication.v1.UserInfo
    {1, "username", K::String, O, -1},
    {2, "uid", K::String, O, -1},
    {3, "groups", K::String, R|O, -1},
    {4, "extra", K::StringList, M|O, -1}};
constexpr FieldDesc f394[] = {  // authorization.v1.ExtraValue
    {1, "items", K::String, R, -1}};
constexpr FieldDesc f395[] = {  // authorization.v1.FieldSelectorAttributes
    {1, "rawSelector", K::String, O, -1},
    {2, "requirements", K::Msg, R|O, 9}};
constexpr FieldDesc f396[] = {  // authorization.v1.LabelSelectorAttributes
    {1, "rawSelector", K::String, O, -1},
    {2, "requirements", K::Msg, R|O, 18}};
constexpr FieldDesc f397[] = {  // authorization.v1.LocalSubjectAccessReview
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 407},
    {3, "status", K::Msg, O, 408}};
constexpr FieldDesc f398[] = {  // authorization.v1.NonResourceAttributes
    {1, "path", K::String, O, -1},
    {2, "verb", K::String, O, -1}};
constexpr FieldDesc f399[] = {  // authorization.v1.NonResourceRule
    {1, "verbs", K::String, R, -1},
    {2, "nonResourceURLs", K::String, R|O, -1}};
constexpr FieldDesc f400[] = {  // authorization.v1.ResourceAttributes
    {1, "namespace", K::String, O, -1},
    {2, "verb", K::String, O, -1},
    {3, "group", K::String, O, -1},
    {4, "version", K::String, O, -1},
    {5, "resource", K::String, O, -1},
    {6, "subresource", K::String, O, -1},
    {7, "name", K::String, O, -1},
    {8, "fieldSelector", K::Msg, P, 395},
    {9, "labelSelector", K::Msg, P, 396}};
constexpr FieldDesc f401[] = {  // authorization.v1.ResourceRule
    {1, "verbs", K::String, R, -1},
    {2, "apiGroups", K::String, R|O, -1},
    {3, "resources", K::String, R|O, -1},
    {4, "resourceNames", K::String, R|O, -1}};
constexpr FieldDesc f402[] = {  // authorization.v1.SelfSubjectAccessReview
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 403},
    {3, "status", K::Msg, O, 408}};
constexpr FieldDesc f403[] = {  // authorization.v1.SelfSubjectAccessReviewSpec
    {1, "resourceAttributes", K::Msg, P, 400},
    {2, "nonResourceAttributes", K::Msg, P, 398}};
constexpr FieldDesc f404[] = {  // authorization.v1.SelfSubjectRulesReview
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 405},
    {3, "status", K::Msg, O, 409}};
constexpr FieldDesc f405[] = {  // authorization.v1.SelfSubjectRulesReviewSpec
    {1, "namespace", K::String, O, -1}};
constexpr FieldDesc f406[] = {  // authorization.v1.SubjectAccessReview
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 407},
    {3, "status", K::Msg, O, 408}};
constexpr FieldDesc f407[] = {  // authorization.v1.SubjectAccessReviewSpec
    {1, "resourceAttributes", K::Msg, P, 400},
    {2, "nonResourceAttributes", K::Msg, P, 398},
    {3, "user", K::String, O, -1},
    {4, "groups", K::String, R|O, -1},
    {5, "extra", K::StringList, M|O, -1},
    {6, "uid", K::String, O, -1}};
constexpr FieldDesc f408[] = {  // authorization.v1.SubjectAccessReviewStatus
    {1, "allowed", K::Bool, 0, -1},
    {4, "denied", K::Bool, O, -1},
    {2, "reason", K::String, O, -1},
    {3, "evaluationError", K::String, O, -1}};
constexpr FieldDesc f409[] = {  // authorization.v1.SubjectRulesReviewStatus
    {1, "resourceRules", K::Msg, R, 401},
    {2, "nonResourceRules", K::Msg, R, 399},
    {3, "incomplete", K::Bool, 0, -1},
    {4, "evaluationError", K::String, O, -1}};
constexpr FieldDesc f410[] = {  // autoscaling.v1.ContainerResourceMetricSource
    {1, "name", K::String, 0, -1},
    {2, "targetAverageUtilization", K::Int32, P, -1},
    {3, "targetAverageValue", K::Quantity, P, -1},
    {5, "container", K::String, 0, -1}};
constexpr FieldDesc f411[] = {  // autoscaling.v1.ContainerResourceMetricStatus
    {1, "name", K::String, 0, -1},
    {2, "currentAverageUtilization", K::Int32, P, -1},
    {3, "currentAverageValue", K::Quantity, 0, -1},
    {4, "container", K::String, 0, -1}};
constexpr FieldDesc f412[] = {  // autoscaling.v1.CrossVersionObjectReference
    {1, "kind", K::String, 0, -1},
    {2, "name", K::String, 0, -1},
    {3, "apiVersion", K::String, O, -1}};
constexpr FieldDesc f413[] = {  // autoscaling.v1.ExternalMetricSource
    {1, "metricName", K::String, 0, -1},
    {2, "metricSelector", K::Msg, P, 17},
    {3, "targetValue", K::Quantity, P, -1},
    {4, "targetAverageValue", K::Quantity, P, -1}};
constexpr FieldDesc f414[] = {  // autoscaling.v1.ExternalMetricStatus
    {1, "metricName", K::String, 0, -1},
    {2, "metricSelector", K::Msg, P, 17},
    {3, "currentValue", K::Quantity, 0, -1},
    {4, "currentAverageValue", K::Quantity, P, -1}};
constexpr FieldDesc f415[] = {  // autoscaling.v1.HorizontalPodAutoscaler
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 418},
    {3, "status", K::Msg, O, 419}};
constexpr FieldDesc f416[] = {  // autoscaling.v1.HorizontalPodAutoscalerCondition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {3, "lastTransitionTime", K::Time, O, -1},
    {4, "reason", K::String, O, -1},
    {5, "message", K::String, O, -1},
    {6, "observedGeneration", K::Int64, P, -1}};
constexpr FieldDesc f417[] = {  // autoscaling.v1.HorizontalPodAutoscalerList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 415}};
constexpr FieldDesc f418[] = {  // autoscaling.v1.HorizontalPodAutoscalerSpec
    {1, "scaleTargetRef", K::Msg, 0, 412},
    {2, "minReplicas", K::Int32, P, -1},
    {3, "maxReplicas", K::Int32, 0, -1},
    {4, "targetCPUUtilizationPercentage", K::Int32, P, -1}};
constexpr FieldDesc f419[] = {  // autoscaling.v1.HorizontalPodAutoscalerStatus
    {1, "observedGeneration", K::Int64, P, -1},
    {2, "lastScaleTime", K::Time, P, -1},
    {3, "currentReplicas", K::Int32, 0, -1},
    {4, "desiredReplicas", K::Int32, 0, -1},
    {5, "currentCPUUtilizationPercentage", K::Int32, P, -1}};
constexpr FieldDesc f420[] = {  // autoscaling.v1.MetricSpec
    {1, "type", K::String, 0, -1},
    {2, "object", K::Msg, P, 422},
    {3, "pods", K::Msg, P, 424},
    {4, "resource", K::Msg, P, 426},
    {7, "containerResource", K::Msg, P, 410},
    {5, "external", K::Msg, P, 413}};
constexpr FieldDesc f421[] = {  // autoscaling.v1.MetricStatus
    {1, "type", K::String, 0, -1},
    {2, "object", K::Msg, P, 423},
    {3, "pods", K::Msg, P, 425},
    {4, "resource", K::Msg, P, 427},
    {7, "containerResource", K::Msg, P, 411},
    {5, "external", K::Msg, P, 414}};
constexpr FieldDesc f422[] = {  // autoscaling.v1.ObjectMetricSource
    {1, "target", K::Msg, 0, 412},
    {2, "metricName", K::String, 0, -1},
    {3, "targetValue", K::Quantity, 0, -1},
    {4, "selector", K::Msg, P, 17},
    {5, "averageValue", K::Quantity, P, -1}};
constexpr FieldDesc f423[] = {  // autoscaling.v1.ObjectMetricStatus
    {1, "target", K::Msg, 0, 412},
    {2, "metricName", K::String, 0, -1},
    {3, "currentValue", K::Quantity, 0, -1},
    {4, "selector", K::Msg, P, 17},
    {5, "averageValue", K::Quantity, P, -1}};
constexpr FieldDesc f424[] = {  // autoscaling.v1.PodsMetricSource
    {1, "metricName", K::String, 0, -1},
    {2, "targetAverageValue", K::Quantity, 0, -1},
    {3, "selector", K::Msg, P, 17}};
constexpr FieldDesc f425[] = {  // autoscaling.v1.PodsMetricStatus
    {1, "metricName", K::String, 0, -1},
    {2, "currentAverageValue", K::Quantity, 0, -1},
    {3, "selector", K::Msg, P, 17}};
constexpr FieldDesc f426[] = {  // autoscaling.v1.ResourceMetricSource
    {1, "name", K::String, 0, -1},
    {2, "targetAverageUtilization", K::Int32, P, -1},
    {3, "targetAverageValue", K::Quantity, P, -1}};
constexpr FieldDesc f427[] = {  // autoscaling.v1.ResourceMetricStatus
    {1, "name", K::String, 0, -1},
    {2, "currentAverageUtilization", K::Int32, P, -1},
    {3, "currentAverageValue", K::Quantity, 0, -1}};
constexpr FieldDesc f428[] = {  // autoscaling.v1.Scale
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 429},
    {3, "status", K::Msg, O, 430}};
constexpr FieldDesc f429[] = {  // autoscaling.v1.ScaleSpec
    {1, "replicas", K::Int32, O, -1}};
constexpr FieldDesc f430[] = {  // autoscaling.v1.ScaleStatus
    {1, "replicas", K::Int32, 0, -1},
    {2, "selector", K::String, O, -1}};
constexpr FieldDesc f431[] = {  // networking.v1.HTTPIngressPath
    {1, "path", K::String, O, -1},
    {3, "pathType", K::String, P, -1},
    {2, "backend", K::Msg, 0, 438}};
constexpr FieldDesc f432[] = {  // networking.v1.HTTPIngressRuleValue
    {1, "paths", K::Msg, R, 431}};
constexpr FieldDesc f433[] = {  // networking.v1.IPAddress
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 435}};
constexpr FieldDesc f434[] = {  // networking.v1.IPAddressList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 433}};
constexpr FieldDesc f435[] = {  // networking.v1.IPAddressSpec
    {1, "parentRef", K::Msg, P, 460}};
constexpr FieldDesc f436[] = {  // networking.v1.IPBlock
    {1, "cidr", K::String, 0, -1},
    {2, "except", K::String, R|O, -1}};
constexpr FieldDesc f437[] = {  // networking.v1.Ingress
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 450},
    {3, "status", K::Msg, O, 451}};
constexpr FieldDesc f438[] = {  // networking.v1.IngressBackend
    {4, "service", K::Msg, P, 449},
    {3, "resource", K::Msg, P, 272}};
constexpr FieldDesc f439[] = {  // networking.v1.IngressClass
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 442}};
constexpr FieldDesc f440[] = {  // networking.v1.IngressClassList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 439}};
constexpr FieldDesc f441[] = {  // networking.v1.IngressClassParametersReference
    {1, "apiGroup", K::String, P, -1},
    {2, "kind", K::String, 0, -1},
    {3, "name", K::String, 0, -1},
    {4, "scope", K::String, P, -1},
    {5, "namespace", K::String, P, -1}};
constexpr FieldDesc f442[] = {  // networking.v1.IngressClassSpec
    {1, "controller", K::String, O, -1},
    {2, "parameters", K::Msg, P, 441}};
constexpr FieldDesc f443[] = {  // networking.v1.IngressList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 437}};
constexpr FieldDesc f444[] = {  // networking.v1.IngressLoadBalancerIngress
    {1, "ip", K::String, O, -1},
    {2, "hostname", K::String, O, -1},
    {4, "ports", K::Msg, R|O, 446}};
constexpr FieldDesc f445[] = {  // networking.v1.IngressLoadBalancerStatus
    {1, "ingress", K::Msg, R|O, 444}};
constexpr FieldDesc f446[] = {  // networking.v1.IngressPortStatus
    {1, "port", K::Int32, 0, -1},
    {2, "protocol", K::String, 0, -1},
    {3, "error", K::String, P, -1}};
constexpr FieldDesc f447[] = {  // networking.v1.IngressRule
    {1, "host", K::String, O, -1},
    {2, "ingressRuleValue", K::Msg, I, 448}};
constexpr FieldDesc f448[] = {  // networking.v1.IngressRuleValue
    {1, "http", K::Msg, P, 432}};
constexpr FieldDesc f449[] = {  // networking.v1.IngressServiceBackend
    {1, "name", K::String, 0, -1},
    {2, "port", K::Msg, O, 461}};
constexpr FieldDesc f450[] = {  // networking.v1.IngressSpec
    {4, "ingressClassName", K::String, P, -1},
    {1, "defaultBackend", K::Msg, P, 438},
    {2, "tls", K::Msg, R|O, 452},
    {3, "rules", K::Msg, R|O, 447}};
constexpr FieldDesc f451[] = {  // networking.v1.IngressStatus
    {1, "loadBalancer", K::Msg, O, 445}};
constexpr FieldDesc f452[] = {  // networking.v1.IngressTLS
    {1, "hosts", K::String, R|O, -1},
    {2, "secretName", K::String, O, -1}};
constexpr FieldDesc f453[] = {  // networking.v1.NetworkPolicy
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 459}};
constexpr FieldDesc f454[] = {  // networking.v1.NetworkPolicyEgressRule
    {1, "ports", K::Msg, R|O, 458},
    {2, "to", K::Msg, R|O, 457}};
constexpr FieldDesc f455[] = {  // networking.v1.NetworkPolicyIngressRule
    {1, "ports", K::Msg, R|O, 458},
    {2, "from", K::Msg, R|O, 457}};
constexpr FieldDesc f456[] = {  // networking.v1.NetworkPolicyList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 453}};
constexpr FieldDesc f457[] = {  // networking.v1.NetworkPolicyPeer
    {1, "podSelector", K::Msg, P, 17},
    {2, "namespaceSelector", K::Msg, P, 17},
    {3, "ipBlock", K::Msg, P, 436}};
constexpr FieldDesc f458[] = {  // networking.v1.NetworkPolicyPort
    {1, "protocol", K::String, P, -1},
    {2, "port", K::IntOrString, P, -1},
    {3, "endPort", K::Int32, P, -1}};
constexpr FieldDesc f459[] = {  // networking.v1.NetworkPolicySpec
    {1, "podSelector", K::Msg, 0, 17},
    {2, "ingress", K::Msg, R|O, 455},
    {3, "egress", K::Msg, R|O, 454},
    {4, "policyTypes", K::String, R|O, -1}};
constexpr FieldDesc f460[] = {  // networking.v1.ParentReference
    {1, "group", K::String, O, -1},
    {2, "resource", K::String, O, -1},
    {3, "namespace", K::String, O, -1},
    {4, "name", K::String, O, -1}};
constexpr FieldDesc f461[] = {  // networking.v1.ServiceBackendPort
    {1, "name", K::String, O, -1},
    {2, "number", K::Int32, O, -1}};
constexpr FieldDesc f462[] = {  // networking.v1.ServiceCIDR
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 464},
    {3, "status", K::Msg, O, 465}};
constexpr FieldDesc f463[] = {  // networking.v1.ServiceCIDRList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 462}};
constexpr FieldDesc f464[] = {  // networking.v1.ServiceCIDRSpec
    {1, "cidrs", K::String, R|O, -1}};
constexpr FieldDesc f465[] = {  // networking.v1.ServiceCIDRStatus
    {1, "conditions", K::Msg, R|O, 6}};
constexpr FieldDesc f466[] = {  // storage.v1.CSIDriver
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 468}};
constexpr FieldDesc f467[] = {  // storage.v1.CSIDriverList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 466}};
constexpr FieldDesc f468[] = {  // storage.v1.CSIDriverSpec
    {1, "attachRequired", K::Bool, P, -1},
    {2, "podInfoOnMount", K::Bool, P, -1},
    {3, "volumeLifecycleModes", K::String, R|O, -1},
    {4, "storageCapacity", K::Bool, P, -1},
    {5, "fsGroupPolicy", K::String, P, -1},
    {6, "tokenRequests", K::Msg, R|O, 480},
    {7, "requiresRepublish", K::Bool, P, -1},
    {8, "seLinuxMount", K::Bool, P, -1},
    {9, "nodeAllocatableUpdatePeriodSeconds", K::Int64, P, -1},
    {10, "serviceAccountTokenInSecrets", K::Bool, P, -1},
    {11, "preventPodSchedulingIfMissing", K::Bool, P, -1}};
constexpr FieldDesc f469[] = {  // storage.v1.CSINode
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 472},
    {3, "status", K::Msg, O, 473}};
constexpr FieldDesc f470[] = {  // storage.v1.CSINodeDriver
    {1, "name", K::String, 0, -1},
    {2, "nodeID", K::String, 0, -1},
    {3, "topologyKeys", K::String, R, -1},
    {4, "allocatable", K::Msg, P, 489}};
constexpr FieldDesc f471[] = {  // storage.v1.CSINodeList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 469}};
constexpr FieldDesc f472[] = {  // storage.v1.CSINodeSpec
    {1, "drivers", K::Msg, R, 470}};
constexpr FieldDesc f473[] = {  // storage.v1.CSINodeStatus
    {1, "storageHealth", K::Msg, R|O, 478}};
constexpr FieldDesc f474[] = {  // storage.v1.CSIStorageCapacity
    {1, "metadata", K::Msg, O, 23},
    {2, "nodeTopology", K::Msg, P, 17},
    {3, "storageClassName", K::String, 0, -1},
    {4, "capacity", K::Quantity, P, -1},
    {5, "maximumVolumeSize", K::Quantity, P, -1}};
constexpr FieldDesc f475[] = {  // storage.v1.CSIStorageCapacityList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 474}};
constexpr FieldDesc f476[] = {  // storage.v1.StorageClass
    {1, "metadata", K::Msg, O, 23},
    {2, "provisioner", K::String, 0, -1},
    {3, "parameters", K::String, M|O, -1},
    {4, "reclaimPolicy", K::String, P, -1},
    {5, "mountOptions", K::String, R|O, -1},
    {6, "allowVolumeExpansion", K::Bool, P, -1},
    {7, "volumeBindingMode", K::String, P, -1},
    {8, "allowedTopologies", K::Msg, R|O, 270}};
constexpr FieldDesc f477[] = {  // storage.v1.StorageClassList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 476}};
constexpr FieldDesc f478[] = {  // storage.v1.StorageHealth
    {1, "name", K::String, 0, -1},
    {2, "healthConditions", K::Msg, R|O, 479}};
constexpr FieldDesc f479[] = {  // storage.v1.StorageHealthCondition
    {1, "status", K::String, 0, -1},
    {2, "reason", K::String, 0, -1},
    {3, "message", K::String, O, -1},
    {4, "accessMode", K::String, P, -1},
    {5, "volumeMode", K::String, P, -1},
    {6, "lastTransitionTime", K::Time, O, -1}};
constexpr FieldDesc f480[] = {  // storage.v1.TokenRequest
    {1, "audience", K::String, 0, -1},
    {2, "expirationSeconds", K::Int64, P, -1}};
constexpr FieldDesc f481[] = {  // storage.v1.VolumeAttachment
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, 0, 484},
    {3, "status", K::Msg, O, 485}};
constexpr FieldDesc f482[] = {  // storage.v1.VolumeAttachmentList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 481}};
constexpr FieldDesc f483[] = {  // storage.v1.VolumeAttachmentSource
    {1, "persistentVolumeName", K::String, P, -1},
    {2, "inlineVolumeSpec", K::Msg, P, 178}};
constexpr FieldDesc f484[] = {  // storage.v1.VolumeAttachmentSpec
    {1, "attacher", K::String, 0, -1},
    {2, "source", K::Msg, 0, 483},
    {3, "nodeName", K::String, 0, -1}};
constexpr FieldDesc f485[] = {  // storage.v1.VolumeAttachmentStatus
    {1, "attached", K::Bool, 0, -1},
    {2, "attachmentMetadata", K::String, M|O, -1},
    {3, "attachError", K::Msg, P, 488},
    {4, "detachError", K::Msg, P, 488}};
constexpr FieldDesc f486[] = {  // storage.v1.VolumeAttributesClass
    {1, "metadata", K::Msg, O, 23},
    {2, "driverName", K::String, 0, -1},
    {3, "parameters", K::String, M|O, -1}};
constexpr FieldDesc f487[] = {  // storage.v1.VolumeAttributesClassList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 486}};
constexpr FieldDesc f488[] = {  // storage.v1.VolumeError
    {1, "time", K::Time, O, -1},
    {2, "message", K::String, O, -1},
    {3, "errorCode", K::Int32, P, -1}};
constexpr FieldDesc f489[] = {  // storage.v1.VolumeNodeResources
    {1, "count", K::Int32, P, -1}};
constexpr FieldDesc f490[] = {  // node.v1.Overhead
    {1, "podFixed", K::Quantity, M|O, -1}};
constexpr FieldDesc f491[] = {  // node.v1.RuntimeClass
    {1, "metadata", K::Msg, O, 23},
    {2, "handler", K::String, 0, -1},
    {3, "overhead", K::Msg, P, 490},
    {4, "scheduling", K::Msg, P, 493}};
constexpr FieldDesc f492[] = {  // node.v1.RuntimeClassList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 491}};
constexpr FieldDesc f493[] = {  // node.v1.Scheduling
    {1, "nodeSelector", K::String, M|O, -1},
    {2, "tolerations", K::Msg, R|O, 268}};
constexpr FieldDesc f494[] = {  // autoscaling.v2.ContainerResourceMetricSource
    {1, "name", K::String, 0, -1},
    {2, "target", K::Msg, 0, 510},
    {3, "container", K::String, 0, -1}};
constexpr FieldDesc f495[] = {  // autoscaling.v2.ContainerResourceMetricStatus
    {1, "name", K::String, 0, -1},
    {2, "current", K::Msg, 0, 511},
    {3, "container", K::String, 0, -1}};
constexpr FieldDesc f496[] = {  // autoscaling.v2.CrossVersionObjectReference
    {1, "kind", K::String, 0, -1},
    {2, "name", K::String, 0, -1},
    {3, "apiVersion", K::String, O, -1}};
constexpr FieldDesc f497[] = {  // autoscaling.v2.ExternalMetricSource
    {1, "metric", K::Msg, 0, 507},
    {2, "target", K::Msg, 0, 510}};
constexpr FieldDesc f498[] = {  // autoscaling.v2.ExternalMetricStatus
    {1, "metric", K::Msg, 0, 507},
    {2, "current", K::Msg, 0, 511}};
constexpr FieldDesc f499[] = {  // autoscaling.v2.HPAScalingPolicy
    {1, "type", K::String, 0, -1},
    {2, "value", K::Int32, 0, -1},
    {3, "periodSeconds", K::Int32, 0, -1}};
constexpr FieldDesc f500[] = {  // autoscaling.v2.HPAScalingRules
    {3, "stabilizationWindowSeconds", K::Int32, P, -1},
    {1, "selectPolicy", K::String, P, -1},
    {2, "policies", K::Msg, R|O, 499},
    {4, "tolerance", K::Quantity, P, -1}};
constexpr FieldDesc f501[] = {  // autoscaling.v2.HorizontalPodAutoscaler
    {1, "metadata", K::Msg, O, 23},
    {2, "spec", K::Msg, O, 505},
    {3, "status", K::Msg, O, 506}};
constexpr FieldDesc f502[] = {  // autoscaling.v2.HorizontalPodAutoscalerBehavior
    {1, "scaleUp", K::Msg, P, 500},
    {2, "scaleDown", K::Msg, P, 500}};
constexpr FieldDesc f503[] = {  // autoscaling.v2.HorizontalPodAutoscalerCondition
    {1, "type", K::String, 0, -1},
    {2, "status", K::String, 0, -1},
    {3, "lastTransitionTime", K::Time, O, -1},
    {4, "reason", K::String, O, -1},
    {5, "message", K::String, O, -1},
    {6, "observedGeneration", K::Int64, P, -1}};
constexpr FieldDesc f504[] = {  // autoscaling.v2.HorizontalPodAutoscalerList
    {1, "metadata", K::Msg, O, 20},
    {2, "items", K::Msg, R, 501}};
constexpr FieldDesc f505[] = {  // autoscaling.v2.HorizontalPodAutoscalerSpec
    {1, "scaleTargetRef", K::Msg, 0, 496},
    {2, "minReplicas", K::Int32, P, -1},
    {3, "maxReplicas", K::Int32, 0, -1},
    {4, "metrics", K::Msg, R|O, 508},
    {5, "behavior", K::Msg, P, 502}};
constexpr FieldDesc f506[] = {  // autoscaling.v2.HorizontalPodAutoscalerStatus
    {1, "observedGeneration", K::Int64, P, -1},
    {2, "lastScaleTime", K::Time, P, -1},
    {3, "currentReplicas", K::Int32, O, -1},
    {4, "desiredReplicas", K::Int32, 0, -1},
    {5, "currentMetrics", K::Msg, R, 509},
    {6, "conditions", K::Msg, R|O, 503}};
constexpr FieldDesc f507[] = {  // autoscaling.v2.MetricIdentifier
    {1, "name", K::String, 0, -1},
    {2, "selector", K::Msg, P, 17}};
constexpr FieldDesc f508[] = {  // autoscaling.v2.MetricSpec
    {1, "type", K::String, 0, -1},
    {2, "object", K::Msg, P, 512},
    {3, "pods", K::Msg, P, 514},
    {4, "resource", K::Msg, P, 516},
    {7, "containerResource", K::Msg, P, 494},
    {5, "external", K::Msg, P, 497}};
constexpr FieldDesc f509[] = {  // autoscaling.v2.MetricStatus
    {1, "type", K::String, 0, -1},
    {2, "object", K::Msg, P, 513},
    {3, "pods", K::Msg, P, 515},
    {4, "resource", K::Msg, P, 517},
    {7, "containerResource", K::Msg, P, 495},
    {5, "external", K::Msg, P, 498}};
constexpr FieldDesc f510[] = {  // autoscaling.v2.MetricTarget
    {1, "type", K::String, 0, -1},
    {2, "value", K::Quantity, P, -1},
    {3, "averageValue", K::Quantity, P, -1},
    {4, "averageUtilization", K::Int32, P, -1}};
constexpr FieldDesc f511[] = {  // autoscaling.v2.MetricValueStatus
    {1, "value", K::Quantity, P, -1},
    {2, "averageValue", K::Quantity, P, -1},
    {3, "averageUtilization", K::Int32, P, -1}};
constexpr FieldDesc f512[] = {  // autoscaling.v2.ObjectMetricSource
    {1, "describedObject", K::Msg, 0, 496},
    {2, "target", K::Msg, 0, 510},
    {3, "metric", K::Msg, 0, 507}};
constexpr FieldDesc f513[] = {  // autoscaling.v2.ObjectMetricStatus
    {1, "metric", K::Msg, 0, 507},
    {2, "current", K::Msg, 0, 511},
    {3, "describedObject", K::Msg, 0, 496}};
constexpr FieldDesc f514[] = {  // autoscaling.v2.PodsMetricSource
    {1, "metric", K::Msg, 0, 507},
    {2, "target", K::Msg, 0, 510}};
constexpr FieldDesc f515[] = {  // autoscaling.v2.PodsMetricStatus
    {1, "metric", K::Msg, 0, 507},
    {2, "current", K::Msg, 0, 511}};
constexpr FieldDesc f516[] = {  // autoscaling.v2.ResourceMetricSource
    {1, "name", K::String, 0, -1},
    {2, "target", K::Msg, 0, 510}};
constexpr FieldDesc f517[] = {  // autoscaling.v2.ResourceMetricStatus
    {1, "name", K::String, 0, -1},
    {2, "current", K::Msg, 0, 511}};
}  // namespace

const MessageDesc kMessages[] = {
    {"meta.v1.APIGroup", f0, 4},
    {"meta.v1.APIGroupList", f1, 1},
    {"meta.v1.APIResource", f2, 10},
    {"meta.v1.APIResourceList", f3, 2},
    {"meta.v1.APIVersions", f4, 2},
    {"meta.v1.ApplyOptions", f5, 3},
    {"meta.v1.Condition", f6, 6},
    {"meta.v1.CreateOptions", f7, 3},
    {"meta.v1.DeleteOptions", f8, 6},
    {"meta.v1.FieldSelectorRequirement", f9, 3},
    {"meta.v1.GetOptions", f10, 1},
    {"meta.v1.GroupKind", f11, 2},
    {"meta.v1.GroupResource", f12, 2},
    {"meta.v1.GroupVersion", f13, 2},
    {"meta.v1.GroupVersionForDiscovery", f14, 2},
    {"meta.v1.GroupVersionKind", f15, 3},
    {"meta.v1.GroupVersionResource", f16, 3},
    {"meta.v1.LabelSelector", f17, 2},
    {"meta.v1.LabelSelectorRequirement", f18, 3},
    {"meta.v1.List", f19, 2},
    {"meta.v1.ListMeta", f20, 5},
    {"meta.v1.ListOptions", f21, 11},
    {"meta.v1.ManagedFieldsEntry", f22, 7},
    {"meta.v1.ObjectMeta", f23, 15},
    {"meta.v1.OwnerReference", f24, 6},
    {"meta.v1.PartialObjectMetadata", f25, 1},
    {"meta.v1.PartialObjectMetadataList", f26, 2},
    {"meta.v1.Patch", nullptr, 0},
    {"meta.v1.PatchOptions", f28, 4},
    {"meta.v1.Preconditions", f29, 2},
    {"meta.v1.RootPaths", f30, 1},
    {"meta.v1.ServerAddressByClientCIDR", f31, 2},
    {"meta.v1.ShardInfo", f32, 1},
    {"meta.v1.Status", f33, 6},
    {"meta.v1.StatusCause", f34, 3},
    {"meta.v1.StatusDetails", f35, 6},
    {"meta.v1.TableOptions", f36, 1},
    {"meta.v1.TypeMeta", f37, 2},
    {"meta.v1.UpdateOptions", f38, 3},
    {"meta.v1.Verbs", f39, 1},
    {"meta.v1.WatchEvent", f40, 2},
    {"core.v1.AWSElasticBlockStoreVolumeSource", f41, 4},
    {"core.v1.Affinity", f42, 3},
    {"core.v1.AppArmorProfile", f43, 2},
    {"core.v1.AttachedVolume", f44, 2},
    {"core.v1.AvoidPods", f45, 1},
    {"core.v1.AzureDiskVolumeSource", f46, 6},
    {"core.v1.AzureFilePersistentVolumeSource", f47, 4},
    {"core.v1.AzureFileVolumeSource", f48, 3},
    {"core.v1.Binding", f49, 2},
    {"core.v1.CSIPersistentVolumeSource", f50, 10},
    {"core.v1.CSIVolumeSource", f51, 5},
    {"core.v1.Capabilities", f52, 2},
    {"core.v1.CephFSPersistentVolumeSource", f53, 6},
    {"core.v1.CephFSVolumeSource", f54, 6},
    {"core.v1.CinderPersistentVolumeSource", f55, 4},
    {"core.v1.CinderVolumeSource", f56, 4},
    {"core.v1.ClientIPConfig", f57, 1},
    {"core.v1.ClusterTrustBundleProjection", f58, 6},
    {"core.v1.ComponentCondition", f59, 4},
    {"core.v1.ComponentStatus", f60, 2},
    {"core.v1.ComponentStatusList", f61, 2},
    {"core.v1.ConfigMap", f62, 4},
    {"core.v1.ConfigMapEnvSource", f63, 2},
    {"core.v1.ConfigMapKeySelector", f64, 3},
    {"core.v1.ConfigMapList", f65, 2},
    {"core.v1.ConfigMapNodeConfigSource", f66, 5},
    {"core.v1.ConfigMapProjection", f67, 3},
    {"core.v1.ConfigMapVolumeSource", f68, 5},
    {"core.v1.Container", f69, 25},
    {"core.v1.ContainerExtendedResourceRequest", f70, 3},
    {"core.v1.ContainerImage", f71, 2},
    {"core.v1.ContainerPort", f72, 5},
    {"core.v1.ContainerResizePolicy", f73, 2},
    {"core.v1.ContainerRestartRule", f74, 2},
    {"core.v1.ContainerRestartRuleOnExitCodes", f75, 2},
    {"core.v1.ContainerState", f76, 3},
    {"core.v1.ContainerStateRunning", f77, 1},
    {"core.v1.ContainerStateTerminated", f78, 7},
    {"core.v1.ContainerStateWaiting", f79, 2},
    {"core.v1.ContainerStatus", f80, 15},
    {"core.v1.ContainerUser", f81, 1},
    {"core.v1.DaemonEndpoint", f82, 1},
    {"core.v1.DownwardAPIProjection", f83, 1},
    {"core.v1.DownwardAPIVolumeFile", f84, 5},
    {"core.v1.DownwardAPIVolumeSource", f85, 3},
    {"core.v1.EmptyDirVolumeSource", f86, 3},
    {"core.v1.EndpointAddress", f87, 4},
    {"core.v1.EndpointPort", f88, 4},
    {"core.v1.EndpointSubset", f89, 3},
    {"core.v1.Endpoints", f90, 2},
    {"core.v1.EndpointsList", f91, 2},
    {"core.v1.EnvFromSource", f92, 3},
    {"core.v1.EnvVar", f93, 3},
    {"core.v1.EnvVarSource", f94, 5},
    {"core.v1.EphemeralContainer", f95, 2},
    {"core.v1.EphemeralContainerCommon", f96, 25},
    {"core.v1.EphemeralVolumeSource", f97, 1},
    {"core.v1.Event", f98, 15},
    {"core.v1.EventList", f99, 2},
    {"core.v1.EventSeries", f100, 2},
    {"core.v1.EventSource", f101, 2},
    {"core.v1.EvictionResponder", f102, 2},
    {"core.v1.ExecAction", f103, 1},
    {"core.v1.FCVolumeSource", f104, 5},
    {"core.v1.FileKeySelector", f105, 4},
    {"core.v1.FlexPersistentVolumeSource", f106, 5},
    {"core.v1.FlexVolumeSource", f107, 5},
    {"core.v1.FlockerVolumeSource", f108, 2},
    {"core.v1.GCEPersistentDiskVolumeSource", f109, 4},
    {"core.v1.GRPCAction", f110, 3},
    {"core.v1.GitRepoVolumeSource", f111, 3},
    {"core.v1.GlusterfsPersistentVolumeSource", f112, 4},
    {"core.v1.GlusterfsVolumeSource", f113, 3},
    {"core.v1.HTTPGetAction", f114, 6},
    {"core.v1.HTTPHeader", f115, 2},
    {"core.v1.HostAlias", f116, 2},
    {"core.v1.HostIP", f117, 1},
    {"core.v1.HostPathVolumeSource", f118, 2},
    {"core.v1.ISCSIPersistentVolumeSource", f119, 11},
    {"core.v1.ISCSIVolumeSource", f120, 11},
    {"core.v1.ImageVolumeSource", f121, 2},
    {"core.v1.ImageVolumeStatus", f122, 1},
    {"core.v1.KeyToPath", f123, 4},
    {"core.v1.Lifecycle", f124, 3},
    {"core.v1.LifecycleHandler", f125, 4},
    {"core.v1.LimitRange", f126, 2},
    {"core.v1.LimitRangeItem", f127, 6},
    {"core.v1.LimitRangeList", f128, 2},
    {"core.v1.LimitRangeSpec", f129, 1},
    {"core.v1.LinuxContainerUser", f130, 3},
    {"core.v1.List", f131, 2},
    {"core.v1.LoadBalancerIngress", f132, 4},
    {"core.v1.LoadBalancerStatus", f133, 1},
    {"core.v1.LocalObjectReference", f134, 1},
    {"core.v1.LocalVolumeSource", f135, 2},
    {"core.v1.ModifyVolumeStatus", f136, 2},
    {"core.v1.NFSVolumeSource", f137, 3},
    {"core.v1.Namespace", f138, 3},
    {"core.v1.NamespaceCondition", f139, 5},
    {"core.v1.NamespaceList", f140, 2},
    {"core.v1.NamespaceSpec", f141, 1},
    {"core.v1.NamespaceStatus", f142, 2},
    {"core.v1.Node", f143, 3},
    {"core.v1.NodeAddress", f144, 2},
    {"core.v1.NodeAffinity", f145, 2},
    {"core.v1.NodeAllocatableMappedResources", f146, 2},
    {"core.v1.NodeAllocatableOverheadResources", f147, 3},
    {"core.v1.NodeAllocatableResourceClaimStatus", f148, 4},
    {"core.v1.NodeCondition", f149, 6},
    {"core.v1.NodeConfigSource", f150, 1},
    {"core.v1.NodeConfigStatus", f151, 4},
    {"core.v1.NodeDaemonEndpoints", f152, 1},
    {"core.v1.NodeFeatures", f153, 1},
    {"core.v1.NodeList", f154, 2},
    {"core.v1.NodePodPreemptionPolicy", f155, 1},
    {"core.v1.NodeProxyOptions", f156, 1},
    {"core.v1.NodeRuntimeHandler", f157, 2},
    {"core.v1.NodeRuntimeHandlerFeatures", f158, 2},
    {"core.v1.NodeSelector", f159, 1},
    {"core.v1.NodeSelectorRequirement", f160, 3},
    {"core.v1.NodeSelectorTerm", f161, 2},
    {"core.v1.NodeSpec", f162, 8},
    {"core.v1.NodeStatus", f163, 14},
    {"core.v1.NodeSwapStatus", f164, 1},
    {"core.v1.NodeSystemInfo", f165, 11},
    {"core.v1.ObjectFieldSelector", f166, 2},
    {"core.v1.ObjectReference", f167, 7},
    {"core.v1.PersistentVolume", f168, 3},
    {"core.v1.PersistentVolumeClaim", f169, 3},
    {"core.v1.PersistentVolumeClaimCondition", f170, 6},
    {"core.v1.PersistentVolumeClaimList", f171, 2},
    {"core.v1.PersistentVolumeClaimSpec", f172, 9},
    {"core.v1.PersistentVolumeClaimStatus", f173, 9},
    {"core.v1.PersistentVolumeClaimTemplate", f174, 2},
    {"core.v1.PersistentVolumeClaimVolumeSource", f175, 2},
    {"core.v1.PersistentVolumeList", f176, 2},
    {"core.v1.PersistentVolumeSource", f177, 22},
    {"core.v1.PersistentVolumeSpec", f178, 10},
    {"core.v1.PersistentVolumeStatus", f179, 4},
    {"core.v1.PhotonPersistentDiskVolumeSource", f180, 2},
    {"core.v1.Pod", f181, 3},
    {"core.v1.PodAffinity", f182, 2},
    {"core.v1.PodAffinityTerm", f183, 6},
    {"core.v1.PodAntiAffinity", f184, 2},
    {"core.v1.PodAttachOptions", f185, 5},
    {"core.v1.PodCertificateProjection", f186, 8},
    {"core.v1.PodCondition", f187, 7},
    {"core.v1.PodDNSConfig", f188, 3},
    {"core.v1.PodDNSConfigOption", f189, 2},
    {"core.v1.PodExecOptions", f190, 6},
    {"core.v1.PodExtendedResourceClaimStatus", f191, 2},
    {"core.v1.PodIP", f192, 1},
    {"core.v1.PodList", f193, 2},
    {"core.v1.PodLogOptions", f194, 10},
    {"core.v1.PodOS", f195, 1},
    {"core.v1.PodPortForwardOptions", f196, 1},
    {"core.v1.PodProxyOptions", f197, 1},
    {"core.v1.PodReadinessGate", f198, 1},
    {"core.v1.PodResourceClaim", f199, 3},
    {"core.v1.PodResourceClaimStatus", f200, 2},
    {"core.v1.PodSchedulingGate", f201, 1},
    {"core.v1.PodSchedulingGroup", f202, 1},
    {"core.v1.PodSecurityContext", f203, 13},
    {"core.v1.PodSignature", f204, 1},
    {"core.v1.PodSpec", f205, 43},
    {"core.v1.PodStatus", f206, 22},
    {"core.v1.PodTemplate", f207, 2},
    {"core.v1.PodTemplateList", f208, 2},
    {"core.v1.PodTemplateSpec", f209, 2},
    {"core.v1.PodVolumeHealth", f210, 3},
    {"core.v1.PortStatus", f211, 3},
    {"core.v1.PortworxVolumeSource", f212, 3},
    {"core.v1.Preconditions", f213, 1},
    {"core.v1.PreferAvoidPodsEntry", f214, 4},
    {"core.v1.PreferredSchedulingTerm", f215, 2},
    {"core.v1.Probe", f216, 7},
    {"core.v1.ProbeHandler", f217, 4},
    {"core.v1.ProjectedVolumeSource", f218, 3},
    {"core.v1.QuobyteVolumeSource", f219, 6},
    {"core.v1.RBDPersistentVolumeSource", f220, 8},
    {"core.v1.RBDVolumeSource", f221, 8},
    {"core.v1.RangeAllocation", f222, 3},
    {"core.v1.ReplicationController", f223, 3},
    {"core.v1.ReplicationControllerCondition", f224, 5},
    {"core.v1.ReplicationControllerList", f225, 2},
    {"core.v1.ReplicationControllerSpec", f226, 4},
    {"core.v1.ReplicationControllerStatus", f227, 6},
    {"core.v1.ResourceClaim", f228, 2},
    {"core.v1.ResourceFieldSelector", f229, 3},
    {"core.v1.ResourceHealth", f230, 3},
    {"core.v1.ResourceQuota", f231, 3},
    {"core.v1.ResourceQuotaList", f232, 2},
    {"core.v1.ResourceQuotaSpec", f233, 3},
    {"core.v1.ResourceQuotaStatus", f234, 2},
    {"core.v1.ResourceRequirements", f235, 3},
    {"core.v1.ResourceStatus", f236, 2},
    {"core.v1.SELinuxOptions", f237, 4},
    {"core.v1.ScaleIOPersistentVolumeSource", f238, 10},
    {"core.v1.ScaleIOVolumeSource", f239, 10},
    {"core.v1.ScopeSelector", f240, 1},
    {"core.v1.ScopedResourceSelectorRequirement", f241, 3},
    {"core.v1.SeccompProfile", f242, 2},
    {"core.v1.Secret", f243, 5},
    {"core.v1.SecretEnvSource", f244, 2},
    {"core.v1.SecretKeySelector", f245, 3},
    {"core.v1.SecretList", f246, 2},
    {"core.v1.SecretProjection", f247, 3},
    {"core.v1.SecretReference", f248, 2},
    {"core.v1.SecretVolumeSource", f249, 5},
    {"core.v1.SecurityContext", f250, 12},
    {"core.v1.SerializedReference", f251, 1},
    {"core.v1.Service", f252, 3},
    {"core.v1.ServiceAccount", f253, 4},
    {"core.v1.ServiceAccountList", f254, 2},
    {"core.v1.ServiceAccountTokenProjection", f255, 4},
    {"core.v1.ServiceList", f256, 2},
    {"core.v1.ServicePort", f257, 6},
    {"core.v1.ServiceProxyOptions", f258, 1},
    {"core.v1.ServiceSpec", f259, 20},
    {"core.v1.ServiceStatus", f260, 2},
    {"core.v1.SessionAffinityConfig", f261, 1},
    {"core.v1.SleepAction", f262, 1},
    {"core.v1.StorageOSPersistentVolumeSource", f263, 5},
    {"core.v1.StorageOSVolumeSource", f264, 5},
    {"core.v1.Sysctl", f265, 2},
    {"core.v1.TCPSocketAction", f266, 2},
    {"core.v1.Taint", f267, 4},
    {"core.v1.Toleration", f268, 5},
    {"core.v1.TopologySelectorLabelRequirement", f269, 2},
    {"core.v1.TopologySelectorTerm", f270, 1},
    {"core.v1.TopologySpreadConstraint", f271, 8},
    {"core.v1.TypedLocalObjectReference", f272, 3},
    {"core.v1.TypedObjectReference", f273, 4},
    {"core.v1.Volume", f274, 2},
    {"core.v1.VolumeDevice", f275, 2},
    {"core.v1.VolumeHealthCondition", f276, 3},
    {"core.v1.VolumeHealthStatus", f277, 2},
    {"core.v1.VolumeMount", f278, 8},
    {"core.v1.VolumeMountStatus", f279, 5},
    {"core.v1.VolumeNodeAffinity", f280, 1},
    {"core.v1.VolumeProjection", f281, 6},
    {"core.v1.VolumeResourceRequirements", f282, 2},
    {"core.v1.VolumeSource", f283, 30},
    {"core.v1.VolumeStatus", f284, 1},
    {"core.v1.VsphereVirtualDiskVolumeSource", f285, 4},
    {"core.v1.WeightedPodAffinityTerm", f286, 2},
    {"core.v1.WindowsSecurityContextOptions", f287, 4},
    {"apps.v1.ControllerRevision", f288, 3},
    {"apps.v1.ControllerRevisionList", f289, 2},
    {"apps.v1.DaemonSet", f290, 3},
    {"apps.v1.DaemonSetCondition", f291, 5},
    {"apps.v1.DaemonSetList", f292, 2},
    {"apps.v1.DaemonSetSpec", f293, 5},
    {"apps.v1.DaemonSetStatus", f294, 10},
    {"apps.v1.DaemonSetUpdateStrategy", f295, 2},
    {"apps.v1.Deployment", f296, 3},
    {"apps.v1.DeploymentCondition", f297, 6},
    {"apps.v1.DeploymentList", f298, 2},
    {"apps.v1.DeploymentSpec", f299, 8},
    {"apps.v1.DeploymentStatus", f300, 9},
    {"apps.v1.DeploymentStrategy", f301, 2},
    {"apps.v1.ReplicaSet", f302, 3},
    {"apps.v1.ReplicaSetCondition", f303, 5},
    {"apps.v1.ReplicaSetList", f304, 2},
    {"apps.v1.ReplicaSetSpec", f305, 4},
    {"apps.v1.ReplicaSetStatus", f306, 7},
    {"apps.v1.RollingUpdateDaemonSet", f307, 2},
    {"apps.v1.RollingUpdateDeployment", f308, 2},
    {"apps.v1.RollingUpdateStatefulSetStrategy", f309, 2},
    {"apps.v1.StatefulSet", f310, 3},
    {"apps.v1.StatefulSetCondition", f311, 5},
    {"apps.v1.StatefulSetList", f312, 2},
    {"apps.v1.StatefulSetOrdinals", f313, 1},
    {"apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy", f314, 2},
    {"apps.v1.StatefulSetSpec", f315, 11},
    {"apps.v1.StatefulSetStatus", f316, 10},
    {"apps.v1.StatefulSetUpdateStrategy", f317, 2},
    {"batch.v1.CronJob", f318, 3},
    {"batch.v1.CronJobList", f319, 2},
    {"batch.v1.CronJobSpec", f320, 8},
    {"batch.v1.CronJobStatus", f321, 3},
    {"batch.v1.Job", f322, 3},
    {"batch.v1.JobCondition", f323, 6},
    {"batch.v1.JobList", f324, 2},
    {"batch.v1.JobSchedulingConfiguration", nullptr, 0},
    {"batch.v1.JobSpec", f326, 17},
    {"batch.v1.JobStatus", f327, 11},
    {"batch.v1.JobTemplateSpec", f328, 2},
    {"batch.v1.PodFailurePolicy", f329, 1},
    {"batch.v1.PodFailurePolicyOnExitCodesRequirement", f330, 3},
    {"batch.v1.PodFailurePolicyOnPodConditionsPattern", f331, 2},
    {"batch.v1.PodFailurePolicyRule", f332, 3},
    {"batch.v1.SuccessPolicy", f333, 1},
    {"batch.v1.SuccessPolicyRule", f334, 2},
    {"batch.v1.UncountedTerminatedPods", f335, 2},
    {"policy.v1.Eviction", f336, 2},
    {"policy.v1.PodDisruptionBudget", f337, 3},
    {"policy.v1.PodDisruptionBudgetList", f338, 2},
    {"policy.v1.PodDisruptionBudgetSpec", f339, 4},
    {"policy.v1.PodDisruptionBudgetStatus", f340, 7},
    {"coordination.v1.Lease", f341, 2},
    {"coordination.v1.LeaseList", f342, 2},
    {"coordination.v1.LeaseSpec", f343, 7},
    {"discovery.v1.Endpoint", f344, 8},
    {"discovery.v1.EndpointConditions", f345, 3},
    {"discovery.v1.EndpointHints", f346, 2},
    {"discovery.v1.EndpointPort", f347, 4},
    {"discovery.v1.EndpointSlice", f348, 4},
    {"discovery.v1.EndpointSliceList", f349, 2},
    {"discovery.v1.ForNode", f350, 1},
    {"discovery.v1.ForZone", f351, 1},
    {"events.v1.Event", f352, 15},
    {"events.v1.EventList", f353, 2},
    {"events.v1.EventSeries", f354, 2},
    {"scheduling.v1.PriorityClass", f355, 5},
    {"scheduling.v1.PriorityClassList", f356, 2},
    {"rbac.v1.AggregationRule", f357, 1},
    {"rbac.v1.ClusterRole", f358, 3},
    {"rbac.v1.ClusterRoleBinding", f359, 3},
    {"rbac.v1.ClusterRoleBindingList", f360, 2},
    {"rbac.v1.ClusterRoleList", f361, 2},
    {"rbac.v1.PolicyRule", f362, 5},
    {"rbac.v1.Role", f363, 2},
    {"rbac.v1.RoleBinding", f364, 3},
    {"rbac.v1.RoleBindingList", f365, 2},
    {"rbac.v1.RoleList", f366, 2},
    {"rbac.v1.RoleRef", f367, 3},
    {"rbac.v1.Subject", f368, 4},
    {"certificates.v1.CertificateSigningRequest", f369, 3},
    {"certificates.v1.CertificateSigningRequestCondition", f370, 6},
    {"certificates.v1.CertificateSigningRequestList", f371, 2},
    {"certificates.v1.CertificateSigningRequestSpec", f372, 8},
    {"certificates.v1.CertificateSigningRequestStatus", f373, 2},
    {"certificates.v1.ClusterTrustBundle", f374, 2},
    {"certificates.v1.ClusterTrustBundleList", f375, 2},
    {"certificates.v1.ClusterTrustBundleSpec", f376, 2},
    {"certificates.v1.ExtraValue", f377, 1},
    {"certificates.v1.PodCertificateRequest", f378, 3},
    {"certificates.v1.PodCertificateRequestList", f379, 2},
    {"certificates.v1.PodCertificateRequestSpec", f380, 10},
    {"certificates.v1.PodCertificateRequestStatus", f381, 5},
    {"authentication.v1.AttestationValue", f382, 1},
    {"authentication.v1.BoundObjectReference", f383, 4},
    {"authentication.v1.ExtraValue", f384, 1},
    {"authentication.v1.SelfSubjectReview", f385, 2},
    {"authentication.v1.SelfSubjectReviewStatus", f386, 1},
    {"authentication.v1.TokenRequest", f387, 3},
    {"authentication.v1.TokenRequestSpec", f388, 4},
    {"authentication.v1.TokenRequestStatus", f389, 2},
    {"authentication.v1.TokenReview", f390, 3},
    {"authentication.v1.TokenReviewSpec", f391, 2},
    {"authentication.v1.TokenReviewStatus", f392, 4},
    {"authentication.v1.UserInfo", f393, 4},
    {"authorization.v1.ExtraValue", f394, 1},
    {"authorization.v1.FieldSelectorAttributes", f395, 2},
    {"authorization.v1.LabelSelectorAttributes", f396, 2},
    {"authorization.v1.LocalSubjectAccessReview", f397, 3},
    {"authorization.v1.NonResourceAttributes", f398, 2},
    {"authorization.v1.NonResourceRule", f399, 2},
    {"authorization.v1.ResourceAttributes", f400, 9},
    {"authorization.v1.ResourceRule", f401, 4},
    {"authorization.v1.SelfSubjectAccessReview", f402, 3},
    {"authorization.v1.SelfSubjectAccessReviewSpec", f403, 2},
    {"authorization.v1.SelfSubjectRulesReview", f404, 3},
    {"authorization.v1.SelfSubjectRulesReviewSpec", f405, 1},
    {"authorization.v1.SubjectAccessReview", f406, 3},
    {"authorization.v1.SubjectAccessReviewSpec", f407, 6},
    {"authorization.v1.SubjectAccessReviewStatus", f408, 4},
    {"authorization.v1.SubjectRulesReviewStatus", f409, 4},
    {"autoscaling.v1.ContainerResourceMetricSource", f410, 4},
    {"autoscaling.v1.ContainerResourceMetricStatus", f411, 4},
    {"autoscaling.v1.CrossVersionObjectReference", f412, 3},
    {"autoscaling.v1.ExternalMetricSource", f413, 4},
    {"autoscaling.v1.ExternalMetricStatus", f414, 4},
    {"autoscaling.v1.HorizontalPodAutoscaler", f415, 3},
    {"autoscaling.v1.HorizontalPodAutoscalerCondition", f416, 6},
    {"autoscaling.v1.HorizontalPodAutoscalerList", f417, 2},
    {"autoscaling.v1.HorizontalPodAutoscalerSpec", f418, 4},
    {"autoscaling.v1.HorizontalPodAutoscalerStatus", f419, 5},
    {"autoscaling.v1.MetricSpec", f420, 6},
    {"autoscaling.v1.MetricStatus", f421, 6},
    {"autoscaling.v1.ObjectMetricSource", f422, 5},
    {"autoscaling.v1.ObjectMetricStatus", f423, 5},
    {"autoscaling.v1.PodsMetricSource", f424, 3},
    {"autoscaling.v1.PodsMetricStatus", f425, 3},
    {"autoscaling.v1.ResourceMetricSource", f426, 3},
    {"autoscaling.v1.ResourceMetricStatus", f427, 3},
    {"autoscaling.v1.Scale", f428, 3},
    {"autoscaling.v1.ScaleSpec", f429, 1},
    {"autoscaling.v1.ScaleStatus", f430, 2},
    {"networking.v1.HTTPIngressPath", f431, 3},
    {"networking.v1.HTTPIngressRuleValue", f432, 1},
    {"networking.v1.IPAddress", f433, 2},
    {"networking.v1.IPAddressList", f434, 2},
    {"networking.v1.IPAddressSpec", f435, 1},
    {"networking.v1.IPBlock", f436, 2},
    {"networking.v1.Ingress", f437, 3},
    {"networking.v1.IngressBackend", f438, 2},
    {"networking.v1.IngressClass", f439, 2},
    {"networking.v1.IngressClassList", f440, 2},
    {"networking.v1.IngressClassParametersReference", f441, 5},
    {"networking.v1.IngressClassSpec", f442, 2},
    {"networking.v1.IngressList", f443, 2},
    {"networking.v1.IngressLoadBalancerIngress", f444, 3},
    {"networking.v1.IngressLoadBalancerStatus", f445, 1},
    {"networking.v1.IngressPortStatus", f446, 3},
    {"networking.v1.IngressRule", f447, 2},
    {"networking.v1.IngressRuleValue", f448, 1},
    {"networking.v1.IngressServiceBackend", f449, 2},
    {"networking.v1.IngressSpec", f450, 4},
    {"networking.v1.IngressStatus", f451, 1},
    {"networking.v1.IngressTLS", f452, 2},
    {"networking.v1.NetworkPolicy", f453, 2},
    {"networking.v1.NetworkPolicyEgressRule", f454, 2},
    {"networking.v1.NetworkPolicyIngressRule", f455, 2},
    {"networking.v1.NetworkPolicyList", f456, 2},
    {"networking.v1.NetworkPolicyPeer", f457, 3},
    {"networking.v1.NetworkPolicyPort", f458, 3},
    {"networking.v1.NetworkPolicySpec", f459, 4},
    {"networking.v1.ParentReference", f460, 4},
    {"networking.v1.ServiceBackendPort", f461, 2},
    {"networking.v1.ServiceCIDR", f462, 3},
    {"networking.v1.ServiceCIDRList", f463, 2},
    {"networking.v1.ServiceCIDRSpec", f464, 1},
    {"networking.v1.ServiceCIDRStatus", f465, 1},
    {"storage.v1.CSIDriver", f466, 2},
    {"storage.v1.CSIDriverList", f467, 2},
    {"storage.v1.CSIDriverSpec", f468, 11},
    {"storage.v1.CSINode", f469, 3},
    {"storage.v1.CSINodeDriver", f470, 4},
    {"storage.v1.CSINodeList", f471, 2},
    {"storage.v1.CSINodeSpec", f472, 1},
    {"storage.v1.CSINodeStatus", f473, 1},
    {"storage.v1.CSIStorageCapacity", f474, 5},
    {"storage.v1.CSIStorageCapacityList", f475, 2},
    {"storage.v1.StorageClass", f476, 8},
    {"storage.v1.StorageClassList", f477, 2},
    {"storage.v1.StorageHealth", f478, 2},
    {"storage.v1.StorageHealthCondition", f479, 6},
    {"storage.v1.TokenRequest", f480, 2},
    {"storage.v1.VolumeAttachment", f481, 3},
    {"storage.v1.VolumeAttachmentList", f482, 2},
    {"storage.v1.VolumeAttachmentSource", f483, 2},
    {"storage.v1.VolumeAttachmentSpec", f484, 3},
    {"storage.v1.VolumeAttachmentStatus", f485, 4},
    {"storage.v1.VolumeAttributesClass", f486, 3},
    {"storage.v1.VolumeAttributesClassList", f487, 2},
    {"storage.v1.VolumeError", f488, 3},
    {"storage.v1.VolumeNodeResources", f489, 1},
    {"node.v1.Overhead", f490, 1},
    {"node.v1.RuntimeClass", f491, 4},
    {"node.v1.RuntimeClassList", f492, 2},
    {"node.v1.Scheduling", f493, 2},
    {"autoscaling.v2.ContainerResourceMetricSource", f494, 3},
    {"autoscaling.v2.ContainerResourceMetricStatus", f495, 3},
    {"autoscaling.v2.CrossVersionObjectReference", f496, 3},
    {"autoscaling.v2.ExternalMetricSource", f497, 2},
    {"autoscaling.v2.ExternalMetricStatus", f498, 2},
    {"autoscaling.v2.HPAScalingPolicy", f499, 3},
    {"autoscaling.v2.HPAScalingRules", f500, 4},
    {"autoscaling.v2.HorizontalPodAutoscaler", f501, 3},
    {"autoscaling.v2.HorizontalPodAutoscalerBehavior", f502, 2},
    {"autoscaling.v2.HorizontalPodAutoscalerCondition", f503, 6},
    {"autoscaling.v2.HorizontalPodAutoscalerList", f504, 2},
    {"autoscaling.v2.HorizontalPodAutoscalerSpec", f505, 5},
    {"autoscaling.v2.HorizontalPodAutoscalerStatus", f506, 6},
    {"autoscaling.v2.MetricIdentifier", f507, 2},
    {"autoscaling.v2.MetricSpec", f508, 6},
    {"autoscaling.v2.MetricStatus", f509, 6},
    {"autoscaling.v2.MetricTarget", f510, 4},
    {"autoscaling.v2.MetricValueStatus", f511, 3},
    {"autoscaling.v2.ObjectMetricSource", f512, 3},
    {"autoscaling.v2.ObjectMetricStatus", f513, 3},
    {"autoscaling.v2.PodsMetricSource", f514, 2},
    {"autoscaling.v2.PodsMetricStatus", f515, 2},
    {"autoscaling.v2.ResourceMetricSource", f516, 2},
    {"autoscaling.v2.ResourceMetricStatus", f517, 2},
};
const size_t kMessageCount = sizeof(kMessages) / sizeof(kMessages[0]);

const TopLevel kTopLevel[] = {
    {"meta.k8s.io/v1", "APIGroup", 0},
    {"meta.k8s.io/v1", "APIGroupList", 1},
    {"meta.k8s.io/v1", "APIResourceList", 3},
    {"meta.k8s.io/v1", "APIVersions", 4},
    {"meta.k8s.io/v1", "ApplyOptions", 5},
    {"meta.k8s.io/v1", "CreateOptions", 7},
    {"meta.k8s.io/v1", "DeleteOptions", 8},
    {"meta.k8s.io/v1", "GetOptions", 10},
    {"meta.k8s.io/v1", "List", 19},
    {"meta.k8s.io/v1", "ListOptions", 21},
    {"meta.k8s.io/v1", "PartialObjectMetadata", 25},
    {"meta.k8s.io/v1", "PartialObjectMetadataList", 26},
    {"meta.k8s.io/v1", "PatchOptions", 28},
    {"meta.k8s.io/v1", "Status", 33},
    {"meta.k8s.io/v1", "TableOptions", 36},
    {"meta.k8s.io/v1", "UpdateOptions", 38},
    {"v1", "Binding", 49},
    {"v1", "ComponentStatus", 60},
    {"v1", "ComponentStatusList", 61},
    {"v1", "ConfigMap", 62},
    {"v1", "ConfigMapList", 65},
    {"v1", "Endpoints", 90},
    {"v1", "EndpointsList", 91},
    {"v1", "Event", 98},
    {"v1", "EventList", 99},
    {"v1", "LimitRange", 126},
    {"v1", "LimitRangeList", 128},
    {"v1", "Namespace", 138},
    {"v1", "NamespaceList", 140},
    {"v1", "Node", 143},
    {"v1", "NodeList", 154},
    {"v1", "NodeProxyOptions", 156},
    {"v1", "PersistentVolume", 168},
    {"v1", "PersistentVolumeClaim", 169},
    {"v1", "PersistentVolumeClaimList", 171},
    {"v1", "PersistentVolumeList", 176},
    {"v1", "Pod", 181},
    {"v1", "PodAttachOptions", 185},
    {"v1", "PodExecOptions", 190},
    {"v1", "PodList", 193},
    {"v1", "PodLogOptions", 194},
    {"v1", "PodPortForwardOptions", 196},
    {"v1", "PodProxyOptions", 197},
    {"v1", "PodTemplate", 207},
    {"v1", "PodTemplateList", 208},
    {"v1", "RangeAllocation", 222},
    {"v1", "ReplicationController", 223},
    {"v1", "ReplicationControllerList", 225},
    {"v1", "ResourceQuota", 231},
    {"v1", "ResourceQuotaList", 232},
    {"v1", "Secret", 243},
    {"v1", "SecretList", 246},
    {"v1", "SerializedReference", 251},
    {"v1", "Service", 252},
    {"v1", "ServiceAccount", 253},
    {"v1", "ServiceAccountList", 254},
    {"v1", "ServiceList", 256},
    {"v1", "ServiceProxyOptions", 258},
    {"apps/v1", "ControllerRevision", 288},
    {"apps/v1", "ControllerRevisionList", 289},
    {"apps/v1", "DaemonSet", 290},
    {"apps/v1", "DaemonSetList", 292},
    {"apps/v1", "Deployment", 296},
    {"apps/v1", "DeploymentList", 298},
    {"apps/v1", "ReplicaSet", 302},
    {"apps/v1", "ReplicaSetList", 304},
    {"apps/v1", "StatefulSet", 310},
    {"apps/v1", "StatefulSetList", 312},
    {"batch/v1", "CronJob", 318},
    {"batch/v1", "CronJobList", 319},
    {"batch/v1", "Job", 322},
    {"batch/v1", "JobList", 324},
    {"policy/v1", "Eviction", 336},
    {"policy/v1", "PodDisruptionBudget", 337},
    {"policy/v1", "PodDisruptionBudgetList", 338},
    {"coordination.k8s.io/v1", "Lease", 341},
    {"coordination.k8s.io/v1", "LeaseList", 342},
    {"discovery.k8s.io/v1", "EndpointSlice", 348},
    {"discovery.k8s.io/v1", "EndpointSliceList", 349},
    {"events.k8s.io/v1", "Event", 352},
    {"events.k8s.io/v1", "EventList", 353},
    {"scheduling.k8s.io/v1", "PriorityClass", 355},
    {"scheduling.k8s.io/v1", "PriorityClassList", 356},
    {"rbac.authorization.k8s.io/v1", "ClusterRole", 358},
    {"rbac.authorization.k8s.io/v1", "ClusterRoleBinding", 359},
    {"rbac.authorization.k8s.io/v1", "ClusterRoleBindingList", 360},
    {"rbac.authorization.k8s.io/v1", "ClusterRoleList", 361},
    {"rbac.authorization.k8s.io/v1", "Role", 363},
    {"rbac.authorization.k8s.io/v1", "RoleBinding", 364},
    {"rbac.authorization.k8s.io/v1", "RoleBindingList", 365},
    {"rbac.authorization.k8s.io/v1", "RoleList", 366},
    {"certificates.k8s.io/v1", "CertificateSigningRequest", 369},
    {"certificates.k8s.io/v1", "CertificateSigningRequestList", 371},
    {"certificates.k8s.io/v1", "ClusterTrustBundle", 374},
    {"certificates.k8s.io/v1", "ClusterTrustBundleList", 375},
    {"certificates.k8s.io/v1", "PodCertificateRequest", 378},
    {"certificates.k8s.io/v1", "PodCertificateRequestList", 379},
    {"authentication.k8s.io/v1", "SelfSubjectReview", 385},
    {"authentication.k8s.io/v1", "TokenRequest", 387},
    {"authentication.k8s.io/v1", "TokenReview", 390},
    {"authorization.k8s.io/v1", "LocalSubjectAccessReview", 397},
    {"authorization.k8s.io/v1", "SelfSubjectAccessReview", 402},
    {"authorization.k8s.io/v1", "SelfSubjectRulesReview", 404},
    {"authorization.k8s.io/v1", "SubjectAccessReview", 406},
    {"autoscaling/v1", "HorizontalPodAutoscaler", 415},
    {"autoscaling/v1", "HorizontalPodAutoscalerList", 417},
    {"autoscaling/v1", "Scale", 428},
    {"networking.k8s.io/v1", "IPAddress", 433},
    {"networking.k8s.io/v1", "IPAddressList", 434},
    {"networking.k8s.io/v1", "Ingress", 437},
    {"networking.k8s.io/v1", "IngressClass", 439},
    {"networking.k8s.io/v1", "IngressClassList", 440},
    {"networking.k8s.io/v1", "IngressList", 443},
    {"networking.k8s.io/v1", "NetworkPolicy", 453},
    {"networking.k8s.io/v1", "NetworkPolicyList", 456},
    {"networking.k8s.io/v1", "ServiceCIDR", 462},
    {"networking.k8s.io/v1", "ServiceCIDRList", 463},
    {"storage.k8s.io/v1", "CSIDriver", 466},
    {"storage.k8s.io/v1", "CSIDriverList", 467},
    {"storage.k8s.io/v1", "CSINode", 469},
    {"storage.k8s.io/v1", "CSINodeList", 471},
    {"storage.k8s.io/v1", "CSIStorageCapacity", 474},
    {"storage.k8s.io/v1", "CSIStorageCapacityList", 475},
    {"storage.k8s.io/v1", "StorageClass", 476},
    {"storage.k8s.io/v1", "StorageClassList", 477},
    {"storage.k8s.io/v1", "VolumeAttachment", 481},
    {"storage.k8s.io/v1", "VolumeAttachmentList", 482},
    {"storage.k8s.io/v1", "VolumeAttributesClass", 486},
    {"storage.k8s.io/v1", "VolumeAttributesClassList", 487},
    {"node.k8s.io/v1", "RuntimeClass", 491},
    {"node.k8s.io/v1", "RuntimeClassList", 492},
    {"autoscaling/v2", "HorizontalPodAutoscaler", 501},
    {"autoscaling/v2", "HorizontalPodAutoscalerList", 504},
};
const size_t kTopLevelCount = sizeof(kTopLevel) / sizeof(kTopLevel[0]);

}  // namespace skiff::protobuf::schema
