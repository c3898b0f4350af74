// AnalysisRunner: stale results are dropped, comparisons and sweeps run off the GUI thread, the
// event loop keeps turning while they run, cancellation works.
#include <gtest/gtest.h>

#include <chrono>

#include <QElapsedTimer>
#include <QTimer>

#include "ui/analysis_runner.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

AnalysisRequest request(const std::string& model, std::vector<std::string> devices,
                        core::Phase phase = core::Phase::decode) {
    AnalysisRequest r;
    auto prepared = findFamily("llm")->prepare({"llm", model, "", 224, {}});
    EXPECT_TRUE(prepared.ok());
    r.workload = std::make_shared<const PreparedWorkload>(prepared.value());
    r.settings.phase = phase;
    r.settings.batch = 1;
    r.settings.promptLength = 512;
    r.settings.contextLength = 1024;
    r.settings.generateLength = 64;
    for (const auto& id : devices) {
        r.devices.push_back(testing::device(id));
    }
    return r;
}

TEST(AnalysisRunner, OnlyTheNewestOfManyRequestsIsDelivered) {
    AnalysisRunner runner;
    QSignalSpy finished(&runner, &AnalysisRunner::analysisFinished);
    for (int batch = 1; batch <= 20; ++batch) {
        auto r = request("llama-2-70b", {"a100-80gb-sxm"});
        r.settings.batch = batch;
        runner.analyze(std::move(r));
    }
    ASSERT_TRUE(QTest::qWaitFor([&] { return runner.deliveredGeneration() == 20; }, 20000));
    QTest::qWait(50);
    ASSERT_EQ(finished.count(), 1);
    const auto result = finished[0][0].value<std::shared_ptr<const AnalysisResult>>();
    EXPECT_EQ(result->series.front().report->settings.batch, 20);
}

TEST(AnalysisRunner, ComparisonFillsRequestMetrics) {
    AnalysisRunner runner;
    QSignalSpy compared(&runner, &AnalysisRunner::comparisonFinished);
    runner.analyze(request("llama-2-7b", {"a100-80gb-sxm", "h100-sxm"}, core::Phase::request));
    ASSERT_TRUE(compared.wait(20000));
    const auto result = compared[0][0].value<std::shared_ptr<const AnalysisResult>>();
    ASSERT_EQ(result->series.size(), 2U);
    for (const auto& s : result->series) {
        ASSERT_TRUE(s.request.has_value()) << s.label;
        EXPECT_GT(s.request->prefillSeconds, 0);
        EXPECT_GT(s.request->decodeStepSeconds, 0);
        ASSERT_TRUE(s.report->totals.request.has_value());
    }
    // The uncompressed model has one name everywhere (CLI, GUI, reports).
    EXPECT_EQ(result->series[1].label, "uncompressed @ " + testing::device("h100-sxm").name);
}

TEST(AnalysisRunner, SweepGivesOneLinePerScenarioAndDevice) {
    AnalysisRunner runner;
    QSignalSpy finished(&runner, &AnalysisRunner::sweepFinished);
    SweepRequest sweep;
    sweep.base = request("llama-2-7b", {"a100-80gb-sxm", "h100-sxm"});
    auto preset = core::resolveScenario("awq-w4a16-g128");
    ASSERT_TRUE(preset.ok());
    sweep.base.scenarios = {{"baseline", std::nullopt, {}}, {"awq", preset.value(), {}}};
    sweep.axis = SweepAxis::batch;
    sweep.values = {1, 2, 4, 8};
    sweep.metric = SweepMetric::throughput;
    runner.sweep(std::move(sweep));
    ASSERT_TRUE(finished.wait(30000));
    const auto outcome = finished[0][0].value<std::shared_ptr<const SweepOutcome>>();
    ASSERT_TRUE(outcome->error.empty()) << outcome->error;
    ASSERT_EQ(outcome->data.lines.size(), 4U);
    for (const auto& line : outcome->data.lines) {
        ASSERT_EQ(line.x, (std::vector<double>{1, 2, 4, 8})) << line.label;
        EXPECT_LT(line.y.front(), line.y.back()) << line.label;  // batching raises throughput
    }
}

TEST(AnalysisRunner, EventLoopKeepsTurningDuringASweepAndCancelStopsIt) {
    AnalysisRunner runner;
    SweepRequest sweep;
    sweep.base = request("llama-2-70b", {"a100-80gb-sxm"}, core::Phase::request);
    sweep.base.settings.generateLength = 8192;  // ~16 M decode passes: seconds of work
    sweep.axis = SweepAxis::batch;
    for (std::int64_t b = 1; b <= 2000; ++b) {
        sweep.values.push_back(b);
    }
    QSignalSpy progress(&runner, &AnalysisRunner::sweepProgress);
    QSignalSpy finished(&runner, &AnalysisRunner::sweepFinished);
    runner.sweep(std::move(sweep));
    ASSERT_TRUE(runner.isSweeping());

    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    qint64 worstGap = 0;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        worstGap = std::max(worstGap, clock.elapsed() - last);
        last = clock.elapsed();
    });
    tick.start(5);
    QTest::qWait(600);
    tick.stop();
    EXPECT_LT(worstGap, 100) << "the GUI thread was blocked for " << worstGap << " ms";
    EXPECT_GT(progress.count(), 0);
    if (!runner.isSweeping()) {
        // A machine fast enough to finish: the result must have arrived instead.
        EXPECT_EQ(finished.count(), 1);
        return;
    }
    runner.cancelSweep();
    EXPECT_FALSE(runner.isSweeping());
    QElapsedTimer stop;
    stop.start();
    runner.waitForIdle();
    EXPECT_LT(stop.elapsed(), 5000) << "cancel took too long";
    QTest::qWait(50);
    EXPECT_EQ(finished.count(), 0);  // a cancelled sweep delivers nothing
}

}  // namespace
}  // namespace rooflens::ui
