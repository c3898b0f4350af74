#pragma once
// A core::WorkloadBuilder made from a function, for tests that build toy workloads by hand.
#include <functional>
#include <string>
#include <utility>

#include "core/evaluate.h"

namespace rooflens::testing {

class FunctionBuilder final : public core::WorkloadBuilder {
public:
    using Function =
        std::function<core::Result<core::Workload>(const core::RunSettings&, bool collapse)>;
    explicit FunctionBuilder(Function function, core::ModelFamily family = core::ModelFamily::llm)
        : m_function(std::move(function)), m_family(family) {}
    core::ModelFamily family() const override { return m_family; }
    const std::string& id() const override { return m_id; }
    core::Result<core::Workload> build(const core::RunSettings& settings,
                                       const core::PassOptions& options) const override {
        return m_function(settings, options.collapseBlocks);
    }

private:
    Function m_function;
    core::ModelFamily m_family;
    std::string m_id = "toy";
};

}  // namespace rooflens::testing
