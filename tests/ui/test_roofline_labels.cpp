// RooflinePlot's labels and crowds (issue 17 items 1 and 2) on real charts: Llama-3-70B with
// scenarios on two devices, zoomed, resized and exported; the point-label toggle, the legend
// placements, the title that no longer clips; coincident points of several scenarios fanned
// out, with the ring, the click and the tooltip following. The geometry rules are in
// label_checks.h; test_screenshots.cpp applies them to every window view as well.
#include <gtest/gtest.h>

#include <QAction>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/chart.h"
#include "core/scenario.h"
#include "label_checks.h"
#include "plot/roofline_plot.h"
#include "ui/analysis_runner.h"
#include "ui/main_window.h"
#include "ui/session.h"
#include "ui_test_support.h"

namespace rooflens::plot {
namespace {

std::shared_ptr<const core::Report> report70b(const std::string& deviceId,
                                              const std::optional<std::string>& scenario) {
    core::RunSettings s;
    s.phase = core::Phase::decode;
    s.batch = 16;
    s.contextLength = 4096;
    auto config = models::resolveLlm("llama-3-70b");
    auto workload = models::buildLlm(config.value(), s);
    core::Workload w = workload.value();
    if (scenario) {
        auto sc = core::resolveScenario(*scenario);
        EXPECT_TRUE(sc.ok()) << *scenario;
        auto compressed = core::applyScenario(sc.value(), w);
        EXPECT_TRUE(compressed.ok()) << *scenario;
        w = compressed.value();
    }
    return std::make_shared<const core::Report>(core::analyze(w, testing::device(deviceId)));
}

// Llama-3-70B decode, baseline and three scenarios on an H100 and an MI300X: 8 series.
struct Crowded {
    std::vector<std::shared_ptr<const core::Report>> reports;
    std::vector<core::ChartInput> inputs;
    core::RooflineChartSpec spec;
    Crowded() {
        const std::optional<std::string> scenarios[] = {std::nullopt, "awq-w4a16-g128", "fp8-w8a8",
                                                        "qserve-w4a8kv4"};
        for (const char* device : {"h100-sxm", "mi300x"}) {
            for (const auto& s : scenarios) {
                reports.push_back(report70b(device, s));
                inputs.push_back(
                    {reports.back().get(), &testing::device(device), s.value_or("baseline")});
            }
        }
        spec = core::buildRooflineChart(inputs);
    }
};

class RooflineLabels : public ::testing::Test {
protected:
    void SetUp() override {
        plot.resize(900, 560);
        plot.setSpec(data.spec);
        plot.show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
        plot.replotNow();
    }
    Crowded data;
    RooflinePlot plot;
};

TEST_F(RooflineLabels, NoCollisionsAtTheDefaultViewZoomedResizedAndExported) {
    ASSERT_EQ(plot.spec().series.size(), 8U);
    const int shown = testing::checkLabelGeometry(plot, "default view");
    int roofs = 0;
    int points = 0;
    for (const auto& l : plot.drawnLabels()) {
        (l.kind == DrawnLabel::Kind::roof ? roofs : points) += 1;
    }
    EXPECT_GE(roofs, 3) << "ceiling labels of both devices";
    EXPECT_GE(points, 4) << "point labels";
    EXPECT_EQ(shown, roofs + points);

    plot.setView({1, 1000}, {1e12, 3e15});  // zoom in on the knee
    plot.replotNow();
    testing::checkLabelGeometry(plot, "zoomed");
    plot.resetView();
    plot.resize(520, 380);  // a narrow window
    plot.replotNow();
    testing::checkLabelGeometry(plot, "small");

    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("export.png"));
    ASSERT_TRUE(plot.exportTo(png, QSize(1600, 1000)));
    // Until the queued replot, the geometry is the export's layout.
    EXPECT_GT(plot.plotArea().width(), 1200);
    testing::checkLabelGeometry(plot, "export 1600x1000");
    EXPECT_EQ(QImage(png).size(), QSize(1600, 1000));
}

TEST_F(RooflineLabels, PointLabelsToggleAndCeilingLabelsStay) {
    auto count = [&](DrawnLabel::Kind kind) {
        int n = 0;
        for (const auto& l : plot.drawnLabels()) {
            n += l.kind == kind ? 1 : 0;
        }
        return n;
    };
    const int roofs = count(DrawnLabel::Kind::roof);
    ASSERT_GT(count(DrawnLabel::Kind::point), 0);
    plot.setPointLabelsVisible(false);
    plot.replotNow();
    EXPECT_FALSE(plot.pointLabelsVisible());
    EXPECT_EQ(count(DrawnLabel::Kind::point), 0);
    EXPECT_EQ(count(DrawnLabel::Kind::roof), roofs);
    plot.setPointLabelsVisible(true);
    plot.replotNow();
    EXPECT_GT(count(DrawnLabel::Kind::point), 0);
}

// No point under the legend: automatic placement puts it in a free corner, or beside the plot.
void expectNoPointUnderTheLegend(const RooflinePlot& plot) {
    const core::AxisBox legend = plot.legendBox();
    if (legend.width() == 0) {
        EXPECT_LT(plot.plotArea().right, plot.width() - 60) << "the legend is beside the plot";
        return;
    }
    EXPECT_TRUE(plot.plotArea().contains(legend));
    for (std::size_t i = 0; i < plot.spec().points.size(); ++i) {
        const QPoint at = plot.pixelOf(i);
        EXPECT_GT(legend.distanceTo({double(at.x()), double(at.y())}), 0)
            << plot.spec().points[i].name << " is under the legend";
    }
}

TEST_F(RooflineLabels, LegendAutomaticBesideOrHidden) {
    EXPECT_EQ(plot.legendPlacement(), LegendPlacement::automatic);
    expectNoPointUnderTheLegend(plot);
    plot.resize(1500, 900);  // room for it inside, perhaps
    plot.replotNow();
    expectNoPointUnderTheLegend(plot);

    plot.setLegendPlacement(LegendPlacement::hidden);
    plot.replotNow();
    const core::AxisBox full = plot.plotArea();
    EXPECT_EQ(plot.legendBox().width(), 0);
    plot.setLegendPlacement(LegendPlacement::outside);
    plot.replotNow();
    EXPECT_EQ(plot.legendBox().width(), 0);
    EXPECT_LT(plot.plotArea().width(), full.width() - 100) << "a column right of the plot";
    testing::checkLabelGeometry(plot, "legend beside");
    plot.setLegendPlacement(LegendPlacement::automatic);
    plot.replotNow();
    expectNoPointUnderTheLegend(plot);
}

// One series on one device: the corner above the memory roof is free, the legend stays inside.
TEST(RooflineLegend, SmallLegendStaysInAFreeCorner) {
    auto report = testing::llamaReport();
    const std::vector<core::ChartInput> inputs = {
        {report.get(), &testing::device("a100-80gb-sxm"), "baseline"}};
    RooflinePlot plot;
    plot.resize(1000, 700);
    plot.setSpec(core::buildRooflineChart(inputs));
    plot.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
    plot.replotNow();
    ASSERT_GT(plot.legendBox().width(), 0);
    expectNoPointUnderTheLegend(plot);
    testing::checkLabelGeometry(plot, "small legend");
}

TEST(RooflineTitle, BreaksInsteadOfClipping) {
    auto report = testing::llamaReport();
    const std::vector<core::ChartInput> inputs = {
        {report.get(), &testing::device("xeon-8480"), "baseline"}};
    core::ChartOptions options;
    options.title = "llama-2-7b decode on Xeon 8480+ (calibrated) with a long descriptive title";
    RooflinePlot plot;
    plot.resize(420, 360);
    plot.setSpec(core::buildRooflineChart(inputs, options));
    plot.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
    plot.replotNow();
    const QStringList lines = plot.shownTitle().split(QLatin1Char('\n'));
    ASSERT_EQ(lines.size(), 2) << plot.shownTitle().toStdString();
    EXPECT_EQ(lines.join(QLatin1Char(' ')), QString::fromStdString(options.title));
    plot.resize(1400, 500);
    plot.replotNow();
    EXPECT_EQ(plot.shownTitle(), QString::fromStdString(options.title));
}

// The same report twice: every point of the second series sits on one of the first.
class RooflineCrowds : public ::testing::Test {
protected:
    void SetUp() override {
        report = testing::llamaReport();
        const auto& hw = testing::device("a100-80gb-sxm");
        const std::vector<core::ChartInput> inputs = {{report.get(), &hw, "baseline"},
                                                      {report.get(), &hw, "same again"}};
        plot.resize(1000, 700);
        plot.setSpec(core::buildRooflineChart(inputs));
        plot.show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
        plot.replotNow();
        const auto& spec = plot.spec();
        ASSERT_EQ(spec.series.size(), 2U);
        for (std::size_t i = 0; i < spec.points.size() && !twin; ++i) {
            if (spec.points[i].series == 1) {
                twin = i;
            }
        }
        ASSERT_TRUE(twin.has_value());
        first = plot.findPoint(0, plot.spec().points[*twin].layer).value();
    }
    std::shared_ptr<const core::Report> report;
    RooflinePlot plot;
    std::size_t first = 0;
    std::optional<std::size_t> twin;
};

TEST_F(RooflineCrowds, CoincidentPointsFanOutAroundTheirSpot) {
    const QPointF truth = plot.canvasPosition(plot.spec().points[first].intensity,
                                              plot.spec().points[first].opsPerSecond);
    const QPoint a = plot.pixelOf(first);
    const QPoint b = plot.pixelOf(*twin);
    // Two members side by side, 10 px apart, either side of the true spot.
    EXPECT_NEAR(b.x() - a.x(), 10, 1);
    EXPECT_NEAR(b.y() - a.y(), 0, 1);
    EXPECT_NEAR((a.x() + b.x()) / 2.0, truth.x(), 1);
    EXPECT_NEAR((a.y() + b.y()) / 2.0, truth.y(), 1);
    const auto crowd = plot.crowdOf(*twin);
    ASSERT_EQ(crowd.size(), 2U);
    EXPECT_EQ(plot.spec().points[crowd[0]].series, 0);
    EXPECT_EQ(plot.spec().points[crowd[1]].series, 1);
    testing::checkLabelGeometry(plot, "crowds");
}

TEST_F(RooflineCrowds, RingClickAndTooltipFollowTheMember) {
    QSignalSpy clicked(&plot, &RooflinePlot::pointClicked);
    const QPoint at = plot.pixelOf(*twin);
    QTest::mousePress(plot.canvas(), Qt::LeftButton, Qt::NoModifier, at);
    QTest::mouseRelease(plot.canvas(), Qt::LeftButton, Qt::NoModifier, at);
    ASSERT_EQ(clicked.count(), 1);
    EXPECT_EQ(clicked[0][0].toInt(), 1) << "the fanned-out member of the second series";
    EXPECT_EQ(plot.spec().points[*plot.pointAt(plot.pixelOf(first))].series, 0);

    plot.highlightPoint(*twin);
    plot.replotNow();
    ASSERT_TRUE(plot.highlightPixel().has_value());
    EXPECT_LE((*plot.highlightPixel() - plot.pixelOf(*twin)).manhattanLength(), 1);
    plot.highlightPoint(first);
    plot.replotNow();
    EXPECT_LE((*plot.highlightPixel() - plot.pixelOf(first)).manhattanLength(), 1);

    const QString tip = plot.toolTipFor(*twin);
    EXPECT_TRUE(tip.contains(QLatin1String("2 points here"))) << tip.toStdString();
    EXPECT_TRUE(tip.contains(QLatin1String("baseline")));
    EXPECT_TRUE(tip.contains(QLatin1String("same again")));
}

// The View menu's point-label toggle and legend placements reach the plot and the session.
TEST(RooflineViewMenu, PointLabelsAndLegendAreSessionViewOptions) {
    ui::MainWindow window;
    auto* labels = window.findChild<QAction*>(QStringLiteral("pointLabelsAction"));
    auto* outside = window.findChild<QAction*>(QStringLiteral("legend_outside"));
    ASSERT_NE(labels, nullptr);
    ASSERT_NE(outside, nullptr);
    EXPECT_TRUE(labels->isChecked());
    labels->trigger();
    outside->trigger();
    EXPECT_FALSE(window.rooflinePlot()->pointLabelsVisible());
    EXPECT_EQ(window.rooflinePlot()->legendPlacement(), LegendPlacement::outside);
    const ui::Session s = window.session();
    EXPECT_FALSE(s.view.pointLabels);
    EXPECT_EQ(s.view.legend, "outside");
    window.applySession(ui::defaultSession());
    EXPECT_TRUE(window.rooflinePlot()->pointLabelsVisible());
    EXPECT_EQ(window.rooflinePlot()->legendPlacement(), LegendPlacement::automatic);
    window.applySession(s);
    EXPECT_FALSE(labels->isChecked());
    EXPECT_EQ(window.rooflinePlot()->legendPlacement(), LegendPlacement::outside);
}

}  // namespace
}  // namespace rooflens::plot
