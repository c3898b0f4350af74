#pragma once
// JSON reading with locations: every error names the file, the JSON pointer and what was expected
// ("h100.json: /memory/0/bandwidth/value: expected a positive finite number, got -1").
// Only loaders include this header; nlohmann exceptions never leave it.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"

namespace rooflens::core {

using Json = nlohmann::json;

// Short description of a JSON value for error messages: "-1", "\"abc\"", "null", "an object".
std::string describeJson(const Json& value);

// Reads and parses a whole file. Errors: "file: cannot read: <reason>" or
// "file: invalid JSON at line L, column C: <reason>".
Result<Json> parseJsonFile(const std::filesystem::path& path);
Result<Json> parseJsonText(std::string_view text, std::string_view label);

// Typed field access with located errors. `path` is the JSON pointer of the enclosing object.
class JsonReader {
public:
    explicit JsonReader(std::string label) : m_label(std::move(label)) {}
    const std::string& label() const { return m_label; }

    Error error(std::string_view path, std::string_view what) const;
    Error expected(std::string_view path, std::string_view expectation, const Json& got) const;

    // The member `key` of object `obj`; an error if `obj` is not an object or lacks it.
    Result<const Json*> member(const Json& obj, std::string_view path, std::string_view key) const;
    bool has(const Json& obj, std::string_view key) const;

    Result<std::string> string(const Json& obj, std::string_view path, std::string_view key) const;
    Result<bool> boolean(const Json& obj, std::string_view path, std::string_view key) const;
    // A finite number > 0.
    Result<double> positive(const Json& obj, std::string_view path, std::string_view key) const;
    // A finite number >= 0.
    Result<double> nonNegative(const Json& obj, std::string_view path, std::string_view key) const;
    // An integer in [minimum, maximum]; rejects fractions, NaN and out-of-range values.
    Result<std::int64_t> integer(const Json& obj, std::string_view path, std::string_view key,
                                 std::int64_t minimum, std::int64_t maximum) const;

    // Value-level checks (for array elements and already fetched members).
    Result<double> positiveValue(const Json& value, std::string_view path) const;

private:
    std::string m_label;
};

std::string childPath(std::string_view path, std::string_view key);
std::string childPath(std::string_view path, std::size_t index);

// Writes `content` to `path` atomically: a temporary file in the same directory, flushed and
// renamed over the target. On any failure the old file is untouched and the temporary removed;
// a writer killed before the rename leaves the old file and, where the file system has
// O_TMPFILE (ext4, xfs, btrfs, tmpfs), no temporary either. Every file Rooflens writes goes
// through here (reports, plots, sessions, profiles, calibration output).
Status writeFileAtomic(const std::filesystem::path& path, std::string_view content);

// Several files that belong together (a calibrated profile and its sidecar): all contents are
// written and flushed first, then the temporaries are renamed in order, so a failure or a kill
// while writing leaves every old file; only the renames (microseconds) can be split.
struct FileContent {
    std::filesystem::path path;
    std::string_view content;
};
Status writeFilesAtomic(std::span<const FileContent> files);

// The whole file; one larger than kMaxInputFileBytes is refused, so a JSON loader never parses
// more than 64 MiB (nlohmann's tree costs up to ten times the text; the largest real input, a
// device profile with efficiency grids, is kilobytes), and a FIFO or /dev/zero ends too.
inline constexpr std::size_t kMaxInputFileBytes = std::size_t{64} << 20;
Result<std::string> readFile(const std::filesystem::path& path);

}  // namespace rooflens::core
