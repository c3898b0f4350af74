#pragma once
// CalibrationDialog: measures this machine's ceilings (quick or full suite) on a worker thread
// with a progress bar and Cancel, then saves the profile into the user's hardware directory so
// it appears in the device list. The measurement itself is a CalibrationRunner: the real one
// wraps core/calibrate (when built), tests inject a fake.
#include <filesystem>
#include <functional>

#include <QDialog>

#include "core/hardware.h"
#include "core/progress.h"
#include "core/result.h"
#include "ui/job_tracker.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;

namespace rooflens::ui {

enum class CalibrationMode { quick, full };

using CalibrationRunner = std::function<core::Result<core::Hardware>(
    CalibrationMode mode, const core::ProgressCallback& progress, const core::CancelToken& cancel)>;

// The calibration library's suite turned into a profile; empty when Rooflens was built without
// core/calibrate.
CalibrationRunner defaultCalibrationRunner();

class CalibrationDialog : public QDialog {
    Q_OBJECT
public:
    CalibrationDialog(CalibrationRunner runner, std::filesystem::path profileDir,
                      QWidget* parent = nullptr);

    void start();
    void cancel();
    bool isRunning() const;
    std::filesystem::path savedPath() const { return m_savedPath; }
    QString statusText() const;

    void reject() override;

Q_SIGNALS:
    void profileSaved(const QString& id, const QString& path);
    void runningChanged(bool running);

private:
    void finished(const core::Result<core::Hardware>& result);
    void setRunning(bool running);

    CalibrationRunner m_runner;
    std::filesystem::path m_profileDir;
    std::filesystem::path m_savedPath;
    QRadioButton* m_quick = nullptr;
    QRadioButton* m_full = nullptr;
    QLineEdit* m_id = nullptr;
    QLineEdit* m_name = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_close = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    bool m_running = false;
    JobTracker m_job{this};
};

}  // namespace rooflens::ui
