// Responsiveness of the GUI (targets: a parameter change on llama-2-70b re-analyses and redraws
// in under 50 ms; on llama-3-70b with 4 scenarios on 2 devices, 8 series, in one 16 ms frame,
// label placement included). Each iteration changes the batch spin box of a real MainWindow
// (offscreen), waits for the worker's result to come back through the event loop and for the
// next frame: the chart canvas painted after the result (its queued replot and the window's
// repaint of every widget the result changed), as a user sees it. Also times the worker alone
// (runAnalysis) and the roofline's redraw alone (layout, crowds, labels and drawing).
#include <initializer_list>

#include <benchmark/benchmark.h>

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QEvent>
#include <QEventLoop>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTimer>

#include "core/scenario.h"
#include "plot/roofline_plot.h"
#include "ui/analysis_runner.h"
#include "ui/hardware_panel.h"
#include "ui/main_window.h"

namespace {

using namespace rooflens;

ui::MainWindow& window(core::Phase phase, bool crowded = false) {
    static ui::MainWindow* w = [] {
        auto* created = new ui::MainWindow;
        created->resize(1600, 1000);
        created->show();
        return created;
    }();
    ui::Session s = ui::defaultSession();
    s.workload.model = "llama-2-70b";
    s.settings.phase = phase;
    s.settings.promptLength = 1024;
    s.settings.contextLength = 1024;
    s.settings.generateLength = 128;
    s.devices = {"a100-80gb-sxm"};
    if (crowded) {
        s.workload.model = "llama-3-70b";
        s.devices = {"h100-sxm", "mi300x"};
        s.scenarios.resize(1);  // the uncompressed baseline
        for (const char* name : {"awq-w4a16-g128", "fp8-w8a8", "qserve-w4a8kv4"}) {
            s.scenarios.push_back({core::resolveScenario(name).value(), true, ""});
        }
    }
    w->applySession(s);
    return *w;
}

// Spins the event loop until the window shows the newest request's result.
bool waitForResult(ui::MainWindow& w) {
    if (w.runner()->deliveredGeneration() == w.runner()->requestedGeneration()) {
        return true;
    }
    QEventLoop loop;
    QObject::connect(&w, &ui::MainWindow::resultShown, &loop, [&] {
        if (w.runner()->deliveredGeneration() == w.runner()->requestedGeneration()) {
            loop.quit();
        }
    });
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
    return w.runner()->deliveredGeneration() == w.runner()->requestedGeneration();
}

// Counts the paint events of the roofline's canvas: a frame is on screen when it was painted
// after the result arrived.
class PaintCounter : public QObject {
public:
    int paints = 0;
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (event->type() == QEvent::Paint) {
            ++paints;
        }
        return QObject::eventFilter(watched, event);
    }
};

// Spins the event loop until the canvas has been painted once more than `before` times: the
// chart's queued replot and the window's repaint of everything the result changed (tables,
// totals), as a user sees the frame. No replot is forced.
bool waitForPaint(PaintCounter& counter, int before) {
    QElapsedTimer timer;
    timer.start();
    while (counter.paints <= before) {
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 5);
        if (timer.elapsed() > 10000) {
            return false;
        }
    }
    // Whatever else the result dirtied is flushed with the canvas in the same repaint; finish
    // the pending updates of other widgets too.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::UpdateRequest);
    return true;
}

void parameterChange(benchmark::State& state, core::Phase phase, bool crowded = false) {
    ui::MainWindow& w = window(phase, crowded);
    waitForResult(w);
    auto* canvas = w.rooflinePlot()->findChild<QWidget*>(QStringLiteral("rooflineCanvas"));
    PaintCounter counter;
    canvas->installEventFilter(&counter);
    QCoreApplication::processEvents();  // the first result's frame
    auto* batch = w.findChild<QSpinBox*>(QStringLiteral("batchSpin"));
    int value = 1;
    std::size_t layers = 0;
    for (auto _ : state) {
        value = value == 1 ? 2 : 1;
        const int before = counter.paints;
        batch->setValue(value);  // emits changed() -> AnalysisRunner::analyze
        if (!waitForResult(w) || !waitForPaint(counter, before)) {
            state.SkipWithError("no result or no frame within 10 s");
            break;
        }
        layers = w.result()->series.front().report->layers.size();
    }
    canvas->removeEventFilter(&counter);
    state.counters["layers"] = static_cast<double>(layers);
    state.counters["series"] = static_cast<double>(w.result()->series.size());
    state.counters["points"] = static_cast<double>(w.rooflinePlot()->spec().points.size());
    state.counters["worker_ms"] = w.result()->elapsedSeconds * 1e3;
    state.counters["labels_ms"] = w.rooflinePlot()->lastLayoutSeconds() * 1e3;
}

