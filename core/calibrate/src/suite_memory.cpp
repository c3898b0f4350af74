// Memory steps of the suite: the working-set sweep (C3), the random gather (C4), SpMM (C7) and
// a small fused attention.
#include <algorithm>
#include <cmath>
#include <optional>

#include "calibrate/cpu_kernels.h"
#include "calibrate/layer_kernels.h"
#include "suite.h"

namespace rooflens::calibrate::detail {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

MeasureOptions sweepOptions(const Suite& suite) {
    MeasureOptions o = suite.planned();
    o.minTrialSeconds = (suite.full() ? 0.02 : 0.01) * suite.scale();
    o.minTrials = suite.full() ? 7 : 5;
    o.minRunSeconds = o.minTrialSeconds * o.minTrials;
    o.maxRunSeconds = 2.0;
    return suite.paced(o);
}

// Gather and SpMM: one call moves 100+ MB, so a trial is one or two calls; five trials.
MeasureOptions sparseOptions(const Suite& suite) {
    MeasureOptions o = suite.planned();
    o.minTrials = 5;
    o.minRunSeconds = o.minTrialSeconds * 5;
    o.maxRunSeconds = 2.0;
    return suite.paced(o);
}

// Largest working set of all threads together: >= 4x (quick) or 16x (full) the LLC, at least
// 128 MiB / 1 GiB; scaled down for tests. Quick mode stops at 4x (points at 1.4, 2, 2.8 and 4x
// the LLC find the DRAM plateau) because the points beyond the LLC cost time in proportion to
// the LLC: on a 260 MB L3 an 8x sweep streamed 2 GB per trial (issue 14 item 6).
double largestFootprint(const Suite& suite, double llcBytes) {
    double bytes =
        suite.full() ? std::max(16 * llcBytes, 1024 * kMiB) : std::max(4 * llcBytes, 128 * kMiB);
    if (suite.scale() < 1) {
        bytes = std::max(4 * kMiB, bytes * suite.scale());
    }
    return bytes;
}

// The gather table and the SpMM dense operand: 4x the LLC, at least 128 MiB, so they come from
// DRAM. Both use the same size because random access slows with the table (TLB reach, page
// walks): on the development VM a 1 GiB table gathered 256-byte rows 20 % slower than 128 MiB.
// `rooflens validate`'s default graph (512 Ki rows x 256 B) has this size on a 32 MiB LLC.
double gatherTableBytes(const Suite& suite, double llcBytes) {
    double bytes = std::max(4 * llcBytes, 128 * kMiB);
    if (suite.scale() < 1) {
        bytes = std::max(4 * kMiB, bytes * suite.scale());
    }
    return std::floor(bytes / kMiB) * kMiB;
}

// Per-thread capacity ranges of the cache levels, as the plateau finder uses them.
std::vector<std::pair<double, double>> levelRanges(const MachineContext& m,
                                                   const std::vector<int>& cpus) {
    std::vector<std::pair<double, double>> ranges;
    double previous = 0;
    for (const auto& cache : m.caches) {
        const double perThread =
            m.cacheBytesFor(cache.level, cpus) / static_cast<double>(cpus.size());
        ranges.emplace_back(previous > 0 ? 1.2 * previous : 0.1 * perThread, 0.8 * perThread);
        previous = perThread;
    }
    return ranges;
}

// Whether the CPU has a narrower streaming path than its default (AVX-512 and AVX2).
bool hasNarrowerPath(const CpuFeatures& f) {
    return f.avx512f && f.avx2 && f.fma;
}

std::int64_t startFrom(double secondsPerUnit, double units, double minTrialSeconds) {
    if (secondsPerUnit <= 0 || units <= 0) {
        return 1;
    }
    return std::max<std::int64_t>(
        1, static_cast<std::int64_t>(minTrialSeconds / (secondsPerUnit * units) * 0.8));
}

}  // namespace

