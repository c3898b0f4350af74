#include "core/sweep.h"

#include <atomic>
#include <charconv>
#include <chrono>
#include <mutex>
#include <thread>

namespace rooflens::core {

namespace {

constexpr std::size_t kMaxRangeValues = 100000;

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

// Whether a scenario's overrides name particular blocks, so folded blocks would be wrong.
bool blockSpecific(const std::optional<Scenario>& scenario) {
    if (!scenario) {
        return false;
    }
    if (scenario->depth.exitDepth > 0) {
        return true;
    }
    for (const auto& o : scenario->overrides) {
        if (o.pattern.find("blocks.") != std::string::npos) {
            return true;
        }
    }
    return false;
}

struct Job {
    std::uint32_t device;
    std::uint32_t scenario;
    std::int64_t batch;
    std::int64_t length;  // prompt (prefill, request) or context (decode)
};

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
    return spec.devices.size() * spec.scenarios.size() * spec.batches.size() * lengths.size();
}

Result<SweepResult> runSweep(const SweepSpec& spec, const SweepBuilder& build, unsigned threads,
                             const ProgressCallback& progress, const CancelToken* cancel) {
    const auto& lengths = spec.phase == Phase::decode ? spec.contextLengths : spec.promptLengths;
    std::vector<Job> jobs;
    jobs.reserve(sweepSize(spec));
    for (std::uint32_t d = 0; d < spec.devices.size(); ++d) {
        for (std::uint32_t s = 0; s < spec.scenarios.size(); ++s) {
            for (auto batch : spec.batches) {
                for (auto length : lengths) {
                    jobs.push_back({d, s, batch, length});
                }
            }
        }
    }
    SweepResult result;
    result.points.resize(jobs.size());
    if (jobs.empty()) {
        return result;
    }

    // The weight footprint depends on the scenario only: take it from one full build.
    std::vector<double> weightBytes(spec.scenarios.size());
    std::vector<bool> collapse(spec.scenarios.size());
    for (std::size_t s = 0; s < spec.scenarios.size(); ++s) {
        RunSettings settings;
        settings.phase = Phase::decode;
        settings.contextLength = 1;
        auto workload = build(settings, false);
        if (!workload) {
            return workload.error();
        }
        if (spec.scenarios[s]) {
            workload = applyScenario(*spec.scenarios[s], workload.value());
            if (!workload) {
                return workload.error();
            }
        }
        weightBytes[s] = workload->memory.weights;
        collapse[s] = !blockSpecific(spec.scenarios[s]);
    }

    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::atomic<bool> failed{false};
    std::mutex errorMutex;
    std::optional<Error> firstError;
    const auto started = std::chrono::steady_clock::now();

    auto evaluate = [&](const Job& job) -> Result<SweepPoint> {
        const auto& scenario = spec.scenarios[job.scenario];
        const Hardware& hw = spec.devices[job.device];
        RunSettings settings;
        settings.phase = spec.phase;
        settings.batch = job.batch;
        settings.promptLength = job.length;
        settings.contextLength = job.length;
        settings.generateLength = spec.generateLength;
        settings.flashAttention = spec.flashAttention;
        auto pass = [&](Phase phase, std::int64_t context) -> Result<Workload> {
            RunSettings s = settings;
            s.phase = phase;
            s.promptLength = context;
            s.contextLength = context;
            auto workload = build(s, collapse[job.scenario]);
            if (!workload || !scenario) {
                return workload;
            }
            auto compressedWorkload = applyScenario(*scenario, workload.value());
            return compressedWorkload;
        };
        SweepPoint point;
        point.device = job.device;
        point.scenario = job.scenario;
        point.batch = job.batch;
        Report report;
        if (spec.phase == Phase::request) {
            auto r = analyzeRequest(settings, pass, hw);
            if (!r) {
                return r.error();
            }
            report = std::move(r).value();
            const RequestMetrics& m = *report.totals.request;
            point.promptLength = job.length;
            point.contextLength = job.length + spec.generateLength - 1;
            point.timeSeconds = m.e2eSeconds;
            point.tokensPerSecond = m.tokensPerSecond;
            point.ttftSeconds = m.ttftSeconds;
            point.tpotSeconds = m.tpotSeconds.value_or(0);
        } else {
            auto workload = pass(spec.phase, job.length);
            if (!workload) {
                return workload.error();
            }
            report = analyze(workload.value(), hw);
            point.timeSeconds = report.totals.timeSeconds;
            const double tokens =
                static_cast<double>(job.batch) *
                (spec.phase == Phase::prefill ? static_cast<double>(job.length) : 1.0);
            point.tokensPerSecond = point.timeSeconds > 0 ? tokens / point.timeSeconds : 0;
            (spec.phase == Phase::prefill ? point.promptLength : point.contextLength) = job.length;
        }
        double computeTime = 0;
        for (std::size_t i = 0; i < report.results.size(); ++i) {
            if (report.results[i].bound == Bound::compute) {
                computeTime += report.results[i].timeSeconds * report.layers[i].repeat;
            }
        }
        const double total = point.timeSeconds > 0 ? report.totals.timeSeconds : 0;
        point.bound = 2 * computeTime > total ? Bound::compute : Bound::memory;
        point.weightBytes = weightBytes[job.scenario];
        point.kvCacheBytes = report.totals.memory.kvCache;
        point.totalMemoryBytes =
            point.weightBytes + point.kvCacheBytes + report.totals.memory.activations;
        point.fitsInMemory = point.totalMemoryBytes <= hw.memoryCapacityBytes();
        return point;
    };

    auto worker = [&](bool reporter) {
        while (!failed.load(std::memory_order_relaxed)) {
            if (cancel != nullptr && cancel->cancelled()) {
                return;
            }
            const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
            if (i >= jobs.size()) {
                return;
            }
            auto point = evaluate(jobs[i]);
            if (!point) {
                const std::lock_guard<std::mutex> lock(errorMutex);
                if (!firstError) {
                    firstError = point.error();
                }
                failed = true;
                return;
            }
            result.points[i] = point.value();
            const std::size_t finished = done.fetch_add(1, std::memory_order_relaxed) + 1;
            if (reporter && progress && (finished % 4096 == 0 || finished == jobs.size())) {
                const double elapsed =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                        .count();
                const double fraction = static_cast<double>(finished) / jobs.size();
                progress(fraction, "sweep", elapsed / fraction - elapsed);
            }
        }
    };
    if (threads == 0) {
        threads = std::max(1U, std::thread::hardware_concurrency());
    }
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, jobs.size()));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) {
        pool.emplace_back(worker, false);
    }
    worker(true);
    for (auto& thread : pool) {
        thread.join();
    }
    if (firstError) {
        return *firstError;
    }
    if (cancel != nullptr && cancel->cancelled() && done.load() < jobs.size()) {
        result.cancelled = true;
        result.points.resize(0);
    }
    return result;
}

}  // namespace rooflens::core
