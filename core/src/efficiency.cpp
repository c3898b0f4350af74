#include "core/efficiency.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/hardware.h"
#include "core/workload.h"

namespace rooflens::core {

namespace {

// The cell of `axis` holding x (clamped to the axis) and the weight of its upper point, in log x.
struct AxisCell {
    std::size_t lower = 0;
    std::size_t upper = 0;
    double weight = 0;  // of `upper`
};

AxisCell locate(const std::vector<double>& axis, double x) {
    if (axis.size() < 2 || !(x > axis.front())) {
        return {0, 0, 0};
    }
    if (x >= axis.back()) {
        return {axis.size() - 1, axis.size() - 1, 0};
    }
    const auto it = std::upper_bound(axis.begin(), axis.end(), x);
    const auto upper = static_cast<std::size_t>(it - axis.begin());
    const std::size_t lower = upper - 1;
    const double span = std::log(axis[upper]) - std::log(axis[lower]);
    return {lower, upper, (std::log(x) - std::log(axis[lower])) / span};
}

Status checkAxis(const std::vector<double>& axis, const std::string& where) {
    if (axis.empty()) {
        return makeError(where + ": expected at least one point", ErrorKind::badInput);
    }
    for (std::size_t i = 0; i < axis.size(); ++i) {
        if (!(axis[i] > 0) || !std::isfinite(axis[i])) {
            return makeError(where + "[" + std::to_string(i) + "]: expected a positive number",
                             ErrorKind::badInput);
        }
        if (i > 0 && !(axis[i] > axis[i - 1])) {
            return makeError(where + "[" + std::to_string(i) + "]: expected values increasing",
                             ErrorKind::badInput);
        }
    }
    return Ok{};
}

Status checkValues(const std::vector<double>& values, std::size_t expected,
                   const std::string& where) {
    if (values.size() != expected) {
        return makeError(where + ": expected " + std::to_string(expected) +
                             " values (the product of the axis sizes), got " +
                             std::to_string(values.size()),
                         ErrorKind::badInput);
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!(values[i] > 0 && values[i] <= 1)) {
            return makeError(where + "[" + std::to_string(i) +
                                 "]: expected an efficiency in (0, 1], got " +
                                 std::to_string(values[i]),
                             ErrorKind::badInput);
        }
    }
    return Ok{};
}

// values[i] = min(values[i], values[i + 1]) from the last point down, along one axis.
void suffixMin(std::vector<double>& values, std::size_t count, std::size_t stride,
               std::size_t outer, std::size_t outerStride) {
    for (std::size_t o = 0; o < outer; ++o) {
        for (std::size_t s = 0; s < stride; ++s) {
            const std::size_t base = o * outerStride + s;
            for (std::size_t i = count; i-- > 1;) {
                double& v = values[base + (i - 1) * stride];
                v = std::min(v, values[base + i * stride]);
            }
        }
    }
}

}  // namespace

double GemmEfficiencyGrid::at(double mm, double kk, double nn) const {
    if (values.empty()) {
        return 1;
    }
    const std::array<AxisCell, 3> cells = {locate(m, mm), locate(k, kk), locate(n, nn)};
    double result = 0;
    for (int corner = 0; corner < 8; ++corner) {
        double weight = 1;
        std::array<std::size_t, 3> index{};
        for (int axis = 0; axis < 3; ++axis) {
            const bool up = ((corner >> axis) & 1) != 0;
            const AxisCell& c = cells[static_cast<std::size_t>(axis)];
            weight *= up ? c.weight : 1 - c.weight;
            index[static_cast<std::size_t>(axis)] = up ? c.upper : c.lower;
        }
        if (weight > 0) {
            result += weight * values[(index[0] * k.size() + index[1]) * n.size() + index[2]];
        }
    }
    return std::clamp(result, 1e-6, 1.0);
}

double MemoryEfficiencyCurve::at(double bytesMoved) const {
    if (values.empty()) {
        return 1;
    }
    const AxisCell c = locate(bytes, bytesMoved);
    const double v = (1 - c.weight) * values[c.lower] + c.weight * values[c.upper];
    return std::clamp(v, 1e-6, 1.0);
}

std::string_view nameOf(EfficiencyOrigin origin) {
    switch (origin) {
        case EfficiencyOrigin::measured:
            return "measured";
        case EfficiencyOrigin::file:
            return "file";
        case EfficiencyOrigin::defaults:
            return "default";
    }
    return "?";
}

