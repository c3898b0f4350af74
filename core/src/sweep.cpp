#include "core/sweep.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <mutex>
#include <set>
#include <string>

#include "core/request.h"
#include "parallel.h"

namespace rooflens::core {

namespace {

constexpr std::size_t kMaxRangeValues = 100000;
// Batches, lengths and parallel degrees: the builders take at most 2^40 (issue 18, 3).
constexpr std::int64_t kMaxRangeValue = std::int64_t{1} << 40;

std::optional<std::int64_t> parseInteger(std::string_view text) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return value;
}

Error rangeError(std::string_view text, std::string_view why) {
    return Error{"range '" + std::string(text) + "': " + std::string(why) +
                 " (expected 1,2,4 or 1:64:x2 or 128:4096:+128)"};
}

}  // namespace

Result<std::vector<std::int64_t>> parseRange(std::string_view text) {
    std::vector<std::int64_t> values;
    if (text.empty()) {
        return rangeError(text, "empty");
    }
    if (text.find(':') != std::string_view::npos) {
        const auto first = text.find(':');
        const auto second = text.find(':', first + 1);
        if (second == std::string_view::npos) {
            return rangeError(text, "needs start:end:step");
        }
        auto start = parseInteger(text.substr(0, first));
        auto end = parseInteger(text.substr(first + 1, second - first - 1));
        std::string_view step = text.substr(second + 1);
        if (!start || !end || *start < 1 || *end < *start) {
            return rangeError(text, "start and end must be integers with 1 <= start <= end");
        }
        if (*end > kMaxRangeValue) {
            return rangeError(text, "values must be at most 2^40 (1099511627776)");
        }
        if (step.size() < 2 || (step[0] != 'x' && step[0] != '+')) {
            return rangeError(text, "step must be xN (multiply) or +N (add)");
        }
        auto amount = parseInteger(step.substr(1));
        if (!amount || *amount < (step[0] == 'x' ? 2 : 1)) {
            return rangeError(text, "step must be x2 or more, or +1 or more");
        }
        for (std::int64_t v = *start; v <= *end;) {
            values.push_back(v);
            if (values.size() > kMaxRangeValues) {
                return rangeError(text, "more than 100000 values");
            }
            if (step[0] == 'x') {
                if (v > *end / *amount) {
                    break;
                }
                v *= *amount;
            } else {
                if (v > *end - *amount) {
                    break;
                }
                v += *amount;
            }
        }
        return values;
    }
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const auto item =
            text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
        auto value = parseInteger(item);
        if (!value || *value < 1) {
            return rangeError(text, "'" + std::string(item) + "' is not an integer >= 1");
        }
        if (*value > kMaxRangeValue) {
            return rangeError(text, "values must be at most 2^40 (1099511627776)");
        }
        values.push_back(*value);
        if (values.size() > kMaxRangeValues) {
            return rangeError(text, "more than 100000 values");
        }
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    return values;
}

std::size_t sweepSize(const SweepSpec& spec) {
    const auto& lengths = spec.phase == Phase::decode ? spec.contextLengths : spec.promptLengths;
    return spec.deployments.size() * spec.devices.size() * spec.scenarios.size() *
           spec.batches.size() * lengths.size();
}

