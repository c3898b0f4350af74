// rooflens analyze: a model's per-layer roofline report on a device, through the evaluation
// pipeline (core::evaluate).
#include "cli_common.h"
#include "core/evaluate.h"
#include "workload_options.h"

namespace rooflens::cli {

int runAnalyze(const std::vector<std::string>& args) {
    po::options_description options("analyze options");
    addModelOptions(options, false, false);
    addRunOptions(options, RunOptionStyle{"prefill", false, false});
    addOutputOptions(options, "table|json|csv|md");
    addFamilyOptions(options);
    addDeviceThreadsOption(options, "threads");
    addDeploymentOptions(options, false);
    auto parsed =
        parseOptions(args, options,
                     "usage: rooflens analyze --model ID|config.json --hw ID|profile.json "
                     "[options]");
    if (!parsed) {
        return kOk;
    }
    const po::variables_map& vm = *parsed;
    const auto format = formatOption(vm, {core::ReportFormat::table, core::ReportFormat::json,
                                          core::ReportFormat::csv, core::ReportFormat::md});
    const BoundModel model = bindModel(vm);
    const core::ScenarioList scenarios = scenarioList(vm, *model.builder);
    const std::vector<core::Hardware> devices = deviceList(vm);

    core::EvaluationInput input;
    input.settings = runSettings(vm, *model.builder);
    input.devices = devices;
    input.scenarios = scenarios;
    input.deployment = deploymentOption(vm);
    input.options.timeBasis = timeBasisOption(vm);
    const std::vector<core::System> systems = systemList(vm, devices, input.deployment);
    input.systems = systems;
    const core::Evaluation evaluation = unwrap(core::evaluate(*model.builder, input));
    const core::Series& series = evaluation.at(0, 0);
    if (series.error) {
        throw CliError(*series.error);
    }
    if (format == core::ReportFormat::csv) {
        printWarnings(series.report->warnings);  // CSV rows have no room for them
    }
    emit(core::renderReport(*series.report, format), outputOption(vm));
    return kOk;
}

}  // namespace rooflens::cli
