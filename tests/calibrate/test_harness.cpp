// The harness on synthetic timings: iteration growth, warm-up, trial counts, cancellation and
// every statistic (quantiles, IQR, CV, run medians, p90 of the best run, spread).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "calibrate/calibration.h"
#include "calibrate/harness.h"

namespace rooflens::calibrate {
namespace {

// A clock that advances only when the kernel under test "runs": each call of the body adds
// iterations x the scripted seconds per iteration of the current trial.
class FakeClock final : public Clock {
public:
    explicit FakeClock(double resolution = 1e-9) : m_resolution(resolution) {}
    double now() override { return m_now; }
    double resolutionSeconds() const override { return m_resolution; }
    void advance(double seconds) { m_now += seconds; }

private:
    double m_now = 100;
    double m_resolution;
};

struct Script {
    FakeClock& clock;
    std::vector<double> perIteration;  // seconds per iteration, trial by trial (last repeats)
    std::vector<std::int64_t> calls;   // iterations of every call
    void operator()(std::int64_t iterations) {
        const std::size_t i = std::min(calls.size(), perIteration.size() - 1);
        clock.advance(static_cast<double>(iterations) * perIteration[i]);
        calls.push_back(iterations);
    }
};

TEST(Quantile, InterpolatesBetweenOrderStatistics) {
    const std::vector<double> v = {4, 1, 3, 2, 5};
    EXPECT_DOUBLE_EQ(quantile(v, 0.0), 1);
    EXPECT_DOUBLE_EQ(quantile(v, 0.5), 3);
    EXPECT_DOUBLE_EQ(quantile(v, 1.0), 5);
    EXPECT_DOUBLE_EQ(quantile(v, 0.25), 2);
    EXPECT_DOUBLE_EQ(quantile(v, 0.9), 4.6);  // 0.9 * 4 = 3.6 -> 4 + 0.6 * (5 - 4)
    EXPECT_DOUBLE_EQ(quantile({7}, 0.9), 7);
    EXPECT_DOUBLE_EQ(quantile({}, 0.5), 0);
}

TEST(Summarize, OrderStatisticsIqrAndCv) {
    const SampleStats s = summarize({2, 4, 4, 4, 5, 5, 7, 9});
    EXPECT_EQ(s.count, 8U);
    EXPECT_DOUBLE_EQ(s.min, 2);
    EXPECT_DOUBLE_EQ(s.max, 9);
    EXPECT_DOUBLE_EQ(s.mean, 5);
    EXPECT_DOUBLE_EQ(s.median, 4.5);
    EXPECT_DOUBLE_EQ(s.q1, 4);
    EXPECT_DOUBLE_EQ(s.q3, 5.5);
    EXPECT_DOUBLE_EQ(s.iqr, 1.5);
    EXPECT_DOUBLE_EQ(s.cv, 2.0 / 5.0);  // population standard deviation 2
}

TEST(Measure, GrowsIterationsToTheMinimumTrialTime) {
    FakeClock clock;
    Script script{clock, {1e-6}, {}};
    MeasureOptions o;
    o.minTrialSeconds = 0.05;
    o.warmupTrials = 1;
    o.minTrials = 10;
    o.minRunSeconds = 0;
    auto m = measure(std::ref(script), clock, o);
    ASSERT_TRUE(m);
    // 1, 10, 100, 1000, 10000 iterations (x10 while far below), then aim 40 % above 50 ms.
    ASSERT_GE(script.calls.size(), 6U);
    EXPECT_EQ(script.calls[0], 1);
    EXPECT_EQ(script.calls[1], 10);
    EXPECT_GE(m->iterations, 50000);
    EXPECT_LE(m->iterations, 70000 + 1);
    EXPECT_EQ(m->runs.size(), 1U);
    EXPECT_EQ(m->runs[0].size(), 10U);
    for (double s : m->runs[0]) {
        EXPECT_NEAR(s, 1e-6, 1e-15);  // seconds per iteration
    }
    // Every growth trial counts as warm-up; the final one is at the measured count.
    EXPECT_EQ(static_cast<std::size_t>(m->warmupTrials) + 10U, script.calls.size());
}

TEST(Measure, ExtraWarmupTrialsAtTheFinalCount) {
    FakeClock clock;
    Script script{clock, {0.1}, {}};  // one iteration already exceeds the minimum
    MeasureOptions o;
    o.minTrialSeconds = 0.05;
    o.warmupTrials = 3;
    o.minTrials = 4;
    o.minRunSeconds = 0;
    auto m = measure(std::ref(script), clock, o);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->iterations, 1);
    EXPECT_EQ(m->warmupTrials, 3);
    EXPECT_EQ(script.calls.size(), 7U);
}

TEST(Measure, MinimumTicksOfACoarseClock) {
    FakeClock clock(0.01);  // 10 ms ticks: a trial must last >= 200 ms
    Script script{clock, {1e-3}, {}};
    MeasureOptions o;
    o.minTrialSeconds = 0.05;
    o.minTicks = 20;
    o.minTrials = 3;
    o.minRunSeconds = 0;
    auto m = measure(std::ref(script), clock, o);
    ASSERT_TRUE(m);
    EXPECT_GE(static_cast<double>(m->iterations) * 1e-3, 0.2);
}

TEST(Measure, RunContinuesUntilBothMinimumsAndStopsAtTheCap) {
    FakeClock clock;
    Script script{clock, {0.125}, {}};
    MeasureOptions o;
    o.minTrialSeconds = 0.05;
    o.minTrials = 3;
    o.minRunSeconds = 1.0;  // needs 8 trials of 0.125 s
    auto m = measure(std::ref(script), clock, o);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->runs[0].size(), 8U);