namespace {

// One unit of work: a (plan, scenario, batch) and either one length (prefill, request, forward
// passes, every point of a multi-device plan) or every context of the spec (single-device
// decode, priced from DecodeLines).
struct Group {
    std::uint32_t plan = 0;  // index into spec.deployments
    std::uint32_t scenario = 0;
    std::uint32_t batch = 0;   // index into spec.batches
    std::uint32_t length = 0;  // index into the lengths (unused for decode groups)
};

// Peak live activations of a pass as the largest in + out of its layers (how builders compute
// Workload::memory.activations), as lines in the context: exact between two built ends.
struct ActivationLines {
    std::vector<double> first;
    std::vector<double> last;
    static std::vector<double> of(const Workload& w) {
        std::vector<double> v;
        v.reserve(w.layers.size());
        for (const Layer& l : w.layers) {
            v.push_back(l.bytes.activationsIn + l.bytes.activationsOut);
        }
        return v;
    }
    double at(double f) const {
        double peak = 0;
        for (std::size_t i = 0; i < first.size(); ++i) {
            peak = std::max(peak, f == 1 ? last[i] : first[i] + (last[i] - first[i]) * f);
        }
        return peak;
    }
};

// The sweep's contexts inside one interval, and the two ends they span.
struct Stretch {
    std::int64_t first = 0;
    std::int64_t last = 0;
    std::vector<std::size_t> members;  // indices into the lengths
};

Stretch stretchOf(const ContextInterval& interval, const std::vector<std::int64_t>& lengths) {
    Stretch s{interval.last, interval.first, {}};
    for (std::size_t l = 0; l < lengths.size(); ++l) {
        if (lengths[l] >= interval.first && lengths[l] <= interval.last) {
            s.members.push_back(l);
            s.first = std::min(s.first, lengths[l]);
            s.last = std::max(s.last, lengths[l]);
        }
    }
    return s;
}

// The compressed decode passes at both ends of a stretch, and the raw activation lines.
struct StretchPasses {
    Workload first;
    Workload last;
    ActivationLines activations;
};

class Sweeper {
public:
    Sweeper(const WorkloadBuilder& builder, const SweepSpec& spec)
        : m_builder(builder),
          m_spec(spec),
          m_decode(spec.phase == Phase::decode && builder.hasDecode()),
          m_phase(builder.hasDecode() ? spec.phase : Phase::prefill),
          m_lengths(spec.phase == Phase::decode ? spec.contextLengths : spec.promptLengths) {}

    Status prepare(std::vector<SweepPoint>& points);
    std::vector<Group> groups() const;
    // Evaluates a group and writes its points; returns how many.
    Result<std::size_t> run(const Group& group, std::vector<SweepPoint>& points) const;

private:
    std::size_t index(const Group& g, std::size_t d, std::size_t l) const {
        const std::size_t perPlan = m_spec.devices.size();
        return (((g.plan * perPlan + d) * m_spec.scenarios.size() + g.scenario) *
                    m_spec.batches.size() +
                g.batch) *
                   m_lengths.size() +
               l;
    }
    RunSettings settings(std::int64_t batch, Phase phase, std::int64_t length) const {
        RunSettings s;
        s.phase = phase;
        s.batch = batch;
        s.promptLength = length;
        s.contextLength = length;
        s.generateLength = m_spec.generateLength;
        s.flashAttention = m_spec.flashAttention;
        return s;
    }
    void finish(SweepPoint& p, const Report& report, std::size_t scenario) const;
    void collectWarnings(const Report& report) const;
    Result<std::size_t> runPass(const Group& g, std::vector<SweepPoint>& points) const;
    Result<std::size_t> runDecode(const Group& g, std::vector<SweepPoint>& points) const;
    Result<std::size_t> runDeployed(const Group& g, std::vector<SweepPoint>& points) const;
    Result<Workload> buildDecode(const Group& g, std::int64_t context, Workload& raw) const;
    std::size_t writeDecodePoints(const Group& g, std::size_t d, const Stretch& stretch,
                                  const StretchPasses& passes,
                                  std::vector<SweepPoint>& points) const;

