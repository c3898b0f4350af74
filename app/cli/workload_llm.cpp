#include "cli_common.h"
#include "models/llm.h"
#include "workload_sources.h"

namespace rooflens::cli {

WorkloadSource llmSource(const std::string& model) {
    auto config = std::make_shared<const models::LlmConfig>(resolveModel(model));
    WorkloadSource source;
    source.family = "llm";
    source.id = config->id;
    source.build = [config](const core::RunSettings& settings) {
        return models::buildLlm(*config, settings);
    };
    source.buildCollapsed = [config](const core::RunSettings& settings, bool collapse) {
        models::BuildOptions options;
        options.collapseBlocks = collapse;
        return models::buildLlm(*config, settings, options);
    };
    return source;
}

WorkloadSource resolveWorkloadSource(const std::string& model,
                                     const boost::program_options::variables_map& vm) {
    if (auto vit = vitSource(model, vm)) {
        return *vit;
    }
    if (auto gnn = gnnSource(model, vm)) {
        return *gnn;
    }
    return llmSource(model);
}

core::Scenario resolveScenarioArg(const std::string& nameOrPath) {
    auto scenario = core::resolveScenario(nameOrPath);
    if (!scenario) {
        throw CliError{kBadInput, scenario.error().message};
    }
    return std::move(scenario).value();
}

std::optional<core::Scenario> scenarioFromOptions(const boost::program_options::variables_map& vm) {
    const int w = vm["wbits"].as<int>();
    const int a = vm["abits"].as<int>();
    const int kv = vm["kvbits"].as<int>();
    const std::string name = vm.count("scenario") != 0U ? vm["scenario"].as<std::string>() : "";
    if (!name.empty()) {
        if (w != 16 || a != 16 || kv != 16) {
            throw CliError{kUsage,
                           "--scenario replaces --wbits/--abits/--kvbits: give one or the "
                           "other"};
        }
        return resolveScenarioArg(name);
    }
    if (w == 16 && a == 16 && kv == 16) {
        return std::nullopt;
    }
    return core::scenarioFromBits(w, a, kv);
}

WorkloadSource compressed(WorkloadSource source, const std::optional<core::Scenario>& scenario) {
    if (!scenario) {
        return source;
    }
    auto build = source.build;
    source.build =
        [build, s = *scenario](const core::RunSettings& settings) -> core::Result<core::Workload> {
        auto workload = build(settings);
        if (!workload) {
            return workload.error();
        }
        return core::applyScenario(s, workload.value());
    };
    return source;
}

}  // namespace rooflens::cli
