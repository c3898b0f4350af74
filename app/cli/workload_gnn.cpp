// Placeholder until the GNN builder lands (issue 4): no GNN models are known yet.
#include "workload_sources.h"

namespace rooflens::cli {

void addGnnOptions(boost::program_options::options_description& /*options*/) {}

std::optional<WorkloadSource> gnnSource(const std::string& /*model*/,
                                        const boost::program_options::variables_map& /*vm*/) {
    return std::nullopt;
}

}  // namespace rooflens::cli
