// Invariants over random valid inputs (issue 18 item 2): seeded random Llama-style decoders
// (dense and MoE) and ViTs, settings, scenarios and two devices (one with the default
// efficiency model), through the evaluation pipeline. Every reported number is finite and
// non-negative; totals are the sums of the layers times their repeats; doubling the batch never
// lowers OPs or bytes; fewer weight bits never raise weight bytes; the expected time is never
// below the roofline; TP = 1 equals the single-device result; a request equals its prefill
// plus each of its decode steps. A failure prints the seed and the case.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/evaluate.h"
#include "core/scenario.h"
#include "models/workload_spec.h"

namespace rooflens::models {
namespace {

core::Hardware gpu(bool efficiency) {
    core::Hardware hw;
    hw.id = efficiency ? "gpu-eff" : "gpu";
    hw.name = hw.id;
    hw.kind = core::DeviceKind::gpu;
    hw.matrixDense.set(core::DataType::fp16, 400e12);
    hw.matrixDense.set(core::DataType::bf16, 400e12);
    hw.matrixDense.set(core::DataType::int8, 800e12);
    hw.matrixDense.set(core::DataType::int4, 1600e12);
    hw.vector.set(core::DataType::fp32, 30e12);
    hw.vector.set(core::DataType::fp16, 60e12);
    hw.memory = {{"L2", 50e6, 0, false}, {"HBM", 96e9, 3.0e12, false}};
    hw.sramPerCoreBytes = 200 * 1024;
    if (efficiency) {
        hw.efficiency = core::defaultEfficiency(core::DeviceKind::gpu);
    }
    return hw;
}

struct Case {
    std::uint64_t seed = 0;
    std::string family;
    nlohmann::json config;
    std::int64_t batch = 1;
    std::int64_t prompt = 1;
    std::int64_t gen = 2;
    bool flash = false;
    std::string describe() const {
        std::ostringstream out;
        out << "seed " << seed << ", " << family << ", batch " << batch << ", prompt " << prompt
            << ", gen " << gen << (flash ? ", flash" : "") << ", config " << config.dump();
        return out.str();
    }
};

Case randomCase(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    auto pick = [&](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };
    Case c;
    c.seed = seed;
    c.batch = pick(1, 8);
    c.prompt = pick(1, 600);
    c.gen = pick(2, 6);
    c.flash = pick(0, 1) == 1;
    if (pick(0, 3) == 0) {
        c.family = "vit";
        const std::int64_t heads = pick(1, 8);
        const std::int64_t dim = heads * 16 * pick(1, 6);
        c.config = {{"schema_version", 1},
                    {"model_type", "vit"},
                    {"image_size", 32 * pick(2, 8)},
                    {"patch_size", 16},
                    {"in_channels", 3},
                    {"embed_dim", dim},
                    {"depth", pick(1, 6)},
                    {"num_heads", heads},
                    {"mlp_ratio", 4},
                    {"num_classes", pick(2, 1000)}};
        return c;
    }
    c.family = "llm";
    const std::int64_t kv = pick(1, 4);
    const std::int64_t heads = kv * pick(1, 4);
    const std::int64_t headDim = 16 * pick(1, 8);
    c.config = {{"model_type", "llama"},
                {"hidden_size", heads * headDim},
                {"intermediate_size", 32 * pick(1, 64)},
                {"num_hidden_layers", pick(1, 6)},
                {"num_attention_heads", heads},
                {"num_key_value_heads", kv},
                {"vocab_size", pick(100, 50000)},
                {"max_position_embeddings", 4096},
                {"torch_dtype", pick(0, 1) ? "bfloat16" : "float16"}};
    if (pick(0, 2) == 0) {
        c.config["model_type"] = "mixtral";
        c.config["num_local_experts"] = pick(2, 8);
        c.config["num_experts_per_tok"] = std::min<std::int64_t>(2, c.config["num_local_experts"]);
    }
    return c;
}

std::shared_ptr<const core::WorkloadBuilder> bindCase(const Case& c) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("rooflens-invariant-" + std::to_string(c.seed) + ".json");
    std::ofstream(path) << c.config.dump();
    WorkloadSpec spec;
    spec.family = c.family == "vit" ? core::ModelFamily::vit : core::ModelFamily::llm;
    spec.model = path.string();
    auto builder = bindWorkload(spec);
    std::filesystem::remove(path);
    EXPECT_TRUE(builder) << c.describe() << ": " << builder.error().message;
    return builder ? builder.value() : nullptr;
}

core::Report evaluateOne(const core::WorkloadBuilder& builder, core::RunSettings settings,
                         const core::Hardware& hw, const std::optional<core::Scenario>& scenario,
                         const core::Deployment& deployment = {}) {
    core::EvaluationInput in;
    in.settings = settings;
    in.devices = std::span<const core::Hardware>(&hw, 1);
    in.scenarios = {scenario};
    in.deployment = deployment;
    auto e = core::evaluate(builder, in);
    EXPECT_TRUE(e) << e.error().message;
    EXPECT_TRUE(e->series[0].report) << (e->series[0].error ? e->series[0].error->message : "");
    return *e->series[0].report;
}

bool finiteNonNegative(double v) {
    return std::isfinite(v) && v >= 0;
}

bool near(double a, double b) {
    return std::fabs(a - b) <= 1e-9 * std::max({std::fabs(a), std::fabs(b), 1e-30});
}

double weightBytes(const core::Report& r) {
    double sum = 0;
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
        sum += r.results[i].bytes.weights * r.layers[i].repeat;
    }
    return sum;
}

