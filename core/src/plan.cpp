#include "core/plan.h"

#include <cmath>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <tuple>

#include "core/serving.h"
#include "parallel.h"

namespace rooflens::core {

namespace {

std::vector<int> divisorsOf(int n) {
    std::vector<int> out;
    for (int d = 1; d <= n; ++d) {
        if (n % d == 0) {
            out.push_back(d);
        }
    }
    return out;
}

// Merges runs of weight tensors that differ only in which expert they are (same op, block, type
// and shape): their bytes add, so every per-rank and per-stage sum stays exact, and an MoE
// inventory of 44,000 expert matrices (DeepSeek-V3) shrinks to a few hundred entries that every
// plan's sharding walks. Only for compressed passes: compression reads each tensor.
void compactInventory(Workload& w) {
    std::vector<WeightTensor>& in = w.weightTensors;
    std::size_t out = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (out > 0) {
            WeightTensor& last = in[out - 1];
            const WeightTensor& t = in[i];
            if (last.op == t.op && last.block == t.block && last.type == t.type && last.k == t.k &&
                last.n == t.n) {
                last.elements += t.elements;
                last.otherBytes += t.otherBytes;
                continue;
            }
        }
        in[out++] = in[i];
    }
    in.resize(out);
}

bool sameAttention(const AttentionShape& a, const AttentionShape& b) {
    return a.batch == b.batch && a.queryHeads == b.queryHeads && a.kvHeads == b.kvHeads &&
           a.headDim == b.headDim && a.queries == b.queries && a.keys == b.keys &&
           a.window == b.window && a.chunk == b.chunk && a.causal == b.causal &&
           a.kvBytesPerElement == b.kvBytesPerElement &&
           a.activationBytesPerElement == b.activationBytesPerElement && a.valueDim == b.valueDim &&
           a.sharedKv == b.sharedKv;
}

bool sameGather(const GatherShape& a, const GatherShape& b) {
    return a.tableRows == b.tableRows && a.gathers == b.gathers && a.rowBytes == b.rowBytes &&
           a.sectorBytes == b.sectorBytes;
}

// Two layers that differ at most in their block (and in which equal shape they point to).
bool sameLayer(const Layer& a, const Layer& b, const Workload& w) {
    const ByteBreakdown& x = a.bytes;
    const ByteBreakdown& y = b.bytes;
    if (a.op != b.op || a.kind != b.kind || a.unit != b.unit || a.computeType != b.computeType ||
        a.weightType != b.weightType || a.activationType != b.activationType ||
        a.kvType != b.kvType || a.structuredSparse != b.structuredSparse || a.ops != b.ops ||
        a.blockDensity != b.blockDensity || a.blockSize != b.blockSize || x.weights != y.weights ||
        x.activationsIn != y.activationsIn || x.activationsOut != y.activationsOut ||
        x.kvRead != y.kvRead || x.kvWrite != y.kvWrite || x.metadata != y.metadata || a.m != b.m ||
        a.k != b.k || a.n != b.n || a.weightElements != b.weightElements || a.collective >= 0 ||
        b.collective >= 0 || (a.attentionShape < 0) != (b.attentionShape < 0) ||
        (a.gatherShape < 0) != (b.gatherShape < 0)) {
        return false;
    }
    auto at = [](const auto& list, std::int32_t i) { return list[static_cast<std::size_t>(i)]; };
    return (a.attentionShape < 0 || sameAttention(at(w.attentionShapes, a.attentionShape),
                                                  at(w.attentionShapes, b.attentionShape))) &&
           (a.gatherShape < 0 ||
            sameGather(at(w.gatherShapes, a.gatherShape), at(w.gatherShapes, b.gatherShape)));
}

// Folds runs of consecutive identical blocks into layers with a repeat count, as a builder's
// collapsed pass has them, after the scenario made each block what it is (a per-block override
// keeps its block apart). The sharder splits a folded run at the pipeline cuts, and analyses sum
// repeat x per-instance costs, so totals are the unfolded ones (to rounding); a pass whose
// blocks are not contiguous and in order is left as it is.
void foldIdenticalBlocks(Workload& w) {
    std::vector<std::pair<std::size_t, std::size_t>> blocks;  // [begin, end) of each block
    std::size_t firstBlockLayer = w.layers.size();
    std::size_t endBlockLayer = 0;
    for (std::size_t i = 0; i < w.layers.size(); ++i) {
        const Layer& l = w.layers[i];
        if (l.block < 0) {
            continue;
        }
        if (l.repeat != 1 || (endBlockLayer > 0 && endBlockLayer != i)) {
            return;  // already folded, or blocks interleaved with other layers
        }
        if (blocks.empty() || w.layers[blocks.back().first].block != l.block) {
            if (!blocks.empty() && l.block != w.layers[blocks.back().first].block + 1) {
                return;
            }
            blocks.emplace_back(i, i);
        }
        blocks.back().second = i + 1;
        firstBlockLayer = std::min(firstBlockLayer, i);
        endBlockLayer = i + 1;
    }
    if (blocks.size() < 2) {
        return;
    }
    std::vector<Layer> out(w.layers.begin(),
                           w.layers.begin() + static_cast<std::ptrdiff_t>(firstBlockLayer));
    std::size_t run = 0;  // index into out of the current run's first layer
    std::pair<std::size_t, std::size_t> runBlock{0, 0};
    for (const auto& [begin, end] : blocks) {
        bool same =
            runBlock.second > runBlock.first && end - begin == runBlock.second - runBlock.first;
        for (std::size_t j = 0; same && j < end - begin; ++j) {
            same = sameLayer(w.layers[runBlock.first + j], w.layers[begin + j], w);
        }
        if (same) {
            for (std::size_t j = 0; j < end - begin; ++j) {
                ++out[run + j].repeat;
            }
            continue;
        }
        run = out.size();
        runBlock = {begin, end};
        out.insert(out.end(), w.layers.begin() + static_cast<std::ptrdiff_t>(begin),
                   w.layers.begin() + static_cast<std::ptrdiff_t>(end));
    }
    out.insert(out.end(), w.layers.begin() + static_cast<std::ptrdiff_t>(endBlockLayer),
               w.layers.end());
    w.layers = std::move(out);
}

// The search's passes, built, compressed and folded once: plans that share a rank's settings
// (the same ceil(B / EP) sequences) share the builds, and only sharding and pricing of a few
// dozen folded layers run per plan (DeepSeek-V3: 1,500 layers per pass unfolded). The scenario
// is applied here, so evaluations through it name no scenario of their own.
class CompressedPasses final : public WorkloadBuilder {
public:
    CompressedPasses(const WorkloadBuilder& inner, std::optional<Scenario> scenario)
        : m_inner(inner), m_scenario(std::move(scenario)) {}
    ModelFamily family() const override { return m_inner.family(); }
    const std::string& id() const override { return m_inner.id(); }
    bool hasDecode() const override { return m_inner.hasDecode(); }
    Result<Workload> build(const RunSettings& s, const PassOptions& options) const override {
        const Key key{static_cast<int>(s.phase), s.batch,          s.promptLength,
                      s.contextLength,           s.generateLength, s.flashAttention,
                      options.collapseBlocks};
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            if (auto it = m_passes.find(key); it != m_passes.end()) {
                return *it->second;
            }
        }
        ROOFLENS_TRY(Workload built, buildPass(m_inner, s, m_scenario, false));
        compactInventory(built);
        foldIdenticalBlocks(built);
        auto shared = std::make_shared<const Workload>(std::move(built));
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_passes.emplace(key, shared);
        return *shared;
    }

private:
    using Key = std::tuple<int, std::int64_t, std::int64_t, std::int64_t, std::int64_t, bool, bool>;
    const WorkloadBuilder& m_inner;
    std::optional<Scenario> m_scenario;
    mutable std::mutex m_mutex;
    mutable std::map<Key, std::shared_ptr<const Workload>> m_passes;
};

