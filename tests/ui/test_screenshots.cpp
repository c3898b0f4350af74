// Screenshots of every view of the main window (LLM, ViT, Vision Mamba, GNN, ONNX graph,
// multi-device plan, serving, calibrated CPU, dark palette, the details pane), written as test
// artifacts to <build>/tests/ui/screenshots/ (look at them; docs/screenshots/ holds a reviewed
// copy). Each shot checks properties of its image that fail when the view is wrong: the window
// keeps the 1440x900 it was given (no dock forces it wider), the chart area is drawn (between
// 2 % and 60 % of it differs from its background), the palette is light or dark as asked, and
// the view's own content is there (plan series, serving rows, measured ceilings, ...).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QImage>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QTabWidget>
#include <QTableView>

#include <QSignalSpy>
#include "hwdb/hwdb.h"
#include "itemmodels/layer_filter_proxy.h"
#include "itemmodels/layer_table_model.h"
#include "label_checks.h"
#include "plot/roofline_plot.h"
#include "plot/sweep_plot.h"
#include "ui/details_view.h"
#include "ui/hardware_panel.h"
#include "ui/layer_table_view.h"
#include "ui/scenario_panel.h"
#include "ui/serving_view.h"
#include "ui/sweep_view.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

constexpr QSize kWindowSize(1440, 900);

QString screenshotPath(const char* name) {
    QDir().mkpath(QStringLiteral(ROOFLENS_SCREENSHOT_DIR));
    return QStringLiteral(ROOFLENS_SCREENSHOT_DIR "/") + QLatin1String(name);
}

// What an image looks like, measured on every third pixel: its mean luminance (0 black, 1
// white) and the fraction of pixels that differ from its most common colour by more than 48 in
// some channel ("ink").
struct ImageStats {
    double luminance = 0;
    double ink = 0;
};

ImageStats statsOf(const QImage& source) {
    const QImage image = source.convertToFormat(QImage::Format_RGB32);
    std::map<QRgb, int> histogram;
    std::vector<QRgb> samples;
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3) {
            const QRgb c = image.pixel(x, y);
            samples.push_back(c);
            ++histogram[c & 0xf0f0f0];
        }
    }
    ImageStats stats;
    if (samples.empty()) {
        return stats;
    }
    QRgb background = 0;
    int best = -1;
    for (const auto& [colour, count] : histogram) {
        if (count > best) {
            best = count;
            background = colour;
        }
    }
    int ink = 0;
    double luminance = 0;
    for (QRgb c : samples) {
        luminance += (0.2126 * qRed(c) + 0.7152 * qGreen(c) + 0.0722 * qBlue(c)) / 255.0;
        const bool differs = std::abs(qRed(c) - qRed(background)) > 48 ||
                             std::abs(qGreen(c) - qGreen(background)) > 48 ||
                             std::abs(qBlue(c) - qBlue(background)) > 48;
        ink += differs ? 1 : 0;
    }
    stats.luminance = luminance / static_cast<double>(samples.size());
    stats.ink = static_cast<double>(ink) / static_cast<double>(samples.size());
    return stats;
}

QString save(QWidget& widget, const char* name) {
    const QImage image = widget.grab().toImage();
    const QString path = screenshotPath(name);
    EXPECT_TRUE(image.save(path)) << path.toStdString();
    EXPECT_EQ(QImage(path).size(), widget.size()) << name;
    std::printf("screenshot: %s\n", path.toLocal8Bit().constData());
    return path;
}

// The properties every window shot must have; `dark` says which palette it was asked for.
void checkWindowImage(MainWindow& window, const char* name, bool dark) {
    EXPECT_EQ(window.size(), kWindowSize) << name << ": a dock forces the window larger";
    const ImageStats whole = statsOf(window.grab().toImage());
    const ImageStats chart = statsOf(window.rooflinePlot()->grab().toImage());
    EXPECT_GT(chart.ink, 0.02) << name << ": the chart is blank";
    EXPECT_LT(chart.ink, 0.60) << name << ": the chart is flooded";
    if (dark) {
        EXPECT_LT(whole.luminance, 0.35) << name;
        EXPECT_LT(chart.luminance, 0.35) << name;
    } else {
        EXPECT_GT(whole.luminance, 0.60) << name;
        EXPECT_GT(chart.luminance, 0.60) << name;
    }
}

