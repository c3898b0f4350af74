// Multi-device deployments against hand calculations (docs/parallelism.md): the Llama-3-70B TP8
// all-reduces in prefill and decode, KV heads replicated beyond TP = h_kv, per-rank weights,
// the EP all-to-all, the pipeline bubble, a one-device plan reproducing the single-device numbers,
// requests in closed form over sharded passes, overlap, refused plans and bad system files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/evaluate.h"
#include "core/request.h"
#include "deployment_fixtures.h"
#include "hwdb/hwdb.h"
#include "hwdb/systems.h"
#include "models/workload_spec.h"

namespace rooflens {
namespace {

using testing::db;
using testing::model;
using testing::system;
using testing::tp;

struct Run {
    core::Report report;
    core::Workload workload;  // unused unless asked
};

core::Report evaluate(const std::string& id, const core::System& sys, core::Deployment d,
                      core::RunSettings settings) {
    const std::vector<core::Hardware> devices{sys.device};
    const std::vector<core::System> systems{sys};
    core::EvaluationInput in;
    in.settings = settings;
    in.devices = devices;
    in.systems = systems;
    in.deployment = d;
    auto e = core::evaluate(*model(id), in);
    EXPECT_TRUE(e.ok()) << e.error().message;
    const auto& series = e.value().series.front();
    EXPECT_FALSE(series.error.has_value()) << (series.error ? series.error->message : "");
    return *series.report;
}

core::RunSettings prefill(std::int64_t batch, std::int64_t prompt) {
    core::RunSettings s;
    s.phase = core::Phase::prefill;
    s.batch = batch;
    s.promptLength = prompt;
    return s;
}

core::RunSettings decode(std::int64_t batch, std::int64_t context) {
    core::RunSettings s;
    s.phase = core::Phase::decode;
    s.batch = batch;
    s.contextLength = context;
    return s;
}

std::vector<std::size_t> layersOf(const core::Report& r, core::LayerKind kind, bool blocks) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
        if (r.layers[i].kind == kind && (!blocks || r.layers[i].block >= 0)) {
            out.push_back(i);
        }
    }
    return out;
}

// Llama-3-70B (d 8192, 80 blocks, bf16), TP8 on an HGX H100 (NVLink 4, 450 GB/s per direction,
// 1 us per step): two all-reduces per block of tokens x d x 2 bytes.
TEST(Deployment, Llama3_70bTp8PrefillAllReduces) {
    const core::System hgx = system("hgx-h100-8x");
    const core::Report r = evaluate("llama-3-70b", hgx, tp(8), prefill(1, 4096));
    const auto ars = layersOf(r, core::LayerKind::allreduce, true);
    ASSERT_EQ(ars.size(), 160U);
    for (std::size_t i : ars) {
        const auto& c = r.collectives[static_cast<std::size_t>(r.layers[i].collective)];
        EXPECT_DOUBLE_EQ(c.bytes, 67'108'864.0);  // 4096 x 8192 x 2
        EXPECT_DOUBLE_EQ(c.ranks, 8);
    }
    // Ring: 2 (n - 1) / n of M over the link = 261.0 us, plus 2 (n - 1) = 14 steps of 1 us.
    const double bandwidthTerm = 67'108'864.0 * 2 * 7 / 8 / 450e9;
    EXPECT_NEAR(bandwidthTerm, 261.0e-6, 0.1e-6);
    EXPECT_NEAR(r.results[ars.front()].timeSeconds, bandwidthTerm + 14e-6, 1e-12);
    EXPECT_EQ(r.results[ars.front()].bound, core::Bound::network);
    // The embedding's vocabulary-split lookup adds one all-reduce outside the blocks.
    EXPECT_EQ(layersOf(r, core::LayerKind::allreduce, false).size(), 161U);
    // 160 x 275 us = 44 ms of the pass is communication.
    EXPECT_NEAR(r.totals.networkSeconds,
                161 * (bandwidthTerm + 14e-6) +
                    r.results[layersOf(r, core::LayerKind::allgather, false).front()].timeSeconds,
                1e-9);
}

