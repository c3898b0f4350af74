#pragma once
// `rooflens serve` without its output: the load and serving options, their ServingOptions, the
// operating point or sweep they ask for, and the `--format json` documents. Shared by the
// command (cmd_serve.cpp) and the Python module (rooflens.serve), so both parse, fail and write
// alike.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "core/json_io.h"
#include "core/serving.h"

namespace rooflens::cli {

namespace po = boost::program_options;

// The "load and serving" group: --prompt-len, --gen-len, --rate, --concurrency, the targets,
// --chunk, --disaggregate, --speculative, --prefix-len, --offload, --price, --requests, the
// sweeps, --goodput and --flash-attention.
void addServeOptions(po::options_description& options);

// Exactly one of --rate, --concurrency, --sweep-rate, --sweep-concurrency, --goodput (with a
// target); a usage error otherwise.
void checkServeModes(const po::variables_map& vm);

// The options of `vm` as ServingOptions (usage and bad-input errors name the flag).
core::ServingOptions servingOptions(const po::variables_map& vm);

// The draft model of --speculative, bound (null without --speculative).
std::shared_ptr<const core::WorkloadBuilder> bindDraft(const core::ServingOptions& serving);

// The serving input of the model and its draft under `serving` (--flash-attention from `vm`);
// the caller sets its evaluation's devices, scenarios, deployment and systems.
core::ServingInput servingInput(const po::variables_map& vm, const core::ServingOptions& serving,
                                const core::WorkloadBuilder& model,
                                const core::WorkloadBuilder* draft);

// The sweep flag given ("sweep-rate" or "sweep-concurrency"), or null for one operating point.
const char* serveSweepFlag(const po::variables_map& vm);
// A sweep's values: A,B,C or LO:HI:N (N evenly spaced points), each > 0.
std::vector<double> sweepValues(const std::string& text, const char* flag);

// The operating point of --rate or --concurrency, or with --goodput the concurrency with the
// most output tokens/s per device under the targets (nullopt when none meets them; `serving`'s
// concurrency becomes the one found).
std::optional<core::ServingMetrics> servePoint(const po::variables_map& vm,
                                               const core::ServingInput& input,
                                               core::ServingOptions& serving);

// The metrics as the JSON of one point (the fields of a sweep record).
core::Json servingMetricsJson(const core::ServingMetrics& m);
// `rooflens serve --format json` at one operating point.
core::Json servePointJson(const core::ServingMetrics& m, const core::ServingOptions& serving,
                          const std::string& model, const std::string& hardware,
                          const std::string& scenario);
// `rooflens serve --sweep-* --format json`: one record per value, with "rate" or
// "offered_concurrency".
core::Json serveSweepJson(const std::vector<core::ServingSweepPoint>& points, bool rates);

}  // namespace rooflens::cli
