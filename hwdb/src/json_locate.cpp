#include "json_locate.h"

#include <cstddef>
#include <exception>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/json_io.h"

namespace rooflens::hwdb::detail {

namespace {

// Follows the parser through objects and arrays so that, when it fails, the JSON pointer of the
// value being read is known.
class PathTracker final : public nlohmann::json_sax<core::Json> {
public:
    bool null() override { return scalar(); }
    bool boolean(bool /*value*/) override { return scalar(); }
    bool number_integer(number_integer_t /*value*/) override { return scalar(); }
    bool number_unsigned(number_unsigned_t /*value*/) override { return scalar(); }
    bool number_float(number_float_t /*value*/, const string_t& /*text*/) override {
        return scalar();
    }
    bool string(string_t& /*value*/) override { return scalar(); }
    bool binary(binary_t& /*value*/) override { return scalar(); }

    bool start_object(std::size_t /*elements*/) override {
        beginValue();
        m_frames.push_back(Frame{false, 0, {}, false});
        return true;
    }
    bool key(string_t& name) override {
        m_frames.back().key = name;
        m_frames.back().hasKey = true;
        return true;
    }
    bool end_object() override {
        m_frames.pop_back();
        return true;
    }
    bool start_array(std::size_t /*elements*/) override {
        beginValue();
        m_frames.push_back(Frame{true, 0, {}, false});
        return true;
    }
    bool end_array() override {
        m_frames.pop_back();
        return true;
    }

    bool parse_error(std::size_t position, const std::string& lastToken,
                     const nlohmann::detail::exception& error) override {
        m_failed = true;
        m_position = position;
        m_token = lastToken;
        m_errorId = error.id;
        m_path = currentPath();
        return false;
    }

    bool failed() const { return m_failed; }
    std::size_t position() const { return m_position; }
    const std::string& token() const { return m_token; }
    int errorId() const { return m_errorId; }
    const std::string& path() const { return m_path; }

private:
    struct Frame {
        bool array;
        std::size_t started;  // array elements begun so far
        std::string key;      // object member being read
        bool hasKey;
    };

    bool scalar() {
        beginValue();
        return true;
    }
    void beginValue() {
        if (!m_frames.empty() && m_frames.back().array) {
            ++m_frames.back().started;
        }
    }
    // The innermost array points at the element being read (the next one if it did not start).
    std::string currentPath() const {
        std::string path;
        for (std::size_t i = 0; i < m_frames.size(); ++i) {
            const Frame& frame = m_frames[i];
            const bool innermost = i + 1 == m_frames.size();
            if (frame.array) {
                const std::size_t index =
                    innermost ? frame.started : (frame.started > 0 ? frame.started - 1 : 0);
                path = core::childPath(path, index);
            } else if (frame.hasKey) {
                path = core::childPath(path, frame.key);
            }
        }
        return path;
    }

    std::vector<Frame> m_frames;
    bool m_failed = false;
    std::size_t m_position = 0;
    std::string m_token;
    int m_errorId = 0;
    std::string m_path;
};

// 1-based line and column of byte offset `offset` in `text`.
std::pair<std::size_t, std::size_t> lineColumn(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    std::size_t line = 1;
    std::size_t lineStart = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    return {line, offset - lineStart + 1};
}

}  // namespace

core::Error locateJsonError(std::string_view text, const std::string& label,
                            const core::Error& fallback) {
    PathTracker tracker;
    try {
        core::Json::sax_parse(text.begin(), text.end(), &tracker);
    } catch (const std::exception&) {
        return fallback;
    }
    if (!tracker.failed()) {
        return fallback;
    }
    const std::string where = tracker.path().empty() ? "/" : tracker.path();
    constexpr int kNumberOverflow = 406;
    if (tracker.errorId() == kNumberOverflow) {
        const std::size_t start = tracker.position() >= tracker.token().size()
                                      ? tracker.position() - tracker.token().size()
                                      : 0;
        const auto [line, column] = lineColumn(text, start);
        return core::makeError(label + ": " + where + ": expected a finite number, got " +
                               tracker.token() + " (number overflow at line " +
                               std::to_string(line) + ", column " + std::to_string(column) + ")");
    }
    if (tracker.path().empty()) {
        return fallback;
    }
    return core::makeError(fallback.message + " (near " + where + ")");
}

}  // namespace rooflens::hwdb::detail
