#pragma once
// Hardware: one device as the engine sees it (peaks per unit and data type, memory hierarchy,
// provenance). Loaded and validated by hwdb, produced by calibration, consumed by analyze().
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/datatypes.h"

namespace rooflens::core {

enum class ExecUnit : std::uint8_t { matrix, vector };
std::string_view nameOf(ExecUnit unit);

enum class DeviceKind : std::uint8_t { gpu, cpu, tpu, soc };
std::string_view nameOf(DeviceKind kind);
std::optional<DeviceKind> parseDeviceKind(std::string_view name);

// Peak rate in OPs/s per data type; 0 means the unit has no datapath for that type.
struct PeakTable {
    std::array<double, kDataTypeCount> opsPerSecond{};
    double at(DataType type) const { return opsPerSecond[indexOf(type)]; }
    void set(DataType type, double value) { opsPerSecond[indexOf(type)] = value; }
    bool any() const;
};

// One level of the memory hierarchy, ordered from the closest to the cores (L1/SRAM) to main
// memory (HBM/DRAM), which is always the last level.
struct MemoryLevel {
    std::string name;           // "L2", "HBM3", "DDR5"
    double capacityBytes = 0;   // whole device
    double bytesPerSecond = 0;  // 0 when not published (on-chip levels in datasheets)
    bool measured = false;      // from calibration rather than a datasheet
};

// Where a number came from: the datasheet, arithmetic from datasheet numbers, an unconfirmed
// source, or a measurement on this machine.
enum class Provenance : std::uint8_t { datasheet, derived, unverified, measured };
std::string_view nameOf(Provenance provenance);
std::optional<Provenance> parseProvenance(std::string_view name);

struct ProvenanceEntry {
    std::string jsonPath;  // "/compute/matrix/fp16/dense"
    Provenance status = Provenance::datasheet;
    std::string source;  // URL or citation
    std::string note;
};

struct Hardware {
    std::string id;
    std::string name;
    std::string vendor;
    DeviceKind kind = DeviceKind::gpu;

    PeakTable matrixDense;
    PeakTable
        matrixSparse;  // 2:4 structured-sparse rate; empty when the device has no sparse units
    PeakTable vector;

    std::vector<MemoryLevel> memory;  // closest first; back() is main memory
    double sramPerCoreBytes = 0;      // shared memory / L1 per SM (FlashAttention tile size)
    std::string notes;
    std::vector<ProvenanceEntry> provenance;
    std::string sourceFile;  // file it was loaded from, empty for built in code

    const MemoryLevel& mainMemory() const { return memory.back(); }
    double memoryCapacityBytes() const { return memory.back().capacityBytes; }
    double memoryBytesPerSecond() const { return memory.back().bytesPerSecond; }
    // Largest on-chip level (L2, SLC, CMEM); 0 when none is listed.
    double onChipBytes() const;

    // Feature flags derived from the peaks, so they can never disagree with them.
    bool hasSparseMatrixUnits() const { return matrixSparse.any(); }
    bool supportsMatrix(DataType type) const { return matrixDense.at(type) > 0; }
};

}  // namespace rooflens::core
