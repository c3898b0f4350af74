#include "ui/calibration_dialog.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpressionValidator>
#include <QSysInfo>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "format.h"
#include "hwdb/hwdb.h"

namespace rooflens::ui {

#ifndef ROOFLENS_HAVE_CALIBRATE
CalibrationRunner defaultCalibrationRunner() {
    return {};
}
#endif

CalibrationDialog::CalibrationDialog(CalibrationRunner runner, std::filesystem::path profileDir,
                                     QWidget* parent)
    : QDialog(parent), m_runner(std::move(runner)), m_profileDir(std::move(profileDir)) {
    setObjectName(QStringLiteral("calibrationDialog"));
    setWindowTitle(tr("Calibrate this machine"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(
        tr("Runs reference kernels (FMA peaks, memory sweeps, gathers, GEMMs) on this machine "
           "and saves the measured ceilings as a hardware profile. Measured ceilings are drawn "
           "solid on the roofline."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* form = new QFormLayout;
    m_quick = new QRadioButton(tr("&Quick (about 20 s)"), this);
    m_quick->setObjectName(QStringLiteral("calibrationQuick"));
    m_quick->setChecked(true);
    m_full = new QRadioButton(tr("&Full (up to 3 min, repeated runs)"), this);
    m_full->setObjectName(QStringLiteral("calibrationFull"));
    auto* modes = new QVBoxLayout;
    modes->addWidget(m_quick);
    modes->addWidget(m_full);
    form->addRow(tr("Suite"), modes);
    m_id = new QLineEdit(this);
    m_id->setObjectName(QStringLiteral("calibrationId"));
    m_id->setPlaceholderText(tr("automatic (calibrated-<host>)"));
    m_id->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[a-z0-9][a-z0-9._-]{0,63}")), m_id));
    form->addRow(tr("Profile &id"), m_id);
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("calibrationName"));
    m_name->setPlaceholderText(tr("automatic (CPU model, calibrated)"));
    form->addRow(tr("&Name"), m_name);
    layout->addLayout(form);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("calibrationProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    layout->addWidget(m_progress);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("calibrationStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    auto* buttons = new QHBoxLayout;
    m_start = new QPushButton(tr("&Start"), this);
    m_start->setObjectName(QStringLiteral("calibrationStart"));
    m_start->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("calibrationCancel"));
    m_cancel->setEnabled(false);
    m_close = new QPushButton(tr("Close"), this);
    buttons->addStretch(1);
    buttons->addWidget(m_start);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_close);
    layout->addLayout(buttons);

    connect(m_start, &QPushButton::clicked, this, &CalibrationDialog::start);
    connect(m_cancel, &QPushButton::clicked, this, &CalibrationDialog::cancel);
    connect(m_close, &QPushButton::clicked, this, &CalibrationDialog::reject);
    if (!m_runner) {
        m_start->setEnabled(false);
        m_status->setText(
            tr("This build has no calibration library (core/calibrate). Use "
               "`rooflens calibrate` where it is built, then import the profile."));
    }
}

bool CalibrationDialog::isRunning() const {
    return m_running;
}

QString CalibrationDialog::statusText() const {
    return m_status->text();
}

void CalibrationDialog::setRunning(bool running) {
    m_running = running;
    m_start->setEnabled(!running && m_runner);
    m_cancel->setEnabled(running);
    m_quick->setEnabled(!running);
    m_full->setEnabled(!running);
    m_id->setEnabled(!running);
    m_name->setEnabled(!running);
    Q_EMIT runningChanged(running);
}

void CalibrationDialog::start() {
    if (!m_runner || m_running) {
        return;
    }
    const CalibrationMode mode =
        m_full->isChecked() ? CalibrationMode::full : CalibrationMode::quick;
    m_progress->setValue(0);
    m_status->setText(tr("Starting…"));
    setRunning(true);
    auto runner = m_runner;
    m_job.start(
        [runner, mode](const core::CancelToken& cancel, const core::ProgressCallback& progress) {
            return runner(mode, progress, cancel);
        },
        [this](core::Result<core::Hardware> result) { finished(result); },
        [this](double fraction, const QString& label) {
            m_progress->setValue(static_cast<int>(fraction * 1000));
            m_status->setText(label);
        });
}

void CalibrationDialog::cancel() {
    if (!m_running) {
        return;
    }
    m_job.cancel();
    setRunning(false);
    m_status->setText(tr("Calibration cancelled; no profile was written."));
}

void CalibrationDialog::reject() {
    cancel();
    QDialog::reject();
}

void CalibrationDialog::finished(const core::Result<core::Hardware>& result) {
    setRunning(false);
    if (!result) {
        m_status->setText(tr("Calibration failed: %1").arg(qs(result.error().message)));
        return;
    }
    core::Hardware hw = result.value();
    if (!m_id->text().isEmpty()) {
        hw.id = toStd(m_id->text());
    } else if (hw.id.empty()) {
        hw.id = "this-machine";
    }
    if (hw.name.empty()) {
        hw.name = toStd(QSysInfo::machineHostName()) + " (calibrated)";
    }
    if (!m_name->text().trimmed().isEmpty()) {
        hw.name = toStd(m_name->text().trimmed());
    }
    std::error_code ec;
    std::filesystem::create_directories(m_profileDir, ec);
    const std::filesystem::path path = m_profileDir / (hw.id + ".json");
    const std::string text = hwdb::serializeDevice(hw);
    // The profile must load back before it replaces anything on disk.
    if (auto check = hwdb::parseDeviceText(text, path.string()); !check) {
        m_status->setText(
            tr("The measured profile does not validate: %1").arg(qs(check.error().message)));
        return;
    }
    if (auto status = core::writeFileAtomic(path, text); !status) {
        m_status->setText(qs(status.error().message));
        return;
    }
    m_savedPath = path;
    m_progress->setValue(1000);
    m_status->setText(tr("Saved %1").arg(qs(path.string())));
    Q_EMIT profileSaved(qs(hw.id), qs(path.string()));
}

}  // namespace rooflens::ui
