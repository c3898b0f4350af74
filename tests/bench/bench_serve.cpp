// Serving speed targets (docs/serving.md): the steady state of a 10,000-request workload
// (empirical prompt and output lengths) on Llama-3-70B TP8 on an HGX H100 in under 1 s, and a
// 100-point rate sweep in under 10 s. Each run prices the step costs from the engine afresh.
#include <benchmark/benchmark.h>

#include <random>

#include "core/platform.h"
#include "core/serving.h"
#include "hwdb/hwdb.h"
#include "hwdb/systems.h"
#include "models/workload_spec.h"

namespace {

using namespace rooflens;

struct Setup {
    std::shared_ptr<const core::WorkloadBuilder> builder;
    std::vector<core::Hardware> devices;
    std::vector<core::System> systems;
    core::ServingInput input;
};

// 10,000 requests: prompts log-uniform in [64, 8192], outputs uniform in [16, 1024] (seeded).
Setup llama70bTp8() {
    Setup s;
    models::WorkloadSpec spec;
    spec.model = "llama-3-70b";
    s.builder = models::bindWorkload(spec).value();
    const auto db = hwdb::Database::load();
    s.systems = {hwdb::resolveSystem("hgx-h100-8x", db).value()};
    s.devices = {s.systems.front().device};
    s.input.builder = s.builder.get();
    s.input.evaluation.devices = s.devices;
    s.input.evaluation.systems = s.systems;
    s.input.evaluation.deployment.tensorParallel = 8;
    s.input.evaluation.settings.flashAttention = true;
    std::mt19937_64 rng(13);
    std::uniform_real_distribution<double> logPrompt(std::log(64.0), std::log(8192.0));
    std::uniform_int_distribution<std::int64_t> output(16, 1024);
    auto& load = s.input.options.load;
    load.prompt.kind = load.output.kind = core::LengthDistribution::Kind::empirical;
    for (int i = 0; i < 10000; ++i) {
        load.prompt.values.push_back(std::llround(std::exp(logPrompt(rng))));
        load.output.values.push_back(output(rng));
    }
    load.requests = 10000;
    return s;
}

void BM_Serve10kRequestsLlama70bTp8(benchmark::State& state) {
    Setup s = llama70bTp8();
    s.input.options.load.concurrency = 64;
    double tokens = 0;
    for (auto _ : state) {
        auto m = core::evaluateServing(s.input);
        benchmark::DoNotOptimize(m.value());
        tokens = m.value().outputTokensPerSecondPerDevice;
    }
    state.counters["tokens_per_s_per_gpu"] = tokens;
}
BENCHMARK(BM_Serve10kRequestsLlama70bTp8)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Serve100PointRateSweep(benchmark::State& state) {
    Setup s = llama70bTp8();
    std::vector<double> rates;
    for (int i = 1; i <= 100; ++i) {
        rates.push_back(0.2 * i);
    }
    std::size_t points = 0;
    for (auto _ : state) {
        auto sweep = core::sweepServing(s.input, true, rates);
        points = sweep.value().size();
        benchmark::DoNotOptimize(sweep.value().back().metrics.ttftSeconds);
    }
    state.counters["points"] = static_cast<double>(points);
}
BENCHMARK(BM_Serve100PointRateSweep)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

// BENCHMARK_MAIN with the allocator configured as the Rooflens programs configure it.
int main(int argc, char** argv) {
    rooflens::core::configureProcessAllocator();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
