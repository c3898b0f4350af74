// The steady state of continuous batching from per-step costs (core/serving.h, docs/serving.md).
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/serving.h"
#include "core/units.h"

namespace rooflens::core {

double ServingCosts::at(const std::vector<std::pair<double, double>>& table, double batch) {
    if (table.empty()) {
        return 0;
    }
    if (batch <= table.front().first) {
        return table.front().second;
    }
    for (std::size_t i = 1; i < table.size(); ++i) {
        if (batch <= table[i].first) {
            const auto& [b0, t0] = table[i - 1];
            const auto& [b1, t1] = table[i];
            return t0 + (t1 - t0) * (batch - b0) / (b1 - b0);
        }
    }
    // Beyond the last point: the line through the last two (affine in B).
    if (table.size() == 1) {
        return table.back().second;
    }
    const auto& [b0, t0] = table[table.size() - 2];
    const auto& [b1, t1] = table.back();
    return t1 + (t1 - t0) * (batch - b1) / (b1 - b0);
}

namespace {

// One operating point of a mode: requests/s of the whole deployment, the latencies before
// queueing, and the busy shares of the device time.
struct Point {
    double requestsPerSecond = 0;
    double ttft = 0;
    double tpot = 0;
    double decodeBatch = 0;
    double stepSeconds = 0;  // mean decode (or mixed) step
    double mixedSeconds = 0;
    double prefillBusy = 0;  // share of a device's time in prefill (per pool for disagg)
    double decodeBusy = 0;
};

struct Shape {
    double prompt = 0;        // mean prompt tokens computed per request (prefix excluded)
    double decodeTokens = 0;  // mean output tokens after the first (OSL - 1)
    double prefill = 0;       // one request's prefill seconds, the prefix's share removed
    double steps = 0;         // decode steps per request (speculative: fewer)
};

double stepAt(const ServingCosts& c, double batch) {
    return c.verifySteps.empty() ? ServingCosts::at(c.decodeSteps, batch)
                                 : ServingCosts::at(c.verifySteps, batch);
}

// Aggregated, unchunked: prefills run as their own steps (prefill first), decodes of the whole
// batch in between. Per replica, C in flight: X = C / (C t_p + n t_d(C)).
// Closed loop: the C - 1 other slots free (C - 1) / n per decode step, and the prompts freed by
// the same step queue for their prefills: a request waits for half of the others of its step,
// W = t_p min(C - 1, (C - 1) / (2 n)) (all of them when nothing decodes). That wait moves from
// its TPOT into its TTFT: E2E = C / X either way.
Point aggregated(const ServingCosts& c, const Shape& s, double conc, bool closedLoop) {
    Point p;
    const double b = std::max(conc, 1.0);
    const double td = stepAt(c, b);
    const double cycle = b * s.prefill + s.steps * td;
    const double perReplica = conc >= 1 ? conc / cycle : conc / (s.prefill + s.steps * td);
    p.requestsPerSecond = perReplica * c.replicas;
    const double others = b - 1;
    double wait = 0;
    if (closedLoop) {
        wait = s.prefill * (s.steps > 0 ? std::min(others, others / (2 * s.steps)) : others);
    }
    p.ttft = s.prefill + wait;
    p.tpot = s.decodeTokens > 0 ? (s.steps * td + others * s.prefill - wait) / s.decodeTokens : 0;
    p.decodeBatch = conc;
    p.stepSeconds = td;
    p.prefillBusy = perReplica * s.prefill;
    p.decodeBusy = perReplica * s.steps * td / b;
    return p;
}

// Chunked prefill (Sarathi): steps of at most N tokens, decodes first, a prompt chunk in the
// rest; a share phi of the steps carries a chunk.
Result<Point> chunked(const ServingCosts& c, const Shape& s, double conc) {
    const double n = c.chunkTokens;
    const double g = std::max(s.decodeTokens, 1.0);
    const double bd = std::min(std::max(conc, 1.0), n * g / (s.prompt + g));
    const double chunk = n - bd;
    if (chunk < 1) {
        return usageError("--chunk " + std::to_string(static_cast<long long>(n)) +
                          " leaves no room for a prompt chunk beside " +
                          std::to_string(static_cast<long long>(bd)) + " decodes");
    }
    const double phi = std::min(1.0, bd * s.prompt / (g * chunk));
    const double td = ServingCosts::at(c.decodeSteps, bd);
    const double tm = td + ServingCosts::at(c.mixedExtra, bd);
    const double step = phi * tm + (1 - phi) * td;
    Point p;
    const double perReplica = (conc >= 1 ? bd : conc) / (g * step);
    p.requestsPerSecond = perReplica * c.replicas;
    p.ttft = std::ceil(s.prompt / chunk) * tm;
    p.tpot = step;
    p.decodeBatch = bd;
    p.stepSeconds = step;
    p.mixedSeconds = tm;
    p.prefillBusy = std::min(1.0, conc) * phi * (tm - td) / step;
    p.decodeBusy = std::min(1.0, conc) - p.prefillBusy;
    return p;
}

// Disaggregated: P prefill replicas at one prompt at a time, D decode replicas at C each, the
// KV sent between them; the slower pool sets the rate.
Point disaggregated(const ServingCosts& c, const ServingOptions& o, const Shape& s, double conc) {
    const double prefillRate = o.prefillReplicas / s.prefill;
    auto decodeRate = [&](double b) {
        return o.decodeReplicas * b / (s.steps * stepAt(c, std::max(b, 1.0)));
    };
    double b = conc;
    if (decodeRate(b) > prefillRate) {  // prefill-bound: the decode batch drains to match
        double lo = 0;
        double hi = b;
        for (int i = 0; i < 60; ++i) {
            const double mid = 0.5 * (lo + hi);
            (decodeRate(mid) < prefillRate ? lo : hi) = mid;
        }
        b = 0.5 * (lo + hi);
    }
    Point p;
    p.requestsPerSecond = std::min(prefillRate, decodeRate(b));
    p.ttft = s.prefill + c.kvTransferSeconds;
    p.stepSeconds = stepAt(c, std::max(b, 1.0));
    p.tpot = s.decodeTokens > 0 ? s.steps * p.stepSeconds / s.decodeTokens : 0;
    p.decodeBatch = b;
    p.prefillBusy = p.requestsPerSecond * s.prefill / o.prefillReplicas;
    p.decodeBusy = std::min(1.0, b);
    return p;
}

Result<Point> pointAt(const ServingCosts& c, const ServingOptions& o, const Shape& s, double conc) {
    if (o.disaggregated()) {
        return disaggregated(c, o, s, conc);
    }
    if (c.chunkTokens > 0) {
        return chunked(c, s, conc);
    }
    return aggregated(c, s, conc, o.load.concurrency.has_value());
}

// The concurrency at which the deployment sustains `rate` (X increases with C), capped at cap.
Result<double> concurrencyFor(const ServingCosts& c, const ServingOptions& o, const Shape& s,
                              double rate, double cap) {
    ROOFLENS_TRY(const Point top, pointAt(c, o, s, cap));
    if (top.requestsPerSecond <= rate) {
        return cap;
    }
    double lo = 0;
    double hi = cap;
    for (int i = 0; i < 80; ++i) {
        const double mid = 0.5 * (lo + hi);
        ROOFLENS_TRY(const Point p, pointAt(c, o, s, mid));
        (p.requestsPerSecond < rate ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

// Rate mode: the wait of a Poisson arrival for its prefill. Aggregated: Cobham's formula for the
// highest class of a non-preemptive priority queue, W = R / (1 - rho_p), R the mean residual of
// the step in progress; chunked: half a step; disaggregated: M/D/1 at each prefill replica.
double arrivalWait(const ServingCosts& c, const ServingOptions& o, const Shape& s, const Point& p) {
    if (o.disaggregated()) {
        const double rho = std::min(p.prefillBusy, 0.999);
        return rho * s.prefill / (2 * (1 - rho));
    }
    if (c.chunkTokens > 0) {
        return p.stepSeconds / 2;
    }
    const double rho = std::min(p.prefillBusy, 0.999);
    const double residual = (p.prefillBusy * s.prefill + p.decodeBusy * p.stepSeconds) / 2;
    return residual / (1 - rho);
}

void priceEnergyAndCost(const ServingCosts& c, const ServingOptions& o, const Point& p,
                        ServingMetrics& m) {
    const double span = c.tdpWatts - c.idleWatts;
    double watts = 0;
    double inputShare = 0;
    if (o.disaggregated()) {
        const double pd = o.prefillReplicas * c.devicesPerReplica;
        const double dd = o.decodeReplicas * c.devicesPerReplica;
        watts = (pd * (c.idleWatts + span * std::min(1.0, p.prefillBusy)) +
                 dd * (c.idleWatts + span * std::min(1.0, p.decodeBusy))) /
                (pd + dd);
        inputShare = pd / (pd + dd);
    } else {
        const double busy = std::min(1.0, p.prefillBusy + p.decodeBusy);
        watts = c.idleWatts + span * busy;
        inputShare = busy > 0 ? p.prefillBusy / busy : 0;
    }
    m.wattsPerDevice = watts;
    m.joulesPerOutputToken =
        m.outputTokensPerSecond > 0 ? watts * m.devices / m.outputTokensPerSecond : 0;
    m.dollarsPerHour = c.dollarsPerDeviceHour * m.devices;
    const double perSecond = m.dollarsPerHour / 3600;
    m.dollarsPerMillionInput =
        m.inputTokensPerSecond > 0 ? 1e6 * perSecond * inputShare / m.inputTokensPerSecond : 0;
    m.dollarsPerMillionOutput = m.outputTokensPerSecond > 0
                                    ? 1e6 * perSecond * (1 - inputShare) / m.outputTokensPerSecond
                                    : 0;
}

Shape shapeOf(const ServingCosts& c, const ServingOptions& o) {
    Shape s;
    const double n = static_cast<double>(std::max<std::int64_t>(1, o.load.requests));
    const double cachedShare = (n - 1) / n;  // every request but the first finds the prefix
    s.prompt = o.load.prompt.mean() - static_cast<double>(o.prefixTokens) * cachedShare;
    s.decodeTokens = o.load.output.mean() - 1;
    s.prefill = c.prefillSeconds - c.prefixPrefillSeconds * cachedShare;
    s.steps = s.decodeTokens / c.tokensPerStep;
    return s;
}

Status checkServing(const ServingCosts& c, const ServingOptions& o) {
    const ServingLoad& load = o.load;
    if (load.rate.has_value() == load.concurrency.has_value()) {
        return usageError("serving: give a rate (--rate) or a concurrency (--concurrency)");
    }
    if ((load.rate && !(*load.rate > 0)) || (load.concurrency && !(*load.concurrency > 0))) {
        return usageError(std::string(load.rate ? "--rate" : "--concurrency") +
                          ": expected a number > 0");
    }
    if (c.chunkTokens > 0 && !c.verifySteps.empty()) {
        return usageError("--speculative with --chunk is not modelled: choose one");
    }
    if (c.decodeSteps.empty() || c.prefillSeconds <= 0) {
        return runtimeError("serving: no step costs");
    }
    return Ok{};
}

}  // namespace

Result<ServingMetrics> steadyState(const ServingCosts& c, const ServingOptions& o) {
    ROOFLENS_CHECK(checkServing(c, o));
    const ServingLoad& load = o.load;
    ServingMetrics m;
    const Shape s = shapeOf(c, o);
    const double free =
        c.capacityBytesPerDevice - c.weightBytesPerDevice - c.activationBytes - c.sharedKvBytes;
    m.maxConcurrency = c.capacityBytesPerDevice <= 0 || c.kvBytesPerSequence <= 0
                           ? std::numeric_limits<double>::infinity()
                           : std::floor(free / c.kvBytesPerSequence);
    if (m.maxConcurrency < 1) {
        return usageError("serving: the weights and one request's KV cache do not fit in memory (" +
                          formatSi(c.weightBytesPerDevice, "B") + " weights + " +
                          formatSi(c.kvBytesPerSequence, "B") + " KV per device, " +
                          formatSi(c.capacityBytesPerDevice, "B") +
                          " capacity): shard it (--tp, --pp), compress it (--scenario) or "
                          "offload it (--offload)");
    }
    const double cap = std::min(m.maxConcurrency, 1e6);
    double conc = 0;
    if (load.concurrency) {
        conc = std::min(*load.concurrency, cap);
        m.kvLimited = *load.concurrency > cap;
    } else {
        ROOFLENS_TRY(conc, concurrencyFor(c, o, s, *load.rate, cap));
    }
    ROOFLENS_TRY(const Point p, pointAt(c, o, s, conc));
    m.devices = (o.disaggregated() ? o.prefillReplicas + o.decodeReplicas : c.replicas) *
                c.devicesPerReplica;
    m.requestsPerSecond = p.requestsPerSecond;
    m.ttftSeconds = p.ttft;
    if (load.rate) {
        m.saturated = p.requestsPerSecond < *load.rate * (1 - 1e-9);
        m.kvLimited = m.saturated && conc >= cap;
        m.requestsPerSecond = std::min(p.requestsPerSecond, *load.rate);
        m.ttftSeconds += arrivalWait(c, o, s, p);
    }
    m.concurrency = p.decodeBatch;
    m.tpotSeconds = p.tpot;
    m.e2eSeconds = m.ttftSeconds + s.decodeTokens * m.tpotSeconds;
    m.tokensPerSecondPerUser = m.tpotSeconds > 0 ? 1 / m.tpotSeconds : 0;
    m.outputTokensPerSecond = m.requestsPerSecond * load.output.mean();
    m.inputTokensPerSecond = m.requestsPerSecond * load.prompt.mean();
    m.outputTokensPerSecondPerDevice = m.outputTokensPerSecond / m.devices;
    m.prefillSeconds = s.prefill;
    m.decodeStepSeconds = stepAt(c, std::max(p.decodeBatch, 1.0));
    m.mixedStepSeconds = p.mixedSeconds;
    m.prefillTimeShare = p.prefillBusy / std::max(1e-300, p.prefillBusy + p.decodeBusy);
    m.kvTransferSeconds = o.disaggregated() ? c.kvTransferSeconds : 0;
    m.kvBytesPerDevice = c.sharedKvBytes + std::max(1.0, p.decodeBatch) * c.kvBytesPerSequence;
    // In HBM: the KV cache counts where it is not offloaded (capacity 0 means it is).
    m.memoryBytesPerDevice = c.weightBytesPerDevice + c.activationBytes +
                             (c.capacityBytesPerDevice > 0 ? m.kvBytesPerDevice : 0);
    for (const ServingCosts::Binding& b : c.binding) {
        if (m.bindingTier.empty() || b.batch <= std::max(1.0, p.decodeBatch)) {
            m.bindingTier = b.tier;
            m.bindingShare = b.share;
        }
    }
    priceEnergyAndCost(c, o, p, m);
    m.workloadSeconds = static_cast<double>(load.requests) / m.requestsPerSecond;
    if (o.ttftTarget) {
        m.ttftMet = m.ttftSeconds <= *o.ttftTarget;
    }
    if (o.tpotTarget) {
        m.tpotMet = m.tpotSeconds <= *o.tpotTarget;
    }
    return m;
}

}  // namespace rooflens::core
