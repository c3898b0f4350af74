// The engine's step costs for the serving model (core/serving.h): prefills and request decode
// trajectories priced by core::evaluate, split per layer so that chunks, a shared prefix and
// memory tiers can reprice them.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/serving.h"

namespace rooflens::core {

namespace {

Result<Report> evaluateOne(const WorkloadBuilder& builder, const EvaluationInput& base,
                           const RunSettings& settings) {
    EvaluationInput in = base;
    in.settings = settings;
    in.devices = base.devices.subspan(0, 1);
    in.scenarios = {base.scenarios.front()};
    if (!base.systems.empty()) {
        in.systems = base.systems.subspan(0, 1);
    }
    ROOFLENS_TRY(Evaluation e, evaluate(builder, in));
    Series& s = e.series.front();
    if (s.error) {
        return *s.error;
    }
    return std::move(*s.report);
}

// The layers of one phase of a report, each divided by `steps` (a request's decode layers are
// summed over its steps).
StepProfile profileOf(const Report& r, Phase phase, double steps) {
    StepProfile p;
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
        const LayerResult& x = r.results[i];
        if (x.phase != phase) {
            continue;
        }
        const ByteBreakdown& b = x.bytes;
        const double total = b.total();
        auto share = [&](double bytes) { return total > 0 ? x.memorySeconds * bytes / total : 0; };
        StepLayer l;
        l.compute = x.computeSeconds / steps;
        l.weights = share(b.weights + b.metadata) / steps;
        l.kv = share(b.kvRead + b.kvWrite) / steps;
        l.other = share(b.activationsIn + b.activationsOut) / steps;
        l.network = x.networkSeconds / steps;
        l.time = x.timeSeconds / steps;
        l.repeat = r.layers[i].repeat;
        l.expert = r.layers[i].kind == LayerKind::gemm && hasShardRole(r.layers[i].op) &&
                   shardRoleOf(r.layers[i].op) == ShardRole::experts;
        p.layers.push_back(l);
        p.seconds += l.time * l.repeat;
    }
    return p;
}

// How a step is repriced: a prefill share riding along (weights already read), the share of
// the KV reads that remain (a shared prefix read once), and the tiers.
struct Reprice {
    const StepProfile* extra = nullptr;  // prefill profile
    double extraShare = 0;
    double kvShare = 1;
    const Offload* offload = nullptr;
    double hbmBytesPerSecond = 0;
    double hostBytesPerSecond = 0;
};

struct LayerTime {
    double seconds = 0;
    int binding = 0;  // 0 compute, 1 hbm, 2 host, 3 nvme, 4 network
};

LayerTime layerTime(const StepLayer& l, const StepLayer* x, const Reprice& r) {
    double compute = l.compute;
    double weights = l.weights;
    double kv = l.kv * r.kvShare;
    double other = l.other;
    double network = l.network;
    if (x != nullptr) {
        compute += r.extraShare * x->compute;
        kv += r.extraShare * x->kv;
        other += r.extraShare * x->other;
        network += r.extraShare * x->network;
    }
    double host = 0;
    double nvme = 0;
    double csd = 0;
    if (r.offload != nullptr) {
        const Offload& o = *r.offload;
        const double toBytes = r.hbmBytesPerSecond;
        auto move = [&](double& seconds, Tier tier, double share) {
            const double bytes = seconds * share * toBytes;
            seconds *= 1 - share;
            (tier == Tier::host ? host : nvme) += bytes;
        };
        const Tier wt = l.expert ? o.experts : o.weights;
        if (wt != Tier::hbm) {
            move(weights, wt, l.expert ? 1 - o.expertHitRate : 1);
        }
        if (o.kv != Tier::hbm) {
            if (o.storageAttentionBytesPerSecond > 0) {
                csd = kv * toBytes / o.storageAttentionBytesPerSecond;
                kv = 0;
            } else {
                move(kv, o.kv, 1);
            }
        }
    }
    const double hbm = weights + kv + other;
    const double hostSeconds = r.hostBytesPerSecond > 0 ? host / r.hostBytesPerSecond : 0;
    const double nvmeSeconds =
        r.offload != nullptr && nvme > 0 ? nvme / r.offload->nvmeBytesPerSecond : 0;
    const double link = hostSeconds + nvmeSeconds + csd;  // host and NVMe share the PCIe port
    const bool overlap = r.offload == nullptr || r.offload->overlap;
    LayerTime t;
    const double core = std::max(compute, hbm);
    t.seconds = (overlap ? std::max(core, link) : core + link) + network;
    const double top = std::max({compute, hbm, link, network});
    t.binding = top == network && network > 0 ? 4
                : top == link && link > 0     ? (hostSeconds >= nvmeSeconds + csd ? 2 : 3)
                : top == hbm                  ? 1
                                              : 0;
    // The engine's own time where nothing changed (its max over summed steps is exact).
    if (x == nullptr && r.kvShare == 1 && link == 0) {
        t.seconds = l.time;
    }
    return t;
}

// A step's seconds after repricing; `binding` gets the time share each resource binds.
double reprice(const StepProfile& step, const Reprice& r, double* binding = nullptr) {
    const bool aligned = r.extra == nullptr || r.extra->layers.size() == step.layers.size();
    double seconds = 0;
    for (std::size_t i = 0; i < step.layers.size(); ++i) {
        const StepLayer* x = r.extra != nullptr && aligned ? &r.extra->layers[i] : nullptr;
        const LayerTime t = layerTime(step.layers[i], x, r);
        seconds += t.seconds * step.layers[i].repeat;
        if (binding != nullptr) {
            binding[t.binding] += t.seconds * step.layers[i].repeat;
        }
    }
    if (r.extra != nullptr && !aligned) {  // layer lists differ: the share adds whole
        seconds += r.extraShare * r.extra->seconds;
    }
    return seconds;
}

// The request the decode steps are priced at: the mean prompt, and the output length whose
// decode contexts have the renewal-weighted mean context E[P] + E[G(G-1)] / (2 E[G-1]).
RunSettings decodeRequest(const ServingLoad& load, bool flash) {
    RunSettings s;
    s.phase = Phase::request;
    s.flashAttention = flash;
    s.promptLength = std::max<std::int64_t>(1, std::llround(load.prompt.mean()));
    const double g1 = load.output.mean() - 1;
    const double gg = load.output.meanOf([](double g) { return g * (g - 1); });
    s.generateLength = g1 > 0 ? std::max<std::int64_t>(2, std::llround(gg / g1)) : 1;
    return s;
}

std::vector<double> batchGrid(const ServingInput& in, double cap) {
    std::vector<double> grid{1};
    const ServingLoad& load = in.options.load;
    if (load.concurrency) {
        const double c = std::min(*load.concurrency, cap);
        for (double b : {std::floor(c), std::ceil(c)}) {
            if (b > grid.back()) {
                grid.push_back(b);
            }
        }
        return grid;
    }
    const double top = std::min(cap, 4096.0);
    const double growth = std::pow(top, 1.0 / std::max(1, in.batchGridPoints - 1));
    for (double b = 1; b < top;) {
        b = std::min(top, std::max(b + 1, std::round(b * growth)));
        grid.push_back(b);
    }
    return grid;
}

struct Base {
    Report request;  // batch 1
    StepProfile prefill;
    RunSettings settings;
    double kvPerToken = 0;  // per device
    double steps = 1;
};

Result<Base> baseRequest(const ServingInput& in) {
    Base b;
    b.settings = decodeRequest(in.options.load, in.evaluation.settings.flashAttention);
    ROOFLENS_TRY(b.request, evaluateOne(*in.builder, in.evaluation, b.settings));
    b.steps = static_cast<double>(std::max<std::int64_t>(1, b.settings.generateLength - 1));
    b.prefill = profileOf(b.request, Phase::prefill, 1);
    const auto last = static_cast<double>(b.settings.promptLength + b.settings.generateLength - 1);
    // Per device and per sequence. Under expert parallelism attention runs data-parallel over
    // the EP ranks (ceil(B / EP) sequences each: one at batch 1), so a sequence costs each
    // device 1/EP of its KV on average.
    b.kvPerToken = b.request.totals.memory.kvCache / last /
                   static_cast<double>(in.evaluation.deployment.expertParallel);
    return b;
}

Result<double> meanPrefill(const ServingInput& in, const LengthDistribution& prompt) {
    double sum = 0;
    for (const auto& [length, p] : prompt.bins(8)) {
        RunSettings s;
        s.phase = Phase::prefill;
        s.flashAttention = in.evaluation.settings.flashAttention;
        s.promptLength = std::max<std::int64_t>(1, std::llround(length));
        ROOFLENS_TRY(const Report r, evaluateOne(*in.builder, in.evaluation, s));
        sum += p * r.totals.timeSeconds;
    }
    return sum;
}

// The weight bytes that stay in HBM: all, none, or the non-expert part plus the expert cache.
double hbmWeights(const Report& r, const Offload& o) {
    const double w = r.totals.memory.weights;
    const ModelFacts& m = r.model;
    double expertShare = 0;
    if (m.experts > 0 && m.parameters > 0) {
        const double k = static_cast<double>(m.expertsPerToken) / static_cast<double>(m.experts);
        expertShare =
            std::clamp((m.parameters - m.activeParameters) / (1 - k) / m.parameters, 0.0, 1.0);
    }
    const double experts = w * expertShare;
    const double dense = w - experts;
    const double keptExperts = o.experts == Tier::hbm ? experts : experts * o.expertHitRate;
    return (o.weights == Tier::hbm ? dense : 0) + keptExperts;
}

double kvTransferSeconds(const ServingInput& in, double kvBytes) {
    const Hardware& hw = in.evaluation.devices.front();
    std::optional<Link> link;
    if (!in.evaluation.systems.empty() && in.evaluation.systems.front().scaleOut) {
        link = in.evaluation.systems.front().scaleOut;
    } else if (hw.interconnect.scaleOut) {
        link = hw.interconnect.scaleOut;
    } else if (hw.interconnect.host) {
        link = *hw.interconnect.host;
    }
    if (!link || link->bytesPerSecond <= 0) {
        return 0;
    }
    return kvBytes / link->bytesPerSecond + link->latencySeconds;
}

Status addBatch(const ServingInput& in, const Base& base, double batch, ServingCosts& c) {
    RunSettings s = base.settings;
    s.batch = static_cast<std::int64_t>(batch);
    Report r = base.request;
    if (batch > 1) {
        ROOFLENS_TRY(r, evaluateOne(*in.builder, in.evaluation, s));
    }
    const StepProfile step = profileOf(r, Phase::decode, base.steps);
    const ServingOptions& o = in.options;
    Reprice rp;
    rp.hbmBytesPerSecond = in.evaluation.devices.front().memoryBytesPerSecond();
    const Hardware& hw = in.evaluation.devices.front();
    rp.hostBytesPerSecond = o.offload.hostBytesPerSecond > 0 ? o.offload.hostBytesPerSecond
                            : hw.interconnect.host           ? hw.interconnect.host->bytesPerSecond
                                                             : 0;
    if (o.offload.any()) {
        rp.offload = &o.offload;
    }
    const double context =
        static_cast<double>(s.promptLength) + static_cast<double>(s.generateLength) / 2;
    const double prefix = static_cast<double>(o.prefixTokens);
    rp.kvShare = 1 - (batch - 1) / batch * std::min(1.0, prefix / context);
    double binding[5] = {0, 0, 0, 0, 0};
    double decode = reprice(step, rp, binding);
    if (rp.kvShare == 1 && rp.offload == nullptr && r.totals.request) {
        decode = r.totals.request->decodeSeconds / base.steps;  // the engine's sum, as it is
    }
    c.decodeSteps.emplace_back(batch, decode);
    static constexpr const char* kNames[] = {"compute", "hbm", "host", "nvme", "network"};
    const auto top = std::max_element(binding, binding + 5) - binding;
    const double layers = binding[0] + binding[1] + binding[2] + binding[3] + binding[4];
    c.binding.push_back({batch, kNames[top], layers > 0 ? binding[top] / layers : 0});
    const double prompt = static_cast<double>(s.promptLength);
    if (o.chunkTokens > 0 && o.chunkTokens > batch) {
        Reprice mixed = rp;
        mixed.extra = &base.prefill;
        mixed.extraShare = (static_cast<double>(o.chunkTokens) - batch) / prompt;
        // A chunk re-reads the KV of the prompt before it: on average half the prompt.
        const double reread = base.kvPerToken * prompt / 2 / rp.hbmBytesPerSecond;
        c.mixedExtra.emplace_back(batch, reprice(step, mixed) - decode + reread);
    }
    if (o.speculative) {
        RunSettings d = s;
        EvaluationInput single = in.evaluation;
        single.deployment = Deployment{};
        single.systems = {};
        single.scenarios = {std::nullopt};
        ROOFLENS_TRY(const Report draft, evaluateOne(*in.draft, single, d));
        const double draftStep = draft.totals.request->decodeSeconds / base.steps;
        Reprice verify = rp;
        verify.extra = &base.prefill;
        verify.extraShare = batch * o.speculative->gamma / prompt;
        c.verifySteps.emplace_back(batch, o.speculative->gamma * draftStep + reprice(step, verify));
    }
    return Ok{};
}

}  // namespace

