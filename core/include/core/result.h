#pragma once
// Result<T>: a value or an Error with a location and a kind. Every loader, parser and pipeline
// step returns one; front ends decide how to show the message and, from the kind alone, how to
// end (the CLI's exit code is chosen in one place, app/cli/main.cpp). Modelled on Orbit's
// ErrorMessageOr<T> and OUTCOME_TRY.
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rooflens::core {

// What went wrong, which decides how a front end reacts (CLI exit codes 1, 2, 3):
// usage   - the request itself is invalid (a flag's value, a setting out of range, options of
//           another model family, a plan that does not divide the model);
// badInput - a file or its data is invalid or unknown (a config, a device profile, an id);
// runtime - the work could not be done (an output file cannot be written, cancelled).
enum class ErrorKind : unsigned char { usage, badInput, runtime };
inline std::string_view nameOf(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::usage:
            return "usage";
        case ErrorKind::badInput:
            return "bad input";
        case ErrorKind::runtime:
            return "runtime";
    }
    return "?";
}

struct Error {
    std::string message;  // "file: /json/path: expected ..., got ..."
    ErrorKind kind = ErrorKind::badInput;
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
    T& operator*() & { return value(); }
    const T* operator->() const { return &value(); }
    T* operator->() { return &value(); }

    const Error& error() const& { return std::get<1>(m_v); }
    Error&& error() && { return std::get<1>(std::move(m_v)); }

private:
    std::variant<T, Error> m_v;
};

// Result<void> equivalent.
struct Ok {};
using Status = Result<Ok>;

inline Error makeError(std::string message, ErrorKind kind = ErrorKind::badInput) {
    return Error{std::move(message), kind};
}
inline Error usageError(std::string message) {
    return Error{std::move(message), ErrorKind::usage};
}
inline Error runtimeError(std::string message) {
    return Error{std::move(message), ErrorKind::runtime};
}

// The same error with `prefix` in front of its message ("llama-2-7b on h100-sxm: ...").
inline Error withContext(Error error, std::string_view prefix) {
    error.message.insert(0, std::string(prefix) + ": ");
    return error;
}

}  // namespace rooflens::core

#define ROOFLENS_CONCAT_INNER(a, b) a##b
#define ROOFLENS_CONCAT(a, b) ROOFLENS_CONCAT_INNER(a, b)

// ROOFLENS_TRY(auto workload, build(settings)); declares `workload` from a Result's value or
// returns its error from the enclosing function (which must return a Result or an Error).
#define ROOFLENS_TRY(declaration, expression)                               \
    auto ROOFLENS_CONCAT(rooflens_try_, __LINE__) = (expression);           \
    if (!ROOFLENS_CONCAT(rooflens_try_, __LINE__)) {                        \
        return std::move(ROOFLENS_CONCAT(rooflens_try_, __LINE__)).error(); \
    }                                                                       \
    declaration = std::move(ROOFLENS_CONCAT(rooflens_try_, __LINE__)).value()

// ROOFLENS_CHECK(status); returns the error of a failed Status (or any Result) unchanged.
#define ROOFLENS_CHECK(expression)                           \
    do {                                                     \
        auto rooflens_check_result = (expression);           \
        if (!rooflens_check_result) {                        \
            return std::move(rooflens_check_result).error(); \
        }                                                    \
    } while (false)
