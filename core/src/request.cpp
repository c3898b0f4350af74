#include "core/request.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace rooflens::core {

namespace {

constexpr std::int64_t kMaxTokens = std::int64_t{1} << 40;

// The sum of an affine quantity over n consecutive contexts, from its values at both ends.
double sumAffine(double first, double last, double n) {
    return n * (first + last) / 2;
}

struct TimeSum {
    double seconds = 0;
    double computeBoundSeconds = 0;
};

// Sum over t = a..z of max(c(t), m(t)) for affine c and m given at both ends. A layer is compute
// bound where c > m; the bound changes at most once, where the two lines cross.
TimeSum sumRoofline(double ca, double ma, double cz, double mz, std::int64_t a, std::int64_t z) {
    const double n = static_cast<double>(z - a + 1);
    const double da = ca - ma;
    const double dz = cz - mz;
    const bool computeA = da > 0;
    const bool computeZ = dz > 0;
    if (computeA == computeZ) {
        const double seconds = computeA ? sumAffine(ca, cz, n) : sumAffine(ma, mz, n);
        return {seconds, computeA ? seconds : 0};
    }
    // The lines cross inside (a, z): d(t) = c - m changes sign at t*.
    const double span = static_cast<double>(z - a);
    const double crossing = static_cast<double>(a) + span * da / (da - dz);
    const auto k = std::clamp(static_cast<std::int64_t>(std::floor(crossing)), a, z - 1);
    auto at = [&](double va, double vz, std::int64_t t) {
        return va + (vz - va) * static_cast<double>(t - a) / span;
    };
    const double n1 = static_cast<double>(k - a + 1);
    const double n2 = static_cast<double>(z - k);
    const double before =
        computeA ? sumAffine(ca, at(ca, cz, k), n1) : sumAffine(ma, at(ma, mz, k), n1);
    const double after =
        computeZ ? sumAffine(at(ca, cz, k + 1), cz, n2) : sumAffine(at(ma, mz, k + 1), mz, n2);
    return {before + after, computeA ? before : after};
}

struct LayerSum {
    LayerResult result;
    double computeBoundSeconds = 0;
};

void addInterval(const Report& a, const Report& z, const ContextInterval& interval,
                 std::vector<LayerSum>& sums) {
    const double n = static_cast<double>(interval.steps());
    for (std::size_t i = 0; i < sums.size(); ++i) {
        const LayerResult& x = a.results[i];
        const LayerResult& y = z.results[i];
        LayerResult& s = sums[i].result;
        s.ops += sumAffine(x.ops, y.ops, n);
        s.conversionOps += sumAffine(x.conversionOps, y.conversionOps, n);
        s.bytes.weights += sumAffine(x.bytes.weights, y.bytes.weights, n);
        s.bytes.activationsIn += sumAffine(x.bytes.activationsIn, y.bytes.activationsIn, n);
        s.bytes.activationsOut += sumAffine(x.bytes.activationsOut, y.bytes.activationsOut, n);
        s.bytes.kvRead += sumAffine(x.bytes.kvRead, y.bytes.kvRead, n);
        s.bytes.kvWrite += sumAffine(x.bytes.kvWrite, y.bytes.kvWrite, n);
        s.bytes.metadata += sumAffine(x.bytes.metadata, y.bytes.metadata, n);
        s.computeSeconds += sumAffine(x.computeSeconds, y.computeSeconds, n);
        s.memorySeconds += sumAffine(x.memorySeconds, y.memorySeconds, n);
        s.networkSeconds += sumAffine(x.networkSeconds, y.networkSeconds, n);
        const TimeSum t = sumRoofline(x.computeSeconds, x.memorySeconds, y.computeSeconds,
                                      y.memorySeconds, interval.first, interval.last);
        s.timeSeconds += t.seconds + sumAffine(x.networkSeconds, y.networkSeconds, n);
        sums[i].computeBoundSeconds += t.computeBoundSeconds;
        // The expected lines are affine where the efficiencies are constant over the stretch
        // (every GEMM of a decode step: its shape does not depend on the context); attention's
        // efficiencies are taken at both ends (docs/calibration.md, "Where it is weak").
        const TimeSum e =
            sumRoofline(x.expectedComputeSeconds, x.expectedMemorySeconds, y.expectedComputeSeconds,
                        y.expectedMemorySeconds, interval.first, interval.last);
        s.expectedComputeSeconds +=
            sumAffine(x.expectedComputeSeconds, y.expectedComputeSeconds, n);
        s.expectedMemorySeconds += sumAffine(x.expectedMemorySeconds, y.expectedMemorySeconds, n);
        s.overheadSeconds += sumAffine(x.overheadSeconds, y.overheadSeconds, n);
        s.expectedSeconds += e.seconds + sumAffine(x.overheadSeconds, y.overheadSeconds, n) +
                             sumAffine(x.networkSeconds, y.networkSeconds, n);
        s.execution = y.execution;
    }
}

// The line of a layer's compute, memory or network time through the two ends, at t.
double lineAt(double first, double last, std::int64_t a, std::int64_t z, std::int64_t t) {
    if (t == a || z == a) {
        return first;
    }
    if (t == z) {
        return last;
    }
    return first + (last - first) * static_cast<double>(t - a) / static_cast<double>(z - a);
}

// A layer's compute and memory time and overhead on the chosen basis.
struct BusyParts {
    double compute = 0;
    double memory = 0;
    double overhead = 0;
};
BusyParts busyParts(const LayerResult& r, TimeBasis basis) {
    if (basis == TimeBasis::expected) {
        return {r.expectedComputeSeconds, r.expectedMemorySeconds, r.overheadSeconds};
    }
    return {r.computeSeconds, r.memorySeconds, 0};
}

// A stage's busy (compute and memory) and network time at context t from the two analysed ends.
std::pair<double, double> stageAt(const Report& a, const Report& z, const Stage& stage,
                                  std::int64_t first, std::int64_t last, std::int64_t t,
                                  TimeBasis basis) {
    double busy = 0;
    double network = 0;
    for (std::size_t i = stage.firstLayer; i < stage.endLayer; ++i) {
        const BusyParts x = busyParts(a.results[i], basis);
        const BusyParts y = busyParts(z.results[i], basis);
        const double repeat = a.layers[i].repeat;
        network +=
            lineAt(a.results[i].networkSeconds, z.results[i].networkSeconds, first, last, t) *
            repeat;
        busy += (std::max(lineAt(x.compute, y.compute, first, last, t),
                          lineAt(x.memory, y.memory, first, last, t)) +
                 lineAt(x.overhead, y.overhead, first, last, t)) *
                repeat;
    }
    return {busy, network};
}

// With overlap, a decode step takes sum over stages of max(busy(t), network(t)). Busy time is
// convex piecewise affine (each layer changes bound at most once), so the interval is cut at
// every layer's crossover; inside each piece both lines are affine and sumRoofline is exact.
double overlappedSeconds(const Report& a, const Report& z, const ContextInterval& interval,
                         const std::vector<Stage>& stages, TimeBasis basis) {
    const std::int64_t lo = interval.first;
    const std::int64_t hi = interval.last;
    double total = 0;
    for (const Stage& stage : stages) {
        std::vector<std::int64_t> cuts;
        for (std::size_t i = stage.firstLayer; i < stage.endLayer && hi > lo; ++i) {
            const BusyParts x = busyParts(a.results[i], basis);
            const BusyParts y = busyParts(z.results[i], basis);
            const double da = x.compute - x.memory;
            const double dz = y.compute - y.memory;
            if ((da > 0) != (dz > 0)) {
                const double crossing =
                    static_cast<double>(lo) + static_cast<double>(hi - lo) * da / (da - dz);
                cuts.push_back(
                    std::clamp(static_cast<std::int64_t>(std::floor(crossing)), lo, hi - 1));
            }
        }
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        std::int64_t u = lo;
        cuts.push_back(hi);
        for (std::int64_t v : cuts) {
            const auto [bu, nu] = stageAt(a, z, stage, lo, hi, u, basis);
            const auto [bv, nv] = stageAt(a, z, stage, lo, hi, v, basis);
            total += sumRoofline(bu, nu, bv, nv, u, v).seconds;
            u = v + 1;
        }
    }
    return total;
}

// Matrix MACs of a whole pass (Totals::macs of its report).
double passMacs(const Workload& w) {
    double macs = 0;
    for (const Layer& layer : w.layers) {
        macs += matrixMacs(layer, w) * layer.repeat;
    }
    return macs;
}

}  // namespace

