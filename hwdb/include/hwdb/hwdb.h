#pragma once
// Hardware database: built-in device files (hwdb/devices), user profiles (imported or calibrated,
// under core::userDataDir()/profiles), validation with located errors, import/export.
// The file format (schema_version 2; version 1 files are migrated) is documented in docs/hwdb.md.
#include <filesystem>
#include <string>
#include <vector>

#include "core/hardware.h"
#include "core/json_io.h"
#include "core/result.h"

namespace rooflens::hwdb {

inline constexpr int kSchemaVersion = 2;  // 1 still loads (migrated, docs/hwdb.md)

// Sanity limits for one device; larger values are unit mistakes ("312 PFLOPS" for "312 TFLOPS").
inline constexpr double kMaxOpsPerSecond = 1e19;    // 10 EOPs/s
inline constexpr double kMaxBytes = 1e16;           // 10 PB
inline constexpr double kMaxBytesPerSecond = 1e16;  // 10 PB/s
inline constexpr double kMaxLatencySeconds = 1.0;   // one link step
inline constexpr double kMaxWatts = 1e5;            // 100 kW

// Parses and validates one device document. Errors: "<label>: <json path>: expected ..., got ...".
// Every quantity gets a core::ProvenanceEntry (JSON pointer, status, source URL, note); the "fp8"
// alias gives one entry ("/compute/matrix/fp8/dense") for both fp8_e4m3 and fp8_e5m2.
core::Result<core::Hardware> parseDevice(const core::Json& document, const std::string& label);
// Reads, parses and validates a file; the label in errors is the path as given. Sets sourceFile.
core::Result<core::Hardware> loadDeviceFile(const std::filesystem::path& path);
// Same for text already in memory (what importProfile validates before writing it).
core::Result<core::Hardware> parseDeviceText(std::string_view text, const std::string& label);

// Serializes a device to the schema. parseDevice(serializeDevice(hw)) equals hw (values, memory,
// provenance) for every device that came from parseDevice; quantities without a provenance entry
// (devices built in code, e.g. by calibration) are written with status "measured". Source keys
// are derived from the source URLs.
std::string serializeDevice(const core::Hardware& hw);

enum class Origin { builtin, user };

struct Entry {
    core::Hardware hardware;
    Origin origin = Origin::builtin;
    bool shadowed = false;  // a built-in device hidden by a user profile with the same id
};

// The result of loading directories: the good devices and one diagnostic per bad file.
struct LoadResult {
    std::vector<Entry> devices;
    std::vector<core::Error> errors;  // invalid files and duplicate ids; the good files are kept
};

// Loads every "*.json" file of `dir` (not recursive; other files and dot files are ignored), in
// file name order. A second file with an id already seen is reported, naming both files, and
// skipped.
LoadResult loadDirectory(const std::filesystem::path& dir, Origin origin);

// Built-in devices plus user profiles. Used by the CLI (`rooflens hw ...`, `--hw ID|FILE`) and
// the GUI device picker.
class Database {
public:
    // Loads the built-in devices and the user profiles (missing directories are fine).
    static Database load(const std::filesystem::path& builtinDir = defaultBuiltinDir(),
                         const std::filesystem::path& userDir = defaultUserDir());
    static std::filesystem::path defaultBuiltinDir();  // core::builtinDataDir() / "hwdb/devices"
    static std::filesystem::path defaultUserDir();     // core::userDataDir() / "profiles"

    // Built-in entries (file name order) then user entries; a shadowed built-in stays listed
    // with `shadowed` set.
    const std::vector<Entry>& entries() const { return m_entries; }
    // One entry per id: entries() without the shadowed built-ins.
    std::vector<const Entry*> visibleEntries() const;
    const std::vector<core::Error>& errors() const { return m_errors; }
    const Entry* find(const std::string& id) const;

    // An id from the database, or a path to a profile file (contains '/' or ends in .json).
    core::Result<core::Hardware> resolve(const std::string& idOrPath) const;

    // Validates `file` and writes it to the user directory as <id>.json atomically. Refuses an id
    // that clashes with a built-in device or an existing profile unless `force`; with `force` the
    // user profile shadows the built-in (find() prefers user entries). Built-in files are never
    // written. Returns the imported device.
    core::Result<core::Hardware> importProfile(const std::filesystem::path& file, bool force);

    std::filesystem::path userDir() const { return m_userDir; }
    std::filesystem::path builtinDir() const { return m_builtinDir; }

private:
    void markShadowed();

    std::vector<Entry> m_entries;
    std::vector<core::Error> m_errors;
    std::filesystem::path m_builtinDir;
    std::filesystem::path m_userDir;
};

}  // namespace rooflens::hwdb