TEST(Deployment, Llama3_70bTp8DecodeAllReducesAreLatencyBound) {
    const core::Report r = evaluate("llama-3-70b", system("hgx-h100-8x"), tp(8), decode(1, 4096));
    const auto ars = layersOf(r, core::LayerKind::allreduce, true);
    ASSERT_EQ(ars.size(), 160U);
    const auto& c = r.collectives[static_cast<std::size_t>(r.layers[ars.front()].collective)];
    EXPECT_DOUBLE_EQ(c.bytes, 16384.0);                        // one token: 8192 x 2 bytes
    const double bandwidthTerm = 16384.0 * 2 * 7 / 8 / 450e9;  // 0.064 us
    const double t = r.results[ars.front()].timeSeconds;
    EXPECT_NEAR(t, 14e-6 + bandwidthTerm, 1e-12);
    EXPECT_GT(14e-6 / t, 0.99);  // latency, not bandwidth
}

// Llama-3-70B has 8 KV heads: beyond TP 8 they are replicated and the KV cache per rank stops
// shrinking, while the weights keep dividing.
TEST(Deployment, TensorParallelBeyondKvHeadsReplicatesThem) {
    const core::System two = system("hgx-h100-2node-ib");
    const core::Report t4 = evaluate("llama-3-70b", two, tp(4), decode(8, 4096));
    const core::Report t8 = evaluate("llama-3-70b", two, tp(8), decode(8, 4096));
    const core::Report t16 = evaluate("llama-3-70b", two, tp(16), decode(8, 4096));
    // 8 sequences x 4096 tokens x 80 layers x 2 (K, V) x 128 x 2 bytes x KV heads per rank.
    const double perHead = 8.0 * 4096 * 80 * 2 * 128 * 2;
    EXPECT_DOUBLE_EQ(t4.totals.memory.kvCache, 2 * perHead);
    EXPECT_DOUBLE_EQ(t8.totals.memory.kvCache, 1 * perHead);
    EXPECT_DOUBLE_EQ(t16.totals.memory.kvCache, 1 * perHead);
    EXPECT_NEAR(t16.totals.memory.weights / t8.totals.memory.weights, 0.5, 0.01);
}

// Per-rank weights divide by TP x PP; only the replicated norms stay whole on every rank.
TEST(Deployment, PerRankWeightsDivideByTpAndPp) {
    const core::Report one =
        evaluate("llama-3-70b", system("hgx-h100-8x"), core::Deployment{}, decode(1, 1024));
    core::Deployment d = tp(2);
    d.pipelineParallel = 4;
    const core::Report split = evaluate("llama-3-70b", system("hgx-h100-8x"), d, decode(1, 1024));
    ASSERT_EQ(split.stages.size(), 4U);
    double sum = 0;
    std::int32_t next = 0;
    // Contiguous stages balanced by weight: 20, 21, 20 and 19 blocks, the last with the
    // 2.1 GB lm_head; no stage is more than one block (1.71 GB / 2 ranks) off the mean.
    const double block = 855'654'400.0 * 2 / 2;
    for (const auto& s : split.stages) {
        EXPECT_EQ(s.firstBlock, next);
        next = s.lastBlock + 1;
        sum += s.memory.weights;
    }
    EXPECT_EQ(next, 80);
    for (const auto& s : split.stages) {
        EXPECT_LT(std::fabs(s.memory.weights - sum / 4), block) << s.firstBlock;
    }
    // Norms (2 per block + the final one) of 8192 bf16 weights are on both TP ranks.
    const double replicated = (80 * 2 + 1) * 8192.0 * 2;
    EXPECT_NEAR(sum * 2, one.totals.memory.weights + replicated, 1.0);
}

