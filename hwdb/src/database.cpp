// Directory loading, lookup, and profile import for the hardware database.
#include <algorithm>
#include <map>
#include <set>
#include <system_error>
#include <utility>

#include "core/paths.h"
#include "hwdb/hwdb.h"

namespace rooflens::hwdb {

namespace {

namespace fs = std::filesystem;

bool looksLikePath(const std::string& text) {
    return text.find('/') != std::string::npos ||
           (text.size() >= 5 && text.compare(text.size() - 5, 5, ".json") == 0);
}

// Absolute, normalised, symlinks resolved where the path exists, no trailing separator.
fs::path normalised(const fs::path& path) {
    std::error_code ec;
    fs::path result = fs::weakly_canonical(path, ec);
    if (ec) {
        result = fs::absolute(path, ec).lexically_normal();
    }
    if (!result.has_filename() && result.has_parent_path() && result != result.root_path()) {
        result = result.parent_path();
    }
    return result;
}

// True when `inner` is `outer` or lies inside it.
bool isWithin(const fs::path& inner, const fs::path& outer) {
    const fs::path a = normalised(inner);
    const fs::path b = normalised(outer);
    auto [endOuter, endInner] = std::mismatch(b.begin(), b.end(), a.begin(), a.end());
    return endOuter == b.end();
}

bool sameFile(const fs::path& a, const fs::path& b) {
    std::error_code ec;
    if (fs::equivalent(a, b, ec)) {
        return true;
    }
    return normalised(a) == normalised(b);
}

}  // namespace

LoadResult loadDirectory(const fs::path& dir, Origin origin) {
    LoadResult result;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        const bool exists = fs::exists(dir, ec);
        result.errors.push_back(core::makeError(
            dir.string() +
            ": cannot read directory: " + (exists ? "not a directory" : "no such directory")));
        return result;
    }
    std::vector<fs::path> files;
    fs::directory_iterator it(dir, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const fs::path& path = it->path();
        const std::string name = path.filename().string();
        std::error_code typeError;
        if (name.empty() || name.front() == '.' || path.extension() != ".json" ||
            !fs::is_regular_file(path, typeError)) {
            continue;  // README, editor backups, temporary files of atomic writes
        }
        files.push_back(path);
    }
    if (ec) {
        result.errors.push_back(
            core::makeError(dir.string() + ": cannot read directory: " + ec.message()));
    }
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
        return a.filename().string() < b.filename().string();
    });

    std::map<std::string, fs::path> seen;
    for (const auto& path : files) {
        auto hardware = loadDeviceFile(path);
        if (!hardware) {
            result.errors.push_back(hardware.error());
            continue;
        }
        const std::string& id = hardware->id;
        if (auto first = seen.find(id); first != seen.end()) {
            result.errors.push_back(core::makeError(
                path.string() + ": /id: duplicate id \"" + id + "\", already defined in " +
                first->second.string() + "; this file is skipped"));
            continue;
        }
        seen.emplace(id, path);
        result.devices.push_back(Entry{std::move(hardware).value(), origin, false});
    }
    return result;
}

fs::path Database::defaultBuiltinDir() {
    return core::builtinDataDir() / "hwdb" / "devices";
}

fs::path Database::defaultUserDir() {
    return core::userDataDir() / "profiles";
}

Database Database::load(const fs::path& builtinDir, const fs::path& userDir) {
    Database db;
    db.m_builtinDir = builtinDir;
    db.m_userDir = userDir;
    auto add = [&db](const fs::path& dir, Origin origin) {
        std::error_code ec;
        if (dir.empty() || !fs::exists(dir, ec)) {
            return;
        }
        LoadResult loaded = loadDirectory(dir, origin);
        std::move(loaded.devices.begin(), loaded.devices.end(), std::back_inserter(db.m_entries));
        std::move(loaded.errors.begin(), loaded.errors.end(), std::back_inserter(db.m_errors));
    };
    add(builtinDir, Origin::builtin);
    if (builtinDir.empty() || userDir.empty() || normalised(builtinDir) != normalised(userDir)) {
        add(userDir, Origin::user);
    }
    db.markShadowed();
    return db;
}

