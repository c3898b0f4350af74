#pragma once
// Hardware database: built-in device files (hwdb/devices), user profiles (imported or calibrated,
// under core::userDataDir()/profiles), validation with located errors, import/export.
#include <filesystem>
#include <string>
#include <vector>

#include "core/hardware.h"
#include "core/json_io.h"
#include "core/result.h"

namespace rooflens::hwdb {

inline constexpr int kSchemaVersion = 1;

// Parses and validates one device document. Errors: "<label>: <json path>: expected ..., got ...".
core::Result<core::Hardware> parseDevice(const core::Json& document, const std::string& label);
core::Result<core::Hardware> loadDeviceFile(const std::filesystem::path& path);

// Serializes a device to the schema (round-trips through parseDevice).
std::string serializeDevice(const core::Hardware& hw);

enum class Origin { builtin, user };

struct Entry {
    core::Hardware hardware;
    Origin origin = Origin::builtin;
};

// The result of loading directories: the good devices and one diagnostic per bad file.
struct LoadResult {
    std::vector<Entry> devices;
    std::vector<core::Error> errors;  // invalid files and duplicate ids; the good files are kept
};

LoadResult loadDirectory(const std::filesystem::path& dir, Origin origin);

class Database {
public:
    // Loads the built-in devices and the user profiles (missing directories are fine).
    static Database load(const std::filesystem::path& builtinDir = defaultBuiltinDir(),
                         const std::filesystem::path& userDir = defaultUserDir());
    static std::filesystem::path defaultBuiltinDir();  // core::builtinDataDir() / "hwdb/devices"
    static std::filesystem::path defaultUserDir();     // core::userDataDir() / "profiles"

    const std::vector<Entry>& entries() const { return m_entries; }
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

private:
    std::vector<Entry> m_entries;
    std::vector<core::Error> m_errors;
    std::filesystem::path m_userDir;
};

}  // namespace rooflens::hwdb