void shoot(MainWindow& window, const Session& session, const char* name, bool dark = false) {
    window.applySession(session);
    window.resize(kWindowSize);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            return window.runner()->deliveredGeneration() ==
                       window.runner()->requestedGeneration() &&
                   window.result() != nullptr;
        },
        20000));
    QTest::qWait(400);  // comparison and queued replots
    window.rooflinePlot()->replotNow();
    ASSERT_TRUE(window.result()->errors.empty()) << window.result()->errors.front();
    ASSERT_FALSE(window.rooflinePlot()->spec().points.empty());
    save(window, name);
    checkWindowImage(window, name, dark);
    testing::checkLabelGeometry(*window.rooflinePlot(), name);
}

ScenarioItem preset(const char* name, bool enabled = true) {
    auto s = core::resolveScenario(name);
    EXPECT_TRUE(s.ok()) << name;
    return {s.ok() ? s.value() : core::Scenario{}, enabled, ""};
}

TEST(Screenshots, Llm) {
    MainWindow window;
    Session s = defaultSession();
    s.workload.model = "llama-2-13b";
    s.settings.phase = core::Phase::decode;
    s.settings.batch = 8;
    s.settings.contextLength = 4096;
    s.devices = {"h100-sxm"};
    s.scenarios.push_back(preset("qserve-w4a8kv4"));  // the default session has AWQ already
    shoot(window, s, "main-window-llm.png");
    EXPECT_EQ(window.rooflinePlot()->spec().series.size(), 3U);  // baseline, AWQ, QServe
    window.resultTabs()->setCurrentIndex(1);                     // time breakdown
    QTest::qWait(200);
    save(window, "main-window-llm-breakdown.png");
    window.resultTabs()->setCurrentIndex(3);  // compare
    QTest::qWait(200);
    save(window, "main-window-llm-compare.png");

    // The details pane of the layer clicked on the chart (here: selected in the table).
    window.resultTabs()->setCurrentWidget(window.layerTable());
    const auto& report = *window.result()->series[1].report;  // AWQ
    int q = -1;
    for (std::size_t i = 0; i < report.layers.size() && q < 0; ++i) {
        q = report.layers[i].name() == "blocks.0.q_proj" ? static_cast<int>(i) : -1;
    }
    ASSERT_GE(q, 0);
    window.layerTable()->setCurrentSeries(1);
    QTest::qWait(100);
    auto* table = window.layerTable()->table();
    table->selectionModel()->setCurrentIndex(
        window.layerTable()->proxy()->mapFromSource(window.layerTable()->model()->index(q, 0)),
        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QTest::qWait(200);
    auto* details = window.detailsView();
    EXPECT_EQ(details->valueText(QStringLiteral("Name")), QStringLiteral("blocks.0.q_proj"));
    EXPECT_TRUE(details->isVisible()) << "selecting a layer raises the details dock";
    EXPECT_TRUE(
        details->valueText(QStringLiteral("Versus baseline")).contains(QStringLiteral("faster")));
    save(window, "details-pane.png");
}

// A crowded deployment view: Llama-3-70B on an HGX H100 with TP2, TP4 and TP8 compared under two
// scenarios, the breakdown and the serving tab (tokens/s per GPU against TPOT, the TPOT target).
TEST(Screenshots, DeploymentPlansAndServing) {
    MainWindow window;
    Session s = defaultSession();
    s.workload.model = "llama-3-70b";
    s.settings.phase = core::Phase::decode;
    s.settings.batch = 16;
    s.settings.contextLength = 4096;
    s.settings.flashAttention = true;
    s.devices = {"h100-sxm"};
    s.scenarios = {preset("fp16"), preset("fp8-w8a8")};
    s.system = "hgx-h100-8x";
    s.deployment.tensorParallel = 8;
    s.comparePlans = "TP4, TP8";
    shoot(window, s, "deployment-plans.png");
    // TP4 and TP8, two scenarios each; the representative rank's table has its all-reduces.
    ASSERT_EQ(window.result()->series.size(), 4U);
    bool allReduce = false;
    for (const auto& layer : window.result()->series[0].report->layers) {
        allReduce = allReduce || layer.kind == core::LayerKind::allreduce;
    }
    EXPECT_TRUE(allReduce);
    window.resultTabs()->setCurrentIndex(1);  // time breakdown with the communication kinds
    QTest::qWait(200);
    save(window, "deployment-breakdown.png");
    window.resultTabs()->setCurrentWidget(window.servingView());
    QSignalSpy done(window.runner(), &AnalysisRunner::servingFinished);
    window.servingView()->run();
    ASSERT_TRUE(done.wait(60000));
    QTest::qWait(300);
    save(window, "serving.png");
    EXPECT_EQ(window.size(), kWindowSize) << "the serving tab widens the window";
    const auto outcome = done[0][0].value<std::shared_ptr<const ServingOutcome>>();
    ASSERT_TRUE(outcome->error.empty()) << outcome->error;
    ASSERT_EQ(outcome->rows.size(), 4U);  // one operating point per series
    for (const auto& row : outcome->rows) {
        if (row.error.empty()) {
            EXPECT_GT(row.outputTokensPerSecondPerDevice, 0) << row.label;
            EXPECT_GT(row.tpotSeconds, 0) << row.label;
        }
    }
    EXPECT_GE(outcome->data.lines.size(), 4U);  // a curve per series (and the target lines)
}

// What FP4 buys on Blackwell against Hopper: Llama-3-70B prefill, FP8 and NVFP4, on a B200 and
// an H100, every ceiling drawn (the FP4 and FP6 roofs included); and the hardware panel
// filtered to NVIDIA GPUs with the B200's interconnect in the details.
TEST(Screenshots, BlackwellFp4) {
    MainWindow window;
    Session s = defaultSession();
    s.workload.model = "llama-3-70b";
    s.settings.phase = core::Phase::prefill;
    s.settings.batch = 1;
    s.settings.promptLength = 2048;
    s.devices = {"b200", "h100-sxm"};
    s.scenarios.resize(1);  // the uncompressed baseline
    s.scenarios.push_back(preset("fp8-w8a8"));
    s.scenarios.push_back(preset("nvfp4-w4a4"));
    s.chart.ceilings = core::CeilingSet::all;
    shoot(window, s, "main-window-blackwell-fp4.png");
    bool fp4Roof = false;
    for (const auto& roof : window.rooflinePlot()->spec().roofs) {
        fp4Roof = fp4Roof || roof.label.find("nvfp4") != std::string::npos;
    }
    EXPECT_TRUE(fp4Roof) << "the FP4 ceiling is drawn";

    HardwarePanel panel;
    panel.resize(700, 900);
    auto* vendor = panel.findChild<QComboBox*>(QStringLiteral("hardwareVendorFilter"));
    auto* kind = panel.findChild<QComboBox*>(QStringLiteral("hardwareKindFilter"));
    vendor->setCurrentIndex(vendor->findText(QStringLiteral("NVIDIA")));
    kind->setCurrentIndex(kind->findText(QStringLiteral("gpu")));
    panel.setSelectedIds({"b200"});
    panel.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&panel));
    QTest::qWait(100);
    save(panel, "hardware-panel-nvidia.png");
}

