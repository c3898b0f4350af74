// The main window end to end: devices move the points, parameters re-analyse, a click on the
// chart selects the table row, exports, out-of-memory warning, themes.
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QGuiApplication>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>

#include <QTableWidget>
#include "core/serving.h"
#include "itemmodels/layer_table_model.h"
#include "itemmodels/roles.h"
#include "itemmodels/text_format.h"
#include "plot/roofline_plot.h"
#include "plot/sweep_plot.h"
#include "ui/deployment_panel.h"
#include "ui/details_view.h"
#include "ui/hardware_panel.h"
#include "ui/layer_table_view.h"
#include "ui/memory_bar.h"
#include "ui/serving_view.h"
#include "ui/totals_view.h"
#include "ui/workload_panel.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

class MainWindowTest : public ::testing::Test {
protected:
    void SetUp() override {
        window = std::make_unique<MainWindow>();
        window->applySession(defaultSession());
        window->resize(1400, 900);
        window->show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(window.get()));
        ASSERT_TRUE(QTest::qWaitFor(
            [&] {
                return window->runner()->deliveredGeneration() > 0 &&
                       window->runner()->deliveredGeneration() ==
                           window->runner()->requestedGeneration();
            },
            10000));
        ASSERT_TRUE(window->result());
    }
    void TearDown() override { window.reset(); }

    template <typename T>
    T* find(const char* name) {
        auto* widget = window->findChild<T*>(QLatin1String(name));
        EXPECT_NE(widget, nullptr) << name;
        return widget;
    }

    void selectDevice(const std::string& id) { window->hardwarePanel()->setSelectedIds({id}); }

    std::unique_ptr<MainWindow> window;
    QTemporaryDir dir;
};

TEST_F(MainWindowTest, ChangingTheDeviceMovesThePoints) {
    auto* plot = find<plot::RooflinePlot>("rooflinePlot");
    const auto before = plot->spec();
    ASSERT_FALSE(before.points.empty());
    EXPECT_EQ(before.devices.front().id, "a100-80gb-sxm");

    auto* table = find<QTableView>("hardwareTable");
    testing::ResultWaiter waiter(*window);
    // Select the H100 row with the keyboard-free selection model, as a click would.
    const QAbstractItemModel* model = table->model();
    QModelIndex h100;
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(IdRole).toString() == QLatin1String("h100-sxm")) {
            h100 = model->index(row, 0);
        }
    }
    ASSERT_TRUE(h100.isValid());
    table->scrollTo(h100);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier,
                      table->visualRect(h100).center());
    ASSERT_TRUE(waiter.wait());

    const auto after = plot->spec();
    EXPECT_EQ(after.devices.front().id, "h100-sxm");
    ASSERT_EQ(after.points.size(), before.points.size());
    int moved = 0;
    for (std::size_t i = 0; i < after.points.size(); ++i) {
        moved += after.points[i].opsPerSecond != before.points[i].opsPerSecond ? 1 : 0;
    }
    EXPECT_GT(moved, static_cast<int>(after.points.size()) / 2);
    EXPECT_NE(after.ridges.front().intensity, before.ridges.front().intensity);
}

TEST_F(MainWindowTest, SeveralDevicesAreCompared) {
    testing::ResultWaiter waiter(*window);
    window->hardwarePanel()->setSelectedIds({"a100-80gb-sxm", "h100-sxm"});
    ASSERT_TRUE(waiter.wait());
    // One series per device and scenario (the default session compares fp16 with AWQ).
    EXPECT_EQ(window->session().scenarios.size(), 2U);
    EXPECT_EQ(window->result()->series.size(), 2U * 2U);
    EXPECT_EQ(window->rooflinePlot()->spec().devices.size(), 2U);
}

TEST_F(MainWindowTest, BatchSpinBoxReanalysesAtOnce) {
    auto* batch = find<QSpinBox>("batchSpin");
    const double before = window->result()->series.front().report->totals.timeSeconds;
    testing::ResultWaiter waiter(*window);
    batch->setValue(16);
    ASSERT_TRUE(waiter.wait());
    EXPECT_EQ(window->result()->series.front().report->settings.batch, 16);
    EXPECT_GT(window->result()->series.front().report->totals.timeSeconds, before);
}

