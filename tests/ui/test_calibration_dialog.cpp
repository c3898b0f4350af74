// CalibrationDialog with a fake suite: progress, Cancel, the saved profile, and a GUI thread
// that keeps running meanwhile.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <QDir>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTimer>

#include "ui/calibration_dialog.h"
#include "ui/hardware_panel.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

struct FakeSuite {
    std::atomic<bool> sawCancel{false};
    std::atomic<int> steps{0};
    int totalSteps = 40;

    CalibrationRunner runner() {
        return [this](CalibrationMode, const core::ProgressCallback& progress,
                      const core::CancelToken& cancel) -> core::Result<core::Hardware> {
            for (int i = 0; i < totalSteps; ++i) {
                if (cancel.cancelled()) {
                    sawCancel = true;
                    return core::makeError("cancelled");
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
                ++steps;
                if (progress) {
                    progress(static_cast<double>(i + 1) / totalSteps, "peak fp32", -1);
                }
            }
            core::Hardware hw = testing::device("xeon-8480");
            hw.provenance.clear();  // measured in code: serialized with status "measured"
            for (auto& level : hw.memory) {
                level.measured = level.bytesPerSecond > 0;
            }
            return hw;
        };
    }
};

TEST(CalibrationDialog, RunsOffTheGuiThreadAndSavesAProfile) {
    QTemporaryDir dir;
    FakeSuite suite;
    CalibrationDialog dialog(suite.runner(),
                             dir.filePath(QStringLiteral("profiles")).toStdString());
    QSignalSpy saved(&dialog, &CalibrationDialog::profileSaved);
    auto* progress = dialog.findChild<QProgressBar*>(QStringLiteral("calibrationProgress"));
    dialog.findChild<QLineEdit*>(QStringLiteral("calibrationId"))
        ->setText(QStringLiteral("this-machine"));
    QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("calibrationStart")),
                      Qt::LeftButton);
    EXPECT_TRUE(dialog.isRunning());

    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    qint64 worstGap = 0;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        worstGap = std::max(worstGap, clock.elapsed() - last);
        last = clock.elapsed();
    });
    tick.start(5);
    int seenProgress = 0;
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            seenProgress = std::max(seenProgress, progress->value());
            return saved.count() == 1;
        },
        10000));
    tick.stop();
    EXPECT_LT(worstGap, 100);
    EXPECT_GT(seenProgress, 0);
    EXPECT_FALSE(dialog.isRunning());
    const QString path = saved[0][1].toString();
    EXPECT_TRUE(path.endsWith(QLatin1String("this-machine.json")));
    auto loaded = hwdb::loadDeviceFile(path.toStdString());
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded->id, "this-machine");

    // The hardware panel lists it as calibrated.
    HardwarePanel panel;
    panel.setDirectories(hwdb::Database::defaultBuiltinDir(),
                         dir.filePath(QStringLiteral("profiles")).toStdString());
    panel.setSelectedIds({"this-machine"});
    ASSERT_EQ(panel.selectedIds(), (std::vector<std::string>{"this-machine"}));
    EXPECT_TRUE(panel.errorText().isEmpty()) << panel.errorText().toStdString();
}

TEST(CalibrationDialog, CancelStopsTheSuiteAndWritesNothing) {
    QTemporaryDir dir;
    FakeSuite suite;
    suite.totalSteps = 1000;
    CalibrationDialog dialog(suite.runner(),
                             dir.filePath(QStringLiteral("profiles")).toStdString());
    QSignalSpy saved(&dialog, &CalibrationDialog::profileSaved);
    dialog.start();
    ASSERT_TRUE(QTest::qWaitFor([&] { return suite.steps > 3; }, 5000));
    QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("calibrationCancel")),
                      Qt::LeftButton);
    EXPECT_FALSE(dialog.isRunning());
    EXPECT_TRUE(dialog.statusText().contains(QLatin1String("cancelled")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return suite.sawCancel.load(); }, 5000));
    QTest::qWait(50);
    EXPECT_EQ(saved.count(), 0);
    EXPECT_FALSE(QDir(dir.filePath(QStringLiteral("profiles"))).exists());
}

TEST(CalibrationDialog, WithoutACalibrationLibraryStartIsDisabled) {
    QTemporaryDir dir;
    CalibrationDialog dialog({}, dir.path().toStdString());
    EXPECT_FALSE(dialog.findChild<QPushButton*>(QStringLiteral("calibrationStart"))->isEnabled());
    EXPECT_FALSE(dialog.statusText().isEmpty());
}

}  // namespace
}  // namespace rooflens::ui
