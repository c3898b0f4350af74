#include <gtest/gtest.h>

#include <new>

#include "core/sweep.h"
#include "function_builder.h"
#include "test_device.h"

namespace rooflens::core {
namespace {

TEST(Range, ListsGeometricAndArithmetic) {
    EXPECT_EQ(parseRange("1,2,4").value(), (std::vector<std::int64_t>{1, 2, 4}));
    EXPECT_EQ(parseRange("7").value(), (std::vector<std::int64_t>{7}));
    EXPECT_EQ(parseRange("1:64:x2").value(), (std::vector<std::int64_t>{1, 2, 4, 8, 16, 32, 64}));
    EXPECT_EQ(parseRange("1:100:x10").value(), (std::vector<std::int64_t>{1, 10, 100}));
    EXPECT_EQ(parseRange("128:512:+128").value(), (std::vector<std::int64_t>{128, 256, 384, 512}));
    EXPECT_EQ(parseRange("3:10:+4").value(), (std::vector<std::int64_t>{3, 7}));
}

// Issue 18, 3: a value past 2^40 (the builders' limit) is the range's error, not a builder's.
TEST(Range, ValuesAreAtMost2To40) {
    EXPECT_EQ(parseRange("1099511627776").value(), (std::vector<std::int64_t>{1099511627776}));
    EXPECT_EQ(parseRange("1:1099511627776:x1024").value().back(), 1099511627776);
    for (const char* big :
         {"1099511627777", "1,2,9223372036854775807", "1:9223372036854775807:x2"}) {
        auto r = parseRange(big);
        ASSERT_FALSE(r.ok()) << big;
        EXPECT_EQ(r.error().message, "range '" + std::string(big) +
                                         "': values must be at most 2^40 (1099511627776) "
                                         "(expected 1,2,4 or 1:64:x2 or 128:4096:+128)");
    }
}

TEST(Range, RejectsBadInput) {
    for (const char* bad : {"", "0", "-1", "1,,2", "a", "1:0:x2", "1:64", "1:64:x1", "1:64:*2",
                            "1:64:+0", "1.5", "1:9999999999:+1"}) {
        auto r = parseRange(bad);
        EXPECT_FALSE(r.ok()) << bad;
        if (!r.ok()) {
            EXPECT_NE(r.error().message.find("range"), std::string::npos);
        }
    }
}

// A toy model: decode moves 1 GB of weights and 1 MB of KV per token of context per sequence.
Result<Workload> toyBuild(const RunSettings& s, bool /*collapse*/) {
    Workload w;
    w.settings = s;
    Layer layer;
    layer.op = "x";
    layer.bytes.weights = 1e9;
    layer.bytes.kvRead = 1e6 * static_cast<double>(s.contextLength * s.batch);
    layer.ops = 2e9 * static_cast<double>(s.batch);
    w.layers.push_back(layer);
    w.memory.weights = 1e9;
    w.memory.kvCache = 1e6 * static_cast<double>(s.contextLength * s.batch);
    return w;
}

SweepSpec toySpec() {
    SweepSpec spec;
    spec.phase = Phase::decode;
    spec.batches = {1, 4, 16};
    spec.contextLengths = {100, 1000, 10000};
    spec.devices = {testing::roundDevice()};
    return spec;
}

// Issue 18, 3: an exception in a sweep's work (here bad_alloc while building batch 16, on
// whichever of three threads takes it) is an error of the sweep; on a pool thread it used to call
// std::terminate, and the CLI aborted with exit 134 and no message.
TEST(Sweep, AnExceptionInAWorkerIsARuntimeError) {
    const auto throwing = [](const RunSettings& s, bool collapse) -> Result<Workload> {
        if (s.batch == 16) {
            throw std::bad_alloc();
        }
        return toyBuild(s, collapse);
    };
    for (unsigned threads : {1U, 3U}) {
        auto result = runSweep(testing::FunctionBuilder(throwing), toySpec(), threads);
        ASSERT_FALSE(result.ok()) << threads;
        EXPECT_EQ(result.error().message, "out of memory");
        EXPECT_EQ(result.error().kind, ErrorKind::runtime);
    }
}

// Issue 18, 3: at most 1024 worker threads; more is a usage error before any thread starts.
TEST(Sweep, WorkerThreadsAreAtMost1024) {
    auto many = runSweep(testing::FunctionBuilder(toyBuild), toySpec(), 5000);
    ASSERT_FALSE(many.ok());
    EXPECT_EQ(many.error().message, "worker threads: expected 0 (one per core) to 1024, got 5000");
    EXPECT_EQ(many.error().kind, ErrorKind::usage);
    auto most = runSweep(testing::FunctionBuilder(toyBuild), toySpec(), 1024);
    ASSERT_TRUE(most.ok()) << most.error().message;
    EXPECT_EQ(most->points.size(), 9U);
}

TEST(Sweep, EveryPointHasItsMetricsBoundAndMemory) {
    auto result = runSweep(testing::FunctionBuilder(toyBuild), toySpec(), 1);
    ASSERT_TRUE(result.ok()) << result.error().message;
    ASSERT_EQ(result->points.size(), 9U);
    const SweepPoint& p = result->points[0];  // batch 1, context 100
    EXPECT_EQ(p.batch, 1);
    EXPECT_EQ(p.contextLength, 100);
    // 1 GB + 100 MB at 1 TB/s = 1.1 ms; 2 GOPs at 100 TOPS is far less: memory-bound.
    EXPECT_DOUBLE_EQ(p.timeSeconds, 1.1e-3);
    EXPECT_DOUBLE_EQ(p.tokensPerSecond, 1 / 1.1e-3);
    EXPECT_EQ(p.bound, Bound::memory);
    EXPECT_TRUE(p.fitsInMemory);
    const SweepPoint& last = result->points[8];  // batch 16, context 10000: 160 GB of KV
    EXPECT_EQ(last.batch, 16);
    EXPECT_FALSE(last.fitsInMemory);
    EXPECT_DOUBLE_EQ(last.kvCacheBytes, 160e9);
}

TEST(Sweep, ThreadsDoNotChangeResults) {
    auto one = runSweep(testing::FunctionBuilder(toyBuild), toySpec(), 1);
    auto two = runSweep(testing::FunctionBuilder(toyBuild), toySpec(), 2);
    ASSERT_TRUE(one.ok() && two.ok());
    ASSERT_EQ(one->points.size(), two->points.size());
    for (std::size_t i = 0; i < one->points.size(); ++i) {
        EXPECT_DOUBLE_EQ(one->points[i].timeSeconds, two->points[i].timeSeconds);
        EXPECT_EQ(one->points[i].batch, two->points[i].batch);
    }
}

TEST(Sweep, CancelStopsAndReportsIt) {
    CancelToken cancel;
    cancel.cancel();
    auto result = runSweep(testing::FunctionBuilder(toyBuild), toySpec(), 2, {}, &cancel);
    ASSERT_TRUE(result.ok());
    EXPECT_TRUE(result->cancelled);
    EXPECT_TRUE(result->points.empty());
}

TEST(Sweep, BuilderErrorsStopTheSweep) {
    // Decode points are priced from the passes at both ends of the context range, so the
    // failing pass is the last context's.
    auto failing = [](const RunSettings& s, bool) -> Result<Workload> {
        if (s.contextLength == 10000) {
            return makeError("boom");
        }
        return toyBuild(s, false);
    };
    auto result = runSweep(testing::FunctionBuilder(failing), toySpec(), 2);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, "boom");
}

TEST(Sweep, ProgressReachesOne) {
    double last = 0;
    auto result = runSweep(testing::FunctionBuilder(toyBuild), toySpec(), 1,
                           [&](double fraction, std::string_view, double) { last = fraction; });
    ASSERT_TRUE(result.ok());
    EXPECT_DOUBLE_EQ(last, 1.0);
}

}  // namespace
}  // namespace rooflens::core
