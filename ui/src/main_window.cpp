#include "ui/main_window.h"

#include <utility>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QThreadPool>

#include "format.h"
#include "plot/roofline_plot.h"
#include "ui/breakdown_view.h"
#include "ui/compare_view.h"
#include "ui/deployment_panel.h"
#include "ui/details_view.h"
#include "ui/hardware_panel.h"
#include "ui/layer_table_view.h"
#include "ui/scenario_panel.h"
#include "ui/serving_view.h"
#include "ui/sweep_view.h"
#include "ui/totals_view.h"
#include "ui/workload_panel.h"

// Resources of a static library need an explicit initialisation, outside any namespace.
static void initRooflensResources() {
    Q_INIT_RESOURCE(rooflens);
}

namespace rooflens::ui {

namespace {

plot::LegendPlacement legendPlacementOf(const QString& id) {
    return id == QLatin1String("outside")  ? plot::LegendPlacement::outside
           : id == QLatin1String("hidden") ? plot::LegendPlacement::hidden
                                           : plot::LegendPlacement::automatic;
}

QDockWidget* dock(QMainWindow* window, const QString& title, const QString& name,
                  QWidget* content) {
    auto* d = new QDockWidget(title, window);
    d->setObjectName(name);
    d->setWidget(content);
    d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                   QDockWidget::DockWidgetClosable);
    return d;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent, WindowRole role) : QMainWindow(parent), m_role(role) {
    initRooflensResources();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Rooflens"));
    setWindowIcon(QIcon(QStringLiteral(":/rooflens/rooflens.svg")));
    setAcceptDrops(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    // The window's text is Latin names and numbers: skip HarfBuzz shaping where a font needs
    // none (Qt does it per cell and label on every repaint; it was a third of a re-analysis's
    // main-thread time on llama-3-70b with 8 series). Inherited by every child and dialog.
    QFont text = font();
    text.setStyleStrategy(QFont::PreferNoShaping);
    setFont(text);
    m_calibrationRunner = defaultCalibrationRunner();

    m_runner = new AnalysisRunner(this);
    m_workload = new WorkloadPanel;
    m_hardware = new HardwarePanel;
    m_deployment = new DeploymentPanel;
    m_deployment->setDatabase(m_hardware->database());
    m_scenarios = new ScenarioPanel;
    m_totals = new TotalsView;
    m_details = new DetailsView;

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(QStringLiteral("centralSplitter"));
    m_plot = new plot::RooflinePlot(m_splitter);
    m_tabs = new QTabWidget(m_splitter);
    m_tabs->setObjectName(QStringLiteral("resultTabs"));
    m_layers = new LayerTableView;
    m_breakdown = new BreakdownView;
    m_sweep = new SweepView;
    m_compare = new CompareView;
    m_tabs->addTab(m_layers, tr("&Layers"));
    m_tabs->addTab(m_breakdown, tr("Time &breakdown"));
    m_tabs->addTab(m_sweep, tr("S&weep"));
    m_tabs->addTab(m_compare, tr("Co&mpare"));
    m_serving = new ServingView;
    m_tabs->addTab(m_serving, tr("Ser&ving"));
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    setCentralWidget(m_splitter);

    auto* workloadDock = dock(this, tr("Workload"), QStringLiteral("workloadDock"), m_workload);
    auto* hardwareDock = dock(this, tr("Hardware"), QStringLiteral("hardwareDock"), m_hardware);
    auto* deploymentDock =
        dock(this, tr("Deployment"), QStringLiteral("deploymentDock"), m_deployment);
    auto* scenarioDock = dock(this, tr("Scenarios"), QStringLiteral("scenarioDock"), m_scenarios);
    auto* totalsDock = dock(this, tr("Totals"), QStringLiteral("totalsDock"), m_totals);
    auto* detailsDock = dock(this, tr("Details"), QStringLiteral("detailsDock"), m_details);
    addDockWidget(Qt::LeftDockWidgetArea, workloadDock);
    addDockWidget(Qt::LeftDockWidgetArea, hardwareDock);
    addDockWidget(Qt::LeftDockWidgetArea, deploymentDock);
    addDockWidget(Qt::RightDockWidgetArea, totalsDock);
    addDockWidget(Qt::RightDockWidgetArea, scenarioDock);
    tabifyDockWidget(scenarioDock, detailsDock);
    scenarioDock->raise();
    // Docks narrow enough that the layer table's key columns fit a 1440x900 window.
    resizeDocks({workloadDock, totalsDock}, {340, 300}, Qt::Horizontal);

    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    statusBar()->addWidget(m_statusLabel, 1);

    connect(m_workload, &WorkloadPanel::changed, this, [this] {
        m_scenarios->setFamily(m_workload->family());
        if (const auto prepared = m_workload->prepared()) {
            m_sweep->setContext(prepared->hasDecode, m_workload->settings().phase);
        }
        reanalyze();
    });
    connect(m_hardware, &HardwarePanel::selectionChanged, this, &MainWindow::reanalyze);
    connect(m_deployment, &DeploymentPanel::changed, this, &MainWindow::reanalyze);
    connect(m_hardware, &HardwarePanel::calibrateRequested, this, &MainWindow::openCalibration);
    connect(m_scenarios, &ScenarioPanel::changed, this, &MainWindow::reanalyze);
    connect(m_runner, &AnalysisRunner::analysisFinished, this,
            [this](std::shared_ptr<const AnalysisResult> result) {
                showResult(std::move(result), m_runner->deliveredGeneration());
            });
    connect(m_runner, &AnalysisRunner::comparisonFinished, this, &MainWindow::showComparison);
    connect(m_plot, &plot::RooflinePlot::pointClicked, this, [this](int series, int layer) {
        const int resultSeries = resultSeriesOfChartSeries(series);
        if (resultSeries >= 0) {
            m_tabs->setCurrentWidget(m_layers);
            m_layers->selectLayer(resultSeries, layer);
            showDetails(resultSeries, layer);
        }
    });
    connect(m_layers, &LayerTableView::layerSelected, this, [this](int series, int layer) {
        const int chartSeries = chartSeriesOfResultSeries(series);
        m_plot->highlightPoint(chartSeries >= 0
                                   ? m_plot->findPoint(chartSeries, static_cast<std::size_t>(layer))
                                   : std::nullopt);
        showDetails(series, layer);
    });
    connect(m_layers, &LayerTableView::seriesChanged, this, &MainWindow::showSeriesTotals);
    connect(m_sweep, &SweepView::sweepRequested, this,
            [this](SweepAxis axis, std::vector<std::int64_t> values, SweepMetric metric) {
                SweepRequest request;
                request.base = currentRequest();
                request.axis = axis;
                request.values = std::move(values);
                request.metric = metric;
                m_runner->sweep(std::move(request));
            });
    connect(m_sweep, &SweepView::cancelRequested, this, [this] {
        m_runner->cancelSweep();
        auto outcome = std::make_shared<SweepOutcome>();
        outcome->cancelled = true;
        m_sweep->showOutcome(outcome);
    });
    connect(m_runner, &AnalysisRunner::sweepProgress, m_sweep, &SweepView::setProgress);
    connect(m_runner, &AnalysisRunner::sweepRunningChanged, m_sweep, &SweepView::setRunning);
    connect(m_runner, &AnalysisRunner::sweepFinished, m_sweep, &SweepView::showOutcome);
    connect(m_serving, &ServingView::servingRequested, this, [this] {
        AnalysisRequest base = currentRequest();
        if (!base.workload) {
            setError(m_workload->errorText());
            return;
        }
        m_runner->serve(m_serving->request(std::move(base)));
    });
    connect(m_runner, &AnalysisRunner::servingProgress, m_serving, &ServingView::setProgress);
    connect(m_runner, &AnalysisRunner::servingFinished, m_serving, &ServingView::showOutcome);

    createMenus();
    for (auto* d : {workloadDock, hardwareDock, scenarioDock, totalsDock, detailsDock}) {
        menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu"))->addAction(d->toggleViewAction());
    }
    resize(1440, 900);
    if (m_role == WindowRole::primary) {
        restoreSettings();
    } else {
        // A comparison shows the session it is opened with (chart options included) and
        // leaves the user's settings and last session alone.
        rebuildRecentMenu();
        setAttribute(Qt::WA_DeleteOnClose);
    }
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus() {
    createFileMenu();

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    QAction* reset = view->addAction(tr("&Reset zoom"), m_plot, &plot::RooflinePlot::resetView);
    reset->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    reset->setObjectName(QStringLiteral("resetZoomAction"));
    view->addSeparator();
    m_allCeilings = view->addAction(tr("&All compute ceilings"));
    m_allCeilings->setCheckable(true);
    m_allCeilings->setToolTip(tr("Every peak of the device, not only those the layers use"));
    m_sparseCeilings = view->addAction(tr("2:4 &sparse ceilings"));
    m_sparseCeilings->setCheckable(true);
    m_onChipLevels = view->addAction(tr("&On-chip memory ceilings"));
    m_onChipLevels->setCheckable(true);
    m_onChipLevels->setChecked(true);
    m_expectedPoints = view->addAction(tr("&Expected points (efficiency model)"));
    m_expectedPoints->setCheckable(true);
    m_expectedPoints->setToolTip(
        tr("Also draw each layer at the rate its expected time attains, under the roof"));
    for (QAction* a : {m_allCeilings, m_sparseCeilings, m_onChipLevels, m_expectedPoints}) {
        connect(a, &QAction::toggled, this, &MainWindow::reanalyze);
    }
    view->addSeparator();
    m_pointLabels = view->addAction(tr("Point &labels"));
    m_pointLabels->setObjectName(QStringLiteral("pointLabelsAction"));
    m_pointLabels->setCheckable(true);
    m_pointLabels->setChecked(true);
    m_pointLabels->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(m_pointLabels, &QAction::toggled, m_plot, &plot::RooflinePlot::setPointLabelsVisible);
    QMenu* legend = view->addMenu(tr("Le&gend"));
    auto* legendGroup = new QActionGroup(this);
    const std::pair<const char*, const char*> placements[] = {
        {"auto", QT_TR_NOOP("&Automatic (a free corner, else beside the plot)")},
        {"outside", QT_TR_NOOP("&Beside the plot")},
        {"hidden", QT_TR_NOOP("&Hidden")}};
    for (const auto& [id, label] : placements) {
        QAction* a = legend->addAction(tr(label));
        a->setCheckable(true);
        a->setChecked(QLatin1String(id) == QLatin1String("auto"));
        a->setData(QString::fromLatin1(id));
        a->setObjectName(QStringLiteral("legend_") + QLatin1String(id));
        legendGroup->addAction(a);
        connect(a, &QAction::toggled, this, [this, a](bool on) {
            if (on) {
                m_plot->setLegendPlacement(legendPlacementOf(a->data().toString()));
            }
        });
        m_legendActions.push_back(a);
    }
    view->addSeparator();
    QMenu* themes = view->addMenu(tr("&Theme"));
    auto* group = new QActionGroup(this);
    for (Theme t : {Theme::system, Theme::light, Theme::dark}) {
        const QString label = t == Theme::system  ? tr("&System")
                              : t == Theme::light ? tr("&Light")
                                                  : tr("&Dark");
        QAction* a = themes->addAction(label);
        a->setCheckable(true);
        a->setData(static_cast<int>(t));
        a->setObjectName(QStringLiteral("theme_") + themeName(t));
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, t] { setTheme(t); });
        m_themeActions.push_back(a);
    }
    QAction* size = view->addAction(tr("Plot &export size…"));
    connect(size, &QAction::triggered, this, [this] {
        bool ok = false;
        const QString text = QInputDialog::getText(
            this, tr("Plot export size"), tr("Width × height in pixels:"), QLineEdit::Normal,
            QStringLiteral("%1x%2").arg(m_exportSize.width()).arg(m_exportSize.height()), &ok);
        const QStringList parts = text.split(QLatin1Char('x'));
        if (ok && parts.size() == 2 && parts[0].toInt() >= 16 && parts[1].toInt() >= 16) {
            m_exportSize = QSize(parts[0].toInt(), parts[1].toInt());
        }
    });
    view->addSeparator();

    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    QAction* again = tools->addAction(tr("Re-&analyse"), this, &MainWindow::reanalyze);
    again->setShortcut(QKeySequence::Refresh);
    QAction* sweep = tools->addAction(tr("Run &sweep"), this, [this] {
        m_tabs->setCurrentWidget(m_sweep);
        m_sweep->run();
    });
    sweep->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    QAction* calibrate =
        tools->addAction(tr("&Calibrate this machine…"), this, &MainWindow::openCalibration);
    calibrate->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    tools->addSeparator();
    const std::pair<const char*, QWidget*> focus[] = {{QT_TR_NOOP("Focus &workload"), m_workload},
                                                      {QT_TR_NOOP("Focus &hardware"), m_hardware},
                                                      {QT_TR_NOOP("Focus &scenarios"), m_scenarios},
                                                      {QT_TR_NOOP("Focus &layer table"), m_layers}};
    int key = Qt::Key_1;
    for (const auto& [label, widget] : focus) {
        QAction* a = tools->addAction(tr(label));
        a->setShortcut(QKeySequence(Qt::ALT | static_cast<Qt::Key>(key++)));
        connect(a, &QAction::triggered, this, [widget = widget] {
            widget->setFocus(Qt::ShortcutFocusReason);
            if (QWidget* first = widget->nextInFocusChain()) {
                first->setFocus(Qt::ShortcutFocusReason);
            }
        });
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* keys = help->addAction(tr("&Keyboard shortcuts"), this, [this] {
        QStringList lines;
        for (QAction* a : findChildren<QAction*>()) {
            if (!a->shortcut().isEmpty()) {
                lines << QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                             .arg(a->shortcut().toString(QKeySequence::NativeText),
                                  a->text().remove(QLatin1Char('&')));
            }
        }
        lines.sort();
        QMessageBox::information(
            this, tr("Keyboard shortcuts"),
            QStringLiteral("<table>") + lines.join(QString()) + QStringLiteral("</table>"));
    });
    keys->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About Rooflens"), this, [this] {
        QMessageBox::about(
            this, tr("About Rooflens"),
            tr("<h3>Rooflens %1</h3><p>Roofline analysis of compressed neural networks: where "
               "each layer of an LLM, ViT or GNN sits against a device's compute and memory "
               "ceilings, before and after compression.</p>")
                .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::setTheme(Theme theme) {
    m_theme = theme;
    applyTheme(theme);
    for (QAction* a : m_themeActions) {
        a->setChecked(a->data().toInt() == static_cast<int>(theme));
    }
}

AnalysisRequest MainWindow::currentRequest() {
    AnalysisRequest request;
    request.workload = m_workload->prepared();
    request.settings = m_workload->settings();
    request.devices = m_hardware->selectedDevices();
    request.deployment = m_deployment->deployment();
    request.comparePlans = m_deployment->comparePlans();
    if (auto system = m_deployment->system()) {  // the system's device replaces the selection
        request.devices = {system->device};
        request.systems = {std::move(*system)};
    }
    request.scenarios = m_scenarios->enabledInputs(m_workload->family());
    request.chart.ceilings =
        m_allCeilings->isChecked() ? core::CeilingSet::all : core::CeilingSet::used;
    request.chart.sparseCeilings = m_sparseCeilings->isChecked();
    request.chart.onChipLevels = m_onChipLevels->isChecked();
    request.chart.expectedPoints = m_expectedPoints->isChecked();
    return request;
}

void MainWindow::reanalyze() {
    if (m_applyingSession) {
        return;
    }
    AnalysisRequest request = currentRequest();
    if (!request.workload) {
        setError(m_workload->errorText());
        return;
    }
    m_runner->analyze(std::move(request));
}

int MainWindow::resultSeriesOfChartSeries(int chartSeries) const {
    if (!m_result) {
        return -1;
    }
    int seen = -1;
    for (std::size_t i = 0; i < m_result->series.size(); ++i) {
        if (m_result->series[i].report && ++seen == chartSeries) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int MainWindow::chartSeriesOfResultSeries(int resultSeries) const {
    if (!m_result || resultSeries < 0 ||
        resultSeries >= static_cast<int>(m_result->series.size()) ||
        !m_result->series[static_cast<std::size_t>(resultSeries)].report) {
        return -1;
    }
    int chart = 0;
    for (int i = 0; i < resultSeries; ++i) {
        chart += m_result->series[static_cast<std::size_t>(i)].report ? 1 : 0;
    }
    return chart;
}

namespace {

// Frees a replaced result on a pool thread. Its reports and chart spec (every layer of every
// series: 9,616 points with their strings on llama-3-70b with 4 scenarios on 2 devices) take
// about a millisecond to free, on the main thread a part of the frame (issue 17 item 9). The
// views have let go of it by then, so the pool's reference is usually the last one.
void releaseInBackground(std::shared_ptr<const AnalysisResult> replaced) {
    if (replaced) {
        QThreadPool::globalInstance()->start(
            [replaced = std::move(replaced)]() mutable { replaced.reset(); });
    }
}

}  // namespace

void MainWindow::showResult(std::shared_ptr<const AnalysisResult> result,
                            std::uint64_t generation) {
    std::shared_ptr<const AnalysisResult> replaced = std::exchange(m_result, std::move(result));
    m_shownGeneration = generation;
    showChart();
    m_layers->setResult(m_result);
    showDetails(m_layers->currentSeries(), m_layers->selectedLayer(), false);
    m_breakdown->setResult(*m_result);
    m_compare->setResult(*m_result);
    showSeriesTotals();
    if (!m_result->errors.empty()) {
        QStringList errors;
        for (const auto& e : m_result->errors) {
            errors << qs(e);
        }
        setError(errors.join(QStringLiteral("; ")));
    } else {
        std::size_t layers = 0;
        for (const auto& s : m_result->series) {
            layers += s.report ? s.report->layers.size() : 0;
        }
        setStatus(tr("%1 layers in %2 series analysed in %3 ms")
                      .arg(layers)
                      .arg(m_result->series.size())
                      .arg(m_result->elapsedSeconds * 1e3, 0, 'f', 1));
    }
    releaseInBackground(std::move(replaced));
    Q_EMIT resultShown(generation);
}

void MainWindow::showChart() {
    if (!m_result) {
        return;
    }
    if (m_plot->measured() != m_measured.get()) {
        m_plot->setMeasured(m_measured);
    }
    if (m_measured) {
        core::RooflineChartSpec spec = m_result->chart;
        core::includeMeasured(spec, *m_measured);
        m_plot->setSpec(std::move(spec));
    } else {  // the result's own spec, shared: no copy of every point per re-analysis
        m_plot->setSpec(std::shared_ptr<const core::RooflineChartSpec>(m_result, &m_result->chart));
    }
}

void MainWindow::showComparison(std::shared_ptr<const AnalysisResult> result) {
    if (!result || !m_result || result->series.size() != m_result->series.size()) {
        return;
    }
    std::shared_ptr<const AnalysisResult> replaced = std::exchange(m_result, std::move(result));
    m_compare->setResult(*m_result);
    showSeriesTotals();
    releaseInBackground(std::move(replaced));
}

void MainWindow::showSeriesTotals() {
    const int series = m_layers->currentSeries();
    if (!m_result || series < 0 || series >= static_cast<int>(m_result->series.size())) {
        m_totals->setSeries(nullptr, nullptr);
        return;
    }
    const SeriesResult& s = m_result->series[static_cast<std::size_t>(series)];
    m_totals->setSeries(&s, &m_result->devices[s.device]);
}

void MainWindow::showDetails(int series, int layer, bool raise) {
    m_details->showLayer(m_result, series, layer);
    if (raise && layer >= 0) {
        if (auto* d = findChild<QDockWidget*>(QStringLiteral("detailsDock"))) {
            d->raise();
        }
    }
}

void MainWindow::showSessionTitle(const QString& path) {
    // One "Rooflens": Qt appends the application's display name unless the title ends with it.
    setWindowTitle(path.isEmpty() ? tr("Rooflens")
                                  : tr("%1 — Rooflens").arg(QFileInfo(path).fileName()));
}

void MainWindow::setError(const QString& text) {
    m_lastError = text;
    m_statusLabel->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_statusLabel->setText(text);
}

void MainWindow::setStatus(const QString& text) {
    m_lastError.clear();
    m_statusLabel->setStyleSheet(QString());
    m_statusLabel->setText(text);
}

void MainWindow::openCalibration() {
    auto* dialog =
        new CalibrationDialog(m_calibrationRunner, m_hardware->database().userDir(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &CalibrationDialog::profileSaved, this, [this](const QString& id) {
        m_hardware->reload();
        m_hardware->setSelectedIds({toStd(id)});
        setStatus(tr("Calibrated profile %1 saved and selected").arg(id));
    });
    dialog->show();
}

void MainWindow::restoreSettings() {
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_splitter->restoreState(settings.value(QStringLiteral("window/splitter")).toByteArray());
    m_exportSize = settings.value(QStringLiteral("export/size"), m_exportSize).toSize();
    m_allCeilings->setChecked(settings.value(QStringLiteral("chart/allCeilings"), false).toBool());
    m_sparseCeilings->setChecked(
        settings.value(QStringLiteral("chart/sparseCeilings"), false).toBool());
    m_onChipLevels->setChecked(settings.value(QStringLiteral("chart/onChipLevels"), true).toBool());
    m_expectedPoints->setChecked(
        settings.value(QStringLiteral("chart/expectedPoints"), false).toBool());
    setTheme(parseTheme(settings.value(QStringLiteral("theme")).toString()));
    rebuildRecentMenu();
    Session session = defaultSession();
    const QString last = settings.value(QStringLiteral("session/last")).toString();
    if (!last.isEmpty()) {
        if (auto restored = parseSession(toStd(last), "last session"); restored) {
            session = std::move(restored).value();
        }
    }
    applySession(session);
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("export/size"), m_exportSize);
    settings.setValue(QStringLiteral("chart/allCeilings"), m_allCeilings->isChecked());
    settings.setValue(QStringLiteral("chart/sparseCeilings"), m_sparseCeilings->isChecked());
    settings.setValue(QStringLiteral("chart/onChipLevels"), m_onChipLevels->isChecked());
    settings.setValue(QStringLiteral("chart/expectedPoints"), m_expectedPoints->isChecked());
    settings.setValue(QStringLiteral("theme"), themeName(m_theme));
    settings.setValue(QStringLiteral("session/last"), qs(serializeSession(session())));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (m_role == WindowRole::primary) {
        saveSettings();
    }
    m_runner->cancelSweep();
    event->accept();
}

Session MainWindow::session() const {
    Session s;
    s.workload = m_workload->choice();
    s.settings = m_workload->settings();
    s.devices = m_hardware->selectedIds();
    if (s.devices.empty()) {
        for (const auto& hw : m_hardware->selectedDevices()) {
            s.devices.push_back(hw.id);
        }
    }
    s.scenarios = m_scenarios->items();
    s.chart.ceilings = m_allCeilings->isChecked() ? core::CeilingSet::all : core::CeilingSet::used;
    s.chart.sparseCeilings = m_sparseCeilings->isChecked();
    s.chart.onChipLevels = m_onChipLevels->isChecked();
    s.chart.expectedPoints = m_expectedPoints->isChecked();
    s.view.pointLabels = m_pointLabels->isChecked();
    for (QAction* a : m_legendActions) {
        if (a->isChecked()) {
            s.view.legend = toStd(a->data().toString());
        }
    }
    s.deployment = m_deployment->deployment();
    s.system = m_deployment->systemId();
    s.comparePlans = toStd(m_deployment->comparePlansText());
    return s;
}

void MainWindow::applySession(const Session& s) {
    m_applyingSession = true;
    m_allCeilings->setChecked(s.chart.ceilings == core::CeilingSet::all);
    m_sparseCeilings->setChecked(s.chart.sparseCeilings);
    m_onChipLevels->setChecked(s.chart.onChipLevels);
    m_expectedPoints->setChecked(s.chart.expectedPoints);
    m_pointLabels->setChecked(s.view.pointLabels);
    for (QAction* a : m_legendActions) {
        a->setChecked(a->data().toString() == qs(s.view.legend));
    }
    m_workload->setWorkload(s.workload, s.settings);
    m_scenarios->setFamily(m_workload->family());
    m_scenarios->setItems(s.scenarios);
    m_hardware->setSelectedIds(s.devices);
    m_deployment->setDeployment(s.deployment, s.system);
    m_deployment->setComparePlans(qs(s.comparePlans));
    if (const auto prepared = m_workload->prepared()) {
        m_sweep->setContext(prepared->hasDecode, s.settings.phase);
    }
    m_applyingSession = false;
    reanalyze();
}

}  // namespace rooflens::ui
