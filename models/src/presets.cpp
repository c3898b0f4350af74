// Built-in presets and --model resolution (preset id or config.json path).
#include "models/presets.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/paths.h"

namespace rooflens::models {

namespace {

bool looksLikePath(const std::string& idOrPath) {
    constexpr std::string_view kJson = ".json";
    return idOrPath.find('/') != std::string::npos ||
           (idOrPath.size() >= kJson.size() &&
            idOrPath.compare(idOrPath.size() - kJson.size(), kJson.size(), kJson) == 0);
}

}  // namespace

std::filesystem::path presetDir() {
    return core::builtinDataDir() / "models" / "presets";
}

std::vector<std::string> listPresets() {
    std::vector<std::string> ids;
    std::error_code ec;
    std::filesystem::directory_iterator it(presetDir(), ec);
    if (ec) {
        return ids;
    }
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (ec) {
            break;
        }
        const std::filesystem::path& file = it->path();
        if (file.extension() == ".json" && it->is_regular_file(ec)) {
            ids.push_back(file.stem().string());
        }
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

core::Result<LlmConfig> resolveLlm(const std::string& idOrPath, const ConfigOptions& options) {
    if (looksLikePath(idOrPath)) {
        std::filesystem::path path(idOrPath);
        std::error_code ec;
        // A Hugging Face snapshot directory holds its config as config.json.
        if (std::filesystem::is_directory(path, ec)) {
            path /= "config.json";
        }
        return loadLlmConfig(path, options);
    }
    const std::vector<std::string> ids = listPresets();
    if (std::find(ids.begin(), ids.end(), idOrPath) != ids.end()) {
        return loadLlmConfig(presetDir() / (idOrPath + ".json"), options);
    }
    std::string available;
    for (const std::string& id : ids) {
        available += available.empty() ? id : ", " + id;
    }
    if (available.empty()) {
        available = "none (no *.json in " + presetDir().string() + ")";
    }
    return core::makeError("unknown model \"" + idOrPath +
                           "\": not a preset id (available: " + available +
                           "); to load a config.json, give a path containing '/' or ending in "
                           ".json");
}

}  // namespace rooflens::models
