// HardwarePanel: importing profiles (bad ones show the file and field, never crash), calibrated
// profiles, details, selection.
#include <gtest/gtest.h>

#include <QDir>
#include <QLabel>
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
                                           "schema-version-2.json"));

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

}  // namespace
}  // namespace rooflens::ui
