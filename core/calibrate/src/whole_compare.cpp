// Joining a whole-model run with the engine's analysis (whole_model.h).
#include <algorithm>
#include <cmath>
#include <map>

#include "calibrate/harness.h"
#include "calibrate/whole_model.h"

namespace rooflens::calibrate {

const core::MemoryLevel* lastLevelCache(const core::Hardware& hw) {
    const core::MemoryLevel* llc = nullptr;
    for (std::size_t i = 0; i + 1 < hw.memory.size(); ++i) {
        const core::MemoryLevel& level = hw.memory[i];
        if (level.bytesPerSecond > 0 && level.capacityBytes > 0 &&
            (llc == nullptr || level.capacityBytes > llc->capacityBytes)) {
            llc = &level;
        }
    }
    return llc;
}

double cacheAwareMemorySeconds(const core::LayerResult& result, const core::MemoryLevel* llc) {
    const double total = result.bytes.total();
    const double activations = result.bytes.activationsIn + result.bytes.activationsOut;
    if (llc == nullptr || total <= 0 || activations <= 0 || activations > llc->capacityBytes) {
        return result.memorySeconds;
    }
    const double rest = result.memorySeconds * (total - activations) / total;
    return std::min(result.memorySeconds, rest + activations / llc->bytesPerSecond);
}

WholePassResult joinWhole(const MeasuredPass& measured, const core::Report& report, int threads,
                          const core::Hardware* device) {
    const core::MemoryLevel* llc = device != nullptr ? lastLevelCache(*device) : nullptr;
    WholePassResult out;
    out.threads = threads;
    out.phase = measured.phase;
    out.queries = measured.queries;
    out.keys = measured.keys;
    std::map<std::string, const MeasuredLayer*> byName;
    for (const auto& layer : measured.layers) {
        byName.emplace(layer.name, &layer);
    }
    std::vector<double> expectedErrors;
    std::vector<double> roofErrors;
    std::map<std::string, bool> used;
    for (std::size_t i = 0; i < report.layers.size(); ++i) {
        const core::Layer& layer = report.layers[i];
        const core::LayerResult& result = report.results[i];
        if (core::isCommunication(layer.kind)) {
            continue;
        }
        WholeLayerRow row;
        row.name = layer.name();
        row.op = std::string(layer.op);
        row.kind = std::string(core::nameOf(layer.kind));
        row.bound = std::string(core::nameOf(result.bound));
        const double repeat = static_cast<double>(layer.repeat);
        row.rooflineSeconds = result.timeSeconds * repeat;
        row.expectedSeconds = result.expectedSeconds * repeat;
        row.bytes = result.bytes.total();
        row.ops = result.ops;
        row.repeat = layer.repeat;
        row.rooflineMemorySeconds = result.memorySeconds * repeat;
        row.expectedComputeSeconds = result.expectedComputeSeconds * repeat;
        row.overheadSeconds = result.overheadSeconds * repeat;
        row.cacheRoofSeconds =
            std::min(row.rooflineSeconds,
                     (result.timeSeconds - std::max(result.computeSeconds, result.memorySeconds) +
                      std::max(result.computeSeconds, cacheAwareMemorySeconds(result, llc))) *
                         repeat);
        if (auto it = byName.find(row.name); it != byName.end() && !it->second->seconds.empty()) {
            const auto stats = summarize(it->second->seconds);
            used[row.name] = true;
            row.measured = true;
            row.measuredSeconds = stats.median;
            row.p10 = stats.p10;
            row.p90 = stats.p90;
            if (stats.median > 0) {
                row.expectedError = std::fabs(row.expectedSeconds - stats.median) / stats.median;
                row.rooflineError = std::fabs(row.rooflineSeconds - stats.median) / stats.median;
                expectedErrors.push_back(row.expectedError);
                roofErrors.push_back(row.rooflineError);
            }
            row.fasterThanRoof = stats.p90 < row.rooflineSeconds;
            row.fasterThanCacheRoof = stats.p90 < row.cacheRoofSeconds;
        }
        out.summary.rooflineSeconds += row.rooflineSeconds;
        out.summary.expectedSeconds += row.expectedSeconds;
        out.summary.fasterThanRoof += row.fasterThanRoof ? 1 : 0;
        out.summary.fasterThanCacheRoof += row.fasterThanCacheRoof ? 1 : 0;
        out.rows.push_back(std::move(row));
    }
    for (const auto& layer : measured.layers) {
        if (!used.count(layer.name)) {
            out.unmatched.push_back(layer.name);
        }
    }
    WholeSummary& s = out.summary;
    s.layers = static_cast<int>(out.rows.size());
    s.measuredSeconds = measured.medianTotal();
    if (s.measuredSeconds > 0) {
        s.expectedTotalError = (s.expectedSeconds - s.measuredSeconds) / s.measuredSeconds;
        s.rooflineTotalError = (s.rooflineSeconds - s.measuredSeconds) / s.measuredSeconds;
    }
    s.expectedMedian = quantile(expectedErrors, 0.5);
    s.expectedP90 = quantile(expectedErrors, 0.9);
    s.rooflineMedian = quantile(roofErrors, 0.5);
    s.rooflineP90 = quantile(roofErrors, 0.9);
    return out;
}

}  // namespace rooflens::calibrate
