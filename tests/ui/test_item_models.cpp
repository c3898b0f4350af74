// Every item model under QAbstractItemModelTester, plus the SortRole contract: raw numbers.
#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>

#include "itemmodels/compare_table_model.h"
#include "itemmodels/hardware_list_model.h"
#include "itemmodels/layer_filter_proxy.h"
#include "itemmodels/layer_table_model.h"
#include "itemmodels/roles.h"
#include "itemmodels/scenario_list_model.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

using Mode = QAbstractItemModelTester::FailureReportingMode;

TEST(ItemModels, LayerTableModelPassesTheTesterAcrossSwaps) {
    LayerTableModel model;
    QAbstractItemModelTester tester(&model, Mode::Fatal);
    EXPECT_EQ(model.rowCount(), 0);
    auto report = testing::llamaReport();
    model.setReport(report, QStringLiteral("HBM2e"));
    EXPECT_EQ(model.rowCount(), static_cast<int>(report->layers.size()));
    EXPECT_EQ(model.columnCount(), LayerTableModel::ColumnCount);
    model.setReport(testing::llamaReport("h100-sxm", core::Phase::prefill));
    model.setReport(nullptr);
    EXPECT_EQ(model.rowCount(), 0);
}

// A re-analysis with the same layers (another batch, device or scenario) updates the values in
// place: no reset, so the view keeps its selection, sorting and scroll position.
TEST(ItemModels, LayerTableModelUpdatesValuesInPlaceWhenTheRowsAreTheSame) {
    LayerTableModel model;
    QAbstractItemModelTester tester(&model, Mode::Fatal);
    model.setReport(testing::llamaReport("a100-80gb-sxm"), QStringLiteral("HBM2e"));
    LayerFilterProxy byTime;  // a view sorted by a value is re-sorted by the update
    byTime.setSourceModel(&model);
    byTime.sort(LayerTableModel::TotalTime, Qt::DescendingOrder);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy header(&model, &QAbstractItemModel::headerDataChanged);
    const QModelIndex time = model.index(3, LayerTableModel::Time);
    const QVariant before = model.data(time, SortRole);
    model.setReport(testing::llamaReport("h100-sxm"), QStringLiteral("HBM3"));
    EXPECT_EQ(resets.count(), 0);
    ASSERT_EQ(changed.count(), 1);
    // Name, kind and block are the same layers'; the values from the phase on change.
    EXPECT_EQ(changed[0][0].toModelIndex(), model.index(0, LayerTableModel::Phase));
    EXPECT_EQ(changed[0][1].toModelIndex(),
              model.index(model.rowCount() - 1, LayerTableModel::ColumnCount - 1));
    EXPECT_EQ(header.count(), 1);                   // the memory level's name is in a header
    EXPECT_NE(model.data(time, SortRole), before);  // an H100 prices it faster
    for (int row = 1; row < byTime.rowCount(); ++row) {
        EXPECT_GE(byTime.index(row - 1, LayerTableModel::TotalTime).data(SortRole).toDouble(),
                  byTime.index(row, LayerTableModel::TotalTime).data(SortRole).toDouble())
            << row;
    }
    model.setReport(nullptr);
    EXPECT_EQ(resets.count(), 1);
}

TEST(ItemModels, LayerTableSortRoleIsRawAndDisplayIsFormatted) {
    LayerTableModel model;
    auto report = testing::llamaReport();
    model.setReport(report, QStringLiteral("HBM2e"));
    const QModelIndex time = model.index(1, LayerTableModel::Time);
    EXPECT_EQ(time.data(SortRole).typeId(), QMetaType::Double);
    EXPECT_DOUBLE_EQ(time.data(SortRole).toDouble(), report->results[1].timeSeconds);
    EXPECT_TRUE(time.data().toString().endsWith(QLatin1String("s")));
    EXPECT_EQ(model.index(1, LayerTableModel::Name).data().toString(),
              QString::fromStdString(report->layers[1].name()));
    const QString bound = model.index(1, LayerTableModel::Bound).data().toString();
    EXPECT_TRUE(bound == QLatin1String("compute") || bound.contains(QLatin1String("HBM2e")));

    LayerFilterProxy proxy;
    QAbstractItemModelTester proxyTester(&proxy, Mode::Fatal);
    proxy.setSourceModel(&model);
    proxy.sort(LayerTableModel::TotalTime, Qt::DescendingOrder);
    double previous = HUGE_VAL;
    for (int row = 0; row < proxy.rowCount(); ++row) {
        const double v = proxy.index(row, LayerTableModel::TotalTime).data(SortRole).toDouble();
        ASSERT_LE(v, previous) << "row " << row;
        previous = v;
    }
}