bool runSweep(Suite& suite, StreamKind kind, int threads) {
    Calibration& c = suite.out();
    ThreadTeam& team = suite.team(threads);
    const int t = team.size();
    const double llc = c.machine.caches.empty()
                           ? 32 * kMiB
                           : c.machine.cacheBytesFor(c.machine.caches.back().level, c.cpus);
    const int arrays = arraysOf(kind);
    const double unit = 4.0 * arrays * kStreamGranule;  // bytes of one block of all arrays
    const double perThreadMax = std::floor(largestFootprint(suite, llc) / t / unit) * unit;

    std::vector<double> sizes;
    if (kind == StreamKind::read || suite.full()) {
        for (double s = 8 * 1024; s <= perThreadMax * 1.0001; s *= std::sqrt(2.0)) {
            sizes.push_back(s);
        }
    } else {
        for (const auto& [lo, hi] : levelRanges(c.machine, team.cpus())) {
            if (hi > lo) {
                sizes.push_back(std::sqrt(lo * hi));
            }
        }
        sizes.push_back(perThreadMax / std::sqrt(2.0));
        sizes.push_back(perThreadMax);
        // A level whose range lies beyond the largest working set (a scaled-down run) is
        // measured at the largest one instead.
        for (double& size : sizes) {
            size = std::min(size, perThreadMax);
        }
        std::sort(sizes.begin(), sizes.end());
        sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    }

    const auto floatsPerThread = static_cast<std::size_t>(perThreadMax / 4);
    std::vector<AlignedBuffer<float>> buffers(static_cast<std::size_t>(t));
    team.run([&](int i) {
        auto& buffer = buffers[static_cast<std::size_t>(i)];
        buffer.reset(floatsPerThread);
        std::fill(buffer.data(), buffer.data() + floatsPerThread, 1e-3f);  // first touch
    });

    Sweep sweep;
    sweep.kernel = std::string(nameOf(kind));
    sweep.threads = t;
    const MeasureOptions base = sweepOptions(suite);
    std::vector<float> sinks(static_cast<std::size_t>(t));
    double secondsPerByte = 0;
    // Quick mode compares the two vector widths at the first point beyond the LLC only and
    // keeps the winner for the larger points (full mode compares them at every point).
    std::optional<CpuFeatures> dramPath;
    for (std::size_t p = 0; p < sizes.size(); ++p) {
        suite.stepProgress(static_cast<double>(p) / static_cast<double>(sizes.size()),
                           " @ " + formatBytes(sizes[p]));
        const auto n = static_cast<std::size_t>(std::floor(sizes[p] / unit)) * kStreamGranule;
        if (n < kStreamGranule) {
            continue;
        }
        // Beyond the LLC both vector widths run and the better one counts: on Zen 4 (512-bit ops
        // split over 256-bit pipes) 256-bit loads stream DRAM about 10 % faster, on cores with a
        // full 512-bit datapath the reverse. Inside the caches the widest path is used.
        std::vector<CpuFeatures> paths = {suite.features()};
        const bool beyondLlc = 4.0 * arrays * static_cast<double>(n) * t >= llc;
        const bool twoWidths = beyondLlc && hasNarrowerPath(suite.features());
        if (twoWidths && dramPath) {
            paths = {*dramPath};
        } else if (twoWidths) {
            CpuFeatures narrow = suite.features();
            narrow.avx512f = false;
            paths.push_back(narrow);
        }
        KernelResult best;
        CpuFeatures bestPath = paths.front();
        for (const CpuFeatures& path : paths) {
            KernelResult r;
            r.workingSetBytes = 4.0 * arrays * static_cast<double>(n);
            r.name = std::string(nameOf(kind)) + " " + formatBytes(r.workingSetBytes) +
                     (twoWidths ? " " + std::string(streamIsa(path)) : "");
            r.group = "sweep";
            r.isa = std::string(streamIsa(path));
            r.unit = "B/s";
            r.workPerIteration = streamBytesPerElement(kind) * static_cast<double>(n) * t;
            MeasureOptions o = base;
            o.startIterations = startFrom(secondsPerByte, r.workPerIteration, o.minTrialSeconds);
            const bool ok = suite.measure(
                r, team,
                [&](int i, std::int64_t iterations) {
                    float* a = buffers[static_cast<std::size_t>(i)].data();
                    sinks[static_cast<std::size_t>(i)] +=
                        runStream(kind, path, a, a + n, a + 2 * n, n, iterations);
                },
                o);
            doNotOptimize(sinks.data());
            if (!ok) {
                return false;
            }
            secondsPerByte = r.rate.typical > 0 ? 1.0 / r.rate.typical : 0;
            if (r.rate.achievable > best.rate.achievable) {
                best = r;
                bestPath = path;
            }
            suite.record(std::move(r));
        }
        if (twoWidths && !suite.full()) {
            dramPath = bestPath;
        }
        sweep.points.push_back({best.workingSetBytes, best.rate.achievable});
    }
    c.sweeps.push_back(std::move(sweep));
    return true;
}

