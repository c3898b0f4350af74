// MainWindow's File menu: sessions, recent files, report and plot export, and files dropped on
// the window.
#include <algorithm>
#include <filesystem>

#include <QAction>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMimeData>
#include <QScreen>
#include <QSettings>
#include <QTabWidget>
#include <QUrl>

#include "core/json_io.h"
#include "core/measured.h"
#include "core/report_io.h"
#include "format.h"
#include "models/llm.h"
#include "models/vit.h"
#include "plot/render.h"
#include "plot/roofline_plot.h"
#include "ui/file_dialogs.h"
#include "ui/hardware_panel.h"
#include "ui/layer_table_view.h"
#include "ui/main_window.h"
#include "ui/scenario_panel.h"
#include "ui/workload_panel.h"

#include <nlohmann/json.hpp>

namespace rooflens::ui {

namespace {

constexpr int kMaxRecentFiles = 8;

QString dialogDir() {
    return dialogDirectory();
}

void rememberDir(const QString& path) {
    rememberDialogDirectory(path);
}

}  // namespace

void MainWindow::createFileMenu() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("fileMenu"));
    QAction* open = file->addAction(tr("&Open session…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open session"), dialogDir(), tr("Rooflens session (*.json);;All files (*)"));
        if (!path.isEmpty()) {
            openSession(path);
        }
    });
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    auto saveAs = [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save session"),
            m_sessionPath.isEmpty() ? dialogDir() + QStringLiteral("/session.json") : m_sessionPath,
            tr("Rooflens session (*.json)"));
        if (!path.isEmpty()) {
            saveSession(path);
        }
    };
    QAction* save = file->addAction(tr("&Save session"), this, [this, saveAs] {
        if (m_sessionPath.isEmpty()) {
            saveAs();
        } else {
            saveSession(m_sessionPath);
        }
    });
    save->setShortcut(QKeySequence::Save);
    QAction* saveAsAction = file->addAction(tr("Save session &as…"), this, saveAs);
    saveAsAction->setShortcut(QKeySequence::SaveAs);
    QAction* compare = file->addAction(tr("Compare &with session…"), this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Compare with session"), dialogDir(),
                                         tr("Rooflens session (*.json);;All files (*)"));
        if (!path.isEmpty()) {
            compareWithSession(path);
        }
    });
    compare->setObjectName(QStringLiteral("compareSessionAction"));
    compare->setToolTip(tr("Open a saved session in a second window beside this one"));
    file->addSeparator();
    QAction* measured = file->addAction(tr("Load measured r&un…"), this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Load measured run"), dialogDir(),
                                         tr("rooflens validate JSON (*.json);;All files (*)"));
        if (!path.isEmpty()) {
            loadMeasuredRun(path);
        }
    });
    measured->setObjectName(QStringLiteral("loadMeasuredAction"));
    measured->setToolTip(
        tr("Draw a `rooflens validate` or `validate --whole` JSON result (--format "
           "json) on the roofline chart"));
    QAction* clearMeasured =
        file->addAction(tr("Clear measured run"), this, &MainWindow::clearMeasuredRun);
    clearMeasured->setObjectName(QStringLiteral("clearMeasuredAction"));
    file->addSeparator();
    QAction* importModel = file->addAction(tr("Import &model config…"), m_workload,
                                           &WorkloadPanel::openImportConfigDialog);
    importModel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    QAction* importProfile = file->addAction(tr("Import &hardware profile…"), m_hardware,
                                             &HardwarePanel::openImportDialog);
    importProfile->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    file->addSeparator();
    QMenu* report = file->addMenu(tr("Export &report"));
    const std::pair<const char*, const char*> formats[] = {{QT_TR_NOOP("&Markdown…"), "md"},
                                                           {QT_TR_NOOP("&JSON…"), "json"},
                                                           {QT_TR_NOOP("&CSV…"), "csv"}};
    for (const auto& [label, suffix] : formats) {
        QAction* a = report->addAction(tr(label));
        const QString ext = QLatin1String(suffix);
        if (ext == QLatin1String("md")) {
            a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
        }
        connect(a, &QAction::triggered, this, [this, ext] {
            const QString path = QFileDialog::getSaveFileName(
                this, tr("Export report"), dialogDir() + QStringLiteral("/report.") + ext,
                QStringLiteral("*.") + ext);
            if (!path.isEmpty()) {
                exportReport(path);
            }
        });
    }
    QAction* plotAction = file->addAction(tr("Export &plot…"), this, [this] {
        QString filter;
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export plot"), dialogDir() + QStringLiteral("/roofline.png"),
            tr("PNG image (*.png);;PDF document (*.pdf);;SVG drawing (*.svg)"), &filter);
        if (!path.isEmpty()) {
            exportPlot(path, m_exportSize);
        }
    });
    plotAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
}