TEST(Screenshots, LlmOutOfMemory) {
    MainWindow window;
    Session s = defaultSession();
    s.workload.model = "llama-2-70b";
    s.settings.phase = core::Phase::request;
    s.settings.batch = 8;
    s.settings.promptLength = 2048;
    s.settings.generateLength = 256;
    s.devices = {"h100-sxm", "h200-sxm"};
    shoot(window, s, "main-window-llm-oom.png");
}

TEST(Screenshots, LlmDark) {
    MainWindow window;
    window.setTheme(Theme::dark);
    Session s = defaultSession();
    s.settings.phase = core::Phase::prefill;
    s.devices = {"a100-80gb-sxm", "mi300x"};
    shoot(window, s, "main-window-dark.png", true);
    window.setTheme(Theme::system);
}

TEST(Screenshots, Vit) {
    if (findFamily("vit") == nullptr) {
        GTEST_SKIP() << "built without the ViT family (models/vit.h)";
    }
    MainWindow window;
    Session s = defaultSession();
    s.workload.family = "vit";
    s.workload.model = "vit-base-16";
    s.workload.imageSize = 224;
    s.settings.phase = core::Phase::prefill;
    s.settings.batch = 32;
    s.devices = {"a100-80gb-sxm"};
    ScenarioItem tome;
    tome.scenario.name = "ToMe r=16";
    tome.tokenSchedule = "tome 16";
    s.scenarios.push_back(tome);
    shoot(window, s, "main-window-vit.png");
}

TEST(Screenshots, Gnn) {
    if (findFamily("gnn") == nullptr) {
        GTEST_SKIP() << "built without the GNN family (models/gnn.h)";
    }
    MainWindow window;
    Session s = defaultSession();
    s.workload.family = "gnn";
    const WorkloadFamily* gnn = findFamily("gnn");
    s.workload.model = "graphsage";
    const auto graphs = gnn->graphs();
    s.workload.graph = graphs.empty() ? std::string() : graphs.front();
    for (const auto& g : graphs) {
        if (g == "ogbn-products") {
            s.workload.graph = g;
        }
    }
    s.workload.parameters = {{"layers", 3}, {"hidden", 256}};
    s.scenarios.push_back(preset("fp8-w8a8"));
    s.settings.phase = core::Phase::prefill;
    s.devices = {"a100-80gb-sxm"};
    shoot(window, s, "main-window-gnn.png");
}

