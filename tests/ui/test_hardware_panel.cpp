// HardwarePanel: importing profiles (bad ones show the file and field, never crash), calibrated
// profiles, details, selection.
#include <gtest/gtest.h>

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBrowser>

#include "ui/hardware_panel.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

class HardwarePanelTest : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        panel.setDirectories(hwdb::Database::defaultBuiltinDir(),
                             std::filesystem::path(user.path().toStdString()) / "profiles");
        panel.setConfirmReplace(false);
    }
    QTemporaryDir user;
    HardwarePanel panel;
};

TEST_P(HardwarePanelTest, BadProfileShowsAnErrorNamingTheFile) {
    const QString path = testing::testData("hwdb/bad/") + QLatin1String(GetParam());
    const std::size_t before = panel.database().visibleEntries().size();
    EXPECT_FALSE(panel.importFile(path));
    const QString error = panel.errorText();
    EXPECT_TRUE(error.contains(QLatin1String(GetParam()))) << error.toStdString();
    EXPECT_FALSE(panel.findChild<QLabel*>(QStringLiteral("hardwareError"))->isHidden());
    EXPECT_EQ(panel.database().visibleEntries().size(), before);
    EXPECT_TRUE(QDir(user.filePath(QStringLiteral("profiles"))).isEmpty());
}

INSTANTIATE_TEST_SUITE_P(BadFiles, HardwarePanelTest,
                         ::testing::Values("absurd-value.json", "empty-file.json",
                                           "missing-memory.json", "negative-bandwidth.json",
                                           "syntax-missing-comma.json", "unknown-dtype.json",
                                           "wrong-type-value.json", "not-an-object.json",
                                           "schema-version-3.json", "negative-link-bandwidth.json",
                                           "zero-domain-devices.json", "unknown-link-kind.json"));

TEST_F(HardwarePanelTest, BadProfileErrorNamesTheField) {
    EXPECT_FALSE(panel.importFile(testing::testData("hwdb/bad/negative-bandwidth.json")));
    EXPECT_TRUE(panel.errorText().contains(QLatin1String("/memory/")))
        << panel.errorText().toStdString();
    EXPECT_FALSE(panel.importFile(testing::testData("hwdb/bad/no-such-file.json")));
    EXPECT_TRUE(panel.errorText().contains(QLatin1String("no-such-file.json")));
}

TEST_F(HardwarePanelTest, GoodProfileIsImportedAndSelected) {
    ASSERT_TRUE(panel.importFile(testing::testData("hwdb/good/test-gpu.json")))
        << panel.errorText().toStdString();
    EXPECT_EQ(panel.selectedIds(), (std::vector<std::string>{"test-gpu"}));
    EXPECT_TRUE(QFile::exists(user.filePath(QStringLiteral("profiles/test-gpu.json"))));
    EXPECT_TRUE(panel.errorText().isEmpty());
    const auto* details = panel.findChild<QTextBrowser*>(QStringLiteral("hardwareDetails"));
    EXPECT_TRUE(details->toPlainText().contains(QLatin1String("Test GPU")));
    // Importing it again replaces it (confirmation is off in tests).
    EXPECT_TRUE(panel.importFile(testing::testData("hwdb/good/test-gpu.json")));
}

TEST_F(HardwarePanelTest, MeasuredProfileIsListedAsCalibrated) {
    ASSERT_TRUE(panel.importFile(testing::testData("hwdb/good/measured-profile.json")))
        << panel.errorText().toStdString();
    const auto selected = panel.selectedDevices();
    ASSERT_EQ(selected.size(), 1U);
    const auto* details = panel.findChild<QTextBrowser*>(QStringLiteral("hardwareDetails"));
    EXPECT_TRUE(details->toPlainText().contains(QLatin1String("calibrated")));
}

TEST_F(HardwarePanelTest, SelectionAndUnknownIds) {
    panel.setSelectedIds({"h100-sxm", "a100-80gb-sxm"});
    const auto ids = panel.selectedIds();
    EXPECT_EQ(ids.size(), 2U);
    EXPECT_EQ(panel.selectedDevices().size(), 2U);
    panel.setSelectedIds({"no-such-device"});
    EXPECT_TRUE(panel.errorText().contains(QLatin1String("no-such-device")));
    EXPECT_EQ(panel.selectedDevices().size(), 1U);  // falls back to the first device
}

int visibleRows(HardwarePanel& panel) {
    return panel.findChild<QTableView*>(QStringLiteral("hardwareTable"))->model()->rowCount();
}