// Mixtral-8x7B (8 experts, top-2, d 4096) with EP 2: attention data-parallel over the two ranks
// (one sequence each of a batch of 2), a dispatch and a combine all-to-all per MoE layer of
// tokens x top_k x d x 2 bytes, (EP - 1)/EP of it on the wire.
TEST(Deployment, ExpertParallelAllToAllCarriesTokensTimesTopK) {
    core::Deployment d;
    d.expertParallel = 2;
    const core::Report r = evaluate("mixtral-8x7b", system("hgx-h100-8x"), d, prefill(2, 512));
    const auto a2a = layersOf(r, core::LayerKind::alltoall, true);
    ASSERT_EQ(a2a.size(), 64U);  // 32 MoE layers x (dispatch + combine)
    const auto& c = r.collectives[static_cast<std::size_t>(r.layers[a2a.front()].collective)];
    const double bytes = 1.0 * 512 * 2 * 4096 * 2;  // this rank's 512 tokens x 2 experts
    EXPECT_DOUBLE_EQ(c.bytes, bytes);
    EXPECT_DOUBLE_EQ(c.ranks, 2);
    EXPECT_NEAR(r.results[a2a.front()].timeSeconds, 1e-6 + bytes * 0.5 / 450e9, 1e-12);
}

TEST(Deployment, PipelineBubbleOfMicroBatches) {
    // Equal stages: (m - 1) max + sum = (m + PP - 1) t, bubble (PP - 1) / (m + PP - 1).
    core::Report stages;
    for (int i = 0; i < 4; ++i) {
        core::StageResult s;
        s.seconds = 2e-3;
        stages.stages.push_back(s);
    }
    double bubble = 0;
    EXPECT_DOUBLE_EQ(core::pipelinedSeconds(stages, 8, bubble), (8 + 4 - 1) * 2e-3);
    EXPECT_DOUBLE_EQ(bubble, 3.0 / 11.0);
    // Llama-3-70B in 4 stages balanced by weight: close to (PP - 1)/(m + PP - 1); prefill
    // times of the stages differ by up to 10% (the last stage's lm_head weighs 1.2 blocks but
    // computes only the last position), which widens the bubble a little.
    core::Deployment d;
    d.pipelineParallel = 4;
    d.microBatches = 8;
    const core::Report r = evaluate("llama-3-70b", system("hgx-h100-8x"), d, prefill(8, 1024));
    EXPECT_NEAR(r.totals.pipelineBubble, 3.0 / 11.0, 0.03);
    EXPECT_GE(r.totals.pipelineBubble, 3.0 / 11.0);
}

// A plan of one device per replica reproduces the single-device numbers; DP replicas share the
// throughput per device.
TEST(Deployment, OneDevicePerReplicaReproducesTheSingleDevice) {
    const core::System hgx = system("hgx-h100-8x");
    const core::Report single = evaluate("llama-2-7b", hgx, core::Deployment{}, decode(4, 2048));
    core::Deployment d;
    d.dataParallel = 4;
    const core::Report replicas = evaluate("llama-2-7b", hgx, d, decode(4, 2048));
    EXPECT_DOUBLE_EQ(replicas.totals.timeSeconds, single.totals.timeSeconds);
    EXPECT_DOUBLE_EQ(replicas.totals.memory.total(), single.totals.memory.total());
    EXPECT_DOUBLE_EQ(replicas.totals.itemsPerSecondPerDevice, single.totals.itemsPerSecond);
    EXPECT_TRUE(layersOf(replicas, core::LayerKind::allreduce, false).empty());
}