QStringList MainWindow::recentFiles() const {
    return QSettings().value(QStringLiteral("files/recent")).toStringList();
}

void MainWindow::addRecentFile(const QString& path) {
    QStringList files = recentFiles();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMaxRecentFiles) {
        files.removeLast();
    }
    QSettings().setValue(QStringLiteral("files/recent"), files);
    rememberDir(path);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    if (m_recentMenu == nullptr) {
        return;
    }
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    for (int i = 0; i < files.size(); ++i) {
        const QString path = files[i];
        QAction* a = m_recentMenu->addAction(
            QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()));
        a->setToolTip(path);
        connect(a, &QAction::triggered, this, [this, path] { openSession(path); });
    }
    if (!files.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("&Clear list"), this, [this] {
            QSettings().remove(QStringLiteral("files/recent"));
            rebuildRecentMenu();
        });
    }
    m_recentMenu->setEnabled(!files.isEmpty());
}

bool MainWindow::openSession(const QString& path) {
    auto session = loadSession(toStd(path));
    if (!session) {
        setError(qs(session.error().message));
        return false;
    }
    applySession(session.value());
    m_sessionPath = path;
    showSessionTitle(path);
    addRecentFile(path);
    setStatus(tr("Opened %1").arg(path));
    return true;
}

bool MainWindow::saveSession(const QString& path) {
    if (auto status = ui::saveSession(toStd(path), session()); !status) {
        setError(qs(status.error().message));
        return false;
    }
    m_sessionPath = path;
    showSessionTitle(path);
    addRecentFile(path);
    setStatus(tr("Saved %1").arg(path));
    return true;
}

bool MainWindow::exportReport(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    const auto format = core::parseReportFormat(toStd(suffix));
    if (!format || *format == core::ReportFormat::table) {
        setError(tr("%1: expected a .md, .json or .csv file name").arg(path));
        return false;
    }
    const int series = m_layers->currentSeries();
    if (!m_result || series < 0 || series >= static_cast<int>(m_result->series.size()) ||
        !m_result->series[static_cast<std::size_t>(series)].report) {
        setError(tr("%1: nothing analysed to export").arg(path));
        return false;
    }
    const auto& report = *m_result->series[static_cast<std::size_t>(series)].report;
    if (auto status = core::writeFileAtomic(toStd(path), core::renderReport(report, *format));
        !status) {
        setError(qs(status.error().message));
        return false;
    }
    rememberDir(path);
    setStatus(tr("Exported %1").arg(path));
    return true;
}

bool MainWindow::exportPlot(const QString& path, QSize size) {
    plot::RenderOptions options;
    options.size = size;
    options.theme = m_plot->theme();
    options.x = m_plot->xView();
    options.y = m_plot->yView();
    options.measured = m_measured;
    QString error;
    if (!plot::renderRooflineChart(m_plot->spec(), path, options, &error)) {
        setError(error);
        return false;
    }
    rememberDir(path);
    setStatus(tr("Exported %1 (%2×%3)").arg(path).arg(size.width()).arg(size.height()));
    return true;
}

