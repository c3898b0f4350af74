// Scenario JSON (docs/scenarios.md): parseScenario, then applyScenario to a prefill and a decode
// pass of a small built-in LLM (Llama-2-7B at 16 tokens), where the scenario meets a workload.
#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "core/scenario.h"
#include "fuzz_support.h"
#include "models/llm.h"
#include "models/presets.h"

namespace {

rooflens::core::Workload pass(rooflens::core::Phase phase) {
    using namespace rooflens;
    auto config = models::resolveLlm("llama-2-7b");
    if (!config) {
        fuzz::finding("harness", config.error().message);
    }
    core::RunSettings settings;
    settings.phase = phase;
    settings.batch = 1;
    settings.promptLength = 16;
    settings.contextLength = 16;
    auto workload = models::buildLlm(*config, settings);
    if (!workload) {
        fuzz::finding("harness", workload.error().message);
    }
    return std::move(workload).value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rooflens;
    static const core::Workload prefill = pass(core::Phase::prefill);
    static const core::Workload decode = pass(core::Phase::decode);
    return fuzz::guarded([&] {
        const std::string label = "fuzz-scenario.json";
        auto doc = core::parseJsonText(fuzz::text(data, size), label);
        fuzz::expectLocated(doc, label);
        if (!doc) {
            return;
        }
        auto scenario = core::parseScenario(*doc, label);
        fuzz::expectLocated(scenario, label);
        if (!scenario) {
            return;
        }
        (void)core::applyScenario(*scenario, prefill);
        (void)core::applyScenario(*scenario, decode);
    });
}
