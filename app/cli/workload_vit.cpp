// Placeholder until the ViT builder lands (issue 4): no ViT models are known yet.
#include "workload_sources.h"

namespace rooflens::cli {

void addVitOptions(boost::program_options::options_description& /*options*/) {}

std::optional<WorkloadSource> vitSource(const std::string& /*model*/,
                                        const boost::program_options::variables_map& /*vm*/) {
    return std::nullopt;
}

}  // namespace rooflens::cli
