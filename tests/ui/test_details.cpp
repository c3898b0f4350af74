// The details pane (issue 17 item 3) and the consistency rules of item 7: number text without
// exponents, decimal memory units, totals that name their pass, one "Rooflens" in the title,
// file dialogs in the last folder or the documents, and a layer table whose key columns fit a
// 1440x900 window. Every expected string is worked out by hand in the comments.
#include <gtest/gtest.h>

#include <QDir>
#include <QDockWidget>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>

#include "hwdb/systems.h"
#include "itemmodels/layer_filter_proxy.h"
#include "itemmodels/layer_table_model.h"
#include "itemmodels/text_format.h"
#include "ui/details_view.h"
#include "ui/file_dialogs.h"
#include "ui/layer_table_view.h"
#include "ui/memory_bar.h"
#include "ui/totals_view.h"
#include "ui/workload_panel.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

QString rowValue(const std::vector<DetailRow>& rows, const char* label) {
    for (const auto& r : rows) {
        if (r.label == QLatin1String(label)) {
            return r.value;
        }
    }
    return QStringLiteral("<no row %1>").arg(QLatin1String(label));
}

int layerIndex(const core::Report& report, const std::string& name) {
    for (std::size_t i = 0; i < report.layers.size(); ++i) {
        if (report.layers[i].name() == name) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

AnalysisRequest llamaDecode(std::vector<std::string> scenarios) {
    AnalysisRequest r;
    auto prepared = findFamily("llm")->prepare({"llm", "llama-2-7b", "", 224, {}});
    EXPECT_TRUE(prepared.ok());
    r.workload = std::make_shared<const PreparedWorkload>(prepared.value());
    r.settings.phase = core::Phase::decode;
    r.settings.batch = 4;
    r.settings.promptLength = 512;
    r.settings.contextLength = 512;
    r.devices = {testing::device("a100-80gb-sxm")};
    for (const auto& name : scenarios) {
        ScenarioInput in;
        in.name = name;
        if (name != "baseline") {
            auto s = core::resolveScenario(name);
            EXPECT_TRUE(s.ok()) << name;
            in.scenario = s.value();
        }
        r.scenarios.push_back(in);
    }
    return r;
}

// numberText: three significant digits, grouped, never an exponent.
TEST(TextFormat, NumbersWithoutExponent) {
    EXPECT_EQ(numberText(3.87e5), QStringLiteral("387,000"));
    EXPECT_EQ(numberText(387123), QStringLiteral("387,000"));
    EXPECT_EQ(numberText(20574), QStringLiteral("20,600"));
    EXPECT_EQ(numberText(3.9922), QStringLiteral("3.99"));
    EXPECT_EQ(numberText(0.001234), QStringLiteral("0.00123"));
    EXPECT_EQ(numberText(2.5), QStringLiteral("2.5"));
    EXPECT_EQ(numberText(999.7), QStringLiteral("1,000"));
    EXPECT_EQ(numberText(12345, 4), QStringLiteral("12,350"));
    EXPECT_EQ(numberText(0), QStringLiteral("0"));
    EXPECT_EQ(numberText(-1500), QStringLiteral("-1,500"));
    EXPECT_EQ(durationText(3.87e5), QStringLiteral("387,000 s (4.5 days)"));
    EXPECT_FALSE(durationText(1.2e9).contains(QLatin1Char('e')));
    EXPECT_EQ(percentText(0.6123), QStringLiteral("61.2 %"));
    EXPECT_EQ(integerText(12345.6), QStringLiteral("12,346"));
    EXPECT_EQ(integerText(999.4), QStringLiteral("999"));
    EXPECT_EQ(integerText(1234567), QStringLiteral("1,234,567"));
}

// Memory as datasheets quote it: 80e9 B is "80 GB"; 80e9 / 2^30 = 74.5 GiB only in tooltips.
TEST(TextFormat, MemoryInDecimalUnits) {
    EXPECT_EQ(bytesText(80e9), QStringLiteral("80 GB"));
    EXPECT_EQ(bytesWithBinaryText(80e9), QStringLiteral("80 GB (74.5 GiB)"));
    MemoryBar bar;
    // 13.2e9 + 1e9 + 0.3e9 = 14.5e9 of 80e9 = 18.1 % -> "18 %".
    bar.setValues(13.2e9, 1e9, 0.3e9, 80e9);
    EXPECT_EQ(bar.text(), QStringLiteral("14.5 GB of 80 GB (18 %)"));
    EXPECT_TRUE(bar.toolTip().contains(QStringLiteral("80 GB (74.5 GiB)")));
    EXPECT_EQ(bar.shortText(), QStringLiteral("18 % of 80 GB"));
    // 14.5 GB of a 4.6 TB system (64 x 72 GB) is 0.3 %: "< 1 %", not "0 %".
    bar.setValues(13.2e9, 1e9, 0.3e9, 4.608e12);
    EXPECT_EQ(bar.text(), QStringLiteral("14.5 GB of 4.61 TB (< 1 %)"));
    EXPECT_EQ(bar.shortText(), QStringLiteral("< 1 % of 4.61 TB"));
    bar.setValues(0, 0, 0, 80e9);
    EXPECT_EQ(bar.shortText(), QStringLiteral("0 % of 80 GB"));
}

// llama-2-7b, one decode step, batch 4, context 512, on an A100 80GB (312 TFLOP/s fp16 matrix,
// HBM2e 2039 GB/s). blocks.0.q_proj is [4 x 4096] x [4096 x 4096]:
//   OPs = 2 * 4 * 4096 * 4096 = 134,217,728 -> "134 MOP"
//   weights = 4096 * 4096 * 2 B = 33,554,432 B; activations in + out = 2 * 4 * 4096 * 2 B =
//   65,536 B; total 33,619,968 B -> "33.6 MB"; weights share 99.805 % -> "99.8 %"
//   intensity = 134,217,728 / 33,619,968 = 3.9922 OP/B -> "3.99 OP/B"
//   attainable = 3.9922 * 2.039e12 = 8.140e12 -> "8.14 TOP/s", 8.140 / 312 = 2.6 % of the peak
//   memory time = 33,619,968 / 2.039e12 = 16.49 us, compute 134,217,728 / 312e12 = 430 ns:
//   memory bound, roofline time "16.5 us".
// AWQ w4a16 g128: 16,777,216 int4 weights = 8,388,608 B and per group of 128 an fp16 scale and
// an int4 zero, 131,072 * 2.5 B = 327,680 B of metadata; total 8,388,608 + 327,680 + 65,536 =
// 8,781,824 B -> "8.78 MB"; 8,781,824 / 2.039e12 = 4.31 us; against the baseline
// 33,619,968 / 8,781,824 = 3.83x faster and 8,781,824 / 33,619,968 - 1 = -73.9 % bytes.
TEST(Details, KnownLayerHandComputed) {
    const AnalysisResult result = runAnalysis(llamaDecode({"baseline", "awq-w4a16-g128"}), {});
    ASSERT_EQ(result.series.size(), 2U);
    const core::Report& base = *result.series[0].report;
    const int q = layerIndex(base, "blocks.0.q_proj");
    ASSERT_GE(q, 0);
    const auto rows = layerDetails(result, 0, q);
    EXPECT_EQ(rowValue(rows, "Name"), QStringLiteral("blocks.0.q_proj"));
    EXPECT_EQ(rowValue(rows, "Kind"), QStringLiteral("gemm, block 0, decode"));
    EXPECT_EQ(rowValue(rows, "OPs"), QStringLiteral("134 MOP"));
    EXPECT_EQ(rowValue(rows, "Bytes"), QStringLiteral("33.6 MB"));
    EXPECT_EQ(rowValue(rows, "Weights"), QStringLiteral("33.6 MB (99.8 %)"));
    EXPECT_EQ(rowValue(rows, "Activations"), QStringLiteral("65.5 kB (0.2 %)"));
    EXPECT_EQ(rowValue(rows, "KV cache"), QStringLiteral("0 B (0.0 %)"));
    EXPECT_EQ(rowValue(rows, "Metadata"), QStringLiteral("0 B (0.0 %)"));
    EXPECT_EQ(rowValue(rows, "Intensity"), QStringLiteral("3.99 OP/B"));
    EXPECT_EQ(rowValue(rows, "Runs on"), QStringLiteral("fp16 on the matrix units"));
    EXPECT_EQ(rowValue(rows, "Peak"), QStringLiteral("312 TOP/s"));
    EXPECT_EQ(rowValue(rows, "Attainable"), QStringLiteral("8.14 TOP/s (2.6 % of the peak)"));
    EXPECT_EQ(rowValue(rows, "Bound"), QStringLiteral("memory (HBM2e)"));
    EXPECT_EQ(rowValue(rows, "Roofline time"), QStringLiteral("16.5 us"));
    EXPECT_EQ(rowValue(rows, "Memory time"), QStringLiteral("16.5 us"));
    EXPECT_EQ(rowValue(rows, "Compute time"), QStringLiteral("430 ns"));
    EXPECT_EQ(rowValue(rows, "Versus baseline"),
              QStringLiteral("this is the baseline (the first scenario)"));
    EXPECT_TRUE(rowValue(rows, "Expected time").contains(QStringLiteral("of the roof")));

    const core::Report& awq = *result.series[1].report;
    const int qa = layerIndex(awq, "blocks.0.q_proj");
    ASSERT_GE(qa, 0);
    const auto awqRows = layerDetails(result, 1, qa);
    EXPECT_EQ(rowValue(awqRows, "Bytes"), QStringLiteral("8.78 MB"));
    EXPECT_EQ(rowValue(awqRows, "Metadata"), QStringLiteral("328 kB (3.7 %)"));
    EXPECT_EQ(rowValue(awqRows, "Roofline time"), QStringLiteral("4.31 us"));
    EXPECT_EQ(rowValue(awqRows, "Versus baseline"),
              QStringLiteral("16.5 us → 4.31 us (3.83× faster)"));
    EXPECT_EQ(rowValue(awqRows, "Bytes vs baseline"),
              QStringLiteral("33.6 MB → 8.78 MB (-73.9 %)"));
    EXPECT_EQ(rowValue(awqRows, "Types vs baseline"),
              QStringLiteral("weights fp16 → int4, math fp16 → fp16"));
    EXPECT_TRUE(layerDetails(result, 1, 100000).empty());
    EXPECT_TRUE(layerDetails(result, 5, 0).empty());
}

// Llama-2-7B decode on an HGX H100 with TP8: the all-reduce after o_proj moves the block's
// output, 4 tokens x 4096 x 2 B = 32,768 B, over the 8 ranks of the plan.
TEST(Details, CommunicationLayerOfAPlan) {
    AnalysisRequest r = llamaDecode({"baseline"});
    const hwdb::Database db = hwdb::Database::load();
    auto system = hwdb::resolveSystem("hgx-h100-8x", db);
    ASSERT_TRUE(system.ok()) << system.error().message;
    r.devices = {system->device};
    r.systems = {system.value()};
    r.deployment.tensorParallel = 8;
    const AnalysisResult result = runAnalysis(r, {});
    ASSERT_EQ(result.series.size(), 1U);
    ASSERT_TRUE(result.series[0].report) << result.series[0].error;
    const int ar = layerIndex(*result.series[0].report, "blocks.0.o_proj.allreduce");
    ASSERT_GE(ar, 0);
    const auto rows = layerDetails(result, 0, ar);
    EXPECT_EQ(rowValue(rows, "Plan"), QStringLiteral("TP8 EP1 PP1 DP1 (8 devices)"));
    EXPECT_EQ(rowValue(rows, "Collective"), QStringLiteral("all-reduce of 32.8 kB over 8 ranks"));
    EXPECT_EQ(rowValue(rows, "Bound"), QStringLiteral("network"));
    EXPECT_TRUE(rowValue(rows, "Rank").startsWith(QStringLiteral("the representative rank")));
}

// TP2 PP2 on the HGX H100: Llama-2-7B's 32 blocks split evenly, blocks 0-15 and 16-31. A layer
// of block 20 belongs to the second stage; the totals list both stages.
TEST(Details, PipelineStageOfARank) {
    AnalysisRequest r = llamaDecode({"baseline"});
    const hwdb::Database db = hwdb::Database::load();
    auto system = hwdb::resolveSystem("hgx-h100-8x", db);
    ASSERT_TRUE(system.ok()) << system.error().message;
    r.devices = {system->device};
    r.systems = {system.value()};
    r.deployment.tensorParallel = 2;
    r.deployment.pipelineParallel = 2;
    const AnalysisResult result = runAnalysis(r, {});
    ASSERT_TRUE(result.series[0].report) << result.series[0].error;
    const core::Report& report = *result.series[0].report;
    ASSERT_EQ(report.stages.size(), 2U);
    const int q = layerIndex(report, "blocks.20.q_proj");
    ASSERT_GE(q, 0);
    const auto rows = layerDetails(result, 0, q);
    EXPECT_EQ(rowValue(rows, "Rank"),
              QStringLiteral("the representative rank: one of 2 that run these layers, pipeline "
                             "stage 2 of 2 (blocks 16–31)"));
    TotalsView totals;
    totals.setSeries(&result.series[0], &result.devices[0]);
    const QStringList stages =
        totals.valueText(QStringLiteral("stagesValue")).split(QLatin1Char('\n'));
    ASSERT_EQ(stages.size(), 2);
    EXPECT_TRUE(stages[0].startsWith(QStringLiteral("1: blocks 0–15, ")))
        << stages[0].toStdString();
    EXPECT_TRUE(stages[1].startsWith(QStringLiteral("2: blocks 16–31, ")))
        << stages[1].toStdString();
}

// The pane follows the table's selection in the window.
TEST(Details, FollowsTheTableSelection) {
    MainWindow window;
    Session s = defaultSession();
    s.settings.phase = core::Phase::decode;
    testing::ResultWaiter waiter(window);
    window.applySession(s);
    ASSERT_TRUE(waiter.wait(20000));
    auto* details = window.findChild<DetailsView*>(QStringLiteral("detailsView"));
    ASSERT_NE(details, nullptr);
    const int q = layerIndex(*window.result()->series[0].report, "blocks.0.q_proj");
    ASSERT_GE(q, 0);
    LayerTableView* table = window.layerTable();
    table->selectLayer(0, q + 1);  // the table's own selection path emits layerSelected
    const QModelIndex idx =
        table->proxy()->mapFromSource(table->model()->index(q, LayerTableModel::Name));
    table->table()->selectionModel()->setCurrentIndex(
        idx, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    EXPECT_EQ(details->valueText(QStringLiteral("Name")), QStringLiteral("blocks.0.q_proj"));
    EXPECT_FALSE(details->valueText(QStringLiteral("Bound")).isEmpty());
}

// Totals name the pass of each figure: prefill of the prompt, one decode step at the context
// length, TPOT over a request of prompt + generated tokens.
TEST(Consistency, TotalsNameTheirContext) {
    MainWindow window;
    Session s = defaultSession();
    s.settings.phase = core::Phase::decode;
    s.settings.promptLength = 1024;
    s.settings.contextLength = 4096;
    s.settings.generateLength = 128;
    testing::ResultWaiter waiter(window);
    window.applySession(s);
    ASSERT_TRUE(waiter.wait(20000));
    auto label = [&](const char* name) {
        return window.totalsView()->findChild<QLabel*>(QLatin1String(name))->text();
    };
    EXPECT_EQ(label("decodeValueLabel"), QStringLiteral("Decode step (context 4096)"));
    EXPECT_EQ(label("tpotValueLabel"), QStringLiteral("TPOT (1024 + 128 tokens)"));
    EXPECT_EQ(label("prefillValueLabel"), QStringLiteral("Prefill (1024 tokens)"));
    EXPECT_EQ(label("throughputValueLabel"), QStringLiteral("Throughput (decode)"));
    for (const char* v : {"passValue", "throughputValue", "intensityValue"}) {
        EXPECT_FALSE(
            window.totalsView()->valueText(QLatin1String(v)).contains(QStringLiteral("e+")))
            << v;
    }
}

// A ViT runs one forward pass: no LLM words in its totals.
TEST(Consistency, VisionTotalsSayForwardPass) {
    if (findFamily("vit") == nullptr) {
        GTEST_SKIP() << "built without the ViT family";
    }
    MainWindow window;
    Session s = defaultSession();
    s.workload.family = "vit";
    s.workload.model = "vit-base-16";
    s.settings.phase = core::Phase::prefill;
    s.settings.batch = 32;
    testing::ResultWaiter waiter(window);
    window.applySession(s);
    ASSERT_TRUE(waiter.wait(20000));
    EXPECT_EQ(
        window.totalsView()->findChild<QLabel*>(QStringLiteral("throughputValueLabel"))->text(),
        QStringLiteral("Throughput (forward pass)"));
    EXPECT_TRUE(window.totalsView()
                    ->findChild<QLabel*>(QStringLiteral("totalsTitle"))
                    ->text()
                    .endsWith(QStringLiteral("forward pass, batch 32")));
}

TEST(Consistency, WindowTitleNamesRooflensOnce) {
    QTemporaryDir dir;
    MainWindow window;
    EXPECT_EQ(window.windowTitle(), QStringLiteral("Rooflens"));
    const QString path = dir.filePath(QStringLiteral("study.json"));
    ASSERT_TRUE(window.saveSession(path));
    EXPECT_EQ(window.windowTitle(), QStringLiteral("study.json — Rooflens"));
    EXPECT_EQ(window.windowTitle().count(QStringLiteral("Rooflens")), 1);
}

TEST(Consistency, FileDialogsOpenInTheLastFolderOrTheDocuments) {
    QSettings().remove(QStringLiteral("files/lastDir"));
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString expected = QDir(documents).exists() ? documents : QDir::homePath();
    EXPECT_EQ(dialogDirectory(), expected);
    EXPECT_NE(dialogDirectory(), QDir::currentPath() + QStringLiteral("/no-such"));
    QTemporaryDir dir;
    rememberDialogDirectory(dir.filePath(QStringLiteral("x.json")));
    EXPECT_EQ(dialogDirectory(), QFileInfo(dir.path()).absoluteFilePath());
    QSettings().setValue(QStringLiteral("files/lastDir"), QStringLiteral("/no/such/folder"));
    EXPECT_EQ(dialogDirectory(), expected);  // a vanished folder falls back
    QSettings().remove(QStringLiteral("files/lastDir"));
}

// At 1440x900 the window keeps its size and the layer table shows the key columns (name, kind,
// OPs, bytes, intensity, attainable, time x repeat, bound) without scrolling sideways.
TEST(Consistency, LayerTableKeyColumnsFit1440x900) {
    MainWindow window;
    Session s = defaultSession();
    testing::ResultWaiter waiter(window);
    window.applySession(s);
    window.resize(1440, 900);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    ASSERT_TRUE(waiter.wait(20000));
    QTest::qWait(200);
    EXPECT_LE(window.width(), 1440);
    EXPECT_LE(window.height(), 900);
    if (window.width() > 1440) {  // which part forces the width
        for (auto* d : window.findChildren<QDockWidget*>()) {
            std::printf("%s: minimum width %d, width %d\n", qPrintable(d->objectName()),
                        d->minimumSizeHint().width(), d->width());
        }
        std::printf("central: minimum width %d\n",
                    window.centralWidget()->minimumSizeHint().width());
        for (int i = 0; i < window.resultTabs()->count(); ++i) {
            std::printf("tab %d: minimum width %d\n", i,
                        window.resultTabs()->widget(i)->minimumSizeHint().width());
        }
        for (auto* w : window.workloadPanel()->findChildren<QWidget*>()) {
            if (w->isVisible() && w->minimumSizeHint().width() > 200) {
                std::printf("workload child %s (%s): %d\n", qPrintable(w->objectName()),
                            w->metaObject()->className(), w->minimumSizeHint().width());
            }
        }
    }
    QTableView* table = window.layerTable()->table();
    QHeaderView* header = table->horizontalHeader();
    int right = 0;
    for (int column :
         {LayerTableModel::Name, LayerTableModel::Kind, LayerTableModel::Ops,
          LayerTableModel::Bytes, LayerTableModel::Intensity, LayerTableModel::Attainable,
          LayerTableModel::TotalTime, LayerTableModel::Bound}) {
        EXPECT_FALSE(header->isSectionHidden(column)) << column;
        right =
            std::max(right, header->sectionViewportPosition(column) + header->sectionSize(column));
    }
    EXPECT_EQ(table->horizontalScrollBar()->value(), 0);
    if (right > table->viewport()->width()) {
        for (int c = 0; c < LayerTableModel::ColumnCount; ++c) {
            std::printf("column %d: %d px%s\n", c, header->sectionSize(c),
                        header->isSectionHidden(c) ? " (hidden)" : "");
        }
    }
    EXPECT_LE(right, table->viewport()->width()) << "key columns end at " << right;
}

}  // namespace
}  // namespace rooflens::ui