bool allowed(const std::vector<int>& degrees, int value) {
    return degrees.empty() || std::find(degrees.begin(), degrees.end(), value) != degrees.end();
}

// The largest TP a plan may take: the scale-up domain, or the whole system when asked.
int tensorLimit(const PlanSearchSpec& spec) {
    if (spec.tensorAcrossNodes) {
        return spec.system.devices();
    }
    return std::max(1, std::min(spec.system.scaleUpDomain, spec.system.devices()));
}

// Prices one candidate: a request per replica through the pipeline, on the system.
// A request per replica of `batch` sequences under `plan` on the search's system.
EvaluationInput requestInput(const PlanSearchSpec& spec, const Deployment& plan, std::int64_t batch,
                             const std::optional<Scenario>& scenario) {
    EvaluationInput in;
    in.settings = spec.settings;
    in.settings.phase = Phase::request;
    in.settings.batch = batch;
    in.devices = std::span<const Hardware>(&spec.system.device, 1);
    in.systems = std::span<const System>(&spec.system, 1);
    in.scenarios = {scenario};
    in.deployment = plan;
    in.options = spec.options;
    return in;
}

Result<PlanCandidate> price(const CompressedPasses& builder, const PlanSearchSpec& spec,
                            const Deployment& plan, std::int64_t batch) {
    // The pass cache applies the scenario.
    const EvaluationInput in = requestInput(spec, plan, batch, std::nullopt);
    ROOFLENS_TRY(const Evaluation evaluation, evaluate(builder, in));
    const Series& series = evaluation.at(0, 0);
    if (series.error) {
        return *series.error;
    }
    const Report& r = *series.report;
    const RequestMetrics& m = *r.totals.request;
    PlanCandidate c;
    c.deployment = plan;
    c.batch = batch;
    c.ttftSeconds = m.ttftSeconds;
    c.tpotSeconds = m.tpotSeconds.value_or(0);
    c.e2eSeconds = m.e2eSeconds;
    c.tokensPerSecond = m.tokensPerSecond * plan.dataParallel;
    c.tokensPerSecondPerDevice = r.totals.itemsPerSecondPerDevice;
    c.memoryPerDevice = r.totals.memory.total();
    c.capacityPerDevice = r.totals.capacityBytes;
    c.networkShare = r.totals.timeSeconds > 0 ? r.totals.networkSeconds / r.totals.timeSeconds : 0;
    c.fits = r.totals.fitsInMemory;
    const bool ttftOk = !spec.ttftTarget || c.ttftSeconds <= *spec.ttftTarget;
    const bool tpotOk = !spec.tpotTarget || c.tpotSeconds <= *spec.tpotTarget;
    c.meetsTargets = c.fits && ttftOk && tpotOk;
    return c;
}

