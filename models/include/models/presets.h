#pragma once
// Built-in model presets (models/presets/*.json, Hugging Face config.json style) and resolution
// of a --model argument that is either a preset id or a path to a config.json.
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "models/llm.h"

namespace rooflens::models {

std::filesystem::path presetDir();       // core::builtinDataDir() / "models/presets"
std::vector<std::string> listPresets();  // ids, sorted
// A preset id, or a path to a config.json file (anything containing '/' or ending in .json).
core::Result<LlmConfig> resolveLlm(const std::string& idOrPath, const ConfigOptions& options = {});

}  // namespace rooflens::models
