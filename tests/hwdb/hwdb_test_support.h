#pragma once
// Shared by the hwdb tests: fixture locations, the built-in ids, and a self-deleting temp dir.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace rooflens::hwdb::testing {

namespace fs = std::filesystem;

inline fs::path dataDir() {
    return ROOFLENS_HWDB_TEST_DATA_DIR;
}
inline fs::path devicesDir() {
    return ROOFLENS_HWDB_DEVICES_DIR;
}

// The 15 devices of the first reference table (hardware_datasheets.json).
inline const std::vector<std::string>& firstIds() {
    static const std::vector<std::string> ids = {
        "a100-40gb-sxm", "a100-80gb-sxm", "h100-sxm", "h100-pcie",
        "h200-sxm",      "l40s",          "rtx-4090", "jetson-agx-orin-64gb",
        "mi250x",        "mi300x",        "m2-ultra", "m3-max",
        "xeon-8480",     "tpu-v4",        "tpu-v5e"};
    return ids;
}

// The 18 devices of hardware_datasheets_2026.json.
inline const std::vector<std::string>& ids2026() {
    static const std::vector<std::string> ids = {"b200",      "b300",
                                                 "gb200",     "gb300",
                                                 "rtx-5090",  "rtx-pro-6000-server",
                                                 "dgx-spark", "jetson-agx-thor",
                                                 "h20",       "l4",
                                                 "mi325x",    "mi355x",
                                                 "tpu-v6e",   "tpu-v7",
                                                 "gaudi3",    "m4-max",
                                                 "m3-ultra",  "trainium2"};
    return ids;
}

// All 33 built-in devices.
inline const std::vector<std::string>& builtinIds() {
    static const std::vector<std::string> ids = [] {
        std::vector<std::string> all = firstIds();
        all.insert(all.end(), ids2026().begin(), ids2026().end());
        return all;
    }();
    return ids;
}

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
public:
    TempDir() {
        static std::atomic<unsigned> counter{0};
        const auto tick = std::chrono::steady_clock::now().time_since_epoch().count();
        m_path = fs::temp_directory_path() /
                 ("rooflens-hwdb-test-" + std::to_string(::getpid()) + "-" +
                  std::to_string(counter.fetch_add(1)) + "-" + std::to_string(tick));
        fs::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

template <typename T>
std::string errorOf(const core::Result<T>& result) {
    return result ? std::string("(no error)") : result.error().message;
}

}  // namespace rooflens::hwdb::testing