    const WorkloadBuilder& m_builder;
    const SweepSpec& m_spec;
    bool m_decode;
    Phase m_phase;
    const std::vector<std::int64_t>& m_lengths;
    std::vector<double> m_weightBytes;  // per scenario
    std::vector<bool> m_collapse;       // per scenario
    mutable std::mutex m_warningsMutex;
    mutable std::set<std::string> m_warnings;

public:
    std::vector<std::string> warnings() const { return {m_warnings.begin(), m_warnings.end()}; }
};

void Sweeper::collectWarnings(const Report& report) const {
    if (report.warnings.empty()) {
        return;
    }
    const std::lock_guard<std::mutex> lock(m_warningsMutex);
    m_warnings.insert(report.warnings.begin(), report.warnings.end());
}

Status Sweeper::prepare(std::vector<SweepPoint>& points) {
    points.resize(sweepSize(m_spec));
    // The weight footprint depends on the scenario only: take it from one full build.
    for (const auto& scenario : m_spec.scenarios) {
        RunSettings s = settings(1, m_builder.hasDecode() ? Phase::decode : Phase::prefill, 1);
        ROOFLENS_TRY(const Workload workload, buildPass(m_builder, s, scenario));
        m_weightBytes.push_back(workload.memory.weights);
        m_collapse.push_back(!needsSeparateBlocks(scenario));
    }
    return Ok{};
}

std::vector<Group> Sweeper::groups() const {
    std::vector<Group> out;
    for (std::uint32_t p = 0; p < m_spec.deployments.size(); ++p) {
        const bool lines = m_decode && m_spec.deployments[p].single();
        for (std::uint32_t s = 0; s < m_spec.scenarios.size(); ++s) {
            for (std::uint32_t b = 0; b < m_spec.batches.size(); ++b) {
                if (lines) {
                    out.push_back({p, s, b, 0});
                    continue;
                }
                for (std::uint32_t l = 0; l < m_lengths.size(); ++l) {
                    out.push_back({p, s, b, l});
                }
            }
        }
    }
    return out;
}

void Sweeper::finish(SweepPoint& p, const Report& report, std::size_t scenario) const {
    collectWarnings(report);
    p.tokensPerSecondPerDevice = p.tokensPerSecond;
    const double total = report.totals.timeSeconds;
    p.bound = p.timeSeconds > 0 && 2 * report.totals.computeBoundSeconds > total ? Bound::compute
                                                                                 : Bound::memory;
    p.weightBytes = m_weightBytes[scenario];
    p.kvCacheBytes = report.totals.memory.kvCache;
    p.totalMemoryBytes = p.weightBytes + p.kvCacheBytes + report.totals.memory.activations +
                         report.totals.memory.state;
    p.fitsInMemory = p.totalMemoryBytes <= m_spec.devices[p.device].memoryCapacityBytes();
}

Result<std::size_t> Sweeper::runPass(const Group& g, std::vector<SweepPoint>& points) const {
    const auto& scenario = m_spec.scenarios[g.scenario];
    const std::int64_t batch = m_spec.batches[g.batch];
    const std::int64_t length = m_lengths[g.length];
    const RunSettings run = settings(batch, m_phase, length);
    const bool collapse = m_collapse[g.scenario];
    std::optional<RequestPasses> passes;
    std::optional<Workload> workload;
    if (m_phase == Phase::request) {
        auto pass = [&](Phase phase, std::int64_t context) {
            return buildPass(m_builder, settings(batch, phase, context), scenario, collapse);
        };
        ROOFLENS_TRY(passes, buildRequestPasses(run, pass));
    } else {
        ROOFLENS_TRY(workload, buildPass(m_builder, run, scenario, collapse));
    }
    for (std::size_t d = 0; d < m_spec.devices.size(); ++d) {
        const Hardware& hw = m_spec.devices[d];
        SweepPoint& p = points[index(g, d, g.length)];
        p.deployment = g.plan;
        p.device = static_cast<std::uint32_t>(d);
        p.scenario = g.scenario;
        p.batch = batch;
        if (passes) {
            const Report report = analyzeRequest(*passes, hw, m_spec.options);
            const RequestMetrics& m = *report.totals.request;
            p.promptLength = length;
            p.contextLength = length + m_spec.generateLength - 1;
            p.timeSeconds = m.e2eSeconds;
            p.tokensPerSecond = m.tokensPerSecond;
            p.ttftSeconds = m.ttftSeconds;
            p.tpotSeconds = m.tpotSeconds.value_or(0);
            p.expectedSeconds = m.expectedE2eSeconds;
            p.expectedTokensPerSecond = m.expectedTokensPerSecond;
            p.expectedTtftSeconds = m.expectedTtftSeconds;
            p.expectedTpotSeconds = m.expectedTpotSeconds.value_or(0);
            finish(p, report, g.scenario);
            continue;
        }
        const Report report = analyze(*workload, hw, m_spec.options);
        p.timeSeconds = report.totals.timeSeconds;
        const double tokens =
            static_cast<double>(batch) * (m_phase == Phase::prefill && m_builder.hasDecode()
                                              ? static_cast<double>(length)
                                              : 1.0);
        p.tokensPerSecond = p.timeSeconds > 0 ? tokens / p.timeSeconds : 0;
        p.expectedSeconds = report.totals.expectedSeconds;
        p.expectedTokensPerSecond = p.expectedSeconds > 0 ? tokens / p.expectedSeconds : 0;
        (m_spec.phase == Phase::decode ? p.contextLength : p.promptLength) = length;
        finish(p, report, g.scenario);
    }
    return m_spec.devices.size();
}

Result<Workload> Sweeper::buildDecode(const Group& g, std::int64_t context, Workload& raw) const {
    const auto& scenario = m_spec.scenarios[g.scenario];
    PassOptions options;
    options.collapseBlocks = m_collapse[g.scenario];
    if (scenario) {
        options.tokenReduction = scenario->tokenReduction;
    }
    const RunSettings run = settings(m_spec.batches[g.batch], Phase::decode, context);
    ROOFLENS_TRY(raw, m_builder.build(run, options));
    if (!scenario || !scenario->compresses()) {
        Workload w = raw;
        if (scenario) {
            w.scenario = scenario->name;
        }
        return w;
    }
    return applyScenario(*scenario, raw);
}

// Prices the stretch's contexts on one device from the two ends (DecodeLine): time, bound and
// the memory lines, exact between context breaks.
std::size_t Sweeper::writeDecodePoints(const Group& g, std::size_t d, const Stretch& stretch,
                                       const StretchPasses& passes,
                                       std::vector<SweepPoint>& points) const {
    const Hardware& hw = m_spec.devices[d];
    const std::int64_t a = stretch.first;
    const std::int64_t z = stretch.last;
    const Report ra = analyze(passes.first, hw, m_spec.options);
    const Report rz = z == a ? ra : analyze(passes.last, hw, m_spec.options);
    collectWarnings(ra);
    collectWarnings(rz);
    const DecodeLine line(ra, a, rz, z);
    const double span = static_cast<double>(z - a);
    const std::int64_t batch = m_spec.batches[g.batch];
    for (std::size_t l : stretch.members) {
        const std::int64_t t = m_lengths[l];
        const double f = span > 0 ? static_cast<double>(t - a) / span : 0;
        const DecodeLine::Point step = line.at(t);
        SweepPoint& p = points[index(g, d, l)];
        p.deployment = g.plan;
        p.device = static_cast<std::uint32_t>(d);
        p.scenario = g.scenario;
        p.batch = batch;
        p.contextLength = t;
        p.timeSeconds = step.seconds;
        p.tokensPerSecond = step.seconds > 0 ? static_cast<double>(batch) / step.seconds : 0;
        p.tokensPerSecondPerDevice = p.tokensPerSecond;
        p.expectedSeconds = step.expectedSeconds;
        p.expectedTokensPerSecond =
            step.expectedSeconds > 0 ? static_cast<double>(batch) / step.expectedSeconds : 0;
        p.bound = step.seconds > 0 && 2 * step.computeBoundSeconds > step.seconds ? Bound::compute
                                                                                  : Bound::memory;
        p.weightBytes = m_weightBytes[g.scenario];
        const double kvA = ra.totals.memory.kvCache;
        p.kvCacheBytes =
            t == z ? rz.totals.memory.kvCache : kvA + (rz.totals.memory.kvCache - kvA) * f;
        p.totalMemoryBytes =
            p.weightBytes + p.kvCacheBytes + passes.activations.at(f) + ra.totals.memory.state;
        p.fitsInMemory = p.totalMemoryBytes <= hw.memoryCapacityBytes();
    }
    return stretch.members.size();
}

Result<std::size_t> Sweeper::runDecode(const Group& g, std::vector<SweepPoint>& points) const {
    const auto [lo, hi] = std::minmax_element(m_lengths.begin(), m_lengths.end());
    Workload probeRaw;
    ROOFLENS_TRY(const Workload probe, buildDecode(g, *lo, probeRaw));
    std::size_t written = 0;
    for (const ContextInterval& interval : contextIntervals(*lo, *hi, probe.contextBreaks)) {
        const Stretch stretch = stretchOf(interval, m_lengths);
        if (stretch.members.empty()) {
            continue;
        }
        StretchPasses passes;
        Workload rawA;
        Workload rawZ;
        ROOFLENS_TRY(passes.first, buildDecode(g, stretch.first, rawA));
        if (stretch.last == stretch.first) {
            passes.last = passes.first;
            rawZ = rawA;
        } else {
            ROOFLENS_TRY(passes.last, buildDecode(g, stretch.last, rawZ));
        }
        passes.activations = {ActivationLines::of(rawA), ActivationLines::of(rawZ)};
        for (std::size_t d = 0; d < m_spec.devices.size(); ++d) {
            written += writeDecodePoints(g, d, stretch, passes, points);
        }
    }
    return written;
}

// A point of a multi-device plan on every device, through the evaluation pipeline: the rank's
// time, the replica's throughput, the busiest rank's memory.
Result<std::size_t> Sweeper::runDeployed(const Group& g, std::vector<SweepPoint>& points) const {
    const Deployment& plan = m_spec.deployments[g.plan];
    const std::int64_t batch = m_spec.batches[g.batch];
    const std::int64_t length = m_lengths[g.length];
    EvaluationInput in;
    in.settings = settings(batch, m_phase, length);
    in.devices = m_spec.devices;
    in.scenarios = {m_spec.scenarios[g.scenario]};
    in.deployment = plan;
    in.systems = m_spec.systems;
    in.options = m_spec.options;
    auto evaluation = evaluate(m_builder, in);
    std::optional<Error> error = evaluation ? evaluation->firstError() : evaluation.error();
    if (error) {
        error->message = "plan " + planName(plan) + ": " + error->message;
        return *error;
    }
    for (std::size_t d = 0; d < m_spec.devices.size(); ++d) {
        const Report& r = *evaluation->at(d, 0).report;
        collectWarnings(r);
        SweepPoint& p = points[index(g, d, g.length)];
        p.deployment = g.plan;
        p.device = static_cast<std::uint32_t>(d);
        p.scenario = g.scenario;
        p.batch = batch;
        (m_spec.phase == Phase::decode ? p.contextLength : p.promptLength) = length;
        p.timeSeconds = r.totals.timeSeconds;
        p.tokensPerSecond = r.totals.itemsPerSecond;
        p.expectedSeconds = r.totals.expectedSeconds;
        p.expectedTokensPerSecond =
            p.expectedSeconds > 0 ? p.tokensPerSecond * p.timeSeconds / p.expectedSeconds : 0;
        if (const auto& m = r.totals.request) {
            p.contextLength = length + m_spec.generateLength - 1;
            p.timeSeconds = m->e2eSeconds;
            p.tokensPerSecond = m->tokensPerSecond;
            p.ttftSeconds = m->ttftSeconds;
            p.tpotSeconds = m->tpotSeconds.value_or(0);
            p.expectedSeconds = m->expectedE2eSeconds;
            p.expectedTokensPerSecond = m->expectedTokensPerSecond;
            p.expectedTtftSeconds = m->expectedTtftSeconds;
            p.expectedTpotSeconds = m->expectedTpotSeconds.value_or(0);
        }
        p.tokensPerSecondPerDevice = r.totals.itemsPerSecondPerDevice;
        p.networkSeconds = r.totals.networkSeconds;
        const double total = r.totals.timeSeconds;
        p.bound = 2 * r.totals.networkSeconds > total        ? Bound::network
                  : 2 * r.totals.computeBoundSeconds > total ? Bound::compute
                                                             : Bound::memory;
        p.weightBytes = r.totals.memory.weights;
        p.kvCacheBytes = r.totals.memory.kvCache;
        p.totalMemoryBytes = r.totals.memory.total();
        p.fitsInMemory = r.totals.fitsInMemory;
    }
    return m_spec.devices.size();
}

Result<std::size_t> Sweeper::run(const Group& group, std::vector<SweepPoint>& points) const {
    if (!m_spec.deployments[group.plan].single()) {
        return runDeployed(group, points);
    }
    return m_decode ? runDecode(group, points) : runPass(group, points);
}

}  // namespace