// Requests over sharded passes sum in closed form exactly as step by step.
TEST(Deployment, RequestsOverShardedPassesMatchTheStepwiseOracle) {
    const core::System hgx = system("hgx-h100-8x");
    for (const char* id : {"llama-3-8b", "mixtral-8x7b", "mistral-7b"}) {
        for (bool overlap : {false, true}) {
            core::Deployment d = tp(2);
            d.pipelineParallel = 2;
            d.overlapCommunication = overlap;
            const auto builder = model(id);
            core::RunSettings s;
            s.phase = core::Phase::request;
            s.batch = 4;
            s.promptLength = 4000;
            s.generateLength = 200;  // crosses Mistral's 4096 window
            auto pass = [&](core::Phase phase,
                            std::int64_t context) -> core::Result<core::Workload> {
                core::RunSettings one = core::rankSettings(s, d);
                one.phase = phase;
                one.promptLength = one.contextLength = context;
                ROOFLENS_TRY(const core::Workload w, core::buildPass(*builder, one, std::nullopt));
                return core::shardWorkload(w, s, d, hgx);
            };
            auto closed = core::analyzeRequest(s, pass, hgx.device);
            auto step = core::analyzeRequestStepwise(s, pass, hgx.device);
            ASSERT_TRUE(closed.ok() && step.ok());
            const double a = closed->totals.timeSeconds;
            const double b = step->totals.timeSeconds;
            EXPECT_NEAR(a, b, 1e-9 * b) << id << (overlap ? " overlap" : "");
            EXPECT_NEAR(closed->totals.networkSeconds, step->totals.networkSeconds,
                        1e-9 * step->totals.networkSeconds);
        }
    }
}

TEST(Deployment, OverlapTakesTheLongerOfComputeAndCommunicationPerStage) {
    core::Deployment d = tp(8);
    const core::Report serial = evaluate("llama-3-70b", system("hgx-h100-8x"), d, prefill(1, 4096));
    d.overlapCommunication = true;
    const core::Report overlapped =
        evaluate("llama-3-70b", system("hgx-h100-8x"), d, prefill(1, 4096));
    ASSERT_EQ(overlapped.stages.size(), 1U);
    const auto& s = overlapped.stages.front();
    EXPECT_DOUBLE_EQ(s.seconds, std::max(s.computeSeconds, s.networkSeconds));
    EXPECT_NEAR(serial.totals.timeSeconds - overlapped.totals.timeSeconds,
                std::min(s.computeSeconds, s.networkSeconds), 1e-12);
}

struct BadPlan {
    const char* model;
    core::Deployment deployment;
    const char* fragment;
};

TEST(Deployment, PlansThatDoNotFitTheModelAreRefusedWithTheReason) {
    auto plan = [](int t, int p, int e, int dp) {
        core::Deployment d;
        d.tensorParallel = t;
        d.pipelineParallel = p;
        d.expertParallel = e;
        d.dataParallel = dp;
        return d;
    };
    const std::vector<BadPlan> cases{
        {"llama-3-70b", plan(3, 1, 1, 1), "does not divide the 64 attention heads"},
        {"llama-3-70b", plan(1, 81, 1, 1), "exceeds the 80 blocks"},
        {"llama-3-70b", plan(1, 1, 2, 1), "needs an MoE model"},
        {"mixtral-8x7b", plan(1, 1, 3, 1), "does not divide the 8 experts"},
        {"llama-3-70b", plan(8, 1, 1, 2), "needs 16 devices"},
        // Issue 18, 3: 64 x 80 x 65536 x 65536 devices overflowed the int product; a plan has at
        // most 2^28 devices, counted in 64 bits.
        {"llama-3-70b", plan(64, 80, 1, 65536),
         "the plan needs 21990232555520 devices (TP 64 x EP 1 x PP 80 x CP 65536 x DP 65536); at "
         "most 268435456 (2^28"},
    };
    const core::System hgx = system("hgx-h100-8x");
    const std::vector<core::Hardware> devices{hgx.device};
    const std::vector<core::System> systems{hgx};
    for (const BadPlan& c : cases) {
        core::EvaluationInput in;
        in.settings = decode(1, 128);
        in.devices = devices;
        in.systems = systems;
        in.deployment = c.deployment;
        if (in.deployment.dataParallel == 65536) {
            in.deployment.contextParallel = 65536;
        }
        auto e = core::evaluate(*model(c.model), in);
        ASSERT_TRUE(e.ok());
        const auto error = e->firstError();
        ASSERT_TRUE(error.has_value()) << c.fragment;
        EXPECT_EQ(error->kind, core::ErrorKind::usage);
        EXPECT_NE(error->message.find(c.fragment), std::string::npos) << error->message;
    }
}

