// Sweep throughput: 1,000,000 points of llama-2-7b decode (batch x context x scenario x device).
// Targets on the 2-core machines: under 2 s on both cores, and at most 0.5 us of core time per
// point (the 1-thread run's ns_per_point); LLM-Viewer's Python analysis takes about 100 us per
// point.
#include <benchmark/benchmark.h>

#include "core/platform.h"
#include "core/sweep.h"
#include "hwdb/hwdb.h"
#include "models/workload_spec.h"

namespace {

using namespace rooflens;

core::SweepSpec millionPoints() {
    const auto db = hwdb::Database::load();
    core::SweepSpec spec;
    spec.phase = core::Phase::decode;
    spec.batches = core::parseRange("1:250:+1").value();               // 250
    spec.contextLengths = core::parseRange("128:32000:+128").value();  // 250
    spec.flashAttention = true;
    for (const char* id : {"a100-80gb-sxm", "h100-sxm", "mi300x", "l40s"}) {  // 4
        spec.devices.push_back(db.resolve(id).value());
    }
    spec.scenarios.clear();
    for (const char* name : {"fp16", "awq-w4a16-g128", "smoothquant-w8a8", "kivi-kv2"}) {  // 4
        spec.scenarios.emplace_back(core::resolveScenario(name).value());
    }
    return spec;
}

void BM_SweepMillionPoints(benchmark::State& state) {
    models::WorkloadSpec model;
    model.model = "llama-2-7b";
    static const auto builder = models::bindWorkload(model).value();
    const core::SweepSpec spec = millionPoints();
    std::size_t points = 0;
    for (auto _ : state) {
        auto result = core::runSweep(*builder, spec, static_cast<unsigned>(state.range(0)));
        points = result.value().points.size();
        benchmark::DoNotOptimize(result.value().points.back().timeSeconds);
    }
    state.counters["points"] = static_cast<double>(points);
    state.counters["ns_per_point"] =
        benchmark::Counter(static_cast<double>(points) * state.iterations(),
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SweepMillionPoints)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace

// BENCHMARK_MAIN with the allocator configured as the Rooflens programs configure it.
int main(int argc, char** argv) {
    rooflens::core::configureProcessAllocator();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