bool MainWindow::openDroppedFile(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("json")) {
        // Edge lists and Matrix Market files are graphs for the GNN family.
        return m_workload->importGraph(path);
    }
    auto doc = core::parseJsonFile(toStd(path));
    if (!doc) {
        // Most dropped JSON files are profiles: let the hardware panel show the located error.
        return m_hardware->importFile(path);
    }
    const core::Json& json = doc.value();
    if (json.is_object() && json.contains("kind") && json["kind"] == "rooflens-session") {
        return openSession(path);
    }
    if (json.is_object() && json.contains("kind") &&
        (json["kind"] == "rooflens-validation" || json["kind"] == "rooflens-whole-validation")) {
        return loadMeasuredRun(path);
    }
    if (json.is_object() && json.contains("model_type")) {
        const bool vit = json["model_type"] == "vit" || json["model_type"] == "deit" ||
                         json["model_type"] == "swin";
        Session s = session();
        if (vit != (s.workload.family == "vit")) {
            // Switching family for a config that does not load would lose the current workload:
            // check it first, and keep everything as it was when it fails.
            const std::string file = toStd(path);
            std::string problem;
            if (vit) {
                if (auto c = models::loadVitConfig(file); !c) {
                    problem = c.error().message;
                }
            } else if (auto c = models::loadLlmConfig(file); !c) {
                problem = c.error().message;
            }
            if (!problem.empty()) {
                setError(qs(problem));
                return false;
            }
            s.workload.family = vit ? "vit" : "llm";
            s.workload.model = toStd(path);
            applySession(s);
            return m_workload->prepared() != nullptr;
        }
        return m_workload->importConfig(path);
    }
    const bool scenario =
        json.is_object() && !json.contains("compute") &&
        (json.contains("weights") || json.contains("activations") || json.contains("kv_cache") ||
         json.contains("sparsity") || json.contains("low_rank") || json.contains("depth") ||
         json.contains("overrides"));
    if (scenario) {
        return m_scenarios->loadFile(path);
    }
    return m_hardware->importFile(path);
}

bool MainWindow::loadMeasuredRun(const QString& path) {
    auto run = core::loadMeasuredRun(toStd(path));
    if (!run) {
        setError(qs(run.error().message));
        return false;
    }
    m_measured = std::make_shared<const core::MeasuredRun>(std::move(run).value());
    rememberDir(path);
    showChart();
    QString text = tr("Loaded %1: %2 measured layers (%3)")
                       .arg(path)
                       .arg(m_measured->points.size())
                       .arg(qs(m_measured->label()));
    if (m_measured->skipped > 0) {
        text += tr(", %1 without a measurement or without OPs or bytes left out")
                    .arg(m_measured->skipped);
    }
    bool sameDevice = false;
    for (const auto& device : m_plot->spec().devices) {
        sameDevice = sameDevice || device.id == m_measured->profile;
    }
    if (!sameDevice && !m_plot->spec().devices.empty()) {
        text += tr("; the roofs drawn are %1's, not the run's profile %2")
                    .arg(qs(m_plot->spec().devices.front().name), qs(m_measured->profile));
    }
    setStatus(text);
    return true;
}

void MainWindow::clearMeasuredRun() {
    m_measured.reset();
    showChart();
    if (!m_result) {
        m_plot->setMeasured(nullptr);
    }
}

MainWindow* MainWindow::compareWithSession(const QString& path) {
    auto other = loadSession(toStd(path));
    if (!other) {
        setError(qs(other.error().message));
        return nullptr;
    }
    auto* window = new MainWindow(nullptr, WindowRole::comparison);
    window->setTheme(m_theme);
    window->applySession(other.value());
    window->m_sessionPath = path;
    window->setWindowTitle(tr("%1 — compared with %2 — Rooflens")
                               .arg(QFileInfo(path).fileName(),
                                    m_sessionPath.isEmpty() ? tr("the current session")
                                                            : QFileInfo(m_sessionPath).fileName()));
    // This window on the left half of its screen, the comparison right of it, as tall; neither
    // narrower than its layout needs.
    const QRect area = screen() != nullptr ? screen()->availableGeometry() : QRect(0, 0, 1440, 900);
    if (isMaximized() || isFullScreen()) {
        showNormal();
    }
    const int half = area.width() / 2;
    resize(std::max(half, minimumSizeHint().width()), height());
    move(area.topLeft());
    window->resize(std::max(area.width() - half, window->minimumSizeHint().width()), height());
    window->move(frameGeometry().right() + 1, frameGeometry().top());
    window->show();
    addRecentFile(path);
    setStatus(tr("Comparing with %1 in a second window").arg(path));
    return window;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) {
        for (const QUrl& url : event->mimeData()->urls()) {
            if (url.isLocalFile()) {
                event->acceptProposedAction();
                return;
            }
        }
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
    for (const QUrl& url : event->mimeData()->urls()) {
        if (url.isLocalFile()) {
            openDroppedFile(url.toLocalFile());
        }
    }
    event->acceptProposedAction();
}

}  // namespace rooflens::ui