std::vector<ContextInterval> contextIntervals(std::int64_t first, std::int64_t last,
                                              std::span<const ContextBreak> breaks) {
    std::vector<std::int64_t> cuts;
    for (const ContextBreak& b : breaks) {
        if (b.tokens <= 0) {
            continue;
        }
        if (!b.periodic) {
            if (b.tokens >= first && b.tokens < last) {
                cuts.push_back(b.tokens);
            }
            continue;
        }
        for (std::int64_t c = (first + b.tokens - 1) / b.tokens * b.tokens; c < last;
             c += b.tokens) {
            cuts.push_back(c);
        }
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    std::vector<ContextInterval> intervals;
    std::int64_t start = first;
    for (std::int64_t cut : cuts) {
        intervals.push_back({start, cut});
        start = cut + 1;
    }
    intervals.push_back({start, last});
    return intervals;
}

Result<RequestPasses> buildRequestPasses(const RunSettings& settings, const PassBuilder& build) {
    if (settings.promptLength < 1 || settings.promptLength > kMaxTokens) {
        return usageError("request: prompt length must be an integer in [1, 2^40], got " +
                          std::to_string(settings.promptLength));
    }
    if (settings.generateLength < 1 || settings.generateLength > kMaxTokens) {
        return usageError("request: generated length must be an integer in [1, 2^40], got " +
                          std::to_string(settings.generateLength));
    }
    RequestPasses passes;
    passes.settings = settings;
    ROOFLENS_TRY(passes.prefill, build(Phase::prefill, settings.promptLength));
    if (settings.generateLength == 1) {
        return passes;
    }
    // Decode steps 1..G-1 attend to S + j keys.
    const std::int64_t lo = settings.promptLength + 1;
    const std::int64_t hi = settings.promptLength + settings.generateLength - 1;
    ROOFLENS_TRY(Workload probe, build(Phase::decode, lo));
    passes.intervals = contextIntervals(lo, hi, probe.contextBreaks);
    for (std::size_t i = 0; i < passes.intervals.size(); ++i) {
        const ContextInterval& interval = passes.intervals[i];
        if (i == 0) {
            passes.first.push_back(std::move(probe));
        } else {
            ROOFLENS_TRY(Workload first, build(Phase::decode, interval.first));
            passes.first.push_back(std::move(first));
        }
        if (interval.steps() == 1) {
            passes.last.push_back(passes.first.back());
        } else {
            ROOFLENS_TRY(Workload last, build(Phase::decode, interval.last));
            passes.last.push_back(std::move(last));
        }
    }
    const std::size_t layers = passes.first.front().layers.size();
    for (std::size_t i = 0; i < passes.intervals.size(); ++i) {
        if (passes.first[i].layers.size() != layers || passes.last[i].layers.size() != layers) {
            return makeError("request: decode passes differ in structure", ErrorKind::runtime);
        }
    }
    return passes;
}

namespace {

struct DecodeTimes {
    double seconds = 0;
    double expectedSeconds = 0;
};

// Appends the decode layers (summed over the steps) to a request report, with their totals;
// returns the decode seconds (roofline and expected).
DecodeTimes appendDecodeLayers(std::vector<Layer> layers, std::vector<LayerSum>& sums,
                               const std::vector<CollectiveShape>& collectives, Report& report) {
    // The decode pass's collectives follow the prefill's in the report.
    const auto offset = static_cast<std::int32_t>(report.collectives.size());
    report.collectives.insert(report.collectives.end(), collectives.begin(), collectives.end());
    for (Layer& l : layers) {
        if (l.collective >= 0) {
            l.collective += offset;
        }
    }
    DecodeTimes decode;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        LayerResult& sum = sums[i].result;
        const double repeat = layers[i].repeat;
        layers[i].ops = sum.ops;
        layers[i].bytes = sum.bytes;
        const double total = sum.bytes.total();
        sum.intensity = total > 0 ? sum.ops / total : 0;
        sum.attainableOpsPerSecond =
            sum.timeSeconds > 0 ? sum.ops / sum.timeSeconds : sum.execution.peakOpsPerSecond;
        sum.bound = isCommunication(layers[i].kind)                     ? Bound::network
                    : 2 * sums[i].computeBoundSeconds > sum.timeSeconds ? Bound::compute
                                                                        : Bound::memory;
        sum.phase = Phase::decode;
        decode.seconds += sum.timeSeconds * repeat;
        decode.expectedSeconds += sum.expectedSeconds * repeat;
        report.totals.computeBoundSeconds += sums[i].computeBoundSeconds * repeat;
        report.totals.networkSeconds += sum.networkSeconds * repeat;
        report.totals.ops += sum.ops * repeat;
        report.totals.conversionOps += sum.conversionOps * repeat;
        report.totals.bytes += total * repeat;
        report.layers.push_back(layers[i]);
        report.results.push_back(sum);
    }
    return decode;
}

// The request footprint and the last step's warnings.
void addLastStep(const Report& last, Report& report) {
    report.totals.memory = requestFootprint(report.totals.memory, last.totals.memory);
    report.totals.fitsInMemory = report.totals.memory.total() <= report.totals.capacityBytes;
    for (const auto& warning : last.warnings) {
        if (std::find(report.warnings.begin(), report.warnings.end(), warning) ==
            report.warnings.end()) {
            report.warnings.push_back(warning);
        }
    }
}

void finishRequest(Report& report, const RunSettings& settings, DecodeTimes prefill,
                   DecodeTimes decode) {
    const double prefillSeconds = prefill.seconds;
    const double decodeSeconds = decode.seconds;
    RequestMetrics metrics;
    metrics.prefillSeconds = prefillSeconds;
    metrics.decodeSeconds = decodeSeconds;
    metrics.ttftSeconds = prefillSeconds;
    metrics.e2eSeconds = prefillSeconds + decodeSeconds;
    if (settings.generateLength > 1) {
        metrics.tpotSeconds = decodeSeconds / static_cast<double>(settings.generateLength - 1);
    }
    // In doubles: batch and length of up to 2^40 each overflowed the int64 product (issue 18, 3).
    const double tokens =
        static_cast<double>(settings.batch) * static_cast<double>(settings.generateLength);
    metrics.tokensPerSecond = tokens / metrics.e2eSeconds;
    metrics.expectedTtftSeconds = prefill.expectedSeconds;
    metrics.expectedDecodeSeconds = decode.expectedSeconds;
    metrics.expectedE2eSeconds = prefill.expectedSeconds + decode.expectedSeconds;
    if (settings.generateLength > 1) {
        metrics.expectedTpotSeconds =
            decode.expectedSeconds / static_cast<double>(settings.generateLength - 1);
    }
    metrics.expectedTokensPerSecond = tokens / metrics.expectedE2eSeconds;
    report.totals.expectedSeconds = metrics.expectedE2eSeconds;
    report.totals.expectedItemsPerSecond = metrics.expectedTokensPerSecond;
    report.totals.timeSeconds = metrics.e2eSeconds;
    report.totals.itemsPerSecond = metrics.tokensPerSecond;
    report.totals.itemsPerSecondPerDevice = metrics.tokensPerSecond;
    report.totals.request = metrics;
}

// Adds one analysed decode step to the per-layer sums (the step-by-step oracle).
void addStep(const Report& step, std::vector<LayerSum>& sums) {
    for (std::size_t i = 0; i < sums.size(); ++i) {
        const LayerResult& r = step.results[i];
        LayerResult& s = sums[i].result;
        s.ops += r.ops;
        s.conversionOps += r.conversionOps;
        s.bytes.weights += r.bytes.weights;
        s.bytes.activationsIn += r.bytes.activationsIn;
        s.bytes.activationsOut += r.bytes.activationsOut;
        s.bytes.kvRead += r.bytes.kvRead;
        s.bytes.kvWrite += r.bytes.kvWrite;
        s.bytes.metadata += r.bytes.metadata;
        s.timeSeconds += r.timeSeconds;
        s.computeSeconds += r.computeSeconds;
        s.memorySeconds += r.memorySeconds;
        s.networkSeconds += r.networkSeconds;
        s.expectedSeconds += r.expectedSeconds;
        s.expectedComputeSeconds += r.expectedComputeSeconds;
        s.expectedMemorySeconds += r.expectedMemorySeconds;
        s.overheadSeconds += r.overheadSeconds;
        s.execution = r.execution;
        if (r.bound == Bound::compute) {
            sums[i].computeBoundSeconds += r.timeSeconds;
        }
    }
}

}  // namespace

