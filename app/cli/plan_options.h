#pragma once
// `rooflens plan` without its output: the search options, the PlanSearchSpec they make for a
// resolved system and scenario, and the `--format json` document. Shared by the command
// (cmd_plan.cpp) and the Python module (rooflens.plan), so both parse, fail and write alike.
#include <functional>
#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "core/json_io.h"
#include "core/plan.h"

namespace rooflens::cli {

namespace po = boost::program_options;

// --batch, --prompt-len, --gen-len, the targets, the search restrictions, --serving and
// --threads; `tableOptions` adds --all and --report (the table's), in the command's order.
void addPlanOptions(po::options_description& options, bool tableOptions);

// The search of `vm`: usage errors name the flag (--batch, --ttft-ms, --tp, ...). `resolve` sets
// spec.scenario and spec.system (the command from --scenario and --system or --hw --devices,
// Python from its objects); it runs where the command has always resolved them, after --batch,
// so that a command with two faults reports the same one first.
core::PlanSearchSpec planSearchSpec(const po::variables_map& vm,
                                    const std::function<void(core::PlanSearchSpec&)>& resolve);

// `rooflens plan --format json`: the system, the load, the counts, every candidate and the
// index of the winner.
core::Json planJson(const core::PlanSearchResult& result, const core::PlanSearchSpec& spec,
                    const std::string& model);

}  // namespace rooflens::cli