TEST_F(MainWindowTest, PhaseDecodeShowsDecodeTotals) {
    auto* phase = find<QComboBox>("phaseCombo");
    testing::ResultWaiter waiter(*window);
    phase->setCurrentIndex(phase->findData(static_cast<int>(core::Phase::decode)));
    ASSERT_TRUE(waiter.wait());
    EXPECT_EQ(window->result()->series.front().report->settings.phase, core::Phase::decode);
    EXPECT_NE(window->totalsView()->valueText(QStringLiteral("decodeValue")), QStringLiteral("–"));
}

TEST_F(MainWindowTest, CopyTotalsPutsTheShownRowsOnTheClipboard) {
    auto* totals = window->totalsView();
    const QString pass = totals->valueText(QStringLiteral("passValue"));
    ASSERT_NE(pass, QStringLiteral("–"));
    auto* copy = totals->findChild<QAction*>(QStringLiteral("copyTotalsAction"));
    ASSERT_NE(copy, nullptr);
    QGuiApplication::clipboard()->clear();
    copy->trigger();
    const QString text = QGuiApplication::clipboard()->text();
    EXPECT_EQ(text, totals->totalsText());
    const QStringList lines = text.split(QLatin1Char('\n'));
    EXPECT_TRUE(lines.contains(QStringLiteral("Predicted time\t") + pass)) << text.toStdString();
    EXPECT_TRUE(lines.contains(QStringLiteral("Bytes moved\t") +
                               totals->valueText(QStringLiteral("bytesValue"))));
    // One device, no plan: the deployment rows are hidden and not copied.
    EXPECT_FALSE(text.contains(QLatin1String("Deployment\t"))) << text.toStdString();
}

TEST_F(MainWindowTest, ClickOnThePlotSelectsTheLayerInTheTable) {
    auto* plot = find<plot::RooflinePlot>("rooflinePlot");
    plot->replotNow();
    const auto& spec = plot->spec();
    std::size_t index = 0;
    for (std::size_t i = 0; i < spec.points.size(); ++i) {
        if (spec.points[i].kind == core::LayerKind::softmax) {
            index = i;
        }
    }
    const QPoint at = plot->pixelOf(index);
    QTest::mousePress(plot->canvas(), Qt::LeftButton, Qt::NoModifier, at);
    QTest::mouseRelease(plot->canvas(), Qt::LeftButton, Qt::NoModifier, at);
    const int layer = window->layerTable()->selectedLayer();
    ASSERT_GE(layer, 0);
    const auto hit = plot->pointAt(at);
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(layer, static_cast<int>(spec.points[*hit].layer));
    const auto* table = find<QTableView>("layerTable");
    EXPECT_EQ(table->selectionModel()->currentIndex().data(LayerIndexRole).toInt(), layer);
    // The click also fills the details pane with that layer.
    const auto& clicked = spec.points[*hit];
    EXPECT_EQ(window->detailsView()->valueText(QStringLiteral("Name")),
              QString::fromStdString(clicked.name));
}

TEST_F(MainWindowTest, OutOfMemoryWarning) {
    auto* model = find<QComboBox>("modelCombo");
    testing::ResultWaiter waiter(*window);
    window->hardwarePanel()->setSelectedIds({"rtx-4090"});
    model->setCurrentIndex(model->findData(QStringLiteral("llama-2-70b")));
    ASSERT_TRUE(waiter.wait());
    const auto* oom = find<QLabel>("oomWarning");
    EXPECT_FALSE(oom->isHidden());
    EXPECT_TRUE(oom->text().contains(QLatin1String("Out of memory")));
    EXPECT_TRUE(window->totalsView()->memoryBar()->overCapacity());
}

