// Kubernetes protobuf request bodies (Content-Type: application/vnd.kubernetes.protobuf), as the
// typed clients of kubectl and client-go send them, decoded into the JSON object the equivalent
// JSON request would carry. Decoding is schema driven (see k8s_schema.h); only decoding exists,
// since responses are always JSON.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "common/api_error.h"
#include "common/json.h"

namespace skiff::protobuf {

inline constexpr std::string_view kProtobufContentType = "application/vnd.kubernetes.protobuf";

// Decodes a body of "k8s\0" magic + runtime.Unknown{typeMeta{apiVersion, kind}, raw,
// contentEncoding, contentType} into a JSON object with apiVersion and kind set.
// Malformed input -> ApiError::bad_request; a kind without a schema (or an unsupported content
// encoding) -> ApiError::unsupported_media_type. Never throws; every length is bounds checked
// and nesting depth is limited.
skiff::Result<boost::json::object> decode_k8s_protobuf(std::string_view body);

// The index into schema::kMessages of the top-level kind (apiVersion "apps/v1", kind
// "Deployment"), or -1 when the tables have no such kind. meta/v1 kinds (Status, DeleteOptions,
// ...) are found under every group version.
int16_t message_of_kind(const std::string& api_version, const std::string& kind);

// True when `content_type` (a Content-Type header value, parameters allowed) names the
// Kubernetes protobuf media type.
bool is_k8s_protobuf_content_type(std::string_view content_type);

// Go's time.Duration.String() for a count of nanoseconds ("1h0m0s", "1.5s", "300ms", "0s"), the
// JSON form of metav1.Duration.
std::string format_go_duration(int64_t nanoseconds);

}  // namespace skiff::protobuf