Report analyzeRequest(const RequestPasses& passes, const Hardware& hw,
                      const AnalysisOptions& options) {
    Report report = analyze(passes.prefill, hw, options);
    report.settings = passes.settings;
    const DecodeTimes prefill{report.totals.timeSeconds, report.totals.expectedSeconds};
    DecodeTimes decode;
    if (!passes.intervals.empty()) {
        std::vector<LayerSum> sums(passes.first.front().layers.size());
        Report last;
        for (std::size_t i = 0; i < passes.intervals.size(); ++i) {
            const ContextInterval& interval = passes.intervals[i];
            const Report a = analyze(passes.first[i], hw, options);
            last = interval.steps() == 1 ? a : analyze(passes.last[i], hw, options);
            addInterval(a, last, interval, sums);
            report.totals.macs += sumAffine(passMacs(passes.first[i]), passMacs(passes.last[i]),
                                            static_cast<double>(interval.steps()));
        }
        decode = appendDecodeLayers(passes.first.front().layers, sums,
                                    passes.first.front().collectives, report);
        const Workload& pass = passes.first.front();
        if (pass.overlapCommunication && !pass.stages.empty()) {
            decode = {};
            for (std::size_t i = 0; i < passes.intervals.size(); ++i) {
                const Report a = analyze(passes.first[i], hw, options);
                const Report z = analyze(passes.last[i], hw, options);
                const ContextInterval& interval = passes.intervals[i];
                decode.seconds +=
                    overlappedSeconds(a, z, interval, pass.stages, TimeBasis::roofline);
                decode.expectedSeconds +=
                    overlappedSeconds(a, z, interval, pass.stages, TimeBasis::expected);
            }
        }
        addLastStep(last, report);
    }
    finishRequest(report, passes.settings, prefill, decode);
    return report;
}