bool runGather(Suite& suite, int threads) {
    Calibration& c = suite.out();
    ThreadTeam& team = suite.team(threads);
    const int t = team.size();
    const double llc = c.machine.caches.empty()
                           ? 32 * kMiB
                           : c.machine.cacheBytesFor(c.machine.caches.back().level, c.cpus);
    const double tableBytes = gatherTableBytes(suite, llc);
    const auto tableFloats = static_cast<std::size_t>(tableBytes / 4);
    AlignedBuffer<float> table(tableFloats);
    team.run([&](int i) {
        const Range r = splitRange(tableFloats, t, i, 1024);
        std::fill(table.data() + r.begin, table.data() + r.end, 1e-3f);
    });
    // 4 Mi (full) or 1 Mi (quick) random rows per thread and call, at most 256 MiB of rows.
    const double rowsPerCall = (suite.full() ? 4.0 : 1.0) * kMiB * std::min(1.0, suite.scale());
    std::vector<AlignedBuffer<std::uint32_t>> indices(static_cast<std::size_t>(t));
    std::vector<float> sinks(static_cast<std::size_t>(t));
    const int granules[] = {4, 64, 256};
    for (std::size_t g = 0; g < 3; ++g) {
        const int granule = granules[g];
        const auto rows = static_cast<std::uint32_t>(tableBytes / granule);
        const auto count =
            static_cast<std::size_t>(std::max(4096.0, std::min(rowsPerCall, 256 * kMiB / granule)));
        team.run([&](int i) {
            auto& index = indices[static_cast<std::size_t>(i)];
            index.reset(count);
            Random random(0x5eedULL * static_cast<std::uint64_t>(granule) +
                          static_cast<std::uint64_t>(i));
            for (std::size_t k = 0; k < count; ++k) {
                index[k] = random.below(rows);
            }
        });
        GatherCeiling best;
        best.granuleBytes = granule;
        best.threads = t;
        best.tableBytes = tableBytes;
        for (bool prefetch : {false, true}) {
            suite.stepProgress(
                (static_cast<double>(g) * 2 + (prefetch ? 1 : 0)) / 6,
                ": " + std::to_string(granule) + " B" + (prefetch ? " with prefetch" : ""));
            KernelResult r;
            r.name = "gather " + std::to_string(granule) + " B" + (prefetch ? " prefetch" : "");
            r.group = "gather";
            r.isa = suite.features().avx512f ? "avx512" : "generic";
            r.unit = "B/s";
            r.workingSetBytes = tableBytes;
            r.workPerIteration = static_cast<double>(count) * granule * t;
            const bool ok = suite.measure(
                r, team,
                [&](int i, std::int64_t iterations) {
                    for (std::int64_t it = 0; it < iterations; ++it) {
                        sinks[static_cast<std::size_t>(i)] +=
                            runGather(table.data(), indices[static_cast<std::size_t>(i)].data(),
                                      count, granule, prefetch, suite.features());
                    }
                },
                sparseOptions(suite));
            doNotOptimize(sinks.data());
            if (!ok) {
                return false;
            }
            if (r.rate.achievable > best.usefulBytesPerSecond) {
                best.usefulBytesPerSecond = r.rate.achievable;
                best.gathersPerSecond = r.rate.achievable / granule;
                best.prefetch = prefetch;
            }
            suite.record(std::move(r));
        }
        c.gather.push_back(best);
    }
    return true;
}