// Vision Mamba (Vim-S): the state-space mixer's conv and scan layers are on the chart.
TEST(Screenshots, VisionMamba) {
    if (findFamily("vit") == nullptr) {
        GTEST_SKIP() << "built without the ViT family (models/vit.h)";
    }
    MainWindow window;
    Session s = defaultSession();
    s.workload.family = "vit";
    s.workload.model = "vim-s";
    s.workload.imageSize = 224;
    s.settings.phase = core::Phase::prefill;
    s.settings.batch = 16;
    s.devices = {"h100-sxm"};
    s.scenarios.resize(1);
    s.scenarios.push_back(preset("vim-prune-r11-every2"));
    shoot(window, s, "main-window-vision-mamba.png");
    bool scan = false;
    for (const auto& p : window.rooflinePlot()->spec().points) {
        scan = scan || p.kind == core::LayerKind::ssm_scan;
    }
    EXPECT_TRUE(scan) << "the selective scan is drawn";
}

// An imported ONNX graph (tests/data/onnx/tiny_vit.onnx, a 2-block ViT on 32x32 images).
TEST(Screenshots, OnnxGraph) {
    if (findFamily("onnx") == nullptr) {
        GTEST_SKIP() << "built without the ONNX importer";
    }
    MainWindow window;
    Session s = defaultSession();
    s.workload.family = "onnx";
    s.workload.model = testing::testData("onnx/tiny_vit.onnx").toStdString();
    s.workload.imageSize = 32;
    s.settings.phase = core::Phase::prefill;
    s.settings.batch = 64;
    s.devices = {"rtx-4090"};
    s.scenarios.resize(1);
    shoot(window, s, "main-window-onnx.png");
    EXPECT_EQ(window.result()->series[0].report->model.family, core::ModelFamily::onnx);
}

// A calibrated CPU profile (the Xeon's figures marked measured, as `rooflens calibrate` writes
// them): its ceilings are drawn solid and the on-chip levels (L2, L3) beside DDR5.
TEST(Screenshots, CalibratedCpu) {
    core::Hardware hw = testing::device("xeon-8480");
    hw.id = "xeon-8480-calibrated";
    hw.name = "Xeon 8480+ (calibrated)";
    hw.provenance.clear();
    // What a calibration run measures on every level (illustrative figures for one socket: L2
    // 3 TB/s, L3 1.1 TB/s, DDR5 245 GB/s, 80 % of its 307 GB/s datasheet rate).
    const double measuredBandwidth[] = {3.0e12, 1.1e12, 245e9};
    ASSERT_EQ(hw.memory.size(), 3U);
    for (std::size_t i = 0; i < hw.memory.size(); ++i) {
        hw.memory[i].bytesPerSecond = measuredBandwidth[i];
        hw.memory[i].measured = true;
    }
    const auto dir = hwdb::Database::defaultUserDir();
    std::filesystem::create_directories(dir);
    {
        std::ofstream out(dir / "xeon-8480-calibrated.json");
        out << hwdb::serializeDevice(hw);
    }
    MainWindow window;
    window.hardwarePanel()->reload();
    Session s = defaultSession();
    s.settings.phase = core::Phase::decode;
    s.settings.batch = 1;
    s.settings.contextLength = 2048;
    s.devices = {"xeon-8480-calibrated"};
    shoot(window, s, "main-window-calibrated-cpu.png");
    int measured = 0;
    int memoryRoofs = 0;
    for (const auto& roof : window.rooflinePlot()->spec().roofs) {
        measured += roof.measured ? 1 : 0;
        memoryRoofs += roof.kind == core::RoofKind::memory ? 1 : 0;
    }
    EXPECT_GT(measured, 0) << "calibrated ceilings are marked measured (drawn solid)";
    EXPECT_EQ(memoryRoofs, 3) << "L2, L3 and DDR5";
    std::filesystem::remove(dir / "xeon-8480-calibrated.json");
}