void choose(QComboBox* combo, const QString& text) {
    const int index = combo->findText(text);
    ASSERT_GE(index, 0) << text.toStdString();
    combo->setCurrentIndex(index);
}

TEST_F(HardwarePanelTest, VendorAndKindFilters) {
    auto* vendor = panel.findChild<QComboBox*>(QStringLiteral("hardwareVendorFilter"));
    auto* kind = panel.findChild<QComboBox*>(QStringLiteral("hardwareKindFilter"));
    ASSERT_NE(vendor, nullptr);
    ASSERT_NE(kind, nullptr);
    EXPECT_EQ(visibleRows(panel), 33);
    // One entry per vendor, sorted, after "All vendors".
    QStringList vendors;
    for (int i = 1; i < vendor->count(); ++i) {
        vendors << vendor->itemText(i);
    }
    EXPECT_EQ(vendors, (QStringList{QStringLiteral("AMD"), QStringLiteral("Apple"),
                                    QStringLiteral("AWS"), QStringLiteral("Google"),
                                    QStringLiteral("Intel"), QStringLiteral("NVIDIA")}));
    choose(vendor, QStringLiteral("AMD"));
    EXPECT_EQ(visibleRows(panel), 4);
    choose(vendor, QStringLiteral("NVIDIA"));
    EXPECT_EQ(visibleRows(panel), 18);
    choose(kind, QStringLiteral("soc"));
    EXPECT_EQ(visibleRows(panel), 3);  // Jetson Orin, Jetson Thor, DGX Spark
    panel.findChild<QLineEdit*>(QStringLiteral("hardwareFilter"))->setText(QStringLiteral("2025"));
    EXPECT_EQ(visibleRows(panel), 2);  // the year column is searchable too
    panel.findChild<QLineEdit*>(QStringLiteral("hardwareFilter"))->clear();
    choose(vendor, QStringLiteral("All vendors"));
    choose(kind, QStringLiteral("tpu"));
    EXPECT_EQ(visibleRows(panel), 6);  // TPU v4, v5e, v6e, v7, Gaudi 3, Trainium2
    choose(kind, QStringLiteral("All kinds"));
    EXPECT_EQ(visibleRows(panel), 33);
    // The vendor choice survives a reload.
    choose(vendor, QStringLiteral("Google"));
    panel.reload();
    EXPECT_EQ(vendor->currentText(), QStringLiteral("Google"));
    EXPECT_EQ(visibleRows(panel), 4);
}

TEST_F(HardwarePanelTest, DetailsShowInterconnectPowerAndFp4Peaks) {
    panel.setSelectedIds({"gb200"});
    const QString text =
        panel.findChild<QTextBrowser*>(QStringLiteral("hardwareDetails"))->toPlainText();
    for (const char* expected :
         {"scale-up", "NVLink 5", "72 devices", "in-network reduction", "host", "NVLink-C2C",
          "scale-out", "ConnectX-7", "900 GB/s", "TDP 1200 W", "released 2024", "nvfp4 matrix",
          "mxfp4 matrix", "mxfp6_e2m3 matrix", "(default)"}) {
        EXPECT_TRUE(text.contains(QLatin1String(expected))) << expected << "\n"
                                                            << text.toStdString();
    }
    // The block-scaled peaks carry the provenance of the fp4 key that set them.
    const QString html =
        panel.findChild<QTextBrowser*>(QStringLiteral("hardwareDetails"))->toHtml();
    for (const char* row : {"nvfp4 matrix", "mxfp4 matrix", "mxfp8_e5m2 matrix"}) {
        const qsizetype at = html.indexOf(QLatin1String(row));
        ASSERT_GE(at, 0) << row;
        const QString cells = html.mid(at, html.indexOf(QStringLiteral("</tr>"), at) - at);
        EXPECT_TRUE(cells.contains(QStringLiteral("gb200-nvl72"))) << row << cells.toStdString();
    }
    panel.setSelectedIds({"h100-pcie"});
    const QString pcie =
        panel.findChild<QTextBrowser*>(QStringLiteral("hardwareDetails"))->toPlainText();
    EXPECT_TRUE(pcie.contains(QLatin1String("gen 5 x16"))) << pcie.toStdString();
    EXPECT_FALSE(pcie.contains(QLatin1String(" devices, "))) << "no scale-up row";
}

}  // namespace
}  // namespace rooflens::ui
