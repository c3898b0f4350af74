// Sweeps over plans and the plan search (docs/parallelism.md "Plan search"): the plans
// enumerated against hand counts, every candidate equal to the pipeline's evaluation of its plan,
// the Pareto front and the winner under targets, and the `plan` and `hw systems` commands.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/compare.h"
#include "core/evaluate.h"
#include "core/plan.h"
#include "core/serving.h"
#include "core/sweep.h"
#include "deployment_fixtures.h"
#include "hwdb/hwdb.h"
#include "hwdb/systems.h"
#include "models/workload_spec.h"
#include "test_support/cli_process.h"

namespace rooflens {
namespace {

using testing::db;
using testing::model;
using testing::system;
using testing::tp;

core::Report evaluated(const core::WorkloadBuilder& b, const core::System& sys,
                       const core::Deployment& d, const core::RunSettings& settings) {
    const std::vector<core::Hardware> devices{sys.device};
    const std::vector<core::System> systems{sys};
    core::EvaluationInput in;
    in.settings = settings;
    in.devices = devices;
    in.systems = systems;
    in.deployment = d;
    auto e = core::evaluate(b, in);
    EXPECT_TRUE(e.ok()) << e.error().message;
    EXPECT_FALSE(e->series.front().error.has_value());
    return *e->series.front().report;
}

core::ModelFacts factsOf(const core::WorkloadBuilder& b) {
    core::RunSettings s;
    s.phase = core::Phase::decode;
    s.contextLength = 1;
    auto w = core::buildPass(b, s, std::nullopt, true);
    EXPECT_TRUE(w.ok());
    return w->model;
}

std::size_t planCount(const std::string& id, const std::string& sys) {
    core::PlanSearchSpec spec;
    spec.system = system(sys);
    std::size_t refused = 0;
    std::vector<std::string> why;
    return core::enumeratePlans(factsOf(*model(id)), spec, refused, why).size() + 1000 * refused;
}

// A sweep over plans: the single-device plan is the ordinary sweep's point, each multi-device
// point is evaluate() of that plan, the plan the outermost dimension of the points.
TEST(PlanSweep, PointsAreThePipelinesEvaluationOfEachPlan) {
    const auto b = model("llama-3-70b");
    const core::System hgx = system("hgx-h100-8x");
    core::SweepSpec spec;
    spec.phase = core::Phase::decode;
    spec.batches = {8};
    spec.contextLengths = {1024, 4096};
    spec.devices = {hgx.device};
    spec.systems = {hgx};
    spec.deployments = {tp(1), tp(2), tp(8)};
    auto sweep = core::runSweep(*b, spec, 2);
    ASSERT_TRUE(sweep.ok()) << sweep.error().message;
    ASSERT_EQ(sweep->points.size(), 6U);

    core::SweepSpec single = spec;
    single.deployments = {tp(1)};
    single.systems.clear();
    auto alone = core::runSweep(*b, single, 1);
    ASSERT_TRUE(alone.ok());
    for (std::size_t l = 0; l < 2; ++l) {
        EXPECT_EQ(sweep->points[l].deployment, 0U);
        EXPECT_DOUBLE_EQ(sweep->points[l].timeSeconds, alone->points[l].timeSeconds);
        EXPECT_DOUBLE_EQ(sweep->points[l].tokensPerSecondPerDevice,
                         alone->points[l].tokensPerSecond);
    }
    for (std::size_t plan = 1; plan < 3; ++plan) {
        for (std::size_t l = 0; l < 2; ++l) {
            const core::SweepPoint& p = sweep->points[plan * 2 + l];
            EXPECT_EQ(p.deployment, plan);
            core::RunSettings s;
            s.phase = core::Phase::decode;
            s.batch = 8;
            s.contextLength = spec.contextLengths[l];
            const core::Report r = evaluated(*b, hgx, spec.deployments[plan], s);
            EXPECT_EQ(p.contextLength, s.contextLength);
            EXPECT_DOUBLE_EQ(p.timeSeconds, r.totals.timeSeconds);
            EXPECT_DOUBLE_EQ(p.networkSeconds, r.totals.networkSeconds);
            EXPECT_GT(p.networkSeconds, 0);
            // Tokens per second of the 8 sequences over the plan's devices.
            EXPECT_DOUBLE_EQ(p.tokensPerSecondPerDevice,
                             8 / r.totals.timeSeconds / spec.deployments[plan].tensorParallel);
            EXPECT_DOUBLE_EQ(p.weightBytes, r.totals.memory.weights);
            EXPECT_DOUBLE_EQ(p.kvCacheBytes, r.totals.memory.kvCache);
        }
    }
    // Per-rank weights: TP8 holds about an eighth (norms replicated): 140 GB / 8 = 17.6 GB.
    EXPECT_NEAR(sweep->points[4].weightBytes / sweep->points[0].weightBytes, 1.0 / 8, 0.002);
    // KV per rank: 8 KV heads over 8 ranks, one head each.
    EXPECT_NEAR(sweep->points[5].kvCacheBytes, sweep->points[1].kvCacheBytes / 8, 1);
}

TEST(PlanSweep, ARefusedPlanNamesThePlan) {
    core::SweepSpec spec;
    spec.devices = {system("hgx-h100-8x").device};
    spec.deployments = {tp(1), tp(3)};
    auto sweep = core::runSweep(*model("llama-3-70b"), spec, 1);
    ASSERT_FALSE(sweep.ok());
    EXPECT_NE(sweep.error().message.find("plan TP3 EP1 PP1 DP1"), std::string::npos)
        << sweep.error().message;
    EXPECT_NE(sweep.error().message.find("does not divide the 64 attention heads"),
              std::string::npos);
}

// Hand counts: a replica is TP x EP x PP dividing the devices, DP fills the system.
//  - dense Llama-3-70B on 8 GPUs: TP x PP = r for r in {1, 2, 4, 8}: 1 + 2 + 3 + 4 = 10;
//  - Mixtral-8x7B (8 experts) on 8 GPUs: ordered triples with product r: 1 + 3 + 6 + 10 = 20;
//  - DeepSeek-V3 (128 heads, 256 experts, 61 blocks) on GB200 NVL72 (72 = 2^3 3^2): ordered
//    triples (tp, ep, pp) with tp ep pp | 72: the exponents of 2 with a + b + c <= 3 give
//    C(6, 3) = 20, those of 3 with d1 + d2 + d3 <= 2 give C(5, 3) = 10: 200 in all. TP and EP
//    must divide 128 heads and 256 experts (no factor 3): 20 x 3 = 60, less PP = 72 (more stages
//    than 61 blocks): 59 valid, 141 refused.
TEST(PlanSearch, EnumeratesEveryPlanThatDividesTheSystem) {
    EXPECT_EQ(planCount("llama-3-70b", "hgx-h100-8x"), 10U);
    EXPECT_EQ(planCount("mixtral-8x7b", "hgx-h100-8x"), 20U);
    EXPECT_EQ(planCount("deepseek-v3", "gb200-nvl72"), 59U + 1000 * 141U);
}

core::PlanCandidate candidate(double tpot, double perDevice, bool fits = true) {
    core::PlanCandidate c;
    c.tpotSeconds = tpot;
    c.tokensPerSecondPerDevice = perDevice;
    c.fits = fits;
    c.meetsTargets = fits && tpot <= 0.05;
    return c;
}

TEST(PlanSearch, ParetoFrontAndWinnerUnderTargets) {
    std::vector<core::PlanCandidate> c{
        candidate(0.020, 100),         // 0 front: the fastest
        candidate(0.030, 90),          // 1 dominated by 0
        candidate(0.040, 300),         // 2 front, best under the 50 ms target
        candidate(0.060, 500),         // 3 front, misses the target
        candidate(0.070, 900, false),  // 4 does not fit: never on the front
        candidate(0.040, 300),         // 5 ties 2: not on the front, not the winner
    };
    std::optional<std::size_t> winner;
    core::rankCandidates(c, winner);
    EXPECT_TRUE(c[0].pareto);
    EXPECT_FALSE(c[1].pareto);
    EXPECT_TRUE(c[2].pareto);
    EXPECT_TRUE(c[3].pareto);
    EXPECT_FALSE(c[4].pareto);
    EXPECT_FALSE(c[5].pareto);
    ASSERT_TRUE(winner.has_value());
    EXPECT_EQ(*winner, 2U);
}

// The search on a real model: every candidate is the pipeline's request at that plan and batch;
// the winner meets the target and nothing that meets it beats it.
TEST(PlanSearch, CandidatesAreRequestsThroughThePipeline) {
    const auto b = model("llama-3-70b");
    core::PlanSearchSpec spec;
    spec.system = system("hgx-h100-8x");
    spec.settings.promptLength = 1024;
    spec.settings.generateLength = 64;
    spec.batches = {1, 16};
    spec.tpotTarget = 0.030;
    auto r = core::searchPlans(*b, spec, 2);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->candidates.size(), 20U);
    EXPECT_EQ(r->refused, 0U);
    const core::PlanCandidate& tp8 = r->candidates[18];  // TP8 (r = 8, the last), batch 1
    ASSERT_EQ(core::planName(tp8.deployment), "TP8 EP1 PP1 DP1");
    core::RunSettings s = spec.settings;
    s.phase = core::Phase::request;
    s.batch = 1;
    const core::Report rep = evaluated(*b, spec.system, tp8.deployment, s);
    // Folded passes (identical blocks summed as repeat x one): equal to rounding.
    const double tpot = *rep.totals.request->tpotSeconds;
    EXPECT_NEAR(tp8.tpotSeconds, tpot, 1e-12 * tpot);
    EXPECT_NEAR(tp8.ttftSeconds, rep.totals.request->ttftSeconds, 1e-12);
    EXPECT_NEAR(tp8.tokensPerSecondPerDevice, rep.totals.itemsPerSecondPerDevice,
                1e-12 * tp8.tokensPerSecondPerDevice);
    // TP1 x DP8: the whole 141 GB of bf16 weights on one 80 GB GPU does not fit.
    EXPECT_EQ(core::planName(r->candidates[0].deployment), "TP1 EP1 PP1 DP8");
    EXPECT_FALSE(r->candidates[0].fits);
    EXPECT_DOUBLE_EQ(r->candidates[0].tokensPerSecond,
                     8 * r->candidates[0].tokensPerSecondPerDevice);
    ASSERT_TRUE(r->winner.has_value());
    const core::PlanCandidate& w = r->candidates[*r->winner];
    EXPECT_TRUE(w.fits);
    EXPECT_LE(w.tpotSeconds, 0.030);
    for (const auto& c : r->candidates) {
        if (c.fits && c.tpotSeconds <= 0.030) {
            EXPECT_LE(c.tokensPerSecondPerDevice, w.tokensPerSecondPerDevice);
        }
    }
    auto report = core::candidateReport(*b, spec, w);
    ASSERT_TRUE(report.ok());
    EXPECT_NEAR(*report->totals.request->tpotSeconds, w.tpotSeconds, 1e-12 * w.tpotSeconds);
}

// The search prices folded passes (identical blocks as one layer with a repeat count, the
// inventory of the full build): every candidate of every plan must equal the pipeline's
// evaluation of the unfolded model, pipeline cuts inside folded runs included (61 blocks over
// PP 2, 3, 4, ... do not split evenly).
void expectSearchEqualsPipeline(const std::string& id, const std::string& sys, std::int64_t batch) {
    const auto b = model(id);
    core::PlanSearchSpec spec;
    spec.system = system(sys);
    spec.settings.promptLength = 512;
    spec.settings.generateLength = 32;
    spec.batches = {batch};
    spec.scenario = b->checkpointScenario();
    auto r = core::searchPlans(*b, spec, 2);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_GT(r->candidates.size(), 5U);
    for (const core::PlanCandidate& c : r->candidates) {
        core::RunSettings s = spec.settings;
        s.phase = core::Phase::request;
        s.batch = batch;
        const std::vector<core::Hardware> devices{spec.system.device};
        const std::vector<core::System> systems{spec.system};
        core::EvaluationInput in;
        in.settings = s;
        in.devices = devices;
        in.systems = systems;
        in.scenarios = {spec.scenario};
        in.deployment = c.deployment;
        auto e = core::evaluate(*b, in);
        ASSERT_TRUE(e.ok());
        ASSERT_TRUE(e->series.front().report.has_value());
        const core::Report& rep = *e->series.front().report;
        const auto near = [](double a, double x) { return std::abs(a - x) <= 1e-9 * std::abs(x); };
        const std::string plan = core::planName(c.deployment);
        EXPECT_TRUE(near(c.ttftSeconds, rep.totals.request->ttftSeconds)) << plan;
        EXPECT_TRUE(near(c.tpotSeconds, *rep.totals.request->tpotSeconds)) << plan;
        EXPECT_TRUE(near(c.e2eSeconds, rep.totals.request->e2eSeconds)) << plan;
        EXPECT_TRUE(near(c.memoryPerDevice, rep.totals.memory.total())) << plan;
        EXPECT_TRUE(near(c.networkShare * rep.totals.timeSeconds, rep.totals.networkSeconds))
            << plan;
        EXPECT_EQ(c.fits, rep.totals.fitsInMemory) << plan;
    }
}

TEST(PlanSearch, FoldedPassesEqualThePipelineOnEveryPlan) {
    expectSearchEqualsPipeline("deepseek-v3", "gb200-nvl72", 8);  // MLA, dense + MoE blocks, FP8
    expectSearchEqualsPipeline("mixtral-8x7b", "hgx-h100-8x", 4);
    expectSearchEqualsPipeline("llama-3-70b", "hgx-h100-2node-ib", 16);  // PP up to 16, IB
}

// The serving objective: each plan's candidate is the serving model's best concurrency under the
// targets for that plan (core::bestUnderTargets on the unfolded model), the winner the best of
// those per GPU; a plan whose weights do not fit is marked, not priced.
TEST(PlanSearch, ServingObjectiveIsTheBestConcurrencyOfEachPlan) {
    const auto b = model("llama-3-70b");
    core::PlanSearchSpec spec;
    spec.system = system("hgx-h100-8x");
    spec.settings.promptLength = 1024;
    spec.settings.generateLength = 256;
    spec.serving = true;
    spec.ttftTarget = 0.5;
    spec.tpotTarget = 0.05;
    auto r = core::searchPlans(*b, spec, 2);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->candidates.size(), 10U);  // one per plan
    EXPECT_FALSE(r->candidates[0].fits);   // TP1: 141 GB of weights on an 80 GB GPU
    for (const core::PlanCandidate& c : r->candidates) {
        if (!c.fits) {
            continue;
        }
        core::ServingInput in;
        in.builder = b.get();
        in.evaluation.settings.phase = core::Phase::request;
        in.evaluation.settings.promptLength = 1024;
        in.evaluation.settings.generateLength = 256;
        in.evaluation.devices = std::span<const core::Hardware>(&spec.system.device, 1);
        in.evaluation.systems = std::span<const core::System>(&spec.system, 1);
        in.evaluation.deployment = c.deployment;
        in.options.load.prompt.a = 1024;
        in.options.load.output.a = 256;
        in.options.ttftTarget = 0.5;
        in.options.tpotTarget = 0.05;
        auto best = core::bestUnderTargets(in);
        ASSERT_TRUE(best.ok()) << best.error().message;
        ASSERT_TRUE(best->has_value()) << core::planName(c.deployment);
        const core::ServingMetrics& m = **best;
        EXPECT_TRUE(c.meetsTargets);
        EXPECT_EQ(c.batch, std::llround(m.concurrency)) << core::planName(c.deployment);
        EXPECT_NEAR(c.tokensPerSecondPerDevice, m.outputTokensPerSecondPerDevice,
                    1e-9 * m.outputTokensPerSecondPerDevice);
        EXPECT_NEAR(c.tpotSeconds, m.tpotSeconds, 1e-9 * m.tpotSeconds);
        EXPECT_LE(c.tpotSeconds, 0.05);
        EXPECT_LE(c.ttftSeconds, 0.5);
    }
    ASSERT_TRUE(r->winner.has_value());
    for (const auto& c : r->candidates) {
        EXPECT_LE(c.tokensPerSecondPerDevice, r->candidates[*r->winner].tokensPerSecondPerDevice);
    }
}