struct BadSystem {
    const char* text;
    const char* fragment;
};

TEST(Deployment, BadSystemFilesGetLocatedErrors) {
    const std::vector<BadSystem> cases{
        {R"({"schema_version": 1, "id": "x", "name": "x", "device": "h100-sxm",
             "devices_per_node": 8, "nodes": 2,
             "scale_out": {"name": "ib", "kind": "infiniband",
                           "bandwidth_per_direction": {"value": -1, "unit": "GB/s"}}})",
         "/scale_out/bandwidth_per_direction/value"},
        {R"({"schema_version": 1, "id": "x", "name": "x", "device": "h100-sxm",
             "devices_per_node": 8, "nodes": 1,
             "scale_up": {"name": "q", "kind": "quantum",
                          "bandwidth_per_direction": {"value": 1, "unit": "GB/s"}}})",
         "/scale_up/kind"},
        {R"({"schema_version": 1, "id": "x", "name": "x", "device": "h100-sxm",
             "devices_per_node": 0, "nodes": 1})",
         "/devices_per_node"},
        {R"({"schema_version": 1, "id": "x", "name": "x", "device": "no-such-gpu",
             "devices_per_node": 8, "nodes": 1})",
         "/device"},
        {R"({"schema_version": 1, "id": "x", "name": "x", "device": "h100-sxm",
             "devices_per_node": 8, "nodes": 1, "scale_up_domain": 9})",
         "/scale_up_domain"},
        {R"({"schema_version": 1, "id": "x", "name": "x", "device": "h100-sxm",
             "devices_per_node": 8, "nodes": 1, "colour": "red"})",
         "/colour"},
    };
    for (const BadSystem& c : cases) {
        auto doc = core::parseJsonText(c.text, "bad-system.json");
        ASSERT_TRUE(doc.ok());
        auto s = hwdb::parseSystem(*doc, "bad-system.json", db());
        ASSERT_FALSE(s.ok()) << c.fragment;
        EXPECT_NE(s.error().message.find("bad-system.json: " + std::string(c.fragment)),
                  std::string::npos)
            << s.error().message;
    }
}

TEST(Deployment, EveryBuiltInSystemLoads) {
    const auto ids = hwdb::listSystems();
    EXPECT_GE(ids.size(), 9U);
    for (const auto& id : ids) {
        const core::System s = system(id);
        EXPECT_GE(s.devices(), 8) << id;
        EXPECT_TRUE(s.scaleUp.has_value()) << id;
    }
    EXPECT_EQ(system("gb200-nvl72").devices(), 72);
    EXPECT_EQ(system("gb200-nvl72").scaleUpDomain, 72);
    EXPECT_EQ(system("hgx-h100-2node-ib").devices(), 16);
    EXPECT_DOUBLE_EQ(system("hgx-h100-2node-ib").scaleOut->bytesPerSecond, 50e9);
}

}  // namespace
}  // namespace rooflens

namespace rooflens {
namespace {

// The tensor-parallel plan names every operation the builders emit, so nothing is replicated by
// accident when a family adds a layer.
TEST(Deployment, TheTensorParallelPlanNamesEveryOperation) {
    const core::System hgx = system("hgx-h100-8x");
    for (const auto& id : models::modelIds(core::ModelFamily::llm)) {
        const auto builder = model(id);
        for (core::Phase phase : {core::Phase::prefill, core::Phase::decode}) {
            for (bool flash : {false, true}) {
                core::RunSettings s =
                    phase == core::Phase::prefill ? prefill(1, 64) : decode(1, 64);
                s.flashAttention = flash;
                auto w = builder->build(s, {});
                ASSERT_TRUE(w.ok()) << id << ": " << w.error().message;
                for (const auto& l : w->layers) {
                    EXPECT_TRUE(core::hasShardRole(l.op)) << id << ": " << l.op;
                }
            }
        }
    }
}

}  // namespace
}  // namespace rooflens