TEST_F(MainWindowTest, ExportsReportsAndPlots) {
    for (const char* name : {"report.md", "report.json", "report.csv"}) {
        const QString path = dir.filePath(QLatin1String(name));
        ASSERT_TRUE(window->exportReport(path)) << window->lastError().toStdString();
        QFile file(path);
        ASSERT_TRUE(file.open(QIODevice::ReadOnly));
        EXPECT_TRUE(QString::fromUtf8(file.readAll()).contains(QLatin1String("q_proj"))) << name;
    }
    EXPECT_FALSE(window->exportReport(dir.filePath(QStringLiteral("report.txt"))));
    EXPECT_TRUE(window->lastError().contains(QLatin1String("report.txt")));
    const QString svg = dir.filePath(QStringLiteral("plot.svg"));
    ASSERT_TRUE(window->exportPlot(svg, QSize(1000, 700))) << window->lastError().toStdString();
    QFile file(svg);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    EXPECT_TRUE(text.contains(QLatin1String("Arithmetic intensity")));
    EXPECT_TRUE(text.contains(QLatin1String("q_proj")));
}

TEST_F(MainWindowTest, SessionRoundTripAndRecentFiles) {
    auto* batch = find<QSpinBox>("batchSpin");
    testing::ResultWaiter waiter(*window);
    batch->setValue(8);
    window->hardwarePanel()->setSelectedIds({"h100-sxm", "mi300x"});
    ASSERT_TRUE(waiter.wait());
    const QString path = dir.filePath(QStringLiteral("session.json"));
    ASSERT_TRUE(window->saveSession(path));
    EXPECT_EQ(window->recentFiles().front(), QFileInfo(path).absoluteFilePath());

    MainWindow other;
    ASSERT_TRUE(other.openSession(path)) << other.lastError().toStdString();
    EXPECT_EQ(other.session().settings.batch, 8);
    EXPECT_EQ(other.session().devices, (std::vector<std::string>{"h100-sxm", "mi300x"}));
    EXPECT_FALSE(other.openSession(dir.filePath(QStringLiteral("missing.json"))));
    EXPECT_TRUE(other.lastError().contains(QLatin1String("missing.json")));
}

// A plan on a system: the analysis prices the TP8 rank with its all-reduces, the totals show the
// plan and the communication, the session keeps both, and a plan the model refuses shows why.
TEST_F(MainWindowTest, DeploymentPanelPricesThePlanOnItsSystem) {
    auto* model = find<QComboBox>("modelCombo");
    auto* system = find<QComboBox>("deploymentSystem");
    auto* tp = find<QSpinBox>("deploymentTp");
    testing::ResultWaiter waiter(*window);
    model->setCurrentIndex(model->findData(QStringLiteral("llama-3-70b")));
    system->setCurrentIndex(system->findData(QStringLiteral("hgx-h100-8x")));
    tp->setValue(8);
    ASSERT_TRUE(waiter.wait());
    ASSERT_TRUE(window->result());
    const auto& series = window->result()->series.front();
    ASSERT_TRUE(series.report) << series.error;
    EXPECT_EQ(series.report->deployment.tensorParallel, 8);
    EXPECT_EQ(window->result()->devices.front().id, "h100-sxm");  // the system's device
    std::size_t allReduces = 0;
    for (const auto& l : series.report->layers) {
        allReduces += l.kind == core::LayerKind::allreduce && l.block >= 0 ? l.repeat : 0;
    }
    EXPECT_EQ(allReduces, 160U);  // two per block of 80
    EXPECT_GT(series.report->totals.networkSeconds, 0);
    EXPECT_EQ(window->totalsView()->valueText(QStringLiteral("planValue")),
              QStringLiteral("TP8 EP1 PP1 DP1 (8 devices)"));
    EXPECT_TRUE(window->totalsView()
                    ->valueText(QStringLiteral("networkValue"))
                    .contains(QLatin1String("%")));
    EXPECT_EQ(window->session().system, "hgx-h100-8x");
    EXPECT_EQ(window->session().deployment.tensorParallel, 8);

    testing::ResultWaiter again(*window);
    tp->setValue(3);  // does not divide the 64 heads
    ASSERT_TRUE(again.wait());
    ASSERT_FALSE(window->result()->errors.empty());
    EXPECT_NE(window->result()->errors.front().find("does not divide the 64 attention heads"),
              std::string::npos)
        << window->result()->errors.front();
}

