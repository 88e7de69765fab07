// Message descriptors for decoding Kubernetes protobuf: per message, its fields' numbers, JSON
// names, value kinds and the JSON shape rules (omitempty, pointer, inline). The tables in
// k8s_schema.cc are generated from upstream's generated.proto files and Go struct tags.
#pragma once
#include <cstddef>
#include <cstdint>

namespace skiff::protobuf::schema {

enum class Kind : uint8_t {
  String,       // proto string -> JSON string
  Bytes,        // proto bytes ([]byte) -> base64 JSON string
  Bool,         // varint -> true/false
  Int32,        // varint (negatives as 10-byte varints) -> JSON number
  Int64,        // varint -> JSON number
  Double,       // fixed64 -> JSON number
  Msg,          // nested message: FieldDesc::msg indexes kMessages
  Time,         // meta/v1 Time {seconds 1, nanos 2} -> "2006-01-02T15:04:05Z" (seconds only)
  MicroTime,    // meta/v1 MicroTime -> "2006-01-02T15:04:05.000000Z"
  Duration,     // meta/v1 Duration {duration int64 ns} -> Go duration string "1h0m0s"
  Quantity,     // api/resource Quantity {string 1} -> JSON string
  IntOrString,  // util/intstr {type 1, intVal 2, strVal 3} -> JSON number or string
  RawJson,      // runtime RawExtension / meta/v1 FieldsV1 {raw bytes 1} -> embedded JSON
  StringList,   // a Go `type X []string` wrapped as {repeated string items = 1} -> JSON array
};

// Field flags.
constexpr uint8_t kRepeated = 1;   // JSON array of values
constexpr uint8_t kMap = 2;        // repeated {key 1, value 2} entries -> JSON object; kind is the value's
constexpr uint8_t kOmitEmpty = 4;  // non-pointer Go field tagged omitempty: drop "", 0, false
constexpr uint8_t kInline = 8;     // embedded Go struct: its fields merge into the parent object
constexpr uint8_t kPointer = 16;   // Go pointer field: present iff set, zero values kept

struct FieldDesc {
  uint32_t number;
  const char* json;
  Kind kind;
  uint8_t flags;
  int16_t msg;  // index into kMessages for Kind::Msg, else -1
};

struct MessageDesc {
  const char* name;  // "core.v1.Pod", "meta.v1.ObjectMeta"
  const FieldDesc* fields;
  uint16_t count;
};

// A kind that can be the outermost object of a body: apiVersion ("v1", "apps/v1",
// "meta.k8s.io/v1" for meta/v1 kinds) and kind -> message.
struct TopLevel {
  const char* api_version;
  const char* kind;
  int16_t msg;
};

extern const MessageDesc kMessages[];
extern const size_t kMessageCount;
extern const TopLevel kTopLevel[];
extern const size_t kTopLevelCount;

}  // namespace skiff::protobuf::schema