// The orders that lost rows before (issue 9): LLM -> ViT -> GNN (the graph row) and then
// GNN -> ViT -> LLM (prompt tokens, fused attention), switched with the family combo.
TEST(Screenshots, FamilySwitches) {
    if (findFamily("vit") == nullptr || findFamily("gnn") == nullptr) {
        GTEST_SKIP() << "built without the ViT or GNN family";
    }
    MainWindow window;
    shoot(window, defaultSession(), "main-window-switch-llm.png");
    auto* family = window.findChild<QComboBox*>(QStringLiteral("familyCombo"));
    ASSERT_NE(family, nullptr);
    int step = 0;
    for (const char* id : {"vit", "gnn", "vit", "llm"}) {
        family->setCurrentIndex(family->findData(QLatin1String(id)));
        ASSERT_TRUE(QTest::qWaitFor(
            [&] {
                return window.runner()->deliveredGeneration() ==
                       window.runner()->requestedGeneration();
            },
            20000));
        QTest::qWait(200);
        window.rooflinePlot()->replotNow();
        const std::string name =
            "main-window-switch-" + std::to_string(++step) + "-" + std::string(id) + ".png";
        save(window, name.c_str());
    }
}

// Issue 17 item 4: a batch sweep of Llama-2-7B decode at 4096 tokens on a 24 GB L4, baseline
// and AWQ: the baseline stops fitting past batch 4 (13.5 GB of weights + 2.15 GB of KV cache
// per sequence), AWQ past batch 8; those points are hollow grey rings, the legend sits right
// of the axes.
TEST(Screenshots, SweepOutOfMemory) {
    MainWindow window;
    Session s = defaultSession();
    s.workload.model = "llama-2-7b";
    s.settings.phase = core::Phase::decode;
    s.settings.batch = 1;
    s.settings.contextLength = 4096;
    s.devices = {"l4"};
    shoot(window, s, "main-window-l4.png");
    window.resultTabs()->setCurrentWidget(window.sweepView());
    window.sweepView()
        ->findChild<QLineEdit*>(QStringLiteral("sweepRange"))
        ->setText(QStringLiteral("1:64:x2"));
    QSignalSpy done(window.runner(), &AnalysisRunner::sweepFinished);
    window.sweepView()->run();
    ASSERT_TRUE(done.wait(60000));
    QTest::qWait(300);
    plot::SweepPlot* chart = window.sweepView()->plot();
    chart->replotNow();
    save(window, "sweep-out-of-memory.png");
    EXPECT_EQ(window.size(), kWindowSize);
    const QString png = screenshotPath("sweep-out-of-memory-chart.png");
    ASSERT_TRUE(chart->exportTo(png, QSize(1200, 700)));
    std::printf("screenshot: %s\n", png.toLocal8Bit().constData());
    const auto& lines = chart->data().lines;
    ASSERT_EQ(lines.size(), 2U);  // baseline and AWQ
    const auto count = [](const plot::SweepLine& l) {
        return std::count(l.outOfMemory.begin(), l.outOfMemory.end(), true);
    };
    EXPECT_EQ(count(lines[0]), 4) << "batch 8 to 64 of the fp16 model";
    EXPECT_EQ(count(lines[1]), 3) << "batch 16 to 64 of AWQ";
    EXPECT_TRUE(window.sweepView()
                    ->findChild<QLabel*>(QStringLiteral("sweepStatus"))
                    ->text()
                    .contains(QStringLiteral("7 do not fit in memory")));
    EXPECT_FALSE(chart->legendRect().intersects(chart->axisRect()));
}

// Issue 17 item 6: a `validate` result (tests/data/measured/validate-small.json, three FP32
// kernels on a Xeon 8480 profile) on the roofline of Llama-2-7B decode on that Xeon.
TEST(Screenshots, MeasuredRun) {
    MainWindow window;
    Session s = defaultSession();
    s.workload.model = "llama-2-7b";
    s.settings.phase = core::Phase::decode;
    s.settings.batch = 1;
    s.settings.contextLength = 1024;
    s.devices = {"xeon-8480"};
    s.scenarios.resize(1);
    shoot(window, s, "main-window-xeon.png");
    ASSERT_TRUE(window.loadMeasuredRun(testing::testData("measured/validate-small.json")))
        << window.lastError().toStdString();
    QTest::qWait(200);
    window.rooflinePlot()->replotNow();
    save(window, "roofline-measured.png");
    checkWindowImage(window, "roofline-measured.png", false);
    const QString png = screenshotPath("roofline-measured-chart.png");
    ASSERT_TRUE(window.exportPlot(png, QSize(1200, 800))) << window.lastError().toStdString();
    std::printf("screenshot: %s\n", png.toLocal8Bit().constData());
    EXPECT_EQ(QImage(png).size(), QSize(1200, 800));
}

}  // namespace
}  // namespace rooflens::ui