TEST_F(MainWindowTest, ComparedPlansAreSeriesAndCompareColumns) {
    auto* model = find<QComboBox>("modelCombo");
    auto* system = find<QComboBox>("deploymentSystem");
    testing::ResultWaiter waiter(*window);
    model->setCurrentIndex(model->findData(QStringLiteral("llama-3-70b")));
    system->setCurrentIndex(system->findData(QStringLiteral("hgx-h100-8x")));
    window->deploymentPanel()->setComparePlans(QStringLiteral("TP4, TP8"));
    ASSERT_TRUE(waiter.wait());
    // Device-major, then plans, then the session's scenarios (S of them).
    const auto& series = window->result()->series;
    std::size_t scenarios = 0;
    for (const auto& item : window->session().scenarios) {
        scenarios += item.enabled ? 1 : 0;
    }
    scenarios = std::max<std::size_t>(1, scenarios);
    ASSERT_EQ(series.size(), 2 * scenarios);
    const auto& tp4 = series[0];
    const auto& tp8 = series[scenarios];
    ASSERT_TRUE(tp4.report && tp8.report);
    EXPECT_EQ(tp4.report->deployment.tensorParallel, 4);
    EXPECT_EQ(tp8.report->deployment.tensorParallel, 8);
    EXPECT_EQ(tp8.plan, 1U);
    EXPECT_EQ(tp8.scenario.rfind("TP8 EP1 PP1 DP1 / ", 0), 0U) << tp8.scenario;
    // The comparison's request metrics reach their series (plan-major columns).
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return window->result()->series[scenarios].request.has_value(); }, 10000));
    const auto& merged = window->result()->series;
    EXPECT_EQ(merged[scenarios].request->plan, 1U);
    EXPECT_EQ(merged[scenarios].request->scenarioName, merged[scenarios].scenario);
    EXPECT_LT(merged[scenarios].request->decodeStepSeconds, merged[0].request->decodeStepSeconds);
}

// The serving tab: one curve and one row per series; each row is core::bestUnderTargets of that
// series' deployment and scenario, the TPOT target drawn as a line.
TEST_F(MainWindowTest, ServingTabServesEverySeriesUnderTheTargets) {
    ServingView* view = window->servingView();
    auto* tpot = find<QDoubleSpinBox>("servingTpot");
    tpot->setValue(40);
    QSignalSpy done(window->runner(), &AnalysisRunner::servingFinished);
    view->run();
    ASSERT_TRUE(done.wait(30000));
    const std::size_t series = window->result()->series.size();
    ASSERT_EQ(view->table()->rowCount(), static_cast<int>(series));
    const auto& data = view->plot()->data();
    ASSERT_EQ(data.lines.size(), series);
    ASSERT_EQ(data.markers.size(), 1U);
    EXPECT_DOUBLE_EQ(data.markers.front().value, 40);
    // The line, the title and the status name the targets and the requests (defaults: prompt
    // 1024, output 256, TTFT 500 ms).
    EXPECT_EQ(data.markers.front().label, "TPOT ≤ 40 ms");
    EXPECT_EQ(data.title, "Serving prompt 1024 + output 256 tokens");
    EXPECT_TRUE(find<QLabel>("servingStatus")
                    ->text()
                    .endsWith(QStringLiteral("meet the targets (TTFT ≤ 500 ms, TPOT ≤ 40 ms)")))
        << find<QLabel>("servingStatus")->text().toStdString();
    // The first series by hand through the serving model.
    ServingRequest r = view->request(window->currentRequestForTests());
    core::ServingInput in;
    in.builder = r.base.workload->builder.get();
    in.evaluation.settings.phase = core::Phase::request;
    in.evaluation.settings.promptLength = r.promptLength;
    in.evaluation.settings.generateLength = r.generateLength;
    in.evaluation.settings.flashAttention = r.base.settings.flashAttention;
    in.evaluation.devices = std::span<const core::Hardware>(&r.base.devices.front(), 1);
    const auto scenarios = r.base.scenarios;
    in.evaluation.scenarios = {scenarios.empty() ? std::nullopt : scenarios.front().scenario};
    in.options.load.prompt.a = static_cast<double>(r.promptLength);
    in.options.load.output.a = static_cast<double>(r.generateLength);
    in.options.ttftTarget = r.ttftTarget;
    in.options.tpotTarget = r.tpotTarget;
    auto best = core::bestUnderTargets(in);
    ASSERT_TRUE(best.ok()) << best.error().message;
    ASSERT_TRUE(best->has_value());
    // The same numbers, digits grouped as everywhere in the GUI ("1,675").
    EXPECT_EQ(view->table()->item(0, 2)->text(), integerText((*best)->concurrency));
    EXPECT_EQ(view->table()->item(0, 3)->text(),
              integerText((*best)->outputTokensPerSecondPerDevice));
    EXPECT_EQ(view->table()->item(0, 3)->text().remove(QLatin1Char(',')),
              QString::number((*best)->outputTokensPerSecondPerDevice, 'f', 0));
    EXPECT_LE((*best)->tpotSeconds, 0.040);
}