// Serving objective: the plan's steady state at the best concurrency under the targets (or, when
// none meets them, at one request in flight, marked as missing them).
Result<PlanCandidate> priceServing(const CompressedPasses& builder, const PlanSearchSpec& spec,
                                   const Deployment& plan) {
    ServingInput in;
    in.builder = &builder;
    in.evaluation = requestInput(spec, plan, 1, std::nullopt);
    in.options.load.prompt.a = static_cast<double>(spec.settings.promptLength);
    in.options.load.output.a = static_cast<double>(spec.settings.generateLength);
    in.options.load.rate = 1;  // prices the grid of decode batches
    in.options.ttftTarget = spec.ttftTarget;
    in.options.tpotTarget = spec.tpotTarget;
    ROOFLENS_TRY(const ServingCosts costs, servingCosts(in));
    PlanCandidate c;
    c.deployment = plan;
    c.capacityPerDevice = costs.capacityBytesPerDevice;
    const double oneRequest =
        costs.weightBytesPerDevice + costs.activationBytes + costs.kvBytesPerSequence;
    if (costs.capacityBytesPerDevice > 0 && oneRequest > costs.capacityBytesPerDevice) {
        c.memoryPerDevice = oneRequest;  // does not fit: not priced further
        return c;
    }
    ROOFLENS_TRY(std::optional<ServingMetrics> best, bestUnderTargets(costs, in.options));
    c.meetsTargets = best.has_value();
    if (!best) {
        ServingOptions one = in.options;
        one.load.rate.reset();
        one.load.concurrency = 1;
        ROOFLENS_TRY(best, steadyState(costs, one));
    }
    const ServingMetrics& m = *best;
    c.fits = true;
    c.batch = static_cast<std::int64_t>(std::llround(m.concurrency));
    c.ttftSeconds = m.ttftSeconds;
    c.tpotSeconds = m.tpotSeconds;
    c.e2eSeconds = m.e2eSeconds;
    c.tokensPerSecond = m.outputTokensPerSecond;
    c.tokensPerSecondPerDevice = m.outputTokensPerSecondPerDevice;
    c.memoryPerDevice = m.memoryBytesPerDevice;
    c.binding = m.bindingTier;
    return c;
}

}  // namespace

std::vector<Deployment> enumeratePlans(const ModelFacts& model, const PlanSearchSpec& spec,
                                       std::size_t& refused, std::vector<std::string>& refusals) {
    const int devices = spec.system.devices();
    const int tpLimit = tensorLimit(spec);
    std::set<std::string> reasons;
    std::vector<Deployment> plans;
    for (int replica : divisorsOf(devices)) {
        for (int tp : divisorsOf(replica)) {
            for (int ep : divisorsOf(replica / tp)) {
                const int pp = replica / tp / ep;
                if (tp > tpLimit || (ep > 1 && model.experts <= 0) || !allowed(spec.tensor, tp) ||
                    !allowed(spec.expert, ep) || !allowed(spec.pipeline, pp)) {
                    continue;  // outside the search, not a refusal
                }
                Deployment d = spec.base;
                d.tensorParallel = tp;
                d.expertParallel = ep;
                d.pipelineParallel = pp;
                d.contextParallel = 1;
                d.dataParallel = devices / replica;
                if (!spec.useAllDevices) {
                    d.dataParallel = 1;
                }
                if (auto ok = checkDeployment(d, model, spec.system); !ok) {
                    ++refused;
                    reasons.insert(ok.error().message);
                    continue;
                }
                plans.push_back(d);
            }
        }
    }
    refusals.assign(reasons.begin(), reasons.end());
    return plans;
}

