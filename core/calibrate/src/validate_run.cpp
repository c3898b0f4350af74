// Running the validation kernels: operands allocated and first-touched by the threads that use
// them, then timed with the harness.
#include <algorithm>
#include <cmath>
#include <memory>

#include "calibrate/gemm.h"
#include "calibrate/layer_kernels.h"
#include "calibrate/validate.h"

namespace rooflens::calibrate {

namespace {

using Job = std::function<void(int, std::int64_t)>;

std::optional<Measurement> timeOnTeam(ThreadTeam& team, const Job& job, const MeasureOptions& o,
                                      const core::CancelToken& cancel) {
    SteadyClock clock;
    return measure([&](std::int64_t iterations) { team.run([&](int t) { job(t, iterations); }); },
                   clock, o, &cancel);
}

void fill(float* begin, float* end, float value) {
    std::fill(begin, end, value);
}

core::Result<Measurement> runGemv(const ValidationSpec& s, const MeasureOptions& o,
                                  ThreadTeam& team, const core::CancelToken& cancel,
                                  const CpuFeatures& f, std::string& implementation) {
    const auto n = static_cast<std::size_t>(s.n);
    const auto k = static_cast<std::size_t>(s.k);
    const auto copies = static_cast<std::size_t>(s.weightCopies());
    AlignedBuffer<float> w(n * k * copies);
    AlignedBuffer<float> x(k);
    AlignedBuffer<float> y(n);
    fill(x.data(), x.data() + k, 0.01f);
    const int t = team.size();
    team.run([&](int i) {
        const Range r = splitRange(n, t, i, 4);
        for (std::size_t c = 0; c < copies; ++c) {
            fill(w.data() + c * n * k + r.begin * k, w.data() + c * n * k + r.end * k, 0.02f);
        }
        fill(y.data() + r.begin, y.data() + r.end, 0.0f);
    });
    // Weights streamed from beyond the caches: both vector widths run and the faster counts (as
    // in the calibration sweep; on Zen 4, 256-bit loads stream DRAM faster).
    std::vector<CpuFeatures> paths = {f};
    if (f.avx512f && f.avx2 && f.fma && s.coldBytes > 0) {
        paths.push_back(f);
        paths.back().avx512f = false;
    }
    std::optional<Measurement> best;
    for (const CpuFeatures& path : paths) {
        auto m = timeOnTeam(
            team,
            [&](int i, std::int64_t iterations) {
                const Range r = splitRange(n, t, i, 4);
                for (std::int64_t it = 0; it < iterations; ++it) {
                    const float* weights = w.data() + static_cast<std::size_t>(it) % copies * n * k;
                    gemv(weights, x.data(), y.data(), s.k, static_cast<std::int64_t>(r.begin),
                         static_cast<std::int64_t>(r.end), path);
                }
            },
            o, cancel);
        doNotOptimize(y.data());
        if (!m) {
            return core::makeError("cancelled");
        }
        if (!best || timeStats(*m).median < timeStats(*best).median) {
            best = std::move(m);
            implementation = path.avx512f ? "gemv avx512" : "gemv avx2";
        }
    }
    return std::move(*best);
}

core::Result<Measurement> runNorm(const ValidationSpec& s, const MeasureOptions& o,
                                  ThreadTeam& team, const core::CancelToken& cancel) {
    const auto rows = static_cast<std::size_t>(s.m);
    const auto width = static_cast<std::size_t>(s.k);
    AlignedBuffer<float> x(rows * width);
    AlignedBuffer<float> y(rows * width);
    AlignedBuffer<float> weight(width);
    fill(weight.data(), weight.data() + width, 1.0f);
    const int t = team.size();
    team.run([&](int i) {
        const Range r = splitRange(rows, t, i);
        fill(x.data() + r.begin * width, x.data() + r.end * width, 0.5f);
        fill(y.data() + r.begin * width, y.data() + r.end * width, 0.0f);
    });
    auto m = timeOnTeam(
        team,
        [&](int i, std::int64_t iterations) {
            const Range r = splitRange(rows, t, i);
            for (std::int64_t it = 0; it < iterations; ++it) {
                rmsNorm(x.data(), weight.data(), y.data(), s.k, static_cast<std::int64_t>(r.begin),
                        static_cast<std::int64_t>(r.end));
            }
        },
        o, cancel);
    doNotOptimize(y.data());
    if (!m) {
        return core::makeError("cancelled");
    }
    return std::move(*m);
}

core::Result<Measurement> runAttention(const ValidationSpec& s, const MeasureOptions& o,
                                       ThreadTeam& team, const core::CancelToken& cancel) {
    const auto q = static_cast<std::size_t>(s.queries * s.headDim);
    const auto kv = static_cast<std::size_t>(s.keys * s.headDim);
    const auto heads = static_cast<std::size_t>(s.heads);
    const auto kvHeads = static_cast<std::size_t>(std::max<std::int64_t>(1, s.kvHeads));
    AlignedBuffer<float> query(q * heads);
    AlignedBuffer<float> out(q * heads);
    AlignedBuffer<float> key(kv * kvHeads);
    AlignedBuffer<float> value(kv * kvHeads);
    fill(query.data(), query.data() + query.size(), 0.01f);
    fill(key.data(), key.data() + key.size(), 0.02f);
    fill(value.data(), value.data() + value.size(), 0.03f);
    const int t = team.size();
    std::vector<std::vector<float>> scratch(static_cast<std::size_t>(t),
                                            std::vector<float>(static_cast<std::size_t>(s.keys)));
    const std::size_t group = std::max<std::size_t>(1, heads / kvHeads);
    auto m = timeOnTeam(
        team,
        [&](int i, std::int64_t iterations) {
            const Range r = splitRange(heads, t, i);
            for (std::int64_t it = 0; it < iterations; ++it) {
                for (std::size_t h = r.begin; h < r.end; ++h) {
                    const std::size_t g = std::min(h / group, kvHeads - 1);
                    attentionHead(query.data() + h * q, key.data() + g * kv, value.data() + g * kv,
                                  out.data() + h * q, s.queries, s.keys, s.headDim, s.causal,
                                  scratch[static_cast<std::size_t>(i)].data());
                }
            }
        },
        o, cancel);
    doNotOptimize(out.data());
    if (!m) {
        return core::makeError("cancelled");
    }
    return std::move(*m);
}

core::Result<Measurement> runSpmmSpec(const ValidationSpec& s, const MeasureOptions& o,
                                      ThreadTeam& team, const core::CancelToken& cancel,
                                      const CpuFeatures& f) {
    const CsrGraph graph = randomGraph(s.m, s.m, s.degree, 1234 + s.degree);
    const auto rows = static_cast<std::size_t>(s.m);
    const auto features = static_cast<std::size_t>(s.features);
    AlignedBuffer<float> x(rows * features);
    AlignedBuffer<float> y(rows * features);
    const int t = team.size();
    team.run([&](int i) {
        const Range r = splitRange(rows, t, i);
        fill(x.data() + r.begin * features, x.data() + r.end * features, 1e-3f);
        fill(y.data() + r.begin * features, y.data() + r.end * features, 0.0f);
    });
    auto m = timeOnTeam(
        team,
        [&](int i, std::int64_t iterations) {
            const Range r = splitRange(rows, t, i);
            for (std::int64_t it = 0; it < iterations; ++it) {
                spmm(graph, x.data(), y.data(), s.features, static_cast<std::int64_t>(r.begin),
                     static_cast<std::int64_t>(r.end), f);
            }
        },
        o, cancel);
    doNotOptimize(y.data());
    if (!m) {
        return core::makeError("cancelled");
    }
    return std::move(*m);
}

core::Result<Measurement> runGemm(const ValidationSpec& s, const ValidationOptions& options,
                                  const core::CancelToken& cancel) {
    const std::vector<int> saved = availableCpus();
    setLibraryThreads(options.cpus);
    auto runner = GemmRunner::create(GemmType::fp32, GemmShape{s.m, s.n, s.k});
    if (!runner) {
        setCurrentThreadAffinity(saved);
        return runner.error();
    }
    SteadyClock clock;
    auto m =
        measure([&](std::int64_t n) { runner.value()->run(n); }, clock, options.trial, &cancel);
    setCurrentThreadAffinity(saved);
    if (!m) {
        return core::makeError("cancelled");
    }
    return std::move(*m);
}

}  // namespace

core::Result<ValidationRow> runValidation(const ValidationSpec& spec, const Roofs& datasheet,
                                          const Roofs& calibrated, const ValidationOptions& options,
                                          ThreadTeam& team, const core::CancelToken& cancel) {
    static const CpuFeatures features = detectCpuFeatures();
    ValidationRow row;
    row.spec = spec;
    row.cost = costOf(spec);
    row.datasheet = predict(spec, row.cost, datasheet);
    row.calibrated = predict(spec, row.cost, calibrated);
    core::Result<Measurement> m = core::makeError("unknown kernel");
    try {
        switch (spec.kind) {
            case KernelClass::gemm:
                row.implementation = dnnlAvailable() ? "dnnl_sgemm" : "";
                m = runGemm(spec, options, cancel);
                break;
            case KernelClass::gemv:
                row.implementation = features.avx512f ? "gemv avx512" : "gemv generic";
                m = runGemv(spec, options.trial, team, cancel, features, row.implementation);
                break;
            case KernelClass::norm:
                row.implementation = "rmsnorm";
                m = runNorm(spec, options.trial, team, cancel);
                break;
            case KernelClass::attention:
                row.implementation = "fused softmax attention";
                m = runAttention(spec, options.trial, team, cancel);
                break;
            case KernelClass::spmm:
                row.implementation = features.avx512f ? "spmm avx512 + prefetch" : "spmm generic";
                m = runSpmmSpec(spec, options.trial, team, cancel, features);
                break;
        }
    } catch (const std::bad_alloc&) {
        return core::makeError(spec.name + ": out of memory for shape " + spec.shape());
    }
    if (!m) {
        return m.error();
    }
    row.seconds = timeStats(m.value());
    if (row.seconds.median > 0) {
        row.ratio = row.calibrated.seconds / row.seconds.median;
        row.error =
            std::fabs(row.calibrated.achievableSeconds - row.seconds.median) / row.seconds.median;
        row.roofError = std::fabs(row.calibrated.seconds - row.seconds.median) / row.seconds.median;
        row.modelError = row.ratio > 1.05;
    }
    return row;
}

}  // namespace rooflens::calibrate
