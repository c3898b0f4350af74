// Issue 17 items 4 and 6: sweep points that do not fit in memory (marked, explained in the
// tooltip), tooltips on every sweep point, the sweep legend off the data (geometry); measured
// runs on the roofline chart (coordinates by hand from tests/data/measured), loading them in
// the main window (menu and drop; bad files leave everything as it was), and a second session
// opened beside the first.
#include <gtest/gtest.h>

#include <QFile>
#include <QPointer>
#include <QSettings>
#include <QTemporaryDir>

#include "core/measured.h"
#include "plot/roofline_plot.h"
#include "plot/sweep_plot.h"
#include "ui/analysis_runner.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

AnalysisRequest llm(const std::string& model, const std::string& device, core::Phase phase,
                    std::int64_t context) {
    AnalysisRequest r;
    auto prepared = findFamily("llm")->prepare({"llm", model, "", 224, {}});
    EXPECT_TRUE(prepared.ok());
    r.workload = std::make_shared<const PreparedWorkload>(prepared.value());
    r.settings.phase = phase;
    r.settings.batch = 1;
    r.settings.promptLength = context;
    r.settings.contextLength = context;
    r.devices = {testing::device(device)};
    return r;
}

SweepOutcome batchSweep(AnalysisRequest base, std::vector<std::int64_t> batches) {
    SweepRequest sweep;
    sweep.base = std::move(base);
    sweep.axis = SweepAxis::batch;
    sweep.values = std::move(batches);
    sweep.metric = SweepMetric::time;
    core::CancelToken cancel;
    return runSweepRequest(sweep, {}, cancel);
}

double gigabytesAfter(const std::string& text, const std::string& key) {
    const auto at = text.find(key);
    EXPECT_NE(at, std::string::npos) << key << " in " << text;
    return at == std::string::npos ? 0 : std::stod(text.substr(at + key.size()));
}

// Llama-2-70B at fp16 is 68,976,648,192 parameters = 137.95 GB of weights: no 24 GB device
// holds it, at any batch.
TEST(SweepOutOfMemory, Llama70bFp16OnA24GbDeviceIsMarkedAndExplained) {
    const SweepOutcome out =
        batchSweep(llm("llama-2-70b", "l4", core::Phase::decode, 1024), {1, 2});
    ASSERT_TRUE(out.error.empty()) << out.error;
    ASSERT_EQ(out.data.lines.size(), 1U);
    const plot::SweepLine& line = out.data.lines[0];
    ASSERT_EQ(line.outOfMemory, (std::vector<bool>{true, true}));
    ASSERT_EQ(line.notes.size(), 2U);
    const std::string& note = line.notes[0];
    EXPECT_EQ(note.rfind("does not fit in memory: needs ", 0), 0U) << note;
    EXPECT_NE(note.find("weights 138.0 GB"), std::string::npos) << note;
    // K and V of 80 layers, 8 KV heads of 128 at fp16, 1024 tokens: 335,544,320 B.
    EXPECT_NE(note.find("KV cache 0.3 GB"), std::string::npos) << note;
    EXPECT_NE(line.notes[1].find("KV cache 0.7 GB"), std::string::npos) << line.notes[1];
    EXPECT_NE(note.find("NVIDIA L4 has 24.0 GB"), std::string::npos) << note;
    const double needs = gigabytesAfter(note, "needs ");
    EXPECT_GE(needs, 138.3);  // weights + KV cache, activations on top
    EXPECT_LT(needs, 139.5);

    plot::SweepPlot plot;
    plot.resize(900, 600);
    plot.setData(out.data);
    plot.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
    plot.replotNow();
    const QString tip = plot.toolTipFor({0, 0});
    for (const char* part :
         {"<b>uncompressed</b>", "scenario: uncompressed", "device: NVIDIA L4", "Batch size: 1",
          "Predicted time: ", "does not fit in memory: needs", "NVIDIA L4 has 24.0 GB"}) {
        EXPECT_TRUE(tip.contains(QString::fromUtf8(part))) << part << " in " << tip.toStdString();
    }
    // Hovering the drawn point finds it.
    EXPECT_EQ(plot.pointAt(plot.pixelOf({0, 1})), (plot::SweepPlot::PointRef{0, 1}));
}