void rankCandidates(std::vector<PlanCandidate>& candidates, std::optional<std::size_t>& winner) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        candidates[i].pareto = false;
        if (candidates[i].fits) {
            order.push_back(i);
        }
    }
    // By TPOT, then by throughput (highest first): a candidate is on the front when it beats the
    // throughput of every faster one.
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const PlanCandidate& x = candidates[a];
        const PlanCandidate& y = candidates[b];
        if (x.tpotSeconds != y.tpotSeconds) {
            return x.tpotSeconds < y.tpotSeconds;
        }
        return x.tokensPerSecondPerDevice > y.tokensPerSecondPerDevice;
    });
    double best = -1;
    for (std::size_t i : order) {
        if (candidates[i].tokensPerSecondPerDevice > best) {
            candidates[i].pareto = true;
            best = candidates[i].tokensPerSecondPerDevice;
        }
    }
    winner.reset();
    for (std::size_t i : order) {
        const PlanCandidate& c = candidates[i];
        if (!c.meetsTargets) {
            continue;
        }
        if (!winner || c.tokensPerSecondPerDevice > candidates[*winner].tokensPerSecondPerDevice) {
            winner = i;  // `order` puts the lower TPOT first on equal throughput
        }
    }
}

Result<PlanSearchResult> searchPlans(const WorkloadBuilder& builder, const PlanSearchSpec& spec,
                                     unsigned threads, const ProgressCallback& progress,
                                     const CancelToken* cancel) {
    if (spec.batches.empty()) {
        return usageError("plan search: no batch to try");
    }
    if (spec.settings.promptLength < 1 || spec.settings.generateLength < 1) {
        return usageError(
            "plan search: the request needs a prompt and at least one generated "
            "token");
    }
    RunSettings probe = spec.settings;
    probe.phase = Phase::decode;
    probe.batch = 1;
    probe.contextLength = 1;
    ROOFLENS_TRY(const Workload facts, buildPass(builder, probe, spec.scenario, true));
    PlanSearchResult out;
    const std::vector<Deployment> plans =
        enumeratePlans(facts.model, spec, out.refused, out.refusals);
    out.plans = plans.size();
    const std::size_t perPlan = spec.serving ? 1 : spec.batches.size();
    const std::size_t total = plans.size() * perPlan;
    // Each candidate is a request priced through the pipeline (issue 18, 3): 100,000 batches of
    // 8 plans ran out of memory on the worker threads and aborted.
    constexpr std::size_t kMaxCandidates = 65536;
    if (total > kMaxCandidates) {
        return usageError("plan search: " + std::to_string(plans.size()) + " plans x " +
                          std::to_string(perPlan) + " batches = " + std::to_string(total) +
                          " candidates; at most 65536 (fewer --batch values)");
    }
    out.candidates.resize(total);
    const CompressedPasses passes(builder, spec.scenario);

    const auto started = std::chrono::steady_clock::now();
    auto report = [&](std::size_t finished) {
        if (progress && finished % 16 == 0 && finished < total) {
            reportWithEta(progress, "plans", static_cast<double>(finished) / total, started);
        }
    };
    auto work = [&](std::size_t i) -> Result<std::size_t> {
        const Deployment& plan = plans[i / perPlan];
        auto c = spec.serving ? priceServing(passes, spec, plan)
                              : price(passes, spec, plan, spec.batches[i % perPlan]);
        if (!c) {
            Error e = c.error();
            e.message = "plan " + planName(plan) + ": " + e.message;
            return e;
        }
        out.candidates[i] = std::move(c).value();
        return std::size_t{1};
    };
    ROOFLENS_CHECK(forEachParallel(total, threads, work, report, cancel));
    // The final report, whichever thread priced the last candidate: a callback that cancels
    // there cancels the search as surely as one that cancels on the way.
    if (progress) {
        progress(1.0, "plans", 0.0);  // nothing left
    }
    if (cancel != nullptr && cancel->cancelled()) {
        out.cancelled = true;
        out.candidates.clear();
        return out;
    }
    rankCandidates(out.candidates, out.winner);
    return out;
}

Result<Report> candidateReport(const WorkloadBuilder& builder, const PlanSearchSpec& spec,
                               const PlanCandidate& candidate) {
    const EvaluationInput in =
        requestInput(spec, candidate.deployment, candidate.batch, spec.scenario);
    ROOFLENS_TRY(Evaluation evaluation, evaluate(builder, in));
    Series& series = evaluation.series.front();
    if (series.error) {
        return *series.error;
    }
    return std::move(*series.report);
}

}  // namespace rooflens::core