// Finite, non-negative, sums, expected >= roofline.
void checkReport(const core::Report& r, const std::string& what) {
    double time = 0;
    double expected = 0;
    double ops = 0;
    double bytes = 0;
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
        const core::LayerResult& x = r.results[i];
        const double n = r.layers[i].repeat;
        for (double v : {x.ops, x.bytes.total(), x.timeSeconds, x.expectedSeconds, x.computeSeconds,
                         x.memorySeconds, x.intensity}) {
            ASSERT_TRUE(finiteNonNegative(v)) << what << ": " << r.layers[i].name() << " " << v;
        }
        ASSERT_GE(x.expectedSeconds, x.timeSeconds * (1 - 1e-12)) << what << r.layers[i].name();
        time += x.timeSeconds * n;
        expected += x.expectedSeconds * n;
        ops += x.ops * n;
        bytes += x.bytes.total() * n;
    }
    EXPECT_TRUE(near(r.totals.timeSeconds, time))
        << what << ": " << r.totals.timeSeconds << " vs " << time;
    EXPECT_TRUE(near(r.totals.ops, ops)) << what;
    EXPECT_TRUE(near(r.totals.bytes, bytes)) << what;
    EXPECT_GE(expected, r.totals.timeSeconds * (1 - 1e-12)) << what;
    EXPECT_TRUE(finiteNonNegative(r.totals.memory.total())) << what;
}