// Llama-2-7B decode at 4096 tokens on 24 GB: 13.5 GB of weights plus 2.15 GB of KV cache per
// sequence (2 x 32 layers x 4096 x 2 B per token): batch 4 needs 22.1 GB and fits, batch 8
// needs 30.7 GB and does not.
TEST(SweepOutOfMemory, OnlyThePointsPastTheCapacityAreMarked) {
    const SweepOutcome out =
        batchSweep(llm("llama-2-7b", "l4", core::Phase::decode, 4096), {1, 2, 4, 8, 16});
    ASSERT_TRUE(out.error.empty()) << out.error;
    const plot::SweepLine& line = out.data.lines.at(0);
    EXPECT_EQ(line.outOfMemory, (std::vector<bool>{false, false, false, true, true}));
    EXPECT_TRUE(line.notes[2].empty());
    EXPECT_NEAR(gigabytesAfter(line.notes[3], "KV cache "), 17.2, 0.05);  // 8 x 2.147 GB

    plot::SweepPlot plot;
    plot.resize(800, 500);
    plot.setData(out.data);
    plot.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
    plot.replotNow();
    EXPECT_FALSE(plot.toolTipFor({0, 2}).contains(QStringLiteral("does not fit")));
    EXPECT_TRUE(plot.toolTipFor({0, 3}).contains(QStringLiteral("does not fit in memory")));
    QTemporaryDir dir;
    const QString svg = dir.filePath(QStringLiteral("sweep.svg"));
    ASSERT_TRUE(plot.exportTo(svg, QSize(800, 500)));
    QFile file(svg);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    EXPECT_TRUE(
        QString::fromUtf8(file.readAll()).contains(QStringLiteral("does not fit in memory")))
        << "the legend entry";
}

// The legend never covers data: it sits outside the axis rect, at any size, with many lines.
TEST(SweepLegend, NeverIntersectsTheDataAtAnySize) {
    plot::SweepData data;
    data.xLabel = "Batch size";
    data.yLabel = "Predicted time [s]";
    for (int i = 0; i < 6; ++i) {
        plot::SweepLine line;
        line.label = "scenario number " + std::to_string(i) + " @ a long device name";
        for (int b = 1; b <= 256; b *= 2) {
            line.x.push_back(b);
            // Lines through the top right and the top left, where an inset legend would sit.
            line.y.push_back(i % 2 == 0 ? 1e-3 * b * (i + 1) : 1e-3 * (i + 1) * 256.0 / b);
        }
        line.outOfMemory.assign(line.x.size(), false);
        line.outOfMemory.back() = true;
        line.notes.assign(line.x.size(), "");
        data.lines.push_back(line);
    }
    plot::SweepPlot plot;
    plot.setData(data);
    plot.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
    for (QSize size : {QSize(1100, 700), QSize(640, 400), QSize(420, 300)}) {
        plot.resize(size);
        QTest::qWait(20);
        plot.replotNow();
        const QRect legend = plot.legendRect();
        ASSERT_FALSE(legend.isEmpty()) << size.width();
        EXPECT_FALSE(legend.intersects(plot.axisRect()))
            << size.width() << ": legend " << legend.x() << "," << legend.y() << " "
            << legend.width() << "x" << legend.height();
        int drawn = 0;
        for (std::size_t i = 0; i < data.lines.size(); ++i) {
            for (std::size_t k = 0; k < data.lines[i].x.size(); ++k) {
                const QPoint p = plot.pixelOf({i, k});
                // The hollow ring is 9 px wide: its whole box stays clear of the legend.
                EXPECT_FALSE(legend.intersects(QRect(p - QPoint(5, 5), QSize(11, 11))))
                    << size.width() << ": line " << i << " point " << k;
                drawn += plot.axisRect().contains(p) ? 1 : 0;
            }
        }
        EXPECT_EQ(drawn, 6 * 9) << "every point is inside the axis rect";
        EXPECT_GT(plot.axisRect().width(), size.width() / 3) << "the legend leaves the data room";
        if (size.width() >= 1000) {
            EXPECT_GE(legend.left(), plot.axisRect().right()) << "right of the axes";
        } else if (size.width() < 500) {
            EXPECT_GE(legend.top(), plot.axisRect().bottom()) << "under the axes";
        }
    }
}

