#pragma once
// A calibration as files: the hardware profile in the hwdb schema (docs/hwdb.md, measured values
// with status "measured"; it imports with `rooflens hw import` and works with --hw) and a
// sidecar JSON with what schema_version 1 cannot express: the 1-thread ceilings, read+write
// roofs, theoretical peaks, gather and GEMM ceilings, the sweeps and every statistic.
#include <filesystem>
#include <string>

#include "calibrate/calibration.h"
#include "calibrate/sidecar.h"
#include "core/hardware.h"

namespace rooflens::calibrate {

struct ProfileOptions {
    std::string id;    // default: defaultProfileId()
    std::string name;  // default: "<CPU model> (calibrated, N threads)"
};

// "calibrated-<host>" lowercased, restricted to [a-z0-9._-].
std::string defaultProfileId(const Calibration& calibration);

// The all-core ceilings as a device: vector peaks per data type, one memory level per cache
// level plus DRAM (read-only bandwidth), L2 per core as sram_per_core.
core::Hardware toHardware(const Calibration& calibration, const ProfileOptions& options = {});

// The measured efficiency model at `threads` (issue 14): GEMM efficiency per data type on the
// measured (m, k, n) points (library rate / the FMA roof of the type), made monotone; memory
// efficiency from the cold reads (rate / the largest transfer's rate: the fall-off of small
// transfers); random gathers (useful rate / the DRAM read plateau); the dispatch overhead. Empty
// parts where nothing was measured (no oneDNN, --no-gemm).
core::EfficiencyModel efficiencyModel(const Calibration& calibration, int threads);

// The ceilings at `threads` for the profile `hw` (its memory levels): Hardware::threadCeilings.
core::ThreadCeilings threadCeilings(const Calibration& calibration, const core::Hardware& hw,
                                    int threads);

// The sidecar document ("kind": "rooflens-calibration").
std::string calibrationJson(const Calibration& calibration, const std::string& profileId);

// "cpu.json" -> "cpu.calibration.json" (next to the profile).
std::filesystem::path sidecarPathFor(const std::filesystem::path& profile);

// Rounds to 4 significant digits (what the measurements support).
double roundSignificant(double value, int digits = 4);

}  // namespace rooflens::calibrate