Result<ServingCosts> servingCosts(const ServingInput& in) {
    if (in.builder == nullptr || in.evaluation.devices.empty() || in.evaluation.scenarios.empty()) {
        return usageError("serving: a model, a device and a scenario are needed");
    }
    if (!in.builder->hasDecode()) {
        return usageError("serving: only LLMs are served token by token");
    }
    const ServingOptions& o = in.options;
    if (o.speculative && in.draft == nullptr) {
        return usageError("--speculative: the draft model is not bound");
    }
    if (o.prefixTokens < 0 || static_cast<double>(o.prefixTokens) >= o.load.prompt.mean()) {
        return usageError("--prefix-len must be >= 0 and shorter than the mean prompt");
    }
    ROOFLENS_TRY(const Base base, baseRequest(in));
    const Report& r = base.request;
    const Hardware& hw = in.evaluation.devices.front();
    ServingCosts c;
    ROOFLENS_TRY(c.prefillSeconds, meanPrefill(in, o.load.prompt));
    if (o.prefixTokens > 0) {
        LengthDistribution prefix;
        prefix.a = static_cast<double>(o.prefixTokens);
        ROOFLENS_TRY(c.prefixPrefillSeconds, meanPrefill(in, prefix));
    }
    c.chunkTokens = static_cast<double>(o.chunkTokens);
    c.devicesPerReplica = in.evaluation.deployment.devicesPerReplica();
    c.replicas = in.evaluation.deployment.dataParallel;
    c.tdpWatts = hw.tdpWatts;
    c.idleWatts = hw.idleWatts;
    c.dollarsPerDeviceHour =
        o.dollarsPerDeviceHour.value_or(defaultDollarsPerHour(hw.id).value_or(0));
    c.tokensPerStep =
        o.speculative ? expectedTokensPerStep(o.speculative->alpha, o.speculative->gamma) : 1;
    c.weightBytesPerDevice = hbmWeights(r, o.offload);
    c.activationBytes = r.totals.memory.activations + r.totals.memory.state;
    const double perSequence = o.load.prompt.mean() + o.load.output.mean();
    c.kvBytesPerSequence = base.kvPerToken * (perSequence - static_cast<double>(o.prefixTokens));
    c.sharedKvBytes = base.kvPerToken * static_cast<double>(o.prefixTokens);
    c.capacityBytesPerDevice = o.offload.kv == Tier::hbm ? r.totals.capacityBytes : 0;
    c.kvTransferSeconds = kvTransferSeconds(in, base.kvPerToken * o.load.prompt.mean());
    const double free =
        c.capacityBytesPerDevice - c.weightBytesPerDevice - c.activationBytes - c.sharedKvBytes;
    const double cap = c.capacityBytesPerDevice > 0 && c.kvBytesPerSequence > 0
                           ? std::max(1.0, std::floor(free / c.kvBytesPerSequence))
                           : 4096;
    for (double batch : batchGrid(in, cap)) {
        ROOFLENS_CHECK(addBatch(in, base, batch, c));
    }
    return c;
}