const GemmEfficiencyGrid* EfficiencyModel::gridFor(ExecUnit unit, DataType type) const {
    const GemmEfficiencyGrid* any = nullptr;
    for (const GemmEfficiencyGrid& grid : gemm) {
        if (grid.unit != unit) {
            continue;
        }
        if (grid.type == type) {
            return &grid;
        }
        if (!grid.type) {
            any = &grid;
        }
    }
    return any;
}

const MemoryEfficiencyCurve* EfficiencyModel::curveFor(LayerKind kind) const {
    for (const KindEfficiency& k : kinds) {
        if (k.kind == kind) {
            return &k.curve;
        }
    }
    return nullptr;
}

double EfficiencyModel::gemmAt(ExecUnit unit, DataType type, double mm, double kk,
                               double nn) const {
    const GemmEfficiencyGrid* grid = gridFor(unit, type);
    return grid != nullptr ? grid->at(mm, kk, nn) : 1.0;
}

Status validateEfficiency(const EfficiencyModel& model, const std::string& where) {
    for (std::size_t g = 0; g < model.gemm.size(); ++g) {
        const GemmEfficiencyGrid& grid = model.gemm[g];
        const std::string at = where + "/gemm/" + std::to_string(g);
        for (const auto& [name, axis] :
             {std::pair{"m", &grid.m}, std::pair{"k", &grid.k}, std::pair{"n", &grid.n}}) {
            ROOFLENS_CHECK(checkAxis(*axis, at + "/" + name));
        }
        ROOFLENS_CHECK(checkValues(grid.values, grid.m.size() * grid.k.size() * grid.n.size(),
                                   at + "/efficiency"));
        for (std::size_t h = 0; h < g; ++h) {
            if (model.gemm[h].unit == grid.unit && model.gemm[h].type == grid.type) {
                return makeError(at + ": a second grid for " + std::string(nameOf(grid.unit)) +
                                     " " + (grid.type ? std::string(nameOf(*grid.type)) : "any"),
                                 ErrorKind::badInput);
            }
        }
    }
    if (model.memory) {
        ROOFLENS_CHECK(checkAxis(model.memory->bytes, where + "/memory/bytes"));
        ROOFLENS_CHECK(checkValues(model.memory->values, model.memory->bytes.size(),
                                   where + "/memory/efficiency"));
    }
    if (model.gather) {
        ROOFLENS_CHECK(checkAxis(model.gather->bytes, where + "/gather/bytes"));
        ROOFLENS_CHECK(checkValues(model.gather->values, model.gather->bytes.size(),
                                   where + "/gather/efficiency"));
    }
    for (std::size_t i = 0; i < model.kinds.size(); ++i) {
        const KindEfficiency& k = model.kinds[i];
        const std::string at = where + "/kinds/" + std::to_string(i);
        if (isCommunication(k.kind)) {
            return makeError(at + "/kind: expected a compute or memory layer kind, got " +
                                 std::string(nameOf(k.kind)) +
                                 " (communication is priced on links)",
                             ErrorKind::badInput);
        }
        ROOFLENS_CHECK(checkAxis(k.curve.bytes, at + "/bytes"));
        ROOFLENS_CHECK(checkValues(k.curve.values, k.curve.bytes.size(), at + "/efficiency"));
        for (std::size_t j = 0; j < i; ++j) {
            if (model.kinds[j].kind == k.kind) {
                return makeError(at + ": a second curve for " + std::string(nameOf(k.kind)),
                                 ErrorKind::badInput);
            }
        }
    }
    if (!(model.kernelOverheadSeconds >= 0) || !std::isfinite(model.kernelOverheadSeconds)) {
        return makeError(where + "/kernel_overhead: expected a time >= 0", ErrorKind::badInput);
    }
    return Ok{};
}

void makeMonotone(GemmEfficiencyGrid& grid) {
    const std::size_t nm = grid.m.size();
    const std::size_t nk = grid.k.size();
    const std::size_t nn = grid.n.size();
    if (grid.values.size() != nm * nk * nn) {
        return;
    }
    for (double& v : grid.values) {
        v = std::clamp(v, 1e-6, 1.0);
    }
    suffixMin(grid.values, nm, nk * nn, 1, 0);    // along m
    suffixMin(grid.values, nk, nn, nm, nk * nn);  // along k
    suffixMin(grid.values, nn, 1, nm * nk, nn);   // along n
}

