// RooflinePlot: drawing a spec, hit testing, tooltips, clicks, exports (sizes and SVG text).
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/chart.h"
#include "plot/breakdown_plot.h"
#include "plot/render.h"
#include "plot/roofline_plot.h"
#include "plot/sweep_plot.h"
#include "ui_test_support.h"

namespace rooflens::plot {
namespace {

core::RooflineChartSpec llamaSpec(const core::Report& report, const core::Hardware& hw) {
    const std::vector<core::ChartInput> inputs = {{&report, &hw, "baseline"}};
    return core::buildRooflineChart(inputs);
}

QString readAll(const QString& path) {
    QFile file(path);
    EXPECT_TRUE(file.open(QIODevice::ReadOnly)) << path.toStdString();
    return QString::fromUtf8(file.readAll());
}

class RooflinePlotTest : public ::testing::Test {
protected:
    void SetUp() override {
        report = testing::llamaReport();
        plot.resize(1000, 700);
        plot.setSpec(llamaSpec(*report, testing::device("a100-80gb-sxm")));
        plot.show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
        plot.replotNow();
    }
    std::shared_ptr<const core::Report> report;
    RooflinePlot plot;
    QTemporaryDir dir;
};

TEST_F(RooflinePlotTest, PointsHitTestAndTooltips) {
    const auto& spec = plot.spec();
    ASSERT_FALSE(spec.points.empty());
    for (std::size_t i = 0; i < spec.points.size(); i += 17) {
        const auto hit = plot.pointAt(plot.pixelOf(i));
        ASSERT_TRUE(hit.has_value()) << spec.points[i].name;
        // Coincident points (the same op in every block) may answer for each other.
        const QPoint delta = plot.pixelOf(*hit) - plot.pixelOf(i);
        EXPECT_LE(delta.manhattanLength(), 12) << spec.points[i].name;
    }
    EXPECT_FALSE(plot.pointAt(QPoint(2, 2)).has_value());
    const QString tip = plot.toolTipFor(0);
    EXPECT_TRUE(tip.contains(QString::fromStdString(spec.points[0].name)));
    for (const char* part : {"OPs", "bytes", "intensity", "attainable", "time", "bound"}) {
        EXPECT_TRUE(tip.contains(QLatin1String(part))) << part;
    }
}

TEST_F(RooflinePlotTest, ClickEmitsSeriesAndLayer) {
    QSignalSpy clicked(&plot, &RooflinePlot::pointClicked);
    const std::size_t index = plot.spec().points.size() / 2;
    const QPoint at = plot.pixelOf(index);
    QTest::mousePress(plot.canvas(), Qt::LeftButton, Qt::NoModifier, at);
    QTest::mouseRelease(plot.canvas(), Qt::LeftButton, Qt::NoModifier, at);
    ASSERT_EQ(clicked.count(), 1);
    const auto& point = plot.spec().points[*plot.pointAt(at)];
    EXPECT_EQ(clicked[0][0].toInt(), point.series);
    EXPECT_EQ(clicked[0][1].toInt(), static_cast<int>(point.layer));
}

TEST_F(RooflinePlotTest, ZoomIsKeptAcrossSpecsUntilReset) {
    plot.setView({1, 100}, {1e12, 1e14});
    plot.setSpec(plot.spec());
    EXPECT_DOUBLE_EQ(plot.xView().min, 1);
    plot.resetView();
    EXPECT_DOUBLE_EQ(plot.xView().min, plot.spec().x.min);
    EXPECT_DOUBLE_EQ(plot.yView().max, plot.spec().y.max);
}

TEST_F(RooflinePlotTest, SvgExportHasAxisLabelsAndLayerNames) {
    const QString path = dir.filePath(QStringLiteral("roofline.svg"));
    QString error;
    ASSERT_TRUE(plot.exportTo(path, QSize(1200, 800), &error)) << error.toStdString();
    const QString svg = readAll(path);
    EXPECT_TRUE(svg.contains(QLatin1String("width=\"")));
    EXPECT_TRUE(svg.contains(QLatin1String("Arithmetic intensity [OP/byte]")));
    EXPECT_TRUE(svg.contains(QLatin1String("Performance [OP/s]")));
    EXPECT_TRUE(svg.contains(QLatin1String("A100")));
    int names = 0;
    for (const char* op : {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                           "down_proj", "lm_head", "attention", "softmax", "qk_matmul"}) {
        names += svg.contains(QLatin1String(op)) ? 1 : 0;
    }
    EXPECT_GE(names, 4) << "layer labels missing from the SVG";
}

TEST_F(RooflinePlotTest, PngAndPdfExportsHaveTheRequestedSize) {
    const QString png = dir.filePath(QStringLiteral("roofline.png"));
    ASSERT_TRUE(plot.exportTo(png, QSize(900, 600)));
    EXPECT_EQ(QImage(png).size(), QSize(900, 600));
    const QString pdf = dir.filePath(QStringLiteral("roofline.pdf"));
    ASSERT_TRUE(plot.exportTo(pdf, QSize(900, 600)));
    EXPECT_TRUE(readAll(pdf).startsWith(QLatin1String("%PDF")));
}

TEST_F(RooflinePlotTest, ExportErrorsNameTheFile) {
    QString error;
    EXPECT_FALSE(plot.exportTo(dir.filePath(QStringLiteral("chart.gif")), QSize(800, 600), &error));
    EXPECT_TRUE(error.contains(QLatin1String("chart.gif")));
    EXPECT_FALSE(plot.exportTo(QStringLiteral("/nonexistent-dir/x.png"), QSize(800, 600), &error));
    EXPECT_TRUE(error.contains(QLatin1String("/nonexistent-dir/x.png")));
    EXPECT_FALSE(plot.exportTo(dir.filePath(QStringLiteral("tiny.png")), QSize(2, 2), &error));
}

TEST_F(RooflinePlotTest, FollowsThePaletteUntilAThemeIsSet) {
    QPalette dark = plot.palette();
    dark.setColor(QPalette::Window, QColor(0x202020));
    dark.setColor(QPalette::WindowText, QColor(0xeeeeee));
    dark.setColor(QPalette::Base, QColor(0x101010));
    dark.setColor(QPalette::Text, QColor(0xeeeeee));
    plot.setPalette(dark);
    EXPECT_TRUE(plot.theme().dark);
    plot.setTheme(PlotTheme::light());
    plot.setPalette(dark);
    EXPECT_FALSE(plot.theme().dark);
}

// The three charts share one shell (PlotWidget): each follows the palette until a theme is set,
// and redraws in the new colours.
TEST(PlotWidgets, EveryChartFollowsThePaletteUntilAThemeIsSet) {
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x202020));
    dark.setColor(QPalette::WindowText, QColor(0xeeeeee));
    dark.setColor(QPalette::Base, QColor(0x101010));
    dark.setColor(QPalette::Text, QColor(0xeeeeee));
    RooflinePlot roofline;
    BreakdownPlot breakdown;
    SweepPlot sweep;
    for (PlotWidget* plot : std::initializer_list<PlotWidget*>{&roofline, &breakdown, &sweep}) {
        SCOPED_TRACE(plot->objectName().toStdString());
        const QPalette light = plot->palette();
        EXPECT_FALSE(plot->theme().dark);
        plot->setPalette(dark);
        EXPECT_TRUE(plot->theme().dark);
        QCoreApplication::processEvents();  // the queued replot
        EXPECT_EQ(plot->grab().toImage().pixelColor(2, 2), dark.color(QPalette::Base));
        plot->setTheme(PlotTheme::light());
        EXPECT_FALSE(plot->theme().dark);
        QCoreApplication::processEvents();
        EXPECT_EQ(plot->grab().toImage().pixelColor(2, 2), PlotTheme::light().background);
        plot->setPalette(light);
        plot->setPalette(dark);
        EXPECT_FALSE(plot->theme().dark) << "a set theme no longer follows the palette";
    }
}

