// Status and Result: the single error type of memd.
//
// Every fallible function returns a Status (no value) or a Result<T> (a value or a
// non-OK Status). Codes are a small closed set; each front end (CLI exit code, HTTP
// status, MCP error) maps them exactly once. An OK Status costs one pointer compare.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace memd {

// The closed set of error codes. Keep in sync with StatusCodeName() and the front-end maps.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,    // bad input; nothing was changed
  kNotFound,           // missing, or belongs to another cube (never reveals foreign ids)
  kAlreadyExists,      // unique constraint, e.g. an explicit id already taken
  kConflict,           // idempotency-key clash, version mismatch, incompatible embedder
  kResourceExhausted,  // size cap, quota, memory budget
  kFailedPrecondition, // state forbids the operation (e.g. restore of a live memory)
  kUnauthenticated,    // missing or bad credentials (used by the server)
  kPermissionDenied,   // authenticated but not allowed (used by the server)
  kUnavailable,        // shutting down, busy; retryable
  kCorruption,         // on-disk data failed a check; the message names the file
  kIOError,            // the OS refused a read/write/fsync; the message names the path
  kInternal,           // a bug in memd
};

// Returns the stable snake_case name of a code, e.g. "invalid_argument".
std::string_view StatusCodeName(StatusCode code);

// A Status is OK or carries a code and a message that says what was wrong and what to do.
// Optionally names the offending input field ("filter.and[2].op", "line 17").
// Value type; thread-compatible.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string field = {});

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg, std::string field = {}) {
    return Status(StatusCode::kInvalidArgument, std::move(msg), std::move(field));
  }
  static Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
  static Status AlreadyExists(std::string msg) { return Status(StatusCode::kAlreadyExists, std::move(msg)); }
  static Status Conflict(std::string msg) { return Status(StatusCode::kConflict, std::move(msg)); }
  static Status ResourceExhausted(std::string msg, std::string field = {}) {
    return Status(StatusCode::kResourceExhausted, std::move(msg), std::move(field));
  }
  static Status FailedPrecondition(std::string msg) {
    return Status(StatusCode::kFailedPrecondition, std::move(msg));
  }
  static Status Unavailable(std::string msg) { return Status(StatusCode::kUnavailable, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(StatusCode::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(StatusCode::kIOError, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // The human message; empty when OK.
  const std::string& message() const;
  // The input field or line the error is about; empty when not applicable.
  const std::string& field() const;
  // "invalid_argument: <message> (at <field>)", or "OK".
  std::string ToString() const;
  // Returns a copy whose message is prefixed by `context + ": "`.
  Status WithContext(std::string_view context) const;
  // Returns a copy that names `field` (replacing any previous field).
  Status WithField(std::string field) const;
  // Explicitly drops a status; use where ignoring an error is a considered decision.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) { return a.code() == b.code(); }

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::string field;
  };
  std::shared_ptr<const Rep> rep_;  // null == OK; shared so copies are cheap
};

// Holds either a T or a non-OK Status. Construct from a T (success) or a Status (failure;
// constructing from an OK Status is a bug and becomes an Internal error).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) status_ = Status::Internal("Result constructed from an OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;  // OK when value_ holds a value
};

}  // namespace memd

// Returns early from the enclosing function if `expr` (a Status) is not OK.
#define MEMD_RETURN_IF_ERROR(expr)                 \
  do {                                             \
    ::memd::Status memd_status_ = (expr);          \
    if (!memd_status_.ok()) return memd_status_;   \
  } while (0)

#define MEMD_CONCAT_INNER_(a, b) a##b
#define MEMD_CONCAT_(a, b) MEMD_CONCAT_INNER_(a, b)
// Evaluates `rexpr` (a Result<T>); on error returns its Status, else moves the value into `lhs`.
#define MEMD_ASSIGN_OR_RETURN(lhs, rexpr) \
  MEMD_ASSIGN_OR_RETURN_IMPL_(MEMD_CONCAT_(memd_result_, __LINE__), lhs, rexpr)
#define MEMD_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
