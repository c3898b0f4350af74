#pragma once
// The efficiency model of a device (issue 14): what fraction of the roof real kernels reach.
// The roofline time stays the bound; the expected time divides each layer's compute time by the
// GEMM efficiency at its shape, its memory time by the memory efficiency at the bytes it moves,
// and adds a fixed per-kernel overhead (docs/calibration.md, "The efficiency model").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/datatypes.h"
#include "core/result.h"

namespace rooflens::core {

enum class ExecUnit : std::uint8_t;
enum class LayerKind : std::uint8_t;

// GEMM efficiency of one unit and data type on an (m, k, n) grid: values[(i * k.size() + j) *
// n.size() + l] is the fraction of the peak reached at (m[i], k[j], n[l]). Axes are strictly
// increasing and positive; an axis of one point makes the efficiency constant along it.
struct GemmEfficiencyGrid {
    ExecUnit unit{};
    std::optional<DataType> type;  // nullopt: every type of the unit without a grid of its own
    std::vector<double> m;
    std::vector<double> k;
    std::vector<double> n;
    std::vector<double> values;
    // Multilinear interpolation in (log m, log k, log n); shapes outside the grid are clamped to
    // its faces. With values non-decreasing along each axis the result is non-decreasing in each
    // dimension; it is exact at grid points and never above the largest value (<= 1).
    double at(double m, double k, double n) const;
    bool operator==(const GemmEfficiencyGrid&) const = default;
};

// Memory efficiency as a function of the bytes one kernel moves: piecewise linear in log bytes
// through (bytes[i], values[i]), clamped to the end values outside.
struct MemoryEfficiencyCurve {
    std::vector<double> bytes;
    std::vector<double> values;
    double at(double bytesMoved) const;
    bool operator==(const MemoryEfficiencyCurve&) const = default;
};

// The efficiency of the kernels of one layer kind (issue 14 item 5) as a function of the bytes
// one layer moves, piecewise linear in log bytes like MemoryEfficiencyCurve. Layers of the kind
// without a GEMM shape (norms, softmax, fused attention, elementwise) divide their compute and
// memory times by it; GEMM kinds divide only their memory time (a GEMV streaming its weight at
// less than the read roof) and keep the shape grid for their math. `rooflens calibrate` fits it
// from reference passes (calibrate/kernel_classes.h); it may rise and fall with the bytes.
struct KindEfficiency {
    LayerKind kind{};
    MemoryEfficiencyCurve curve;
    bool operator==(const KindEfficiency&) const = default;
};

// Where an efficiency model came from.
enum class EfficiencyOrigin : std::uint8_t {
    measured,  // rooflens calibrate on this machine
    file,      // written in the device file by hand (its source says where from)
    defaults,  // the documented default for datasheet devices of this kind (defaultEfficiency)
};
std::string_view nameOf(EfficiencyOrigin origin);

struct EfficiencyModel {
    std::vector<GemmEfficiencyGrid> gemm;
    std::optional<MemoryEfficiencyCurve> memory;  // nullopt: the memory roof is reached
    // Random row gathers (GNN aggregation, embedding-like lookups) as a function of the row
    // (granule) bytes: the measured useful gather rate / the main-memory bandwidth, from a table
    // in DRAM. nullopt: gathers are priced by the roofline's on-chip reuse estimate alone.
    std::optional<MemoryEfficiencyCurve> gather;
    double kernelOverheadSeconds = 0;   // launch / dispatch, once per layer instance
    std::vector<KindEfficiency> kinds;  // at most one per layer kind
    EfficiencyOrigin origin = EfficiencyOrigin::file;
    std::string source;  // citation or "rooflens calibrate ..."

    // The grid for this unit and type: its own, else the unit's any-type grid, else none.
    const GemmEfficiencyGrid* gridFor(ExecUnit unit, DataType type) const;
    // 1 where no grid applies.
    double gemmAt(ExecUnit unit, DataType type, double m, double k, double n) const;
    double memoryAt(double bytesMoved) const { return memory ? memory->at(bytesMoved) : 1.0; }
    // The kind's curve, or nullptr.
    const MemoryEfficiencyCurve* curveFor(LayerKind kind) const;
    bool operator==(const EfficiencyModel&) const = default;
};

// Checks the invariants the interpolation relies on (axes positive and strictly increasing,
// values in (0, 1], value count = product of the axis sizes, one grid per unit and type);
// `where` names the model in the error ("device x: efficiency").
Status validateEfficiency(const EfficiencyModel& model, const std::string& where);

// Makes a measured grid usable: clamped to (0, 1], then non-decreasing along each axis by a
// running minimum from the largest point down (a smaller GEMM never reaches more of the roof
// than the larger one measured above it). The large shapes anchor the grid: small shapes are
// the noisy ones (a GEMV whose weight stays in the LLC looks compute-efficient), and the result
// errs towards the slower, never the faster, time.
void makeMonotone(GemmEfficiencyGrid& grid);
void makeMonotone(MemoryEfficiencyCurve& curve);

enum class DeviceKind : std::uint8_t;
// The documented default model of datasheet devices of a kind (docs/calibration.md, "Defaults
// for datasheet devices", with the published fractions they come from).
EfficiencyModel defaultEfficiency(DeviceKind kind);

}  // namespace rooflens::core