bool runSpmm(Suite& suite, int threads) {
    ThreadTeam& team = suite.team(threads);
    const int t = team.size();
    constexpr int kFeatures = 64;
    constexpr int kDegree = 16;
    const Calibration& c = suite.out();
    const double llc = c.machine.caches.empty()
                           ? 32 * kMiB
                           : c.machine.cacheBytesFor(c.machine.caches.back().level, c.cpus);
    const auto rows =
        static_cast<std::int64_t>(gatherTableBytes(suite, llc) / (kFeatures * sizeof(float)));
    // The dense operand X is the whole table (4x the LLC, so its rows come from DRAM), but one
    // call computes at most 256 MiB (quick) / 1 GiB (full) of gathered rows: the rate per
    // nonzero does not depend on how many output rows there are, while the time of a call
    // over every row grew with the LLC (16 GB gathered per call on a 260 MB L3; issue 14 item 6).
    const std::int64_t active = std::min<std::int64_t>(
        rows, static_cast<std::int64_t>((suite.full() ? 1024 : 256) * kMiB /
                                        (kDegree * kFeatures * sizeof(float))));
    const CsrGraph graph = randomGraph(active, rows, kDegree, 42);
    const auto elements = static_cast<std::size_t>(rows) * kFeatures;
    AlignedBuffer<float> x(elements);
    AlignedBuffer<float> y(static_cast<std::size_t>(active) * kFeatures);
    team.run([&](int i) {
        const Range r = splitRange(static_cast<std::size_t>(rows), t, i);
        std::fill(x.data() + r.begin * kFeatures, x.data() + r.end * kFeatures, 1e-3f);
        const Range out = splitRange(static_cast<std::size_t>(active), t, i);
        std::fill(y.data() + out.begin * kFeatures, y.data() + out.end * kFeatures, 0.0f);
    });
    if (suite.cancelled()) {
        return false;
    }
    KernelResult r;
    r.name = "spmm F=64 degree 16, " + formatBytes(static_cast<double>(elements) * 4) + " X";
    r.group = "spmm";
    r.isa = suite.features().avx512f ? "avx512, 4 zmm + prefetch" : "generic";
    r.unit = "FLOP/s";
    r.workingSetBytes = static_cast<double>(elements) * 4;
    r.workPerIteration = 2.0 * static_cast<double>(graph.nnz()) * kFeatures;
    const bool ok = suite.measure(
        r, team,
        [&](int i, std::int64_t iterations) {
            const Range range = splitRange(static_cast<std::size_t>(active), t, i);
            for (std::int64_t it = 0; it < iterations; ++it) {
                spmm(graph, x.data(), y.data(), kFeatures, static_cast<std::int64_t>(range.begin),
                     static_cast<std::int64_t>(range.end), suite.features());
            }
        },
        sparseOptions(suite));
    doNotOptimize(y.data());
    if (ok) {
        suite.record(std::move(r));
    }
    return ok;
}

bool runAttention(Suite& suite, int threads) {
    ThreadTeam& team = suite.team(threads);
    const int t = team.size();
    constexpr std::int64_t kHeads = 8;
    constexpr std::int64_t kDim = 64;
    const std::int64_t seq = suite.scale() < 1 ? 64 : 512;
    const auto perHead = static_cast<std::size_t>(seq * kDim);
    AlignedBuffer<float> q(perHead * kHeads);
    AlignedBuffer<float> k(perHead * kHeads);
    AlignedBuffer<float> v(perHead * kHeads);
    AlignedBuffer<float> o(perHead * kHeads);
    std::fill(q.data(), q.data() + q.size(), 0.01f);
    std::fill(k.data(), k.data() + k.size(), 0.02f);
    std::fill(v.data(), v.data() + v.size(), 0.03f);
    std::vector<std::vector<float>> scratch(static_cast<std::size_t>(t),
                                            std::vector<float>(static_cast<std::size_t>(seq)));
    KernelResult r;
    r.name = "attention causal " + std::to_string(kHeads) + " heads x " + std::to_string(seq) +
             " x " + std::to_string(kDim);
    r.group = "attention";
    r.isa = "portable (target_clones)";
    r.unit = "FLOP/s";
    const double pairs = static_cast<double>(seq) * static_cast<double>(seq + 1) / 2;
    r.workPerIteration = 4.0 * kDim * pairs * kHeads;
    r.workingSetBytes = 4.0 * static_cast<double>(perHead * kHeads) * 4;
    const bool ok = suite.measure(
        r, team,
        [&](int i, std::int64_t iterations) {
            const Range heads = splitRange(kHeads, t, i);
            for (std::int64_t it = 0; it < iterations; ++it) {
                for (std::size_t h = heads.begin; h < heads.end; ++h) {
                    attentionHead(q.data() + h * perHead, k.data() + h * perHead,
                                  v.data() + h * perHead, o.data() + h * perHead, seq, seq, kDim,
                                  true, scratch[static_cast<std::size_t>(i)].data());
                }
            }
        },
        suite.trial());
    doNotOptimize(o.data());
    if (ok) {
        suite.record(std::move(r));
    }
    return ok;
}

}  // namespace rooflens::calibrate::detail