Result<Report> analyzeRequestStepwise(const RunSettings& settings, const PassBuilder& build,
                                      const Hardware& hw, const AnalysisOptions& options) {
    if (settings.promptLength < 1) {
        return usageError("request: prompt length must be at least 1");
    }
    if (settings.generateLength < 1) {
        return usageError("request: generated length must be at least 1");
    }
    ROOFLENS_TRY(const Workload prefill, build(Phase::prefill, settings.promptLength));
    Report report = analyze(prefill, hw, options);
    report.settings = settings;
    const DecodeTimes prefillTimes{report.totals.timeSeconds, report.totals.expectedSeconds};
    // Decode steps 1..G-1 attend to S + j keys; their layers are summed in place.
    std::vector<Layer> layers;
    std::vector<LayerSum> sums;
    Report step;
    DecodeTimes stepTimes;
    bool overlap = false;
    for (std::int64_t j = 1; j < settings.generateLength; ++j) {
        ROOFLENS_TRY(const Workload pass, build(Phase::decode, settings.promptLength + j));
        step = analyze(pass, hw, options);
        if (layers.empty()) {
            layers = step.layers;
            sums.assign(layers.size(), LayerSum{});
        } else if (step.layers.size() != layers.size()) {
            return makeError("request: decode passes differ in structure", ErrorKind::runtime);
        }
        addStep(step, sums);
        report.totals.macs += step.totals.macs;
        stepTimes.seconds += step.totals.timeSeconds;
        stepTimes.expectedSeconds += step.totals.expectedSeconds;
        overlap = pass.overlapCommunication && !pass.stages.empty();
    }
    DecodeTimes decode = appendDecodeLayers(std::move(layers), sums, step.collectives, report);
    if (overlap) {
        decode = stepTimes;  // each step's stages overlap compute and communication
    }
    if (settings.generateLength > 1) {
        addLastStep(step, report);
    }
    finishRequest(report, settings, prefillTimes, decode);
    return report;
}

