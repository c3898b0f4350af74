// Ceilings for validation: calibrated (profile + sidecar) and datasheet-style.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "calibrate/cpu_kernels.h"
#include "calibrate/validate.h"

namespace rooflens::calibrate {

namespace {

double number(const core::Json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

int integer(const core::Json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int>() : 0;
}

std::string text(const core::Json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const core::Json* array(const core::Json* doc, const char* key) {
    if (doc == nullptr || !doc->is_object()) {
        return nullptr;
    }
    const auto it = doc->find(key);
    return it != doc->end() && it->is_array() ? &*it : nullptr;
}

}  // namespace

Roofs calibratedRoofs(const core::Hardware& profile, const core::Json* sidecar, int threads) {
    Roofs roofs;
    roofs.label = "calibrated";
    roofs.threads = threads;
    roofs.computeName = "FP32 FMA";
    if (const core::Json* compute = array(sidecar, "compute")) {
        for (const auto& e : *compute) {
            if (text(e, "data_type") == "fp32" && integer(e, "threads") == threads) {
                roofs.computeOpsPerSecond = number(e, "ops_per_s");
                roofs.computeName = "FP32 " + text(e, "instruction");
            }
        }
    }
    if (const core::Json* memory = array(sidecar, "memory")) {
        for (const auto& e : *memory) {
            if (integer(e, "threads") == threads) {
                roofs.levels.push_back({text(e, "level"), number(e, "capacity_bytes"),
                                        number(e, "read_bytes_per_s"),
                                        number(e, "read_write_bytes_per_s")});
            }
        }
    }
    if (const core::Json* gather = array(sidecar, "gather")) {
        for (const auto& e : *gather) {
            if (integer(e, "granule_bytes") == 256 && integer(e, "threads") == threads) {
                roofs.gatherBytesPerSecond = number(e, "useful_bytes_per_s");
            }
        }
    }
    if (const core::Json* gemm = array(sidecar, "gemm")) {
        double largest = 0;
        for (const auto& e : *gemm) {
            const double m = number(e, "m");
            const double efficiency = std::min(1.0, number(e, "efficiency_vs_fma_roof"));
            if (text(e, "data_type") != "fp32" || integer(e, "threads") != threads ||
                efficiency <= 0) {
                continue;
            }
            roofs.gemmName = "FP32 GEMM (" + text(e, "implementation") + ")";
            if (m == number(e, "n") && m == number(e, "k")) {
                if (m > largest) {
                    largest = m;
                    roofs.gemmEfficiency = efficiency;
                }
            } else if (number(e, "n") == number(e, "k")) {
                roofs.gemmEfficiencyByRows.emplace_back(m, efficiency);
            }
        }
        std::sort(roofs.gemmEfficiencyByRows.begin(), roofs.gemmEfficiencyByRows.end());
    }
    if (roofs.computeOpsPerSecond <= 0) {
        roofs.computeOpsPerSecond = std::max(profile.vector.at(core::DataType::fp32),
                                             profile.matrixDense.at(core::DataType::fp32));
        roofs.notes.emplace_back("compute roof from the profile (no " + std::to_string(threads) +
                                 "-thread entry in a calibration sidecar)");
    }
    if (roofs.levels.empty()) {
        for (const auto& level : profile.memory) {
            if (level.bytesPerSecond > 0) {
                roofs.levels.push_back({level.name, level.capacityBytes, level.bytesPerSecond, 0});
            }
        }
        roofs.notes.emplace_back(
            "memory roofs from the profile: read-only, no read+write or gather roofs");
    } else if (!roofs.levels.empty()) {
        // The sidecar has no capacity for levels a plateau was not found for; keep order.
        std::stable_sort(roofs.levels.begin(), roofs.levels.end(),
                         [](const Roofs::Level& a, const Roofs::Level& b) {
                             return (a.name == "DRAM") < (b.name == "DRAM");
                         });
    }
    return roofs;
}

Roofs datasheetRoofs(const core::Hardware& profile, const core::Json* sidecar,
                     const MachineContext& machine, int threads, const core::Hardware* datasheet) {
    Roofs roofs;
    roofs.label = "datasheet";
    roofs.threads = threads;
    roofs.computeName = "FP32 peak at the nominal clock";
    if (const core::Json* compute = array(sidecar, "compute")) {
        for (const auto& e : *compute) {
            if (text(e, "data_type") == "fp32" && integer(e, "threads") == threads) {
                roofs.computeOpsPerSecond = number(e, "theoretical_ops_per_s_at_nominal_clock");
            }
        }
    }
    if (roofs.computeOpsPerSecond <= 0) {
        // From the ISA of this machine: the widest FP32 FMA path x instructions per cycle.
        for (const auto& k : peakKernels(machine.features)) {
            if (k.type == core::DataType::fp32) {
                roofs.computeOpsPerSecond =
                    std::max(roofs.computeOpsPerSecond,
                             k.opsPerInstruction * fmaInstructionsPerCycle(machine, k.vectorBits) *
                                 machine.nominalHz * threads);
            }
        }
    }
    if (datasheet != nullptr) {
        roofs.computeOpsPerSecond = std::max(datasheet->vector.at(core::DataType::fp32),
                                             datasheet->matrixDense.at(core::DataType::fp32));
        roofs.computeName = "FP32 (" + datasheet->id + ")";
        roofs.levels.push_back(
            {datasheet->mainMemory().name, 1e30, datasheet->memoryBytesPerSecond(), 0});
        roofs.notes.emplace_back("datasheet ceilings of " + datasheet->id);
    } else {
        roofs.levels.push_back(
            {profile.mainMemory().name + " (profile)", 1e30, profile.memoryBytesPerSecond(), 0});
        roofs.notes.emplace_back(
            "datasheet-style: FP32 peak x cores at the nominal clock and one main-memory roof "
            "(the profile's; no datasheet exists for this machine's memory share)");
    }
    return roofs;
}

}  // namespace rooflens::calibrate