TEST(ItemModels, LayerFilterByKindBlockAndName) {
    LayerTableModel model;
    auto report = testing::llamaReport();
    model.setReport(report);
    LayerFilterProxy proxy;
    QAbstractItemModelTester tester(&proxy, Mode::Fatal);
    proxy.setSourceModel(&model);
    proxy.setKindFilter(core::LayerKind::gemm);
    ASSERT_GT(proxy.rowCount(), 0);
    for (int row = 0; row < proxy.rowCount(); ++row) {
        EXPECT_EQ(proxy.index(row, 0).data(KindRole).toInt(),
                  static_cast<int>(core::LayerKind::gemm));
    }
    proxy.setKindFilter(std::nullopt);
    proxy.setBlockFilter(3);
    ASSERT_GT(proxy.rowCount(), 0);
    for (int row = 0; row < proxy.rowCount(); ++row) {
        EXPECT_EQ(proxy.index(row, 0).data(BlockRole).toInt(), 3);
    }
    proxy.setBlockFilter(std::nullopt);
    proxy.setNameFilter(QStringLiteral("q_proj"));
    EXPECT_EQ(proxy.rowCount(), 32);  // one per block of Llama-2-7B
}

TEST(ItemModels, HardwareListModel) {
    HardwareListModel model;
    QAbstractItemModelTester tester(&model, Mode::Fatal);
    std::vector<HardwareRow> rows;
    const hwdb::Database db = hwdb::Database::load();
    for (const auto* entry : db.visibleEntries()) {
        rows.push_back({entry->hardware, HardwareOrigin::builtin});
    }
    ASSERT_FALSE(rows.empty());
    model.setRows(rows);
    EXPECT_EQ(model.rowCount(), static_cast<int>(rows.size()));
    const int h100 = model.rowOf("h100-sxm");
    ASSERT_GE(h100, 0);
    EXPECT_DOUBLE_EQ(model.index(h100, HardwareListModel::Bandwidth).data(SortRole).toDouble(),
                     3.35e12);
    EXPECT_EQ(model.index(h100, 0).data(IdRole).toString(), QStringLiteral("h100-sxm"));
    EXPECT_EQ(model.index(h100, HardwareListModel::Vendor).data().toString(),
              QStringLiteral("NVIDIA"));
    EXPECT_EQ(model.index(h100, HardwareListModel::Kind).data().toString(), QStringLiteral("gpu"));
    EXPECT_EQ(model.index(h100, HardwareListModel::Kind).data(SortRole).toInt(),
              static_cast<int>(core::DeviceKind::gpu));
    EXPECT_EQ(model.index(h100, HardwareListModel::Year).data().toString(), QStringLiteral("2022"));
    EXPECT_EQ(model.index(h100, HardwareListModel::Year).data(SortRole).toInt(), 2022);
    EXPECT_EQ(model.headerData(HardwareListModel::Year, Qt::Horizontal).toString(),
              QStringLiteral("Year"));
    EXPECT_EQ(model.rowOf("no-such-device"), -1);
    model.setRows({});
    EXPECT_EQ(model.rowCount(), 0);
}

TEST(ItemModels, CompareTableModel) {
    CompareTableModel model;
    QAbstractItemModelTester tester(&model, Mode::Fatal);
    auto a100 = testing::llamaReport("a100-80gb-sxm");
    auto h100 = testing::llamaReport("h100-sxm");
    model.setColumns({{"A100", a100, std::nullopt}, {"H100", h100, std::nullopt}});
    EXPECT_EQ(model.columnCount(), 2);
    EXPECT_EQ(model.rowCount(), CompareTableModel::MetricCount);
    const double speedup = model.index(CompareTableModel::Speedup, 1).data(SortRole).toDouble();
    EXPECT_NEAR(speedup, a100->totals.timeSeconds / h100->totals.timeSeconds, 1e-12);
    EXPECT_GT(speedup, 1.0);
    EXPECT_EQ(model.index(CompareTableModel::Speedup, 0).data().toString(),
              QStringLiteral("1.00×"));
    // Decode reports know TPOT but not TTFT.
    EXPECT_EQ(model.index(CompareTableModel::Ttft, 0).data().toString(), QStringLiteral("–"));
    EXPECT_NE(model.index(CompareTableModel::Tpot, 0).data().toString(), QStringLiteral("–"));
    model.setColumns({});
    EXPECT_EQ(model.columnCount(), 0);
}

TEST(ItemModels, ScenarioListModelChecksRenamesAndKeepsNamesUnique) {
    ScenarioListModel model;
    QAbstractItemModelTester tester(&model, Mode::Fatal);
    ScenarioItem base;
    base.scenario.name = "baseline";
    model.setItems({base});
    ScenarioItem w4;
    w4.scenario.name = "w4";
    w4.scenario.weights = core::TensorFormat{};
    w4.scenario.weights->type = core::DataType::int4;
    w4.scenario.weights->groupSize = 128;
    EXPECT_EQ(model.add(w4), 1);
    EXPECT_EQ(model.index(1, ScenarioListModel::Summary).data().toString(),
              QStringLiteral("W int4 g128"));
    EXPECT_TRUE(model.setData(model.index(1, 0), Qt::Unchecked, Qt::CheckStateRole));
    EXPECT_FALSE(model.items()[1].enabled);
    EXPECT_TRUE(model.setData(model.index(1, 0), QStringLiteral("baseline"), Qt::EditRole));
    EXPECT_EQ(model.items()[1].scenario.name, "baseline (2)");
    EXPECT_EQ(model.uniqueName("w4"), "w4");
    model.remove(0);
    EXPECT_EQ(model.rowCount(), 1);
}

}  // namespace
}  // namespace rooflens::ui
