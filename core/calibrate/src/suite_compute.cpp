// Compute steps of the suite: the clock probe (C0), the FMA and dot-product peaks (C1, C2) and
// the oneDNN GEMMs (C6).
#include <algorithm>
#include <cmath>

#include "calibrate/cpu_kernels.h"
#include "suite.h"

namespace rooflens::calibrate::detail {

namespace {

// Run-time multiplier and addend, so the compiler cannot fold the FMA chains.
volatile double g_multiplier = 0.9999999;
volatile double g_addend = 1e-3;

}  // namespace

bool runClockProbe(Suite& suite, int threads) {
    KernelResult r;
    r.name = "clock probe";
    r.group = "clock";
    r.isa = "dependent addq chain";
    r.unit = "Hz";
    r.workPerIteration = kClockAddsPerIteration;  // per thread: every thread runs the chain
    MeasureOptions o = suite.trial();
    o.minTrialSeconds *= 0.5;
    o.minTrials = 5;
    o.minRunSeconds = o.minTrialSeconds * 5;
    ThreadTeam& team = suite.team(threads);
    std::vector<std::uint64_t> sinks(static_cast<std::size_t>(team.size()));
    KernelResult* earlier = suite.find(r.name, team.size());
    KernelResult& target = earlier != nullptr ? *earlier : r;
    const bool ok = suite.measure(
        target, team,
        [&](int t, std::int64_t n) { sinks[static_cast<std::size_t>(t)] += clockProbe(n); }, o);
    doNotOptimize(sinks.data());
    if (ok && earlier == nullptr) {
        suite.record(std::move(r));
    }
    return ok;
}

bool runPeaks(Suite& suite, int pass) {
    const auto kernels = peakKernels(suite.features());
    const MachineContext& machine = suite.out().machine;
    for (int threads : suite.threadCounts()) {
        ThreadTeam& team = suite.team(threads);
        std::vector<double> sinks(static_cast<std::size_t>(team.size()));
        for (std::size_t i = 0; i < kernels.size(); ++i) {
            const PeakKernel& kernel = kernels[i];
            suite.stepProgress(
                (static_cast<double>(threads > 1 ? kernels.size() : 0) + static_cast<double>(i)) /
                    static_cast<double>(kernels.size() * suite.threadCounts().size()),
                ": " + std::string(kernel.name) + ", " + std::to_string(team.size()) +
                    " thread(s)");
            const std::string name = "peak " + std::string(kernel.name);
            KernelResult fresh;
            KernelResult* earlier = pass > 0 ? suite.find(name, team.size()) : nullptr;
            KernelResult& r = earlier != nullptr ? *earlier : fresh;
            if (earlier == nullptr) {
                r.name = name;
                r.group = "peak";
                r.isa = std::string(kernel.instruction);
                r.unit = core::isInteger(kernel.type) ? "OP/s" : "FLOP/s";
                r.type = kernel.type;
                r.vectorBits = kernel.vectorBits;
                r.workPerIteration = kernel.opsPerIteration() * team.size();
                r.theoreticalPerCycle =
                    kernel.opsPerInstruction *
                    peakInstructionsPerCycle(machine, kernel.type, kernel.vectorBits) * team.size();
            }
            const double m = g_multiplier;
            const double c = g_addend;
            const bool ok = suite.measure(
                r, team,
                [&](int t, std::int64_t n) {
                    sinks[static_cast<std::size_t>(t)] += kernel.run(n, m, c);
                },
                suite.trial());
            doNotOptimize(sinks.data());
            if (!ok) {
                return false;
            }
            if (earlier == nullptr) {
                suite.record(std::move(fresh));
            }
        }
    }
    // Clock probes between the passes (calibration.md 4.1 C0).
    for (int threads : suite.threadCounts()) {
        if (!runClockProbe(suite, threads)) {
            return false;
        }
    }
    return true;
}

std::vector<std::pair<GemmType, GemmShape>> gemmCases(const Suite& suite) {
    const double scale = std::min(1.0, suite.scale());
    const auto square = static_cast<std::int64_t>(
        std::max(64.0, std::round((suite.full() ? 2048 : 1024) * std::cbrt(scale) / 64) * 64));
    std::vector<std::pair<GemmType, GemmShape>> cases;
    for (GemmType type : {GemmType::fp32, GemmType::bf16, GemmType::int8}) {
        cases.emplace_back(type, GemmShape{square, square, square});
    }
    // Shape efficiency eta(M) of decode-to-prefill GEMMs over a k x n FP32 weight
    // (calibration.md 4.3 item 5): the library's share of the FMA roof depends on M and on
    // the thread count (oneDNN 2.6 ran M = 256 at 84 % on one thread, 60 % on two).
    const auto d = static_cast<std::int64_t>(
        std::max(256.0, std::round((suite.full() ? 4096 : 2048) * std::sqrt(scale) / 64) * 64));
    // The grid varies k and n too (issue 14 item 1): a narrow n (a GQA k/v projection:
    // 2048 -> 256) wastes vector lanes and blocking, a short k starves the FMA pipes.
    // Quick: n in {d/4, d}; full: also k = d/4. The profile's grid takes the distinct m, k
    // and n as its axes (profile.cpp, gemmGrid).
    const std::int64_t narrow = std::max<std::int64_t>(64, d / 4);
    std::vector<std::pair<std::int64_t, std::int64_t>> kn = {{d, d}, {d, narrow}};
    if (suite.full()) {
        kn.emplace_back(narrow, d);
    }
    for (const auto& [k, n] : kn) {
        for (std::int64_t m : {1, 8, 32, 128, 512}) {
            cases.emplace_back(GemmType::fp32, GemmShape{m, n, k});
        }
    }
    // Dispatch overhead: a GEMM too small for its math to count (issue 14).
    cases.emplace_back(GemmType::fp32, GemmShape{1, 16, 16});
    return cases;
}

bool runGemm(Suite& suite) {
    const std::vector<int> saved = availableCpus();
    const std::vector<int>& all = suite.out().cpus;
    const auto counts = suite.threadCounts();
    const auto cases = gemmCases(suite);  // the same shapes at every thread count
    const double stepsTotal = static_cast<double>(counts.size() * cases.size());
    double stepsDone = 0;
    bool ok = true;
    for (int threads : counts) {
        const std::vector<int> cpus(all.begin(), all.begin() + threads);
        setLibraryThreads(cpus);
        for (const auto& [type, shape] : cases) {
            suite.stepProgress(stepsDone++ / stepsTotal,
                               ": " + std::string(nameOf(type)) + " " + std::to_string(shape.m) +
                                   "x" + std::to_string(shape.n) + "x" + std::to_string(shape.k) +
                                   ", " + std::to_string(threads) + " thread(s)");
            if (suite.cancelled()) {
                ok = false;
                break;
            }
            auto runner = GemmRunner::create(type, shape);
            if (!runner) {
                suite.out().warnings.push_back(runner.error().message);
                continue;
            }
            GemmRunner& gemm = *runner.value();
            KernelResult r;
            const bool isSquare = shape.m == shape.n && shape.n == shape.k;
            r.name = "gemm " + std::string(nameOf(type)) + " " + std::to_string(shape.m) + "x" +
                     std::to_string(shape.n) + "x" + std::to_string(shape.k);
            r.group = isSquare ? "gemm" : "gemm-shape";
            r.isa = std::string(gemm.implementation());
            r.unit = type == GemmType::int8 ? "OP/s" : "FLOP/s";
            r.type = dataTypeOf(type);
            r.threads = threads;
            r.workPerIteration = shape.ops();
            r.workingSetBytes =
                static_cast<double>(shape.n * shape.k) * core::bytesOf(dataTypeOf(type));
            auto m = measure([&](std::int64_t n) { gemm.run(n); }, suite.clock(), suite.trial(),
                             &suite.cancelToken());
            if (!m) {
                ok = false;
                break;
            }
            r.measurement = std::move(*m);
            r.rate = rateStats(r.measurement, r.workPerIteration);
            if (shape.k == 16 && shape.n == 16 && r.rate.typical > 0) {
                r.group = "overhead";
                suite.out().overheads.push_back(
                    {threads, r.workPerIteration / r.rate.typical, r.name});
            }
            suite.record(std::move(r));
        }
        if (!ok) {
            break;
        }
    }
    setCurrentThreadAffinity(saved);
    return ok;
}

}  // namespace rooflens::calibrate::detail
