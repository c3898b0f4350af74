// rooflens plot: the GUI's roofline chart rendered headless to PNG, SVG or PDF, with the same
// code (core::buildRooflineChart + ui/plot). Linked against rooflens_plot only when the GUI is
// built (ROOFLENS_HAVE_PLOT); otherwise the command says so and exits 3.
#include <iostream>

#include "cli_common.h"
#include "core/chart.h"
#include "core/evaluate.h"
#include "workload_options.h"

#ifdef ROOFLENS_HAVE_PLOT
#include <QApplication>
#include <QFileInfo>

#include "plot/render.h"
#endif

namespace rooflens::cli {

#ifndef ROOFLENS_HAVE_PLOT

int runPlot(const std::vector<std::string>& /*args*/) {
    throw CliError{kRuntime,
                   "this rooflens was built without the GUI (ROOFLENS_BUILD_GUI=OFF), so it "
                   "cannot render charts; rebuild with -DROOFLENS_BUILD_GUI=ON, or use "
                   "`rooflens analyze --format json` and plot that"};
}

#else

namespace {

// What the chart file should look like: checked before any work is done.
struct Output {
    std::string path;
    int width = 0;
    int height = 0;
    bool dark = false;
};

Output outputOptions(const po::variables_map& vm) {
    Output o{vm["output"].as<std::string>(), vm["width"].as<int>(), vm["height"].as<int>()};
    const QString suffix = QFileInfo(QString::fromStdString(o.path)).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("svg") &&
        suffix != QLatin1String("pdf")) {
        throw CliError{kUsage,
                       "--output: expected a .png, .svg or .pdf file, got '" + o.path + "'"};
    }
    if (o.width < 16 || o.height < 16 || o.width > 20000 || o.height > 20000) {
        throw CliError{kUsage, "--width/--height: expected 16..20000 pixels"};
    }
    const std::string theme = vm["theme"].as<std::string>();
    if (theme != "light" && theme != "dark") {
        throw CliError{kUsage, "--theme: expected light|dark, got '" + theme + "'"};
    }
    o.dark = theme == "dark";
    return o;
}

// Evaluates every (device, scenario) through the pipeline and describes the chart.
core::RooflineChartSpec chartOf(const po::variables_map& vm) {
    const BoundModel model = bindModel(vm);
    const core::ScenarioList scenarios = scenarioList(vm, *model.builder);
    const std::vector<core::Hardware> devices = deviceList(vm);
    core::EvaluationInput input;
    input.settings = runSettings(vm, *model.builder);
    input.devices = devices;
    input.scenarios = scenarios;
    input.deployment = deploymentOption(vm);
    const std::vector<core::System> systems = systemList(vm, devices, input.deployment);
    input.systems = systems;
    const core::Evaluation evaluation = unwrap(core::evaluate(*model.builder, input));
    if (auto error = evaluation.firstError()) {
        throw CliError(*error);
    }
    // Device-major like the GUI; the reports stay put while the chart points at them.
    std::vector<core::ChartInput> inputs;
    for (const core::Series& series : evaluation.series) {
        inputs.push_back({&*series.report, &devices[series.device], series.scenarioName});
    }
    core::ChartOptions chart;
    chart.ceilings = vm["all-ceilings"].as<bool>() ? core::CeilingSet::all : core::CeilingSet::used;
    chart.sparseCeilings = vm["sparse-ceilings"].as<bool>();
    chart.onChipLevels = !vm["no-on-chip"].as<bool>();
    chart.expectedPoints = vm["expected-points"].as<bool>();
    chart.title = vm["title"].as<std::string>();
    return core::buildRooflineChart(inputs, chart);
}

// Draws the spec with the GUI's plot code into the file (offscreen without a display).
void render(const core::RooflineChartSpec& spec, const Output& o) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    // Qt's own chatter (XDG_RUNTIME_DIR, plugin notes) is not the command's output.
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& message) {
        if (type == QtCriticalMsg || type == QtFatalMsg) {
            std::cerr << "rooflens plot: " << message.toStdString() << '\n';
        }
    });
    static int argc = 1;
    static char name[] = "rooflens";
    static char* argv[] = {name, nullptr};
    QApplication app(argc, argv);
    plot::RenderOptions options;
    options.size = QSize(o.width, o.height);
    options.theme = o.dark ? plot::PlotTheme::darkTheme() : plot::PlotTheme::light();
    QString error;
    if (!plot::renderRooflineChart(spec, QString::fromStdString(o.path), options, &error)) {
        throw CliError{kRuntime, error.toStdString()};
    }
    std::cerr << "wrote " << o.path << " (" << o.width << "x" << o.height << ", "
              << spec.points.size() << " points, " << spec.roofs.size() << " roofs)\n";
}

}  // namespace

int runPlot(const std::vector<std::string>& args) {
    po::options_description options("plot options");
    addModelOptions(options, true, true);
    addRunOptions(options, RunOptionStyle{"prefill", false, false});
    // clang-format off
    options.add_options()
        ("all-ceilings", po::bool_switch(), "draw every compute peak, not only those used")
        ("sparse-ceilings", po::bool_switch(), "add the 2:4 sparse matrix peaks")
        ("no-on-chip", po::bool_switch(), "main memory's ceiling only")
        ("expected-points", po::bool_switch(),
         "also draw each layer at the rate of its expected time (hollow, under the roof)")
        ("title", po::value<std::string>()->default_value(""), "chart title")
        ("theme", po::value<std::string>()->default_value("light"), "light|dark")
        ("output,o", po::value<std::string>()->required(), "FILE.png, FILE.svg or FILE.pdf")
        ("width", po::value<int>()->default_value(1200), "pixels")
        ("height", po::value<int>()->default_value(800), "pixels");
    // clang-format on
    addFamilyOptions(options);
    addDeploymentOptions(options, false);
    auto parsed = parseOptions(args, options,
                               "usage: rooflens plot --model M --hw H [--hw H2 ...] "
                               "[--scenario S ...] --output FILE.png|.svg|.pdf "
                               "[--width W --height H]");
    if (!parsed) {
        return kOk;
    }
    const Output output = outputOptions(*parsed);
    render(chartOf(*parsed), output);
    return kOk;
}

#endif

}  // namespace rooflens::cli
