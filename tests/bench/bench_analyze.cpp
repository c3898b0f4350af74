// Speed of the engine on the 2-core machines:
//  - building and analysing llama-2-70b for one phase, every layer of 80 blocks: <= 50 us;
//  - building and analysing DeepSeek-V3 (61 blocks, 256 experts) for one phase: < 100 us;
//  - a whole llama-2-70b request of G = 8192 generated tokens: <= 1 ms, and independent of G
//    within 2x from G = 128 to G = 131072 (the decode steps are summed in closed form);
//  - a cold `rooflens analyze` process: < 30 ms.
#include <benchmark/benchmark.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fcntl.h>

#include "core/analysis.h"
#include "core/evaluate.h"
#include "core/platform.h"
#include "hwdb/hwdb.h"
#include "models/presets.h"
#include "models/workload_spec.h"

extern char** environ;

namespace {

using namespace rooflens;

const core::Hardware& a100() {
    static const core::Hardware hw = hwdb::Database::load().resolve("a100-80gb-sxm").value();
    return hw;
}

const models::LlmConfig& llama70b() {
    static const models::LlmConfig config = models::resolveLlm("llama-2-70b").value();
    return config;
}

void buildAndAnalyze(benchmark::State& state, core::Phase phase, bool flash) {
    core::RunSettings s;
    s.phase = phase;
    s.batch = 1;
    s.promptLength = 1024;
    s.contextLength = 1024;
    s.flashAttention = flash;
    std::size_t layers = 0;
    for (auto _ : state) {
        auto workload = models::buildLlm(llama70b(), s);
        core::Report report = core::analyze(std::move(workload).value(), a100());
        layers = report.layers.size();
        benchmark::DoNotOptimize(report.totals.timeSeconds);
    }
    state.counters["layers"] = static_cast<double>(layers);
}

void BM_Llama2_70b_Prefill(benchmark::State& state) {
    buildAndAnalyze(state, core::Phase::prefill, false);
}
void BM_Llama2_70b_PrefillFlash(benchmark::State& state) {
    buildAndAnalyze(state, core::Phase::prefill, true);
}
void BM_Llama2_70b_Decode(benchmark::State& state) {
    buildAndAnalyze(state, core::Phase::decode, false);
}
void BM_Llama2_70b_DecodeFlash(benchmark::State& state) {
    buildAndAnalyze(state, core::Phase::decode, true);
}
BENCHMARK(BM_Llama2_70b_Prefill)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Llama2_70b_PrefillFlash)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Llama2_70b_Decode)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Llama2_70b_DecodeFlash)->Unit(benchmark::kMicrosecond);

// DeepSeek-V3 (61 layers: 3 dense, 58 with 256 routed + 1 shared expert; MLA): build every
// layer and analyse one phase (target: under 100 us, issue 12).
const models::LlmConfig& deepseekV3() {
    static const models::LlmConfig config = models::resolveLlm("deepseek-v3").value();
    return config;
}

void buildAndAnalyzeDeepSeek(benchmark::State& state, core::Phase phase, bool flash) {
    core::RunSettings s;
    s.phase = phase;
    s.batch = 1;
    s.promptLength = 1024;
    s.contextLength = 1024;
    s.flashAttention = flash;
    std::size_t layers = 0;
    for (auto _ : state) {
        auto workload = models::buildLlm(deepseekV3(), s);
        core::Report report = core::analyze(workload.value(), a100());
        layers = report.layers.size();
        benchmark::DoNotOptimize(report.totals.timeSeconds);
    }
    state.counters["layers"] = static_cast<double>(layers);
}

void BM_DeepSeekV3_Prefill(benchmark::State& state) {
    buildAndAnalyzeDeepSeek(state, core::Phase::prefill, false);
}
void BM_DeepSeekV3_DecodeFlash(benchmark::State& state) {
    buildAndAnalyzeDeepSeek(state, core::Phase::decode, true);
}
void BM_DeepSeekV3_Decode(benchmark::State& state) {
    buildAndAnalyzeDeepSeek(state, core::Phase::decode, false);
}
BENCHMARK(BM_DeepSeekV3_Prefill)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DeepSeekV3_Decode)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DeepSeekV3_DecodeFlash)->Unit(benchmark::kMicrosecond);

// The whole request (prefill + 127 decode steps over the growing cache) for llama-2-7b.
void BM_Llama2_7b_Request128(benchmark::State& state) {
    static const models::LlmConfig config = models::resolveLlm("llama-2-7b").value();
    core::RunSettings s;
    s.phase = core::Phase::request;
    s.promptLength = 512;
    s.generateLength = 128;
    s.flashAttention = true;
    auto build = [&](core::Phase phase, std::int64_t context) {
        core::RunSettings pass = s;
        pass.phase = phase;
        pass.promptLength = context;
        pass.contextLength = context;
        return models::buildLlm(config, pass);
    };
    for (auto _ : state) {
        auto report = core::analyzeRequest(s, build, a100());
        benchmark::DoNotOptimize(report.value().totals.timeSeconds);
    }
}
BENCHMARK(BM_Llama2_7b_Request128)->Unit(benchmark::kMillisecond);

// A llama-2-70b request through the pipeline (bind, build, compress, closed-form sum) for G
// generated tokens: the time must not grow with G.
void BM_Llama2_70b_Request(benchmark::State& state) {
    models::WorkloadSpec spec;
    spec.model = "llama-2-70b";
    static const auto builder = models::bindWorkload(spec).value();
    core::EvaluationInput input;
    input.settings.phase = core::Phase::request;
    input.settings.promptLength = 1024;
    input.settings.generateLength = state.range(0);
    input.devices = std::span<const core::Hardware>(&a100(), 1);
    for (auto _ : state) {
        auto evaluation = core::evaluate(*builder, input);
        benchmark::DoNotOptimize(evaluation.value().series.front().report->totals.timeSeconds);
    }
}
BENCHMARK(BM_Llama2_70b_Request)->Arg(128)->Arg(8192)->Arg(131072)->Unit(benchmark::kMicrosecond);

// A cold process: exec, load the hardware database and the preset, analyse, print JSON.
void BM_ColdProcessAnalyze(benchmark::State& state) {
    const char* argv[] = {
        ROOFLENS_CLI_PATH, "analyze", "--model",  "llama-2-70b", "--hw", "a100-80gb-sxm",
        "--format",        "json",    "--output", "/dev/null",   nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    for (auto _ : state) {
        pid_t pid = 0;
        if (posix_spawn(&pid, argv[0], &actions, nullptr, const_cast<char**>(argv), environ) != 0) {
            state.SkipWithError("cannot spawn rooflens");
            break;
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            state.SkipWithError("rooflens analyze failed");
            break;
        }
    }
    posix_spawn_file_actions_destroy(&actions);
}
BENCHMARK(BM_ColdProcessAnalyze)->Unit(benchmark::kMillisecond)->UseRealTime();

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
