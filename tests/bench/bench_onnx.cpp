// ONNX import speed (issue 15): reading, checking and shape-inferring a 1,000-node graph
// (tests/data/onnx/deep_vit_1000.onnx: a 33-block ViT of width 32, made by
// scripts/make-onnx-models.py), mapping it to layers and analysing it on an A100. Target: the
// whole import + analysis under 50 ms. Counters: nodes, layers.
#include <benchmark/benchmark.h>

#include <string>

#include "core/analysis.h"
#include "core/platform.h"
#include "hwdb/hwdb.h"
#include "models/onnx.h"

namespace {

using namespace rooflens;

const std::string kGraph = std::string(ROOFLENS_TEST_DATA_DIR) + "/onnx/deep_vit_1000.onnx";
constexpr double kNodes = 1002;

const core::Hardware& a100() {
    static const core::Hardware hw = hwdb::Database::load().resolve("a100-80gb-sxm").value();
    return hw;
}

core::RunSettings settings(bool flash) {
    core::RunSettings s;
    s.batch = 8;
    s.flashAttention = flash;
    return s;
}

// File to report: read and check the protobuf, bind the batch, infer shapes, map, analyse.
void importAndAnalyze(benchmark::State& state, bool flash) {
    std::size_t layers = 0;
    for (auto _ : state) {
        auto builder = models::bindOnnx(kGraph, {});
        auto workload = builder.value()->build(settings(flash), {});
        core::Report report = core::analyze(std::move(workload).value(), a100());
        layers = report.layers.size();
        benchmark::DoNotOptimize(report.totals.timeSeconds);
    }
    state.counters["nodes"] = kNodes;
    state.counters["layers"] = static_cast<double>(layers);
}

void BM_Onnx1000Nodes_ImportAndAnalyze(benchmark::State& state) {
    importAndAnalyze(state, false);
}
void BM_Onnx1000Nodes_ImportAndAnalyzeFlash(benchmark::State& state) {
    importAndAnalyze(state, true);
}

// A bound graph evaluated again (a sweep point): shape inference, mapping and analysis only.
void BM_Onnx1000Nodes_BuildAndAnalyze(benchmark::State& state) {
    const auto builder = models::bindOnnx(kGraph, {}).value();
    std::size_t layers = 0;
    for (auto _ : state) {
        auto workload = builder->build(settings(false), {});
        core::Report report = core::analyze(std::move(workload).value(), a100());
        layers = report.layers.size();
        benchmark::DoNotOptimize(report.totals.timeSeconds);
    }
    state.counters["nodes"] = kNodes;
    state.counters["layers"] = static_cast<double>(layers);
}

}  // namespace

BENCHMARK(BM_Onnx1000Nodes_ImportAndAnalyze)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Onnx1000Nodes_ImportAndAnalyzeFlash)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Onnx1000Nodes_BuildAndAnalyze)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    rooflens::core::configureProcessAllocator();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