void BM_GuiParameterChange_Llama2_70b_Prefill(benchmark::State& state) {
    parameterChange(state, core::Phase::prefill);
}
void BM_GuiParameterChange_Llama2_70b_Decode(benchmark::State& state) {
    parameterChange(state, core::Phase::decode);
}
void BM_GuiParameterChange_Llama2_70b_Request128(benchmark::State& state) {
    parameterChange(state, core::Phase::request);
}
BENCHMARK(BM_GuiParameterChange_Llama2_70b_Prefill)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GuiParameterChange_Llama2_70b_Decode)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GuiParameterChange_Llama2_70b_Request128)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Llama-3-70B decode, baseline + AWQ + FP8 + QServe on an H100 and an MI300X: 8 series.
void BM_GuiParameterChange_Llama3_70b_4Scenarios_2Devices(benchmark::State& state) {
    parameterChange(state, core::Phase::decode, true);
}
BENCHMARK(BM_GuiParameterChange_Llama3_70b_4Scenarios_2Devices)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The redraw alone of that chart (layout, crowds, label placement, drawing) in the window.
void BM_RooflineRedraw_Llama3_70b_4Scenarios_2Devices(benchmark::State& state) {
    ui::MainWindow& w = window(core::Phase::decode, true);
    waitForResult(w);
    plot::RooflinePlot* roofline = w.rooflinePlot();
    for (auto _ : state) {
        roofline->replotNow();
    }
    state.counters["points"] = static_cast<double>(roofline->spec().points.size());
    state.counters["labels_ms"] = roofline->lastLayoutSeconds() * 1e3;
}
BENCHMARK(BM_RooflineRedraw_Llama3_70b_4Scenarios_2Devices)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A request for the worker alone: an LLM preset at prompt and context 1024 on built-in devices.
ui::AnalysisRequest llmRequest(const char* model, core::Phase phase,
                               std::initializer_list<const char*> devices) {
    ui::AnalysisRequest request;
    auto prepared = ui::findFamily("llm")->prepare({"llm", model, "", 224, {}});
    request.workload = std::make_shared<const ui::PreparedWorkload>(prepared.value());
    request.settings.phase = phase;
    request.settings.promptLength = 1024;
    request.settings.contextLength = 1024;
    const auto db = hwdb::Database::load();
    for (const char* id : devices) {
        request.devices.push_back(db.resolve(id).value());
    }
    return request;
}

void runWorker(benchmark::State& state, const ui::AnalysisRequest& request) {
    core::CancelToken cancel;
    std::size_t points = 0;
    for (auto _ : state) {
        auto result = ui::runAnalysis(request, cancel);
        points = result.chart.points.size();
        benchmark::DoNotOptimize(points);
    }
    state.counters["points"] = static_cast<double>(points);
}

// The worker's job alone: build, analyze, chart spec.
void BM_RunAnalysis_Llama2_70b_Prefill(benchmark::State& state) {
    runWorker(state, llmRequest("llama-2-70b", core::Phase::prefill, {"a100-80gb-sxm"}));
}
BENCHMARK(BM_RunAnalysis_Llama2_70b_Prefill)->Unit(benchmark::kMillisecond);

// The worker's job alone for the crowded chart: llama-3-70b decode, 4 scenarios on 2 devices
// (8 series): evaluation on every core, then the chart spec.
void BM_RunAnalysis_Llama3_70b_4Scenarios_2Devices(benchmark::State& state) {
    ui::AnalysisRequest request =
        llmRequest("llama-3-70b", core::Phase::decode, {"h100-sxm", "mi300x"});
    request.scenarios.push_back({"baseline", std::nullopt, {}});
    for (const char* name : {"awq-w4a16-g128", "fp8-w8a8", "qserve-w4a8kv4"}) {
        request.scenarios.push_back({name, core::resolveScenario(name).value(), {}});
    }
    runWorker(state, request);
}
BENCHMARK(BM_RunAnalysis_Llama3_70b_4Scenarios_2Devices)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QTemporaryDir home;  // no user settings or profiles leak into the measurement
    qputenv("XDG_DATA_HOME", QDir(home.path()).filePath(QStringLiteral("data")).toLocal8Bit());
    qputenv("XDG_CONFIG_HOME", QDir(home.path()).filePath(QStringLiteral("config")).toLocal8Bit());
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("rooflens-bench"));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
