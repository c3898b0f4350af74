// The closed-form request sum (core/request.h) against the step-by-step oracle
// (core::analyzeRequestStepwise), on every LLM preset, every scenario preset, fused and unfused
// attention, batch 1 and 16, and prompt/generate lengths that cross the sliding windows (Mistral's
// 4096) and KIVI's 128-token full-precision window, on two devices: a GPU-like one and one with a
// ridge of 3 OP/B, where decode attention layers change bound inside a request.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/request.h"
#include "core/scenario.h"
#include "core/sweep.h"
#include "models/llm.h"
#include "models/presets.h"
#include "models/workload_spec.h"

namespace rooflens::models {
namespace {

core::Hardware gpuLike() {
    core::Hardware hw;
    hw.id = "gpu-like";
    hw.name = "GPU-like";
    hw.matrixDense.set(core::DataType::fp16, 312e12);
    hw.matrixDense.set(core::DataType::bf16, 312e12);
    hw.matrixDense.set(core::DataType::int8, 624e12);
    hw.matrixDense.set(core::DataType::int4, 1248e12);
    hw.matrixSparse.set(core::DataType::fp16, 624e12);
    hw.vector.set(core::DataType::fp32, 19.5e12);
    hw.vector.set(core::DataType::fp16, 78e12);
    hw.memory = {{"L2", 40e6, 0, false}, {"HBM", 80e9, 2.0e12, false}};
    hw.sramPerCoreBytes = 192 * 1024;
    return hw;
}

// Ridge 3 OP/B: unfused GQA decode attention (asymptotic intensity ~3.9) crosses it as the
// context grows, so the crossover split of the closed form is exercised.
core::Hardware lowRidge() {
    core::Hardware hw;
    hw.id = "low-ridge";
    hw.name = "Low ridge";
    hw.matrixDense.set(core::DataType::fp16, 6e12);
    hw.matrixDense.set(core::DataType::bf16, 6e12);
    hw.vector.set(core::DataType::fp32, 1e12);
    hw.memory = {{"SRAM", 8e6, 0, false}, {"DRAM", 1e12, 2e12, false}};
    hw.sramPerCoreBytes = 64 * 1024;
    return hw;
}

bool near(double a, double b) {
    return std::fabs(a - b) <= 1e-9 * std::max({std::fabs(a), std::fabs(b), 1e-300});
}

#define EXPECT_NEAR_REL(a, b, what) \
    EXPECT_TRUE(near((a), (b))) << what << ": closed " << (a) << " vs stepwise " << (b)

void expectSame(const core::Report& closed, const core::Report& step, const std::string& what) {
    const auto& c = closed.totals;
    const auto& s = step.totals;
    EXPECT_NEAR_REL(c.timeSeconds, s.timeSeconds, what + " time");
    EXPECT_NEAR_REL(c.ops, s.ops, what + " ops");
    EXPECT_NEAR_REL(c.macs, s.macs, what + " macs");
    EXPECT_NEAR_REL(c.bytes, s.bytes, what + " bytes");
    EXPECT_NEAR_REL(c.conversionOps, s.conversionOps, what + " conversion ops");
    EXPECT_NEAR_REL(c.memory.total(), s.memory.total(), what + " memory");
    EXPECT_EQ(c.fitsInMemory, s.fitsInMemory) << what;
    ASSERT_TRUE(c.request && s.request) << what;
    EXPECT_NEAR_REL(c.request->decodeSeconds, s.request->decodeSeconds, what + " decode");
    EXPECT_EQ(c.request->tpotSeconds.has_value(), s.request->tpotSeconds.has_value()) << what;
    EXPECT_EQ(closed.warnings, step.warnings) << what;
    ASSERT_EQ(closed.layers.size(), step.layers.size()) << what;
    for (std::size_t i = 0; i < closed.layers.size(); ++i) {
        const auto& a = closed.results[i];
        const auto& b = step.results[i];
        const std::string layer = what + " layer " + closed.layers[i].name();
        EXPECT_NEAR_REL(a.timeSeconds, b.timeSeconds, layer + " time");
        EXPECT_NEAR_REL(a.ops, b.ops, layer + " ops");
        EXPECT_NEAR_REL(a.bytes.total(), b.bytes.total(), layer + " bytes");
        EXPECT_NEAR_REL(a.bytes.kvRead, b.bytes.kvRead, layer + " kv read");
        EXPECT_NEAR_REL(a.computeSeconds, b.computeSeconds, layer + " compute");
        EXPECT_EQ(a.phase, b.phase) << layer;
        // The summed bound is a majority vote: it may differ only where the shares tie.
        if (a.bound != b.bound) {
            ADD_FAILURE() << layer << ": bound differs";
        }
    }
}

struct Case {
    std::int64_t batch;
    std::int64_t prompt;
    std::int64_t generate;
};

class ClosedForm : public ::testing::TestWithParam<std::string> {};

TEST_P(ClosedForm, EqualsStepwiseForEveryScenarioAndPhaseCombination) {
    auto config = resolveLlm(GetParam());
    ASSERT_TRUE(config.ok()) << config.error().message;
    std::vector<std::optional<core::Scenario>> scenarios{std::nullopt};
    for (const auto& name : core::listScenarioPresets()) {
        auto scenario = core::resolveScenario(name);
        ASSERT_TRUE(scenario.ok()) << scenario.error().message;
        scenarios.emplace_back(std::move(scenario).value());
    }
    const core::Hardware devices[] = {gpuLike(), lowRidge()};
    // Contexts 6..34 cross the bound change of GQA qk_matmul on the low-ridge device (t ~ 13).
    const Case cases[] = {{1, 7, 1}, {1, 1, 2}, {2, 5, 30}, {16, 100, 60}, {4, 4000, 130}};
    for (const auto& scenario : scenarios) {
        for (bool flash : {false, true}) {
            for (const Case& k : cases) {
                core::RunSettings settings;
                settings.phase = core::Phase::request;
                settings.batch = k.batch;
                settings.promptLength = k.prompt;
                settings.generateLength = k.generate;
                settings.flashAttention = flash;
                BuildOptions options;
                options.collapseBlocks = true;
                auto build = [&](core::Phase phase,
                                 std::int64_t context) -> core::Result<core::Workload> {
                    core::RunSettings s = settings;
                    s.phase = phase;
                    s.promptLength = context;
                    s.contextLength = context;
                    ROOFLENS_TRY(core::Workload w, buildLlm(*config, s, options));
                    if (!scenario) {
                        return w;
                    }
                    return core::applyScenario(*scenario, w);
                };
                for (const auto& hw : devices) {
                    const std::string what =
                        GetParam() + " " + (scenario ? scenario->name : "uncompressed") +
                        (flash ? " flash" : " unfused") + " B" + std::to_string(k.batch) + " S" +
                        std::to_string(k.prompt) + " G" + std::to_string(k.generate) + " on " +
                        hw.id;
                    auto closed = core::analyzeRequest(settings, build, hw);
                    auto step = core::analyzeRequestStepwise(settings, build, hw);
                    ASSERT_EQ(closed.ok(), step.ok()) << what;
                    if (!closed.ok()) {
                        EXPECT_EQ(closed.error().message, step.error().message) << what;
                        continue;
                    }
                    expectSame(closed.value(), step.value(), what);
                }
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(EveryPreset, ClosedForm, ::testing::ValuesIn(listPresets()),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (char& c : name) {
                                 if (!std::isalnum(static_cast<unsigned char>(c))) {
                                     c = '_';
                                 }
                             }
                             return name;
                         });

// Blocks kept apart (no collapsing): the per-block layers of a request match too.
TEST(ClosedFormFullBlocks, Llama2_7bWithKiviAcrossItsWindow) {
    auto config = resolveLlm("llama-2-7b");
    ASSERT_TRUE(config.ok());
    auto kivi = core::resolveScenario("kivi-kv2");
    ASSERT_TRUE(kivi.ok());
    core::RunSettings settings;
    settings.phase = core::Phase::request;
    settings.batch = 8;
    settings.promptLength = 64;
    settings.generateLength = 100;  // contexts 65..163 cross the 128-token window
    auto build = [&](core::Phase phase, std::int64_t context) -> core::Result<core::Workload> {
        core::RunSettings s = settings;
        s.phase = phase;
        s.promptLength = context;
        s.contextLength = context;
        ROOFLENS_TRY(core::Workload w, buildLlm(*config, s));
        return core::applyScenario(*kivi, w);
    };
    for (const auto& hw : {gpuLike(), lowRidge()}) {
        auto closed = core::analyzeRequest(settings, build, hw);
        auto step = core::analyzeRequestStepwise(settings, build, hw);
        ASSERT_TRUE(closed.ok() && step.ok());
        expectSame(closed.value(), step.value(), "llama-2-7b kivi on " + hw.id);
    }
}

// Mistral's 4096-token window splits the decode steps: [4001, 4096] and [4097, 4129].
TEST(ClosedFormIntervals, SplitAtSlidingWindowAndKiviWindow) {
    const std::vector<core::ContextBreak> breaks{{4096, false}, {128, false}};
    const auto intervals = core::contextIntervals(4001, 4129, breaks);
    ASSERT_EQ(intervals.size(), 2U);
    EXPECT_EQ(intervals[0].first, 4001);
    EXPECT_EQ(intervals[0].last, 4096);
    EXPECT_EQ(intervals[1].first, 4097);
    EXPECT_EQ(intervals[1].last, 4129);
    const std::vector<core::ContextBreak> chunked{{100, true}};
    const auto chunks = core::contextIntervals(50, 320, chunked);
    ASSERT_EQ(chunks.size(), 4U);  // 50..100, 101..200, 201..300, 301..320
    EXPECT_EQ(chunks[1].first, 101);
    EXPECT_EQ(chunks[3].last, 320);
}

}  // namespace
}  // namespace rooflens::models

namespace rooflens::models {
namespace {

// Decode sweeps price every context from the two passes at the ends of each stretch between
// context breaks; every point must equal a pass built and analysed at that context.
TEST(ClosedFormSweep, DecodePointsEqualPassesBuiltAtTheirContext) {
    auto kivi = core::resolveScenario("kivi-kv2");
    auto awq = core::resolveScenario("awq-w4a16-g128");
    ASSERT_TRUE(kivi.ok() && awq.ok());
    const std::vector<core::Hardware> devices{gpuLike(), lowRidge()};
    for (const char* id :
         {"mistral-7b", "llama-3-8b", "gpt-oss-20b", "jamba-v0.1", "gemma-3-27b"}) {
        WorkloadSpec spec;
        spec.model = id;
        auto builder = bindWorkload(spec);
        ASSERT_TRUE(builder.ok()) << builder.error().message;
        core::SweepSpec sweep;
        sweep.phase = core::Phase::decode;
        sweep.batches = {1, 8};
        sweep.contextLengths = {5, 13, 100, 127, 128, 129, 1000, 1024, 1025, 4096, 4100, 9000};
        sweep.devices = devices;
        sweep.scenarios = {std::nullopt, kivi.value(), awq.value()};
        auto result = core::runSweep(**builder, sweep, 1);
        ASSERT_TRUE(result.ok()) << result.error().message;
        for (const core::SweepPoint& p : result->points) {
            core::EvaluationInput in;
            in.settings.phase = core::Phase::decode;
            in.settings.batch = p.batch;
            in.settings.contextLength = p.contextLength;
            in.devices = std::span<const core::Hardware>(&devices[p.device], 1);
            in.scenarios = {sweep.scenarios[p.scenario]};
            auto e = core::evaluate(**builder, in);
            ASSERT_TRUE(e.ok());
            const core::Report& r = *e->series[0].report;
            const std::string what = std::string(id) + " " + core::scenarioName(in.scenarios[0]) +
                                     " B" + std::to_string(p.batch) + " t" +
                                     std::to_string(p.contextLength) + " on " +
                                     devices[p.device].id;
            EXPECT_NEAR_REL(p.timeSeconds, r.totals.timeSeconds, what + " time");
            EXPECT_NEAR_REL(p.kvCacheBytes, r.totals.memory.kvCache, what + " kv");
            EXPECT_NEAR_REL(p.totalMemoryBytes - p.weightBytes,
                            r.totals.memory.total() - r.totals.memory.weights, what + " memory");
            const bool compute = 2 * r.totals.computeBoundSeconds > r.totals.timeSeconds;
            EXPECT_EQ(p.bound == core::Bound::compute, compute) << what;
        }
    }
}

}  // namespace
}  // namespace rooflens::models
