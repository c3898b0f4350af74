#pragma once
// Multi-device systems (docs/parallelism.md "System files"): one JSON file per system in
// hwdb/systems (built in) or anywhere (--system file.json), naming a device of the database, the
// devices per node and the nodes, and optionally overriding the device's links. Loaded into a
// core::System for the evaluation pipeline's deployments.
#include <filesystem>
#include <string>
#include <vector>

#include "core/deployment.h"
#include "core/json_io.h"
#include "core/result.h"
#include "hwdb/hwdb.h"

namespace rooflens::hwdb {

inline constexpr int kSystemSchemaVersion = 1;

// Parses a system document; the device id is resolved in `db`. Errors name `label` and the JSON
// path ("hgx.json: /scale_out/bandwidth_per_direction: expected a positive number, got -1").
core::Result<core::System> parseSystem(const core::Json& document, const std::string& label,
                                       const Database& db);
core::Result<core::System> loadSystemFile(const std::filesystem::path& path, const Database& db);

std::filesystem::path builtinSystemDir();  // <data dir>/hwdb/systems
std::vector<std::string> listSystems();    // built-in ids, sorted
// A built-in id, or a path to a system file (contains '/' or ends in .json). Unknown ids list
// the built-in ones.
core::Result<core::System> resolveSystem(const std::string& idOrPath, const Database& db);

}  // namespace rooflens::hwdb
