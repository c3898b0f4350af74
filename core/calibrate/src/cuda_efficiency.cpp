// The efficiency model of a CUDA calibration (cuda_backend.h, cudaEfficiencyModel). Plain C++:
// built with or without nvcc so its arithmetic is tested on every machine.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "calibrate/cuda_backend.h"
#include "calibrate/profile.h"
#include "core/workload.h"

namespace rooflens::calibrate {

namespace {

// Seconds of one kernel without the fixed launch cost, never below a quarter of itself (a
// kernel that measures at the launch cost has an unknown, not a zero, body).
double netSeconds(double seconds, double launch) {
    return std::max(seconds - launch, 0.25 * seconds);
}

// A GEMM whose roofline compute time is below this fraction of its memory time is a GEMV: its
// time is the weight stream's, priced by the GEMM kind's memory curve. Closer to the ridge the
// tiles' math shows (tile quantization), and the grid keeps the measured time as efficiency.
constexpr double kGemvRatio = 0.25;
constexpr double kMergeRatio = 1.05;

}  // namespace

std::optional<core::EfficiencyModel> cudaEfficiencyModel(const CudaCalibration& c) {
    if (!(c.launchSeconds > 0) || !(c.readBytesPerSecond > 0)) {
        return std::nullopt;
    }
    core::EfficiencyModel model;
    model.origin = core::EfficiencyOrigin::measured;
    model.source = "rooflens calibrate --device cuda --" + std::string(nameOf(c.mode)) + " on " +
                   c.startedAt + ", " + c.name + ", CUDA " + c.runtimeVersion +
                   " (CUDA graphs, cold operands)";
    model.kernelOverheadSeconds = roundSignificant(c.launchSeconds, 3);
    const double launch = model.kernelOverheadSeconds;

    std::map<double, double> reads;  // bytes -> efficiency (the better of repeated sizes)
    for (const CudaColdRead& r : c.coldReads) {
        if (r.bytes > 0 && r.bytesPerSecond > 0) {
            const double seconds = netSeconds(r.bytes / r.bytesPerSecond, launch);
            double& e = reads[r.bytes];
            e = std::max(e, std::min(1.0, r.bytes / seconds / c.readBytesPerSecond));
        }
    }
    if (!reads.empty()) {
        core::MemoryEfficiencyCurve curve;
        for (const auto& [bytes, e] : reads) {
            curve.bytes.push_back(bytes);
            curve.values.push_back(roundSignificant(e, 3));
        }
        core::makeMonotone(curve);
        model.memory = std::move(curve);
    }

    // Per type: (m, k, n) -> efficiency of the grid; memory-bound shapes feed the GEMV curve.
    std::map<core::DataType, std::map<std::tuple<int, int, int>, double>> grids;
    std::map<double, std::pair<double, int>> gemv;  // bytes -> (sum of efficiencies, count)
    for (const CudaGemmShape& g : c.gemmShapes) {
        const double peak = c.matrix.at(g.type);
        if (!(peak > 0) || !(g.opsPerSecond > 0) || g.m <= 0 || g.k <= 0 || g.n <= 0) {
            continue;
        }
        const double ops = 2.0 * g.m * g.k * g.n;
        const double seconds = netSeconds(ops / g.opsPerSecond, launch);
        const double compute = ops / peak;
        const double memory = g.bytesMoved / c.readBytesPerSecond;
        double& cell = grids[g.type][{g.m, g.k, g.n}];
        if (compute >= kGemvRatio * memory) {
            cell = std::max(cell, std::min(1.0, compute / seconds));
        } else {
            cell = 1.0;
            auto& [sum, count] = gemv[g.bytesMoved];
            sum += std::min(1.0, memory / seconds);
            ++count;
        }
    }
    // GEMVs of nearly the same bytes (m = 1, 4, 16 of one (k, n)) are one point of the curve:
    // their mean at the first one's bytes, so the curve does not jump between neighbours.
    std::vector<std::pair<double, double>> merged;  // (bytes, efficiency)
    std::vector<int> counts;
    for (const auto& [bytes, sumCount] : gemv) {
        if (!merged.empty() && bytes <= kMergeRatio * merged.back().first) {
            merged.back().second += sumCount.first;
            counts.back() += sumCount.second;
        } else {
            merged.emplace_back(bytes, sumCount.first);
            counts.push_back(sumCount.second);
        }
    }
    for (const auto& [type, cells] : grids) {
        std::set<int> ms;
        std::set<int> ks;
        std::set<int> ns;
        for (const auto& [shape, e] : cells) {
            ms.insert(std::get<0>(shape));
            ks.insert(std::get<1>(shape));
            ns.insert(std::get<2>(shape));
        }
        core::GemmEfficiencyGrid grid;
        grid.unit = core::ExecUnit::matrix;
        grid.type = type;
        grid.m.assign(ms.begin(), ms.end());
        grid.k.assign(ks.begin(), ks.end());
        grid.n.assign(ns.begin(), ns.end());
        bool complete = true;
        for (int m : ms) {
            for (int k : ks) {
                for (int n : ns) {
                    auto it = cells.find({m, k, n});
                    complete = complete && it != cells.end();
                    grid.values.push_back(it != cells.end() ? roundSignificant(it->second, 3) : 0);
                }
            }
        }
        if (!complete) {
            continue;  // a grid needs every cell of its axes' product
        }
        core::makeMonotone(grid);
        if (type == core::DataType::bf16) {
            core::GemmEfficiencyGrid any = grid;
            any.type = std::nullopt;
            model.gemm.push_back(std::move(any));
        }
        model.gemm.push_back(std::move(grid));
    }
    if (!merged.empty()) {
        core::KindEfficiency kind;
        kind.kind = core::LayerKind::gemm;
        for (std::size_t i = 0; i < merged.size(); ++i) {
            kind.curve.bytes.push_back(merged[i].first);
            kind.curve.values.push_back(roundSignificant(merged[i].second / counts[i], 3));
        }
        model.kinds.push_back(std::move(kind));
    }
    return model;
}

}  // namespace rooflens::calibrate