TEST(PlanNames, ParseAndRoundTrip) {
    core::Deployment d;
    d.tensorParallel = 4;
    d.pipelineParallel = 2;
    d.expertParallel = 8;
    d.dataParallel = 3;
    auto back = core::parsePlan(core::planName(d));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, d);
    auto loose = core::parsePlan(" tp8pp2 ");
    ASSERT_TRUE(loose.ok());
    EXPECT_EQ(loose->tensorParallel, 8);
    EXPECT_EQ(loose->pipelineParallel, 2);
    EXPECT_EQ(loose->expertParallel, 1);
    auto list = core::parsePlanList("TP8, TP4 PP2,, TP2 EP4");
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 3U);
    EXPECT_EQ((*list)[2].expertParallel, 4);
    for (const char* bad : {"TP", "TP0", "XP4", "TP8 PP", "TP999999", ""}) {
        auto r = core::parsePlan(bad);
        EXPECT_FALSE(r.ok()) << bad;
        if (!r.ok()) {
            EXPECT_NE(r.error().message.find("expected degrees like TP8"), std::string::npos);
        }
    }
}

// Plans as columns of a comparison: each (plan, scenario) equals the comparison of that plan
// alone; speed-ups are against the first plan's first scenario on the same device.
TEST(PlanCompare, PlansAreColumnsEqualToEachPlanAlone) {
    const auto b = model("llama-3-70b");
    const core::System hgx = system("hgx-h100-8x");
    const std::vector<core::Hardware> devices{hgx.device};
    const std::vector<core::System> systems{hgx};
    core::CompareInput in;
    in.settings.batch = 4;
    in.settings.promptLength = 1024;
    in.settings.generateLength = 64;
    in.settings.contextLength = 1088;
    in.devices = devices;
    in.systems = systems;
    in.scenarios = {std::nullopt, core::resolveScenario("fp8-w8a8").value()};
    in.plans = {tp(4), tp(8)};
    auto both = core::compareScenarios(*b, in);
    ASSERT_TRUE(both.ok()) << both.error().message;
    ASSERT_EQ(both->rows.size(), 4U);
    EXPECT_EQ(both->scenarioNames[3], "TP8 EP1 PP1 DP1 / fp8-w8a8");
    for (std::size_t p = 0; p < 2; ++p) {
        core::CompareInput one = in;
        one.plans.clear();
        one.deployment = in.plans[p];
        auto alone = core::compareScenarios(*b, one);
        ASSERT_TRUE(alone.ok());
        for (std::size_t s = 0; s < 2; ++s) {
            const core::CompareRow& row = both->rows[p * 2 + s];
            EXPECT_EQ(row.plan, p);
            EXPECT_DOUBLE_EQ(row.request.tpotSeconds.value(),
                             alone->rows[s].request.tpotSeconds.value());
            EXPECT_DOUBLE_EQ(row.prefillSeconds, alone->rows[s].prefillSeconds);
            EXPECT_DOUBLE_EQ(row.e2eSpeedup,
                             both->rows[0].request.e2eSeconds / row.request.e2eSeconds);
        }
    }
    // TP8 halves the weights per GPU: memory saved against TP4 about 1/2 (KV too: 8 heads).
    EXPECT_NEAR(both->rows[2].memorySaved, 0.5, 0.01);
}

