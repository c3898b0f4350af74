#pragma once
// Result<T>: a value or an Error with a location. Every loader and parser returns one; callers
// (CLI, GUI) decide how to show the message. Modelled on Orbit's ErrorMessageOr<T>.
#include <string>
#include <utility>
#include <variant>

namespace rooflens::core {

struct Error {
    std::string message;  // "file: /json/path: expected ..., got ..."
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : m_v(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T& value() const& { return std::get<0>(m_v); }
    T& value() & { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    const T& operator*() const& { return value(); }
    const T* operator->() const { return &value(); }
    T* operator->() { return &value(); }

    const Error& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

// Result<void> equivalent.
struct Ok {};
using Status = Result<Ok>;

inline Error makeError(std::string message) {
    return Error{std::move(message)};
}

}  // namespace rooflens::core
