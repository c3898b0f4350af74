// rooflens plot: the GUI's roofline chart rendered headless to PNG, SVG or PDF, with the same
// code (core::buildRooflineChart + ui/plot). Linked against rooflens_plot only when the GUI is
// built (ROOFLENS_HAVE_PLOT); otherwise the command says so and exits 3.
#include <iostream>

#include "cli_common.h"
#include "core/analysis.h"
#include "core/chart.h"
#include "workload_sources.h"

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

core::Report analyzeOne(const WorkloadSource& source, const core::RunSettings& settings,
                        const core::Hardware& hw) {
    if (settings.phase == core::Phase::request) {
        auto build = [&](core::Phase pass, std::int64_t context) {
            core::RunSettings s = settings;
            s.phase = pass;
            s.promptLength = context;
            s.contextLength = context;
            return source.build(s);
        };
        auto report = core::analyzeRequest(settings, build, hw);
        if (!report) {
            throw CliError{kUsage, report.error().message};
        }
        return std::move(report).value();
    }
    auto workload = source.build(settings);
    if (!workload) {
        throw CliError{kUsage, workload.error().message};
    }
    return core::analyze(workload.value(), hw);
}

}  // namespace

int runPlot(const std::vector<std::string>& args) {
    po::options_description options("plot options");
    // clang-format off
    options.add_options()
        ("model", po::value<std::string>()->required(), "preset id or path to a config.json")
        ("hw", po::value<std::vector<std::string>>()->required()->composing(),
         "device id or profile .json; repeat to compare devices")
        ("scenario", po::value<std::vector<std::string>>()->composing(),
         "scenario preset or .json; repeat to compare (default: uncompressed)")
        ("phase", po::value<std::string>()->default_value("prefill"), "prefill|decode|request")
        ("batch", po::value<std::int64_t>()->default_value(1), "sequences per batch")
        ("prompt-len", po::value<std::int64_t>()->default_value(1024),
         "prompt tokens per sequence (prefill, request)")
        ("context-len", po::value<std::int64_t>()->default_value(1024),
         "tokens in the KV cache including the new one (decode)")
        ("gen-len", po::value<std::int64_t>()->default_value(128),
         "generated tokens per sequence (request)")
        ("flash-attention", po::bool_switch(), "fused attention (FlashAttention IO model)")
        ("all-ceilings", po::bool_switch(), "draw every compute peak, not only those used")
        ("sparse-ceilings", po::bool_switch(), "add the 2:4 sparse matrix peaks")
        ("no-on-chip", po::bool_switch(), "main memory's ceiling only")
        ("title", po::value<std::string>()->default_value(""), "chart title")
        ("theme", po::value<std::string>()->default_value("light"), "light|dark")
        ("output,o", po::value<std::string>()->required(), "FILE.png, FILE.svg or FILE.pdf")
        ("width", po::value<int>()->default_value(1200), "pixels")
        ("height", po::value<int>()->default_value(800), "pixels");
    // clang-format on
    addVitOptions(options);
    addGnnOptions(options);
    auto parsed = parseOptions(args, options,
                               "usage: rooflens plot --model M --hw H [--hw H2 ...] "
                               "[--scenario S ...] --output FILE.png|.svg|.pdf "
                               "[--width W --height H]");
    if (!parsed) {
        return kOk;
    }
    const po::variables_map& vm = *parsed;

    core::RunSettings settings;
    settings.phase = requirePhase(vm);
    settings.batch = requirePositive(vm, "batch");
    settings.promptLength = requirePositive(vm, "prompt-len");
    settings.contextLength = requirePositive(vm, "context-len");
    settings.generateLength = requirePositive(vm, "gen-len");
    settings.flashAttention = vm["flash-attention"].as<bool>();
    const std::string output = vm["output"].as<std::string>();
    const QString suffix = QFileInfo(QString::fromStdString(output)).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("svg") &&
        suffix != QLatin1String("pdf")) {
        throw CliError{kUsage,
                       "--output: expected a .png, .svg or .pdf file, got '" + output + "'"};
    }
    const int width = vm["width"].as<int>();
    const int height = vm["height"].as<int>();
    if (width < 16 || height < 16 || width > 20000 || height > 20000) {
        throw CliError{kUsage, "--width/--height: expected 16..20000 pixels"};
    }
    const std::string theme = vm["theme"].as<std::string>();
    if (theme != "light" && theme != "dark") {
        throw CliError{kUsage, "--theme: expected light|dark, got '" + theme + "'"};
    }

    const WorkloadSource source = resolveWorkloadSource(vm["model"].as<std::string>(), vm);
    std::vector<std::optional<core::Scenario> > scenarios;
    if (vm.count("scenario") != 0U) {
        for (const auto& name : vm["scenario"].as<std::vector<std::string> >()) {
            scenarios.emplace_back(resolveScenarioArg(name));
        }
    } else {
        scenarios.emplace_back(std::nullopt);
    }
    const hwdb::Database db = loadDatabase(false);
    std::vector<core::Hardware> devices;
    for (const auto& id : vm["hw"].as<std::vector<std::string> >()) {
        devices.push_back(resolveHardware(db, id));
    }

    // Device-major like the GUI; the reports must stay put while the chart points at them.
    std::vector<core::Report> reports;
    std::vector<std::pair<std::size_t, std::string> > labels;  // device, scenario
    reports.reserve(devices.size() * scenarios.size());
    for (std::size_t d = 0; d < devices.size(); ++d) {
        for (const auto& scenario : scenarios) {
            reports.push_back(analyzeOne(compressed(source, scenario), settings, devices[d]));
            labels.emplace_back(d, scenario ? scenario->name : std::string("baseline"));
        }
    }
    std::vector<core::ChartInput> inputs;
    for (std::size_t i = 0; i < reports.size(); ++i) {
        inputs.push_back({&reports[i], &devices[labels[i].first], labels[i].second});
    }
    core::ChartOptions chart;
    chart.ceilings = vm["all-ceilings"].as<bool>() ? core::CeilingSet::all : core::CeilingSet::used;
    chart.sparseCeilings = vm["sparse-ceilings"].as<bool>();
    chart.onChipLevels = !vm["no-on-chip"].as<bool>();
    chart.title = vm["title"].as<std::string>();
    const core::RooflineChartSpec spec = core::buildRooflineChart(inputs, chart);

    // QWidget painting needs a QApplication; without a display the offscreen platform does.
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
    plot::RenderOptions render;
    render.size = QSize(width, height);
    render.theme = theme == "dark" ? plot::PlotTheme::darkTheme() : plot::PlotTheme::light();
    QString error;
    if (!plot::renderRooflineChart(spec, QString::fromStdString(output), render, &error)) {
        throw CliError{kRuntime, error.toStdString()};
    }
    std::cerr << "wrote " << output << " (" << width << "x" << height << ", " << spec.points.size()
              << " points, " << spec.roofs.size() << " roofs)\n";
    return kOk;
}

#endif

}  // namespace rooflens::cli
