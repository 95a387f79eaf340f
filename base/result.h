// khobor/base/result.h — expected failures as values.
//
// Result<T> holds either a T or an Error (a code and a human message that says
// what failed, where, and what to do). Network errors, HTTP failures, bad XML and
// bad rules are Results; exceptions are kept for broken invariants. A small
// stand-in for C++23 std::expected: value semantics, thread-compatible.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace khobor {

struct Error {
  std::string code;     // short machine-readable kind, e.g. "http", "xml", "rule"
  std::string message;  // what, where and what to do; shown to people as is
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_v(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : m_v(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return m_v.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(m_v); }

 private:
  std::variant<T, Error> m_v;
};

// Result<void>: success or an Error.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(std::string code, std::string message) {
  return Error{std::move(code), std::move(message)};
}

}  // namespace khobor