TEST(Invariants, RandomModelsSettingsScenariosAndDevices) {
    const core::Hardware devices[] = {gpu(false), gpu(true)};
    const std::optional<core::Scenario> scenarios[] = {
        std::nullopt, core::scenarioFromBits(8, 8, 8), core::scenarioFromBits(4, 16, 16),
        core::resolveScenario("awq-w4a16-g128").value()};
    constexpr std::uint64_t kCases = 1500;
    for (std::uint64_t seed = 1; seed <= kCases; ++seed) {
        const Case c = randomCase(seed);
        const auto builder = bindCase(c);
        ASSERT_TRUE(builder) << c.describe();
        const core::Hardware& hw = devices[seed % 2];
        const auto& scenario = scenarios[seed % 4];
        core::RunSettings s;
        s.batch = c.batch;
        s.promptLength = c.prompt;
        s.contextLength = c.prompt;
        s.generateLength = c.gen;
        s.flashAttention = c.flash;
        const bool llm = c.family == "llm";
        for (core::Phase phase : {core::Phase::prefill, core::Phase::decode}) {
            if (!llm && phase == core::Phase::decode) {
                continue;
            }
            s.phase = phase;
            const std::string what = c.describe() + ", " + std::string(core::nameOf(phase)) + ", " +
                                     core::scenarioName(scenario) + " on " + hw.id;
            const core::Report r = evaluateOne(*builder, s, hw, scenario);
            checkReport(r, what);
            // Doubling the batch never lowers OPs or bytes.
            core::RunSettings twice = s;
            twice.batch *= 2;
            const core::Report r2 = evaluateOne(*builder, twice, hw, scenario);
            EXPECT_GE(r2.totals.ops, r.totals.ops * (1 - 1e-12)) << what;
            EXPECT_GE(r2.totals.bytes, r.totals.bytes * (1 - 1e-12)) << what;
            // Fewer weight bits never raise weight bytes.
            double previous = HUGE_VAL;
            for (int bits : {16, 8, 4, 3}) {
                const double w =
                    weightBytes(evaluateOne(*builder, s, hw, core::scenarioFromBits(bits, 16, 16)));
                EXPECT_LE(w, previous * (1 + 1e-12)) << what << ", " << bits << " bits";
                previous = w;
            }
            // TP = 1 (an explicit one-device plan) is the single-device result.
            if (llm) {
                core::Deployment one;
                one.tensorParallel = 1;
                const core::Report tp1 = evaluateOne(*builder, s, hw, scenario, one);
                EXPECT_TRUE(near(tp1.totals.timeSeconds, r.totals.timeSeconds)) << what;
            }
        }
        if (!llm) {
            continue;
        }
        // A request equals its prefill plus decode steps 1..G-1 at S + j keys.
        s.phase = core::Phase::request;
        const core::Report request = evaluateOne(*builder, s, hw, scenario);
        checkReport(request, c.describe() + ", request");
        core::RunSettings p = s;
        p.phase = core::Phase::prefill;
        double sum = evaluateOne(*builder, p, hw, scenario).totals.timeSeconds;
        for (std::int64_t j = 1; j < c.gen; ++j) {
            core::RunSettings d = s;
            d.phase = core::Phase::decode;
            d.contextLength = c.prompt + j;
            sum += evaluateOne(*builder, d, hw, scenario).totals.timeSeconds;
        }
        EXPECT_NEAR(request.totals.timeSeconds, sum, 1e-9 * sum) << c.describe();
    }
}

}  // namespace
}  // namespace rooflens::models

namespace rooflens::models {
namespace {

// EvaluationInput::threads (the GUI's parallel scenarios) changes nothing but the time it
// takes: every series of 4 scenarios on 2 devices, every layer's times, bit for bit, and the
// request phase (its decode-step sums) too.
TEST(Invariants, ScenariosOnSeveralThreadsGiveTheSameReports) {
    WorkloadSpec spec;
    spec.family = core::ModelFamily::llm;
    spec.model = "llama-2-7b";
    auto builder = bindWorkload(spec);
    ASSERT_TRUE(builder) << builder.error().message;
    const core::Hardware devices[] = {gpu(false), gpu(true)};
    for (core::Phase phase : {core::Phase::prefill, core::Phase::decode, core::Phase::request}) {
        core::EvaluationInput in;
        in.settings.phase = phase;
        in.settings.batch = 8;
        in.settings.promptLength = 256;
        in.settings.contextLength = 256;
        in.settings.generateLength = 16;
        in.devices = devices;
        in.scenarios = {std::nullopt, core::scenarioFromBits(8, 8, 8),
                        core::scenarioFromBits(4, 16, 16),
                        core::resolveScenario("awq-w4a16-g128").value()};
        auto serial = core::evaluate(*builder.value(), in);
        in.threads = 3;
        auto parallel = core::evaluate(*builder.value(), in);
        ASSERT_TRUE(serial && parallel);
        ASSERT_EQ(serial->series.size(), 8U);
        ASSERT_EQ(parallel->series.size(), 8U);
        for (std::size_t i = 0; i < serial->series.size(); ++i) {
            const auto& a = serial->series[i].report;
            const auto& b = parallel->series[i].report;
            ASSERT_TRUE(a && b) << i;
            EXPECT_EQ(a->totals.timeSeconds, b->totals.timeSeconds) << i;
            EXPECT_EQ(a->totals.expectedSeconds, b->totals.expectedSeconds) << i;
            EXPECT_EQ(a->totals.bytes, b->totals.bytes) << i;
            ASSERT_EQ(a->results.size(), b->results.size()) << i;
            for (std::size_t l = 0; l < a->results.size(); ++l) {
                EXPECT_EQ(a->results[l].timeSeconds, b->results[l].timeSeconds) << i << " " << l;
            }
        }
    }
}

}  // namespace
}  // namespace rooflens::models
