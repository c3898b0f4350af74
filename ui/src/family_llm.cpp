// The LLM family: Hugging Face config.json presets and imports, prefill/decode/request phases.
#include "models/presets.h"
#include "ui/workload_family.h"

namespace rooflens::ui {

namespace {

class LlmFamily final : public WorkloadFamily {
public:
    std::string id() const override { return "llm"; }
    QString displayName() const override { return QObject::tr("LLM"); }
    std::vector<std::string> presets() const override { return models::listPresets(); }
    std::string defaultPreset() const override {
        const auto list = presets();
        for (const auto& id : list) {
            if (id == "llama-2-7b") {
                return id;
            }
        }
        return list.empty() ? std::string() : list.front();
    }
    QString configFileFilter() const override {
        return QObject::tr("Hugging Face config (config.json *.json);;All files (*)");
    }
    std::vector<core::Phase> phases() const override {
        return {core::Phase::prefill, core::Phase::decode, core::Phase::request};
    }
    core::Result<PreparedWorkload> prepare(const WorkloadChoice& choice) const override {
        auto config = models::resolveLlm(choice.model);
        if (!config) {
            return config.error();
        }
        auto shared = std::make_shared<const models::LlmConfig>(std::move(config).value());
        PreparedWorkload prepared;
        prepared.family = "llm";
        prepared.id = shared->id;
        prepared.hasDecode = true;
        prepared.build = [shared](const core::RunSettings& settings, bool collapse,
                                  const FamilyOptions& /*options*/) {
            models::BuildOptions options;
            options.collapseBlocks = collapse;
            return models::buildLlm(*shared, settings, options);
        };
        return prepared;
    }
};

}  // namespace

namespace detail {
std::unique_ptr<WorkloadFamily> makeLlmFamily() {
    return std::make_unique<LlmFamily>();
}
}  // namespace detail

}  // namespace rooflens::ui