Result<Report> analyzeRequest(const RunSettings& settings, const PassBuilder& build,
                              const Hardware& hw, const AnalysisOptions& options) {
    ROOFLENS_TRY(const RequestPasses passes, buildRequestPasses(settings, build));
    return analyzeRequest(passes, hw, options);
}

DecodeLine::DecodeLine(const Report& first, std::int64_t firstContext, const Report& last,
                       std::int64_t lastContext)
    : m_first(firstContext), m_last(lastContext) {
    const double span = static_cast<double>(lastContext - firstContext);
    m_layers.reserve(first.results.size());
    for (std::size_t i = 0; i < first.results.size(); ++i) {
        const LayerResult& a = first.results[i];
        const LayerResult& z = last.results[i];
        LayerLine line{};
        line.compute0 = a.computeSeconds;
        line.memory0 = a.memorySeconds;
        line.compute1 = z.computeSeconds;
        line.memory1 = z.memorySeconds;
        line.network0 = a.networkSeconds;
        line.network1 = z.networkSeconds;
        line.networkSlope = span > 0 ? (z.networkSeconds - a.networkSeconds) / span : 0;
        line.computeSlope = span > 0 ? (z.computeSeconds - a.computeSeconds) / span : 0;
        line.memorySlope = span > 0 ? (z.memorySeconds - a.memorySeconds) / span : 0;
        line.expectedCompute = {a.expectedComputeSeconds, z.expectedComputeSeconds};
        line.expectedMemory = {a.expectedMemorySeconds, z.expectedMemorySeconds};
        line.overhead = {a.overheadSeconds, z.overheadSeconds};
        line.repeat = first.layers[i].repeat;
        m_layers.push_back(line);
    }
}

DecodeLine::Point DecodeLine::at(std::int64_t context) const {
    const double dt = static_cast<double>(context - m_first);
    const bool last = context == m_last;  // the built end itself, exactly
    Point p;
    for (const LayerLine& l : m_layers) {
        const double c = last ? l.compute1 : l.compute0 + l.computeSlope * dt;
        const double m = last ? l.memory1 : l.memory0 + l.memorySlope * dt;
        p.seconds += (last ? l.network1 : l.network0 + l.networkSlope * dt) * l.repeat;
        if (c > m) {
            p.seconds += c * l.repeat;
            p.computeBoundSeconds += c * l.repeat;
        } else {
            p.seconds += m * l.repeat;
        }
        auto on = [&](const std::array<double, 2>& ends) {
            if (last || m_last == m_first) {
                return last ? ends[1] : ends[0];
            }
            return ends[0] + (ends[1] - ends[0]) * dt / static_cast<double>(m_last - m_first);
        };
        p.expectedSeconds +=
            (std::max(on(l.expectedCompute), on(l.expectedMemory)) + on(l.overhead) +
             (last ? l.network1 : l.network0 + l.networkSlope * dt)) *
            l.repeat;
    }
    return p;
}

}  // namespace rooflens::core
