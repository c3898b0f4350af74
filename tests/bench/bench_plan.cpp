// Plan search speed (issue 11): `rooflens plan` for DeepSeek-V3 (671B MoE, 256 experts, 61
// blocks) on a GB200 NVL72 (72 GPUs), every TP x EP x PP plan (59 valid of 200) at 9 batches
// (1:256:x2), each a closed-form request of 1024 + 128 tokens priced per rank through the
// pipeline. Target on the 2-core machines: under 1 s (AIConfigurator's search takes up to 30 s).
// Mixtral-8x7B on an HGX H100 (20 plans) for scale.
#include <benchmark/benchmark.h>

#include "core/plan.h"
#include "core/platform.h"
#include "hwdb/hwdb.h"
#include "hwdb/systems.h"
#include "models/workload_spec.h"

namespace {

using namespace rooflens;

void search(benchmark::State& state, const char* modelId, const char* systemId) {
    const auto db = hwdb::Database::load();
    models::WorkloadSpec model;
    model.model = modelId;
    const auto builder = models::bindWorkload(model).value();
    core::PlanSearchSpec spec;
    spec.system = hwdb::resolveSystem(systemId, db).value();
    spec.settings.promptLength = 1024;
    spec.settings.generateLength = 128;
    spec.scenario = builder->checkpointScenario();
    spec.tpotTarget = 0.05;
    std::size_t candidates = 0;
    std::size_t plans = 0;
    for (auto _ : state) {
        auto result = core::searchPlans(*builder, spec, static_cast<unsigned>(state.range(0)));
        candidates = result.value().candidates.size();
        plans = result.value().plans;
        benchmark::DoNotOptimize(result.value().winner);
    }
    state.counters["plans"] = static_cast<double>(plans);
    state.counters["candidates"] = static_cast<double>(candidates);
}

void BM_PlanDeepSeekV3Nvl72(benchmark::State& state) {
    search(state, "deepseek-v3", "gb200-nvl72");
}
BENCHMARK(BM_PlanDeepSeekV3Nvl72)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PlanMixtralHgxH100(benchmark::State& state) {
    search(state, "mixtral-8x7b", "hgx-h100-8x");
}
BENCHMARK(BM_PlanMixtralHgxH100)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    rooflens::core::configureProcessAllocator();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