TEST(RenderRoofline, HeadlessRenderMatchesTheWidgetCode) {
    auto report = testing::llamaReport("h100-sxm", core::Phase::prefill);
    const auto spec = llamaSpec(*report, testing::device("h100-sxm"));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cli.png"));
    RenderOptions options;
    options.size = QSize(640, 480);
    QString error;
    ASSERT_TRUE(renderRooflineChart(spec, path, options, &error)) << error.toStdString();
    EXPECT_EQ(QImage(path).size(), QSize(640, 480));
}

TEST(OtherPlots, BreakdownAndSweepExport) {
    QTemporaryDir dir;
    BreakdownPlot breakdown;
    BreakdownData data;
    data.title = "breakdown";
    data.categories = {"fp16", "w4"};
    auto report = testing::llamaReport();
    data.values = {core::timeByKind(*report), core::timeByKind(*report)};
    breakdown.setData(data);
    const QString svg = dir.filePath(QStringLiteral("breakdown.svg"));
    ASSERT_TRUE(breakdown.exportTo(svg, QSize(600, 400)));
    EXPECT_TRUE(readAll(svg).contains(QLatin1String("gemm")));

    SweepPlot sweep;
    SweepData lines;
    lines.xLabel = "Batch size";
    lines.yLabel = "Predicted time [s]";
    SweepLine baseline;
    baseline.label = "baseline";
    baseline.x = {1, 2, 4};
    baseline.y = {1e-3, 1.5e-3, 2.5e-3};
    lines.lines = {baseline};
    sweep.setData(lines);
    const QString png = dir.filePath(QStringLiteral("sweep.png"));
    ASSERT_TRUE(sweep.exportTo(png, QSize(600, 400)));
    EXPECT_EQ(QImage(png).size(), QSize(600, 400));
}

}  // namespace
}  // namespace rooflens::plot