namespace rooflens::calibrate::detail {

namespace {

// Per-thread bytes of one cold read: 4 KiB x 4^i up to 64 MiB (16 MiB quick), at most 1/8 of
// the pool so the regions rotate.
std::vector<double> coldReadSizes(const Suite& suite, double poolPerThread) {
    std::vector<double> sizes;
    const double largest = std::min((suite.full() ? 64 : 16) * kMiB, poolPerThread / 8);
    for (double b = 4096; b <= largest * 1.0001; b *= 4) {
        sizes.push_back(b);
    }
    return sizes;
}

}  // namespace

// Memory efficiency vs bytes moved: one read pass over a region of B bytes per thread, a
// different region of a pool of 2x the LLC each pass (region i * 7919 mod regions), so every
// pass starts cold and the stream prefetchers restart.
bool runColdReads(Suite& suite, int threads) {
    Calibration& c = suite.out();
    ThreadTeam& team = suite.team(threads);
    const int t = team.size();
    const double llc = c.machine.caches.empty()
                           ? 32 * kMiB
                           : c.machine.cacheBytesFor(c.machine.caches.back().level, c.cpus);
    double pool = std::max(2 * llc, 64 * kMiB);
    if (suite.scale() < 1) {
        pool = std::max(4 * kMiB, pool * suite.scale());
    }
    const double poolPerThread = std::floor(pool / t / (64 * 1024)) * 64 * 1024;
    const auto floats = static_cast<std::size_t>(poolPerThread / 4);
    std::vector<AlignedBuffer<float>> buffers(static_cast<std::size_t>(t));
    team.run([&](int i) {
        auto& buffer = buffers[static_cast<std::size_t>(i)];
        buffer.reset(floats);
        std::fill(buffer.data(), buffer.data() + floats, 1e-3f);
    });
    std::vector<float> sinks(static_cast<std::size_t>(t));
    std::vector<std::size_t> next(static_cast<std::size_t>(t));
    const std::vector<double> sizes = coldReadSizes(suite, poolPerThread);
    for (std::size_t p = 0; p < sizes.size(); ++p) {
        suite.stepProgress(static_cast<double>(p) / static_cast<double>(sizes.size()),
                           " @ " + formatBytes(sizes[p]));
        const auto n = static_cast<std::size_t>(sizes[p] / 4);
        const std::size_t regions = floats / n;
        KernelResult r;
        r.name = "cold read " + formatBytes(sizes[p]);
        r.group = "cold-read";
        r.isa = std::string(streamIsa(suite.features()));
        r.unit = "B/s";
        r.workingSetBytes = sizes[p];
        r.workPerIteration = sizes[p] * t;
        const bool ok = suite.measure(
            r, team,
            [&](int i, std::int64_t iterations) {
                float* base = buffers[static_cast<std::size_t>(i)].data();
                std::size_t& k = next[static_cast<std::size_t>(i)];
                for (std::int64_t j = 0; j < iterations; ++j) {
                    float* a = base + (k++ * 7919 % regions) * n;
                    sinks[static_cast<std::size_t>(i)] +=
                        runStream(StreamKind::read, suite.features(), a, a, a, n, 1);
                }
            },
            sweepOptions(suite));
        doNotOptimize(sinks.data());
        if (!ok) {
            return false;
        }
        c.coldReads.push_back({t, r.workPerIteration, r.rate.achievable});
        suite.record(std::move(r));
    }
    return true;
}

}  // namespace rooflens::calibrate::detail
