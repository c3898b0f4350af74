#include "core/paths.h"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <system_error>

namespace rooflens::core {

namespace {

bool hasData(const std::filesystem::path& dir) {
    std::error_code ec;
    return std::filesystem::is_directory(dir / "hwdb" / "devices", ec);
}

std::filesystem::path executableDir() {
    std::array<char, 4096> buffer{};
    const ssize_t size = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
    if (size <= 0) {
        return {};
    }
    return std::filesystem::path(std::string(buffer.data(), static_cast<std::size_t>(size)))
        .parent_path();
}

}  // namespace

std::filesystem::path builtinDataDir() {
    if (const char* env = std::getenv("ROOFLENS_DATA_DIR"); env != nullptr && *env != '\0') {
        return env;
    }
    if (auto exe = executableDir(); !exe.empty()) {
        auto relocated = exe.parent_path() / "share" / "rooflens";
        if (hasData(relocated)) {
            return relocated;
        }
    }
    if (hasData(ROOFLENS_SOURCE_DATADIR)) {
        return ROOFLENS_SOURCE_DATADIR;
    }
    return ROOFLENS_INSTALL_DATADIR;
}

std::filesystem::path userDataDir() {
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] == '/') {
        return std::filesystem::path(xdg) / "rooflens";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return std::filesystem::path(home) / ".local" / "share" / "rooflens";
    }
    return std::filesystem::path(".rooflens");
}

}  // namespace rooflens::core
