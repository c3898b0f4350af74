// Screenshots of the main window with an LLM, a ViT and a GNN loaded, written as test artifacts
// to <build>/tests/ui/screenshots/ (look at them; docs/screenshots/ holds a reviewed copy).
#include <gtest/gtest.h>

#include <QComboBox>
#include <QDir>
#include <QImage>
#include <QTabWidget>

#include <QSignalSpy>
#include "plot/roofline_plot.h"
#include "ui/hardware_panel.h"
#include "ui/scenario_panel.h"
#include "ui/serving_view.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

QString screenshotPath(const char* name) {
    QDir().mkpath(QStringLiteral(ROOFLENS_SCREENSHOT_DIR));
    return QStringLiteral(ROOFLENS_SCREENSHOT_DIR "/") + QLatin1String(name);
}

void shoot(MainWindow& window, const Session& session, const char* name) {
    window.applySession(session);
    window.resize(1600, 1000);
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
    const QImage image = window.grab().toImage();
    const QString path = screenshotPath(name);
    ASSERT_TRUE(image.save(path)) << path.toStdString();
    EXPECT_EQ(QImage(path).size(), window.size());
    std::printf("screenshot: %s\n", path.toLocal8Bit().constData());
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
    window.resultTabs()->setCurrentIndex(1);  // time breakdown
    QTest::qWait(200);
    window.grab().toImage().save(screenshotPath("main-window-llm-breakdown.png"));
    window.resultTabs()->setCurrentIndex(3);  // compare
    QTest::qWait(200);
    window.grab().toImage().save(screenshotPath("main-window-llm-compare.png"));
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
    window.resultTabs()->setCurrentIndex(1);  // time breakdown with the communication kinds
    QTest::qWait(200);
    window.grab().toImage().save(screenshotPath("deployment-breakdown.png"));
    window.resultTabs()->setCurrentWidget(window.servingView());
    QSignalSpy done(window.runner(), &AnalysisRunner::servingFinished);
    window.servingView()->run();
    ASSERT_TRUE(done.wait(60000));
    QTest::qWait(300);
    window.grab().toImage().save(screenshotPath("serving.png"));
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
    const QString path = screenshotPath("hardware-panel-nvidia.png");
    ASSERT_TRUE(panel.grab().toImage().save(path)) << path.toStdString();
    std::printf("screenshot: %s\n", path.toLocal8Bit().constData());
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
    shoot(window, s, "main-window-dark.png");
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
        const QString path = screenshotPath(name.c_str());
        ASSERT_TRUE(window.grab().toImage().save(path)) << path.toStdString();
        std::printf("screenshot: %s\n", path.toLocal8Bit().constData());
    }
}

}  // namespace
}  // namespace rooflens::ui