Result<SweepResult> runSweep(const WorkloadBuilder& builder, const SweepSpec& spec,
                             unsigned threads, const ProgressCallback& progress,
                             const CancelToken* cancel) {
    if (!spec.systems.empty() && spec.systems.size() != spec.devices.size()) {
        return usageError("one system per device, or none");
    }
    SweepResult result;
    if (sweepSize(spec) == 0) {
        return result;
    }
    Sweeper sweeper(builder, spec);
    ROOFLENS_CHECK(sweeper.prepare(result.points));
    const std::vector<Group> groups = sweeper.groups();

    const std::size_t total = result.points.size();
    const auto started = std::chrono::steady_clock::now();
    std::size_t reported = 0;
    auto report = [&](std::size_t finished) {
        if (progress && (finished - reported >= 4096 || finished == total)) {
            reported = finished;
            reportWithEta(progress, "sweep", static_cast<double>(finished) / total, started);
        }
    };
    auto work = [&](std::size_t i) { return sweeper.run(groups[i], result.points); };
    ROOFLENS_TRY(const std::size_t done,
                 forEachParallel(groups.size(), threads, work, report, cancel));
    result.warnings = sweeper.warnings();
    if (cancel != nullptr && cancel->cancelled() && done < total) {
        result.cancelled = true;
        result.points.resize(0);
    }
    return result;
}

}  // namespace rooflens::core