Result<ServingMetrics> evaluateServing(const ServingInput& input) {
    ROOFLENS_TRY(const ServingCosts costs, servingCosts(input));
    return steadyState(costs, input.options);
}

Result<std::vector<ServingSweepPoint>> sweepServing(const ServingInput& input, bool rates,
                                                    std::span<const double> values) {
    ServingInput grid = input;
    grid.options.load.rate = 1;  // price the batch grid of rate mode once
    grid.options.load.concurrency.reset();
    ROOFLENS_TRY(const ServingCosts costs, servingCosts(grid));
    std::vector<ServingSweepPoint> out;
    for (double v : values) {
        ServingOptions o = input.options;
        o.load.rate.reset();
        o.load.concurrency.reset();
        (rates ? o.load.rate : o.load.concurrency) = v;
        ROOFLENS_TRY(ServingMetrics m, steadyState(costs, o));
        out.push_back({v, std::move(m)});
    }
    return out;
}

Result<std::optional<ServingMetrics>> bestUnderTargets(const ServingInput& input) {
    ServingInput grid = input;
    grid.options.load.rate = 1;
    grid.options.load.concurrency.reset();
    ROOFLENS_TRY(const ServingCosts costs, servingCosts(grid));
    std::optional<ServingMetrics> best;
    for (double c = 1;; c = std::max(c + 1, std::floor(c * 1.05))) {
        ServingOptions o = input.options;
        o.load.rate.reset();
        o.load.concurrency = c;
        ROOFLENS_TRY(const ServingMetrics m, steadyState(costs, o));
        const bool met = m.ttftMet.value_or(true) && m.tpotMet.value_or(true);
        if (met &&
            (!best || m.outputTokensPerSecondPerDevice > best->outputTokensPerSecondPerDevice)) {
            best = m;
        }
        if (m.kvLimited || c >= 4096) {
            return best;
        }
    }
}

}  // namespace rooflens::core