core::RooflineChartSpec specWithPointsAt(const std::vector<std::pair<double, double>>& xy) {
    core::RooflineChartSpec spec;
    spec.x = {0.01, 1000};
    spec.y = {1e9, 1e13};
    spec.series = {{"baseline", 0, 0, 0}};
    spec.devices = {{"xeon-8480", "Xeon"}};
    spec.scenarios = {"baseline"};
    for (std::size_t i = 0; i < xy.size(); ++i) {
        core::ChartPoint p;
        p.layer = i;
        p.name = "reference " + std::to_string(i);
        p.intensity = xy[i].first;
        p.opsPerSecond = xy[i].second;
        p.ops = 1;
        p.bytes = 1;
        spec.points.push_back(p);
    }
    return spec;
}

std::shared_ptr<const core::MeasuredRun> fixtureRun(const char* name) {
    auto run = core::loadMeasuredRun(
        testing::testData((std::string("measured/") + name).c_str()).toStdString());
    EXPECT_TRUE(run.ok()) << run.error().message;
    return std::make_shared<const core::MeasuredRun>(std::move(run).value());
}

// The measured points sit where hand-placed reference points of the same coordinates do:
// (200 OP/B, 2e9 OP / 0.02 s = 100 GOP/s), (0.5, 8e6 / 1.6e-3 = 5 GOP/s), (0.125, 12.5 GOP/s).
TEST(MeasuredOnRoofline, PointsAtTheirIntensityAndMeasuredRate) {
    plot::RooflinePlot plot;
    plot.resize(1000, 700);
    plot.setSpec(specWithPointsAt({{200, 1e11}, {0.5, 5e9}, {0.125, 1.25e10}}));
    plot.setMeasured(fixtureRun("validate-small.json"));
    plot.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
    plot.replotNow();
    ASSERT_NE(plot.measured(), nullptr);
    ASSERT_EQ(plot.measured()->points.size(), 3U);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(plot.measuredPixelOf(i), plot.pixelOf(i)) << i;
        EXPECT_EQ(plot.measuredPointAt(plot.measuredPixelOf(i)), i) << i;
    }
    EXPECT_FALSE(plot.measuredPointAt(QPoint(3, 3)).has_value());
    const QString tip = plot.measuredToolTipFor(0);
    for (const char* part :
         {"measured: prefill q_proj,o_proj", "(gemm)", "measured: 20 ms (p10 19 ms, p90 22 ms)",
          "attained: 100 GOP/s", "intensity: 200 OP/B", "roofline: 10 ms (200 GOP/s)",
          "error −50.0 %", "expected: 12.5 ms", "error −37.5 %",
          "validate: validate-tiny on xeon-8480"}) {
        EXPECT_TRUE(tip.contains(QString::fromUtf8(part))) << part << " in " << tip.toStdString();
    }
    EXPECT_TRUE(plot.measuredToolTipFor(2).contains(QStringLiteral("error +25.0 %")));
    QTemporaryDir dir;
    const QString svg = dir.filePath(QStringLiteral("measured.svg"));
    ASSERT_TRUE(plot.exportTo(svg, QSize(900, 600)));
    QFile file(svg);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    EXPECT_TRUE(QString::fromUtf8(file.readAll()).contains(QStringLiteral(">measured<")))
        << "the legend entry";
    plot.setMeasured(nullptr);
    EXPECT_EQ(plot.measured(), nullptr);
    EXPECT_FALSE(plot.measuredPointAt(plot.pixelOf(0)).has_value());
}

Session xeonSession() {
    Session s = defaultSession();
    s.workload.model = "llama-2-7b";
    s.settings.phase = core::Phase::decode;
    s.settings.batch = 1;
    s.settings.contextLength = 1024;
    s.devices = {"xeon-8480"};
    s.scenarios.resize(1);
    return s;
}

bool showSession(MainWindow& window, const Session& s) {
    testing::ResultWaiter waiter(window);
    window.applySession(s);
    return waiter.wait(20000);
}

