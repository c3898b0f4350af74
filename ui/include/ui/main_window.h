#pragma once
// MainWindow: Rooflens' desktop window. Docks for the workload, hardware and scenarios; the
// roofline chart in the centre above tabs for the per-layer table, the time breakdown, sweeps
// and the side-by-side comparison; totals in a dock. Every parameter change re-analyses through
// AnalysisRunner; File menu sessions, recent files, report and plot export; settings and window
// layout kept with QSettings; light and dark themes; profiles dropped on the window are imported.
#include <memory>
#include <vector>

#include <QMainWindow>
#include <QSize>

#include "core/chart.h"
#include "core/measured.h"
#include "ui/analysis_runner.h"
#include "ui/calibration_dialog.h"
#include "ui/session.h"
#include "ui/theme.h"

class QAction;
class QLabel;
class QMenu;
class QSplitter;
class QTabWidget;

namespace rooflens::plot {
class RooflinePlot;
}

namespace rooflens::ui {

class BreakdownView;
class CompareView;
class DeploymentPanel;
class DetailsView;
class HardwarePanel;
class LayerTableView;
class ScenarioPanel;
class ServingView;
class SweepView;
class TotalsView;
class WorkloadPanel;

// A window is the user's (primary: restores and saves the last session, geometry and
// settings) or a comparison opened beside it by "Compare with session…" (reads the chart and
// theme settings, saves nothing, deletes itself on close).
enum class WindowRole { primary, comparison };

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr, WindowRole role = WindowRole::primary);
    ~MainWindow() override;

    Session session() const;
    void applySession(const Session& session);

    // File actions without dialogs (the menu actions ask for the path). Errors go to the status
    // bar and lastError().
    bool openSession(const QString& path);
    bool saveSession(const QString& path);
    bool exportReport(const QString& path);            // .md, .json or .csv: the table's series
    bool exportPlot(const QString& path, QSize size);  // .png, .pdf or .svg
    // A file dropped on the window: a session, hardware profile, scenario, model config or
    // graph, recognised by its content.
    bool openDroppedFile(const QString& path);
    // A `rooflens validate` or `validate --whole` JSON result drawn on the roofline chart beside
    // the predicted points; a bad file leaves the chart and the session as they were.
    bool loadMeasuredRun(const QString& path);
    void clearMeasuredRun();
    std::shared_ptr<const core::MeasuredRun> measuredRun() const { return m_measured; }
    // Opens a saved session in a second window beside this one (both halves of the screen), for
    // a side-by-side comparison; this window's session is untouched. Null on a bad file.
    MainWindow* compareWithSession(const QString& path);
    WindowRole role() const { return m_role; }

    void setCalibrationRunner(CalibrationRunner runner) { m_calibrationRunner = std::move(runner); }
    void setTheme(Theme theme);
    Theme theme() const { return m_theme; }
    QSize exportSize() const { return m_exportSize; }

    // The last result drawn, and the error line of the status bar.
    std::shared_ptr<const AnalysisResult> result() const { return m_result; }
    QString lastError() const { return m_lastError; }
    QStringList recentFiles() const;

    WorkloadPanel* workloadPanel() const { return m_workload; }
    HardwarePanel* hardwarePanel() const { return m_hardware; }
    DeploymentPanel* deploymentPanel() const { return m_deployment; }
    ScenarioPanel* scenarioPanel() const { return m_scenarios; }
    plot::RooflinePlot* rooflinePlot() const { return m_plot; }
    LayerTableView* layerTable() const { return m_layers; }
    TotalsView* totalsView() const { return m_totals; }
    DetailsView* detailsView() const { return m_details; }
    SweepView* sweepView() const { return m_sweep; }
    CompareView* compareView() const { return m_compare; }
    ServingView* servingView() const { return m_serving; }
    AnalysisRequest currentRequestForTests() { return currentRequest(); }
    AnalysisRunner* runner() const { return m_runner; }
    QTabWidget* resultTabs() const { return m_tabs; }

public Q_SLOTS:
    void reanalyze();
    void openCalibration();

Q_SIGNALS:
    // After a result was drawn (chart, table, totals); `generation` of its request.
    void resultShown(std::uint64_t generation);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createMenus();
    void createFileMenu();
    void restoreSettings();
    void saveSettings() const;
    void showResult(std::shared_ptr<const AnalysisResult> result, std::uint64_t generation);
    void showComparison(std::shared_ptr<const AnalysisResult> result);
    void showSeriesTotals();
    // The details pane for a layer of a result series (-1: none); raises its dock.
    void showDetails(int series, int layer, bool raise = true);
    // "study.json — Rooflens", or "Rooflens" without a session file.
    void showSessionTitle(const QString& path);
    void setError(const QString& text);
    void setStatus(const QString& text);
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    AnalysisRequest currentRequest();
    int resultSeriesOfChartSeries(int chartSeries) const;
    int chartSeriesOfResultSeries(int resultSeries) const;

    WorkloadPanel* m_workload = nullptr;
    HardwarePanel* m_hardware = nullptr;
    DeploymentPanel* m_deployment = nullptr;
    ScenarioPanel* m_scenarios = nullptr;
    plot::RooflinePlot* m_plot = nullptr;
    QSplitter* m_splitter = nullptr;
    QTabWidget* m_tabs = nullptr;
    LayerTableView* m_layers = nullptr;
    BreakdownView* m_breakdown = nullptr;
    SweepView* m_sweep = nullptr;
    CompareView* m_compare = nullptr;
    ServingView* m_serving = nullptr;
    TotalsView* m_totals = nullptr;
    DetailsView* m_details = nullptr;
    AnalysisRunner* m_runner = nullptr;
    QLabel* m_statusLabel = nullptr;
    QMenu* m_recentMenu = nullptr;
    QAction* m_allCeilings = nullptr;
    QAction* m_sparseCeilings = nullptr;
    QAction* m_onChipLevels = nullptr;
    QAction* m_expectedPoints = nullptr;
    QAction* m_pointLabels = nullptr;
    std::vector<QAction*> m_legendActions;  // data: "auto", "outside", "hidden"
    std::vector<QAction*> m_themeActions;

    // The chart of m_result with the measured run's points inside its ranges.
    void showChart();

    std::shared_ptr<const AnalysisResult> m_result;
    std::shared_ptr<const core::MeasuredRun> m_measured;
    WindowRole m_role = WindowRole::primary;
    std::uint64_t m_shownGeneration = 0;
    QString m_sessionPath;
    QString m_lastError;
    QSize m_exportSize{1600, 1000};
    Theme m_theme = Theme::system;
    CalibrationRunner m_calibrationRunner;
    bool m_applyingSession = false;
};

}  // namespace rooflens::ui