void makeMonotone(MemoryEfficiencyCurve& curve) {
    for (double& v : curve.values) {
        v = std::clamp(v, 1e-6, 1.0);
    }
    suffixMin(curve.values, curve.values.size(), 1, 1, 0);
}

namespace {

// A GEMM grid that varies with m only (k and n constant): the decode-to-prefill axis.
GemmEfficiencyGrid rowsGrid(ExecUnit unit, std::vector<double> rows, std::vector<double> values) {
    GemmEfficiencyGrid grid;
    grid.unit = unit;
    grid.m = std::move(rows);
    grid.k = {1};
    grid.n = {1};
    grid.values = std::move(values);
    return grid;
}

// GPUs and TPUs: vendor BF16 GEMM reaches 60-86% of the tensor peak at large shapes (A100 86%,
// H100 SXM 80%, MI300X 60%; shared reference/calibration.md), 0.80 taken; below one output tile
// a GEMM pays for the whole tile (tile quantization, NVIDIA "Matrix Multiplication Background
// User's Guide"); libraries pick 64-row (or narrower) tiles for short m, so m / 64 is taken. HBM
// read/copy reaches 85-95% of the datasheet bandwidth (A100 88-90%, H100 read 95%): 0.90. Launch: a
// few microseconds per kernel without CUDA graphs (NVIDIA "Getting Started with CUDA Graphs"): 3 us
// taken.
EfficiencyModel acceleratorDefaults(double memoryPlateau) {
    EfficiencyModel model;
    model.origin = EfficiencyOrigin::defaults;
    model.gemm.push_back(
        rowsGrid(ExecUnit::matrix, {1, 8, 16, 32, 64}, {0.8 / 64, 0.1, 0.2, 0.4, 0.8}));
    model.memory = MemoryEfficiencyCurve{{1}, {memoryPlateau}};
    model.kernelOverheadSeconds = 3e-6;
    model.source =
        "default for datasheet accelerators (docs/calibration.md): GEMM 0.80 of peak at m >= 64 "
        "(vendor BF16 GEMM 60-86%), m/64 below (tile quantization); memory " +
        std::to_string(memoryPlateau).substr(0, 4) + " of bandwidth; 3 us launch per kernel";
    return model;
}

// CPUs: oneDNN SGEMM at 89-96% of the FMA roof at 2048^3 and 0.27 / 0.60 / 0.81 at m = 8 / 32
// / 128 with a 4096x4096 weight (reference/calibration.md 3.3), 0.94 at 512x2048x2048 (issue 14);
// STREAM triad 65-85% of the channel spec: 0.75. Dispatch: about 1 us per primitive (estimate).
EfficiencyModel cpuDefaults() {
    EfficiencyModel model;
    model.origin = EfficiencyOrigin::defaults;
    const std::vector<double> rows = {1, 8, 32, 128, 512};
    const std::vector<double> values = {0.27, 0.27, 0.60, 0.81, 0.90};
    model.gemm.push_back(rowsGrid(ExecUnit::matrix, rows, values));
    model.gemm.push_back(rowsGrid(ExecUnit::vector, rows, values));
    model.memory = MemoryEfficiencyCurve{{1}, {0.75}};
    // Random gathers from a 1 GiB table, 1 thread, against a 37-39 GB/s DRAM read roof
    // (reference/calibration.md 3.4): 4 B 0.25 GB/s, 64 B 6.7, 256 B 15.7 GB/s.
    model.gather = MemoryEfficiencyCurve{{4, 64, 256}, {0.0066, 0.18, 0.42}};
    model.kernelOverheadSeconds = 1e-6;
    model.source =
        "default for datasheet CPUs (docs/calibration.md): oneDNN GEMM 0.27 of peak at m <= 8, "
        "0.60 at 32, 0.81 at 128, 0.90 at m >= 512; memory 0.75 of the channel bandwidth "
        "(STREAM 65-85%); random row gathers 0.0066 / 0.18 / 0.42 of it at 4 / 64 / 256 B; "
        "1 us dispatch per kernel";
    return model;
}

}  // namespace

EfficiencyModel defaultEfficiency(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::cpu:
            return cpuDefaults();
        case DeviceKind::soc:
            return acceleratorDefaults(0.80);
        case DeviceKind::gpu:
        case DeviceKind::tpu:
            return acceleratorDefaults(0.90);
    }
    return acceleratorDefaults(0.90);
}

}  // namespace rooflens::core