void Database::markShadowed() {
    std::set<std::string> userIds;
    for (const auto& entry : m_entries) {
        if (entry.origin == Origin::user) {
            userIds.insert(entry.hardware.id);
        }
    }
    for (auto& entry : m_entries) {
        entry.shadowed = entry.origin == Origin::builtin && userIds.count(entry.hardware.id) > 0;
    }
}

std::vector<const Entry*> Database::visibleEntries() const {
    std::vector<const Entry*> visible;
    for (const auto& entry : m_entries) {
        if (!entry.shadowed) {
            visible.push_back(&entry);
        }
    }
    return visible;
}

const Entry* Database::find(const std::string& id) const {
    const Entry* builtin = nullptr;
    for (const auto& entry : m_entries) {
        if (entry.hardware.id != id) {
            continue;
        }
        if (entry.origin == Origin::user) {
            return &entry;
        }
        builtin = builtin != nullptr ? builtin : &entry;
    }
    return builtin;
}

core::Result<core::Hardware> Database::resolve(const std::string& idOrPath) const {
    if (looksLikePath(idOrPath)) {
        return loadDeviceFile(idOrPath);
    }
    if (const Entry* entry = find(idOrPath)) {
        return entry->hardware;
    }
    // A profile that failed to load explains an unknown id better than the list of ids.
    const std::string fileName = idOrPath + ".json: ";
    for (const auto& error : m_errors) {
        if (error.message.find("/" + fileName) != std::string::npos ||
            error.message.rfind(fileName, 0) == 0) {
            return core::makeError("unknown hardware id \"" + idOrPath +
                                   "\": its file failed to load: " + error.message);
        }
    }
    std::string known;
    for (const Entry* entry : visibleEntries()) {
        known += (known.empty() ? "" : ", ") + entry->hardware.id;
    }
    return core::makeError("unknown hardware id \"" + idOrPath +
                           "\" (known: " + (known.empty() ? std::string("none") : known) +
                           "); a profile file path must contain '/' or end in .json");
}

core::Result<core::Hardware> Database::importProfile(const fs::path& file, bool force) {
    auto text = core::readFile(file);
    if (!text) {
        return text.error();
    }
    auto hardware = parseDeviceText(text.value(), file.string());
    if (!hardware) {
        return hardware.error();
    }
    const std::string id = hardware->id;
    const std::string label = file.string() + ": ";
    if (m_userDir.empty()) {
        return core::makeError(label + "no user profile directory to import into");
    }
    if (!m_builtinDir.empty() && isWithin(m_userDir, m_builtinDir)) {
        return core::makeError(label + "refusing to import into " + m_userDir.string() +
                               ": it is inside the built-in device directory " +
                               m_builtinDir.string());
    }
    const fs::path target = m_userDir / (id + ".json");
    if (!force) {
        for (const auto& entry : m_entries) {
            if (entry.hardware.id != id) {
                continue;
            }
            if (entry.origin == Origin::builtin) {
                return core::makeError(label + "id \"" + id + "\" is a built-in device (" +
                                       entry.hardware.sourceFile +
                                       "); import with force to shadow it with a user profile");
            }
            return core::makeError(label + "a user profile with id \"" + id +
                                   "\" already exists (" + entry.hardware.sourceFile +
                                   "); import with force to replace it");
        }
        std::error_code ec;
        if (fs::exists(target, ec)) {
            return core::makeError(label + target.string() +
                                   " already exists; import with force to replace it");
        }
    }
    std::error_code ec;
    fs::create_directories(m_userDir, ec);
    if (ec) {
        return core::makeError(m_userDir.string() + ": cannot create directory: " + ec.message());
    }
    if (auto written = core::writeFileAtomic(target, text.value()); !written) {
        return written.error();
    }
    std::erase_if(m_entries, [&](const Entry& entry) {
        return entry.origin == Origin::user &&
               (entry.hardware.id == id || sameFile(entry.hardware.sourceFile, target));
    });
    hardware->sourceFile = target.string();
    m_entries.push_back(Entry{hardware.value(), Origin::user, false});
    markShadowed();
    return hardware;
}

}  // namespace rooflens::hwdb
