#pragma once
// Reading a calibration sidecar back (the file calibrationJson writes, profile.h): used by
// `rooflens validate`. Its own small library (rooflens_calibrate_sidecar, core only), so the
// fuzz harness (tests/fuzz/fuzz_sidecar.cpp) links it without the measurement kernels.
#include <filesystem>
#include <string>
#include <string_view>

#include "core/json_io.h"
#include "core/result.h"

namespace rooflens::calibrate {

inline constexpr int kSidecarSchemaVersion = 1;

// Reads a sidecar back (rooflens validate): a JSON object with "kind": "rooflens-calibration",
// schema_version (when present) at most kSidecarSchemaVersion, "threads" (when present) an
// integer in [1, 65536], and "compute", "memory", "gather", "gemm" (when present) arrays of
// objects. Errors name the file and the JSON path; the fields inside the entries are read
// leniently by calibratedRoofs / datasheetRoofs (a missing or mistyped one counts as absent).
core::Result<core::Json> parseSidecar(std::string_view text, const std::string& label);
core::Result<core::Json> loadSidecar(const std::filesystem::path& path);

}  // namespace rooflens::calibrate
