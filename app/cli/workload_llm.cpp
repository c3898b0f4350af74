#include "cli_common.h"
#include "models/llm.h"
#include "workload_sources.h"

namespace rooflens::cli {

WorkloadSource llmSource(const std::string& model) {
    auto config = std::make_shared<const models::LlmConfig>(resolveModel(model));
    return WorkloadSource{"llm", config->id, [config](const core::RunSettings& settings) {
                              return models::buildLlm(*config, settings);
                          }};
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

}  // namespace rooflens::cli
