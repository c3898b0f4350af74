// The reference kernels compute what they claim (results, not speed): SpMM, GEMV, RMSNorm,
// attention, the streaming kernels and the gather on every ISA path the CPU offers, the peak
// kernels' dispatch, the clock probe and the pinned thread team.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>

#include "calibrate/cpu_kernels.h"
#include "calibrate/gemm.h"
#include "calibrate/layer_kernels.h"
#include "calibrate/thread_team.h"

namespace rooflens::calibrate {
namespace {

void checkGemv(std::int64_t n, std::int64_t k);

// The detected features, and the same with the wide paths switched off (generic fallbacks).
std::vector<CpuFeatures> featureSets() {
    const CpuFeatures native = detectCpuFeatures();
    CpuFeatures generic;
    generic.sse2 = true;
    CpuFeatures avx2 = generic;
    avx2.avx = avx2.avx2 = avx2.fma = native.avx2 && native.fma;
    return {native, avx2, generic};
}

TEST(Kernels, SpmmMatchesTheReference) {
    const CsrGraph g = randomGraph(300, 300, 7, 3);
    ASSERT_EQ(g.nnz(), 2100);
    for (std::int64_t r = 0; r < g.rows; ++r) {
        EXPECT_EQ(g.rowPtr[static_cast<std::size_t>(r) + 1] - g.rowPtr[static_cast<std::size_t>(r)],
                  7);
    }
    for (int features : {64, 16}) {
        AlignedBuffer<float> x(300 * static_cast<std::size_t>(features));
        for (std::size_t i = 0; i < x.size(); ++i) {
            x[i] = static_cast<float>(i % 13) * 0.25f - 1.0f;
        }
        std::vector<float> expected(x.size());
        spmmReference(g, x.data(), expected.data(), features);
        for (const auto& f : featureSets()) {
            AlignedBuffer<float> y(x.size());
            spmm(g, x.data(), y.data(), features, 0, 150, f);
            spmm(g, x.data(), y.data(), features, 150, 300, f);
            for (std::size_t i = 0; i < y.size(); ++i) {
                ASSERT_NEAR(y[i], expected[i], 1e-4) << "F=" << features << " i=" << i;
            }
        }
    }
}

TEST(Kernels, GemvMatchesANaiveProduct) {
    // k = 83: one row at a time, not a multiple of the vector width; k = 2100: 8 rows at a time
    // (k > 2048) with a tail of rows and columns.
    for (const std::int64_t k : {std::int64_t{83}, std::int64_t{2100}}) {
        SCOPED_TRACE(k);
        checkGemv(37, k);
    }
}

void checkGemv(std::int64_t n, std::int64_t k) {
    std::vector<float> w(static_cast<std::size_t>(n * k));
    std::vector<float> x(static_cast<std::size_t>(k));
    for (std::size_t i = 0; i < w.size(); ++i) {
        w[i] = static_cast<float>((i * 7) % 11) - 5.0f;
    }
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = static_cast<float>(i % 5) * 0.5f;
    }
    for (const auto& f : featureSets()) {
        std::vector<float> y(static_cast<std::size_t>(n), -1);
        gemv(w.data(), x.data(), y.data(), k, 0, 20, f);
        gemv(w.data(), x.data(), y.data(), k, 20, n, f);
        for (std::int64_t r = 0; r < n; ++r) {
            double sum = 0;
            for (std::int64_t i = 0; i < k; ++i) {
                sum += static_cast<double>(w[static_cast<std::size_t>(r * k + i)]) *
                       x[static_cast<std::size_t>(i)];
            }
            EXPECT_NEAR(y[static_cast<std::size_t>(r)], sum, 1e-3 * (1 + std::fabs(sum)));
        }
    }
}

TEST(Kernels, RmsNormHasUnitRms) {
    const std::int64_t d = 50;
    std::vector<float> x(static_cast<std::size_t>(3 * d));
    std::iota(x.begin(), x.end(), 1.0f);
    std::vector<float> weight(static_cast<std::size_t>(d), 2.0f);
    std::vector<float> y(x.size());
    rmsNorm(x.data(), weight.data(), y.data(), d, 0, 3);
    for (int r = 0; r < 3; ++r) {
        double squares = 0;
        for (std::int64_t i = 0; i < d; ++i) {
            const double v = y[static_cast<std::size_t>(r * d + i)] / 2.0;
            squares += v * v;
        }
        EXPECT_NEAR(std::sqrt(squares / d), 1.0, 1e-3);
    }
}

TEST(Kernels, AttentionMatchesANaiveSoftmax) {
    const std::int64_t q = 5;
    const std::int64_t keys = 9;
    const std::int64_t d = 20;
    std::vector<float> query(static_cast<std::size_t>(q * d));
    std::vector<float> key(static_cast<std::size_t>(keys * d));
    std::vector<float> value(static_cast<std::size_t>(keys * d));
    for (std::size_t i = 0; i < query.size(); ++i) {
        query[i] = std::sin(static_cast<float>(i));
    }
    for (std::size_t i = 0; i < key.size(); ++i) {
        key[i] = std::cos(static_cast<float>(i) * 0.7f);
        value[i] = static_cast<float>(i % 17) * 0.1f;
    }
    std::vector<float> out(query.size());
    std::vector<float> scratch(static_cast<std::size_t>(keys));
    attentionHead(query.data(), key.data(), value.data(), out.data(), q, keys, d, true,
                  scratch.data());
    for (std::int64_t i = 0; i < q; ++i) {
        const std::int64_t visible = keys - q + i + 1;
        std::vector<double> p(static_cast<std::size_t>(visible));
        double maxScore = -1e300;
        for (std::int64_t j = 0; j < visible; ++j) {
            double dot = 0;
            for (std::int64_t t = 0; t < d; ++t) {
                dot += query[static_cast<std::size_t>(i * d + t)] *
                       key[static_cast<std::size_t>(j * d + t)];
            }
            p[static_cast<std::size_t>(j)] = dot / std::sqrt(static_cast<double>(d));
            maxScore = std::max(maxScore, p[static_cast<std::size_t>(j)]);
        }
        double total = 0;
        for (auto& v : p) {
            v = std::exp(v - maxScore);
            total += v;
        }
        for (std::int64_t t = 0; t < d; ++t) {
            double expected = 0;
            for (std::int64_t j = 0; j < visible; ++j) {
                expected += p[static_cast<std::size_t>(j)] / total *
                            value[static_cast<std::size_t>(j * d + t)];
            }
            EXPECT_NEAR(out[static_cast<std::size_t>(i * d + t)], expected, 1e-4);
        }
    }
}

TEST(Kernels, StreamingKernelsComputeSumAndTriad) {
    const std::size_t n = 4 * kStreamGranule;
    for (const auto& f : featureSets()) {
        AlignedBuffer<float> a(3 * n);
        for (std::size_t i = 0; i < 3 * n; ++i) {
            a[i] = 1.0f;
        }
        EXPECT_FLOAT_EQ(runStream(StreamKind::read, f, a.data(), nullptr, nullptr, n, 3), 3.0f * n);
        for (StreamKind kind : {StreamKind::triad, StreamKind::triadNt}) {
            for (std::size_t i = 0; i < n; ++i) {
                a[i] = 0;
                a[n + i] = 2.0f;
                a[2 * n + i] = 4.0f;
            }
            runStream(kind, f, a.data(), a.data() + n, a.data() + 2 * n, n, 2);
            for (std::size_t i = 0; i < n; ++i) {
                ASSERT_FLOAT_EQ(a[i], 4.0f) << nameOf(kind);  // 2 + 0.5 * 4
            }
        }
    }
    EXPECT_EQ(streamBytesPerElement(StreamKind::read), 4.0);
    EXPECT_EQ(streamBytesPerElement(StreamKind::triadNt), 12.0);
}

TEST(Kernels, GatherSumsTheGranulesAtTheIndices) {
    AlignedBuffer<float> table(64 * 64);
    for (std::size_t i = 0; i < table.size(); ++i) {
        table[i] = 1.0f;
    }
    const std::vector<std::uint32_t> index = {0,  5,  63, 17, 17, 2,  40, 8,  9, 10,
                                              11, 12, 13, 14, 15, 16, 18, 19, 20};
    for (const auto& f : featureSets()) {
        for (bool prefetch : {false, true}) {
            EXPECT_FLOAT_EQ(runGather(table.data(), index.data(), index.size(), 4, prefetch, f),
                            static_cast<float>(index.size()));
            EXPECT_FLOAT_EQ(runGather(table.data(), index.data(), index.size(), 64, prefetch, f),
                            16.0f * index.size());
            EXPECT_FLOAT_EQ(runGather(table.data(), index.data(), index.size(), 256, prefetch, f),
                            64.0f * index.size());
        }
    }
}

TEST(Kernels, PeakKernelsFollowTheCpuAndStayFinite) {
    const CpuFeatures f = detectCpuFeatures();
    const auto kernels = peakKernels(f);
    EXPECT_EQ(kernels.empty(), !f.fma && !f.avx512f);
    for (const auto& k : kernels) {
        EXPECT_EQ(k.instructionsPerIteration, 24) << k.name;
        EXPECT_GT(k.opsPerIteration(), 0) << k.name;
        const double sink = k.run(1000, 0.9999999, 1e-3);
        EXPECT_TRUE(std::isfinite(sink)) << k.name;
    }
    CpuFeatures none;
    EXPECT_TRUE(peakKernels(none).empty());
    EXPECT_EQ(clockProbe(10), 10U * kClockAddsPerIteration);
}

TEST(ThreadTeam, RunsEveryWorkerPinnedAndSplitsRanges) {
    const std::vector<int> cpus = availableCpus();
    ASSERT_FALSE(cpus.empty());
    ThreadTeam team(cpus);
    std::vector<int> seen(cpus.size(), 0);
    for (int round = 0; round < 3; ++round) {
        team.run([&](int i) { ++seen[static_cast<std::size_t>(i)]; });
    }
    for (int s : seen) {
        EXPECT_EQ(s, 3);
    }
    std::size_t covered = 0;
    for (int i = 0; i < 3; ++i) {
        const Range r = splitRange(1000, 3, i, 64);
        EXPECT_EQ(r.begin % 64, 0U);
        covered += r.end - r.begin;
    }
    EXPECT_EQ(covered, 1000U);
}

TEST(Gemm, OneDnnComputesOrReportsItsAbsence) {
    auto runner = GemmRunner::create(GemmType::fp32, {4, 8, 16});
    if (!dnnlAvailable()) {
        EXPECT_FALSE(runner);
        return;
    }
    ASSERT_TRUE(runner) << runner.error().message;
    runner.value()->run(2);
    EXPECT_EQ(runner.value()->shape().ops(), 2.0 * 4 * 8 * 16);
    EXPECT_FALSE(dnnlVersion().empty());
    EXPECT_FALSE(GemmRunner::create(GemmType::fp32, {0, 8, 16}));
}

}  // namespace
}  // namespace rooflens::calibrate

namespace rooflens::calibrate {
namespace {

// calibration.md 3.1 item 4: verify the instruction stream. Disassembles this test binary (which
// links the kernels) and counts the FMAs of the FP32 AVX-512 peak kernel's loop.
TEST(Kernels, Fp32PeakLoopHas24ZmmFmas) {
    if (std::system("command -v objdump >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "objdump not installed";
    }
    const std::string command = "objdump -d --no-show-raw-insn /proc/" +
                                std::to_string(::getpid()) +
                                "/exe | awk '/^[0-9a-f]+ <.*fp32Avx512.*>:$/{f=1;next} /^$/{f=0} "
                                "f && /vfmadd[0-9]+ps.*zmm/{n++} END{print n+0}'";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    int count = -1;
    ASSERT_EQ(std::fscanf(pipe, "%d", &count), 1);
    ::pclose(pipe);
    EXPECT_EQ(count, 24);
}

}  // namespace
}  // namespace rooflens::calibrate