TEST(PlanCli, JsonListsEveryCandidateAndTheWinner) {
    const auto r = testing::rooflens(
        "plan --model llama-3-70b --system hgx-h100-8x --batch 1,8 --gen-len 32 --tpot-ms 40 "
        "--format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["plans"], 10);
    ASSERT_EQ(doc["candidates"].size(), 20U);
    ASSERT_TRUE(doc["winner"].is_number());
    const auto& w = doc["candidates"][doc["winner"].get<std::size_t>()];
    EXPECT_TRUE(w["meets_targets"].get<bool>());
    EXPECT_LE(w["tpot_s"].get<double>(), 0.040);
    EXPECT_DOUBLE_EQ(doc["tpot_target_s"].get<double>(), 0.040);
}

TEST(PlanCli, TableMarksTheWinnerAndPrintsItsReport) {
    const auto r = testing::rooflens(
        "plan --model llama-3-70b --system hgx-h100-8x --batch 1,8 --gen-len 32 --report");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("10 plans x 2 batches = 20 candidates"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("best plan: TP"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("o_proj.allreduce"), std::string::npos);  // the per-rank report
}

TEST(PlanCli, BadInputNamesTheFlag) {
    struct Bad {
        const char* args;
        const char* fragment;
    };
    for (const Bad& bad :
         {Bad{"plan --model llama-3-70b --hw h100-sxm", "plan needs a system"},
          Bad{"plan --model llama-3-70b --system hgx-h100-8x --tpot-ms -5", "--tpot-ms"},
          Bad{"plan --model llama-3-70b --system hgx-h100-8x --batch 0", "--batch"},
          Bad{"plan --model llama-3-70b --system nvl1000", "nvl1000"},
          // Issue 18, 3: 100,000 batches per plan aborted with bad_alloc on a worker thread.
          Bad{"plan --model llama-3-70b --system hgx-h100-8x --batch 1:100000:+1",
              " x 100000 batches = "},
          Bad{"plan --model llama-3-70b --system hgx-h100-8x --batch 1:100000:+1",
              " candidates; at most 65536 (fewer --batch values)"}}) {
        const auto r = testing::rooflens(bad.args);
        EXPECT_NE(r.exitCode, 0) << bad.args;
        EXPECT_NE(r.err.find(bad.fragment), std::string::npos) << bad.args << '\n' << r.err;
    }
}

TEST(HwSystems, ListsTheBuiltInSystems) {
    const auto r = testing::rooflens("hw systems --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["systems"].size(), 9U);
    bool nvl72 = false;
    for (const auto& s : doc["systems"]) {
        if (s["id"] == "gb200-nvl72") {
            nvl72 = true;
            EXPECT_EQ(s["devices"], 72);  // 18 trays x 4 GPUs
            EXPECT_EQ(s["scale_up_domain"], 72);
        }
    }
    EXPECT_TRUE(nvl72);
    const auto table = testing::rooflens("hw systems");
    EXPECT_NE(table.out.find("hgx-h100-2node-ib"), std::string::npos);
}

TEST(CompareCli, PlanListsBecomeColumns) {
    const auto r = testing::rooflens(
        "compare --model llama-3-70b --system hgx-h100-8x --tp 4,8 --batch 4 --gen-len 32 "
        "--format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_NE(r.out.find("TP4 EP1 PP1 DP1 / uncompressed"), std::string::npos);
    EXPECT_NE(r.out.find("TP8 EP1 PP1 DP1 / uncompressed"), std::string::npos);
}

TEST(SweepCli, PlanListsAddThePlanColumns) {
    const auto r = testing::rooflens(
        "sweep --model llama-3-70b --system hgx-h100-8x --tp 2,8 --phase decode --batch 4 "
        "--format csv");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find(",plan,tokens_per_s_per_device,network_s\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(",TP2 EP1 PP1 DP1,"), std::string::npos);
    EXPECT_NE(r.out.find(",TP8 EP1 PP1 DP1,"), std::string::npos);
}

}  // namespace
}  // namespace rooflens