TEST(MeasuredInMainWindow, LoadDropBadFileAndClear) {
    MainWindow window;
    ASSERT_TRUE(showSession(window, xeonSession()));
    const std::string before = serializeSession(window.session());
    const QString kernels = testing::testData("measured/validate-small.json");
    ASSERT_TRUE(window.loadMeasuredRun(kernels)) << window.lastError().toStdString();
    const auto loaded = window.measuredRun();
    ASSERT_NE(loaded, nullptr);
    EXPECT_EQ(window.rooflinePlot()->measured(), loaded.get());
    // The chart's ranges hold every measured point.
    const auto& spec = window.rooflinePlot()->spec();
    for (const auto& p : loaded->points) {
        EXPECT_GT(p.intensity(), spec.x.min);
        EXPECT_LT(p.intensity(), spec.x.max);
        EXPECT_GT(p.measuredOpsPerSecond(), spec.y.min);
        EXPECT_LT(p.measuredOpsPerSecond(), spec.y.max);
    }
    EXPECT_TRUE(window.lastError().isEmpty());
    EXPECT_EQ(serializeSession(window.session()), before);

    // A bad file: a located error, and the run, chart and session as they were.
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("bad-run.json"));
    {
        auto text = core::readFile(kernels.toStdString());
        ASSERT_TRUE(text.ok());
        std::string edited = *text;
        const std::string from = "\"measured_median_seconds\": 0.0016";
        edited.replace(edited.find(from), from.size(), "\"measured_median_seconds\": -1");
        QFile out(bad);
        ASSERT_TRUE(out.open(QIODevice::WriteOnly));
        out.write(edited.data(), static_cast<qint64>(edited.size()));
    }
    EXPECT_FALSE(window.loadMeasuredRun(bad));
    EXPECT_TRUE(window.lastError().contains(QStringLiteral("bad-run.json")));
    EXPECT_TRUE(window.lastError().contains(QStringLiteral("/kernels/1/measured_median_seconds")))
        << window.lastError().toStdString();
    EXPECT_EQ(window.measuredRun(), loaded);
    EXPECT_EQ(window.rooflinePlot()->measured(), loaded.get());
    EXPECT_EQ(serializeSession(window.session()), before);
    // Dropped on the window, recognised by its kind; a re-analysis keeps it on the chart.
    ASSERT_TRUE(window.openDroppedFile(testing::testData("measured/whole-small.json")));
    ASSERT_NE(window.measuredRun(), nullptr);
    EXPECT_EQ(window.measuredRun()->kind, "rooflens-whole-validation");
    testing::ResultWaiter waiter(window);
    window.reanalyze();
    ASSERT_TRUE(waiter.wait(20000));
    EXPECT_EQ(window.rooflinePlot()->measured(), window.measuredRun().get());
    EXPECT_EQ(serializeSession(window.session()), before);
    window.clearMeasuredRun();
    EXPECT_EQ(window.measuredRun(), nullptr);
    EXPECT_EQ(window.rooflinePlot()->measured(), nullptr);
}

TEST(CompareSessions, SecondSessionOpensBesideAndLeavesTheFirstAlone) {
    MainWindow window;
    window.resize(1440, 900);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    ASSERT_TRUE(showSession(window, xeonSession()));
    const std::string before = serializeSession(window.session());
    QSettings().setValue(QStringLiteral("session/last"), QString::fromStdString(before));

    Session other = defaultSession();
    other.workload.model = "llama-2-13b";
    other.devices = {"h100-sxm"};
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("other.json"));
    ASSERT_TRUE(saveSession(path.toStdString(), other).ok());

    EXPECT_EQ(window.compareWithSession(dir.filePath(QStringLiteral("missing.json"))), nullptr);
    EXPECT_TRUE(window.lastError().contains(QStringLiteral("missing.json")));

    MainWindow* beside = window.compareWithSession(path);
    ASSERT_NE(beside, nullptr);
    EXPECT_EQ(beside->role(), WindowRole::comparison);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            return beside->result() != nullptr && beside->runner()->deliveredGeneration() ==
                                                      beside->runner()->requestedGeneration();
        },
        20000));
    EXPECT_EQ(beside->session().workload.model, "llama-2-13b");
    EXPECT_EQ(beside->session().devices, std::vector<std::string>{"h100-sxm"});
    EXPECT_EQ(beside->result()->devices.at(0).id, "h100-sxm");
    EXPECT_TRUE(beside->windowTitle().contains(QStringLiteral("other.json")));
    EXPECT_EQ(serializeSession(window.session()), before) << "the first window's session";
    // Side by side: the comparison starts where the first window ends.
    EXPECT_GE(beside->frameGeometry().left(), window.frameGeometry().right());
    EXPECT_EQ(beside->frameGeometry().top(), window.frameGeometry().top());
    // Closing it neither saves its session as the user's last nor touches the first window.
    QPointer<MainWindow> guard(beside);
    beside->close();
    ASSERT_TRUE(QTest::qWaitFor([&] { return guard.isNull(); }, 5000)) << "deleted on close";
    EXPECT_EQ(QSettings().value(QStringLiteral("session/last")).toString().toStdString(), before);
    EXPECT_EQ(serializeSession(window.session()), before);
}

}  // namespace
}  // namespace rooflens::ui
