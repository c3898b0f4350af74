#pragma once
// Internal to rooflens_models: typed access to the fields of one config.json object (the top
// level or a nested text_config) that remembers the first error, so a family parser reads its
// fields in a row and checks once. Every error names the file and the JSON pointer.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "core/result.h"

namespace rooflens::models::detail {

// Every dimension is at most 2^24 (max_position_embeddings and windows 2^26), so products of
// two or three dimensions stay far from int64 overflow; the parameter total is checked apart.
inline constexpr std::int64_t kMaxDimension = std::int64_t{1} << 24;
inline constexpr std::int64_t kMaxPositions = std::int64_t{1} << 26;
// Blocks of any decoder (issue 18, 3): the deepest published model has under 200, and every
// block is one entry per layer in a report, so 2^24 blocks (the dimension limit) grew a JSON
// report to gigabytes. Families with a per-layer plan keep one descriptor per layer too.
inline constexpr std::int64_t kMaxLayers = 4096;
inline constexpr std::int64_t kMaxPlannedLayers = kMaxLayers;

class Fields {
public:
    Fields(const core::JsonReader& reader, const core::Json& object, std::string base)
        : m_reader(reader), m_obj(object), m_base(std::move(base)) {}

    const core::JsonReader& reader() const { return m_reader; }
    const core::Json& object() const { return m_obj; }
    std::string path(std::string_view key) const { return core::childPath(m_base, key); }
    const std::string& base() const { return m_base; }

    // Present and not null (Hugging Face writes null for "not set").
    bool has(std::string_view key) const {
        auto it = m_obj.find(std::string(key));
        return it != m_obj.end() && !it->is_null();
    }
    const core::Json& at(std::string_view key) const { return m_obj.at(std::string(key)); }

    std::int64_t required(std::string_view key, std::int64_t minimum, std::int64_t maximum) {
        if (!m_ok) {
            return minimum;
        }
        auto value = m_reader.integer(m_obj, m_base, key, minimum, maximum);
        if (!value) {
            latch(value.error());
            return minimum;
        }
        return *value;
    }
    std::int64_t optional(std::string_view key, std::int64_t minimum, std::int64_t maximum,
                          std::int64_t fallback) {
        return has(key) ? required(key, minimum, maximum) : fallback;
    }
    bool flag(std::string_view key, bool fallback) {
        if (!m_ok || !has(key)) {
            return fallback;
        }
        auto value = m_reader.boolean(m_obj, m_base, key);
        if (!value) {
            latch(value.error());
            return fallback;
        }
        return *value;
    }
    std::string text(std::string_view key, std::string fallback) {
        if (!m_ok || !has(key)) {
            return fallback;
        }
        auto value = m_reader.string(m_obj, m_base, key);
        if (!value) {
            latch(value.error());
            return fallback;
        }
        return *value;
    }
    // A positive number (soft-capping values, multipliers).
    double number(std::string_view key, double fallback) {
        if (!m_ok || !has(key)) {
            return fallback;
        }
        auto value = m_reader.positive(m_obj, m_base, key);
        if (!value) {
            latch(value.error());
            return fallback;
        }
        return *value;
    }

    void fail(std::string_view key, std::string_view what) {
        if (m_ok) {
            latch(m_reader.error(key.empty() ? m_base : path(key), what));
        }
    }
    void failExpected(std::string_view key, std::string_view expectation) {
        if (m_ok) {
            latch(m_reader.expected(path(key), expectation, at(key)));
        }
    }
    void latch(core::Error error) {
        if (m_ok) {
            m_ok = false;
            m_error = std::move(error);
        }
    }
    bool ok() const { return m_ok; }
    const core::Error& error() const { return m_error; }

private:
    const core::JsonReader& m_reader;
    const core::Json& m_obj;
    std::string m_base;
    bool m_ok = true;
    core::Error m_error;
};

}  // namespace rooflens::models::detail