// The expected time beside the roofline: a datasheet device's default efficiency model makes
// every layer's expected time at least its roofline time, the table's column sums to the totals'
// expected time, and the totals say how close to the roof the pass runs.
TEST_F(MainWindowTest, ExpectedTimeColumnAndTotals) {
    const auto& series = window->result()->series.front();
    ASSERT_TRUE(series.report);
    const core::Report& r = *series.report;
    auto* model = window->layerTable()->findChild<LayerTableModel*>();
    ASSERT_NE(model, nullptr);
    double sum = 0;
    for (int row = 0; row < model->rowCount(); ++row) {
        const double roof = model->index(row, LayerTableModel::TotalTime).data(SortRole).toDouble();
        const double expected =
            model->index(row, LayerTableModel::Expected).data(SortRole).toDouble();
        EXPECT_GE(expected, roof * (1 - 1e-12)) << row;
        sum += expected;
    }
    const double totalExpected =
        r.totals.request ? r.totals.request->expectedE2eSeconds : r.totals.expectedSeconds;
    if (!r.totals.request) {
        EXPECT_NEAR(sum, totalExpected, 1e-9 * totalExpected);
    }
    EXPECT_TRUE(window->totalsView()
                    ->valueText(QStringLiteral("expectedValue"))
                    .contains(QStringLiteral("of the roof")));
}

TEST_F(MainWindowTest, DroppingABadProfileShowsTheFileAndField) {
    const QString bad = testing::testData("hwdb/bad/negative-bandwidth.json");
    EXPECT_FALSE(window->openDroppedFile(bad));
    const QString error = window->hardwarePanel()->errorText();
    EXPECT_TRUE(error.contains(QLatin1String("negative-bandwidth.json"))) << error.toStdString();
    EXPECT_TRUE(error.contains(QLatin1String("/memory/"))) << error.toStdString();
    EXPECT_TRUE(find<QLabel>("hardwareError")->isVisible());
}

TEST_F(MainWindowTest, DarkThemeReachesThePlot) {
    window->setTheme(Theme::dark);
    // Palette changes reach the widgets through the event loop.
    EXPECT_TRUE(QTest::qWaitFor([&] { return window->rooflinePlot()->theme().dark; }, 2000));
    window->setTheme(Theme::light);
    EXPECT_TRUE(QTest::qWaitFor([&] { return !window->rooflinePlot()->theme().dark; }, 2000));
    window->setTheme(Theme::system);
}

}  // namespace
}  // namespace rooflens::ui
