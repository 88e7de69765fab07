// Status: the result of a runtime operation, an error as a value (LevelDB style). The code says
// what the caller may do next: NotFound means "nothing to clean up", AlreadyExists means "adopt
// it or delete it first", Failed means "retry later with back-off".
#pragma once
#include <string>
#include <utility>

namespace skiff::runtime {

class Status {
 public:
  enum class Code { kOk, kNotFound, kAlreadyExists, kInvalid, kFailed };
  Status() = default;
  static Status Ok() { return {}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status Invalid(std::string m) { return {Code::kInvalid, std::move(m)}; }
  static Status Failed(std::string m) { return {Code::kFailed, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  bool is_not_found() const { return code_ == Code::kNotFound; }
  bool is_already_exists() const { return code_ == Code::kAlreadyExists; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace skiff::runtime