    FakeClock slowClock;
    Script slow{slowClock, {5.0}, {}};
    o.minTrials = 10;
    o.maxRunSeconds = 12;
    auto capped = measure(std::ref(slow), slowClock, o);
    ASSERT_TRUE(capped);
    EXPECT_EQ(capped->runs[0].size(), 3U);  // 5 + 5 + 5 >= 12
}

TEST(Measure, CancelledTokenStopsBetweenTrials) {
    FakeClock clock;
    core::CancelToken cancel;
    std::vector<std::int64_t> calls;
    auto body = [&](std::int64_t n) {
        clock.advance(static_cast<double>(n) * 0.1);
        calls.push_back(n);
        if (calls.size() == 3) {
            cancel.cancel();
        }
    };
    MeasureOptions o;
    o.minTrialSeconds = 0.05;
    o.minTrials = 100;
    EXPECT_FALSE(measure(body, clock, o, &cancel));
    EXPECT_EQ(calls.size(), 3U);
}

TEST(RateStats, RunMediansBestRunAndSpread) {
    Measurement m;
    m.iterations = 1;
    // Rates of 1 unit of work: run A 10,11,12 (median 11); run B 20,21,22,23,24 (median 22).
    m.runs.push_back({1.0 / 10, 1.0 / 11, 1.0 / 12});
    m.runs.push_back({1.0 / 20, 1.0 / 21, 1.0 / 22, 1.0 / 23, 1.0 / 24});
    const RateStats r = rateStats(m, 1.0);
    ASSERT_EQ(r.runMedians.size(), 2U);
    EXPECT_NEAR(r.runMedians[0], 11, 1e-9);
    EXPECT_NEAR(r.runMedians[1], 22, 1e-9);
    EXPECT_NEAR(r.typical, 16.5, 1e-9);     // median of the run medians
    EXPECT_NEAR(r.achievable, 23.6, 1e-9);  // p90 of run B: 0.9 * 4 = 3.6 -> 23 + 0.6
    EXPECT_NEAR(r.best, 24, 1e-9);
    EXPECT_NEAR(r.min, 10, 1e-9);
    EXPECT_NEAR(r.spread, (22.0 - 11.0) / 16.5, 1e-9);
    EXPECT_EQ(r.trials, 8U);
    EXPECT_GT(r.cv, 0.3);
    EXPECT_GT(r.iqr, 0);
}

TEST(RateStats, OneRunSpreadIsRangeOverMedianAndWorkScales) {
    Measurement m;
    m.iterations = 4;
    m.runs.push_back({0.5, 0.25, 1.0});  // rates 2, 4, 1 per unit of work
    const RateStats r = rateStats(m, 3.0);
    EXPECT_NEAR(r.typical, 6, 1e-12);
    EXPECT_NEAR(r.spread, (12.0 - 3.0) / 6.0, 1e-12);
    const SampleStats t = timeStats(m);
    EXPECT_DOUBLE_EQ(t.median, 0.5);
    EXPECT_DOUBLE_EQ(t.min, 0.25);
}

TEST(Measurement, AppendKeepsRunsOfLaterPasses) {
    Measurement a;
    a.iterations = 5;
    a.runs.push_back({1, 2});
    a.warmupTrials = 2;
    Measurement b;
    b.iterations = 7;
    b.runs.push_back({3});
    b.warmupTrials = 1;
    a.append(b);
    EXPECT_EQ(a.runs.size(), 2U);
    EXPECT_EQ(a.trialCount(), 3U);
    EXPECT_EQ(a.iterations, 5);
    EXPECT_EQ(a.warmupTrials, 3);
}

}  // namespace
TEST(TimeBudget, PaceShortensTheRemainingTrialsToFitTheBudget) {
    // 10 s of budget left, 8 s of planned steps left, and the finished steps took 1.6x their
    // plan: at pace 1 the rest would take 12.8 s, so the trials run at 10 / 12.8 = 0.78125.
    EXPECT_DOUBLE_EQ(paceFor(10, 8, 1.6), 10.0 / 12.8);
    // On plan or faster: full-length trials, never longer than planned.
    EXPECT_DOUBLE_EQ(paceFor(10, 8, 1.0), 1.0);
    EXPECT_DOUBLE_EQ(paceFor(30, 8, 0.5), 1.0);
    // Over budget: the floor keeps every trial >= a quarter of its planned length.
    EXPECT_DOUBLE_EQ(paceFor(1, 8, 2.0), 0.25);
    EXPECT_DOUBLE_EQ(paceFor(-5, 8, 2.0), 0.25);
    EXPECT_DOUBLE_EQ(paceFor(1, 8, 2.0, 0.5), 0.5);
    // Nothing left to run.
    EXPECT_DOUBLE_EQ(paceFor(5, 0, 3.0), 1.0);
    EXPECT_DOUBLE_EQ(defaultTimeBudget(Mode::quick), 27.0);
    EXPECT_DOUBLE_EQ(defaultTimeBudget(Mode::full), 170.0);
}

}  // namespace rooflens::calibrate
