#pragma once
// MeasuredRun: the measured layers of a `rooflens validate` run (FP32 reference kernels,
// "kind": "rooflens-validation") or of a whole-model validation (`validate --whole --format
// json`, "kind": "rooflens-whole-validation"), read back from their JSON so a roofline chart
// can draw each measured layer at its intensity and at the rate its measured time attains
// (OPs / measured seconds), beside the predicted points. Used by the GUI's "Load measured run".
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "core/chart.h"
#include "core/json_io.h"
#include "core/result.h"
#include "core/workload.h"

namespace rooflens::core {

struct MeasuredPoint {
    std::string name;  // "prefill q_proj,k_proj" (kernels) or "blocks.3.q_proj" (whole model)
    std::string run;   // whole model: "prefill, 8 threads"; "" for kernels
    LayerKind kind = LayerKind::gemm;  // the colour (a kernel's "gemv" class is a gemm)
    double ops = 0;                    // every instance the times cover
    double bytes = 0;                  // likewise
    double measuredSeconds = 0;        // median
    double p10Seconds = 0;
    double p90Seconds = 0;
    double rooflineSeconds = 0;  // the roofline bound of the profile the file was priced with
    double expectedSeconds = 0;  // the efficiency model's (achievable) time; 0: not in the file

    double intensity() const { return ops / bytes; }
    double measuredOpsPerSecond() const { return ops / measuredSeconds; }
    double rooflineOpsPerSecond() const { return ops / rooflineSeconds; }
    // Signed (predicted - measured) / measured, as `validate` reports totals; negative: the
    // prediction is faster than the measurement.
    double rooflineError() const { return (rooflineSeconds - measuredSeconds) / measuredSeconds; }
    double expectedError() const { return (expectedSeconds - measuredSeconds) / measuredSeconds; }
};

struct MeasuredRun {
    std::string source;  // the file (or label) it was read from
    std::string kind;    // "rooflens-validation" or "rooflens-whole-validation"
    std::string model;
    std::string profile;  // the hardware profile the predictions used
    std::vector<MeasuredPoint> points;
    std::size_t skipped = 0;  // layers not measured, or without OPs or bytes (not drawable)

    // "validate: validate-tiny on my-cpu-profile" or "validate --whole: ...".
    std::string label() const;
};

// Reads either document. Errors name `label`, the JSON path and what was expected
// ("run.json: /kernels/3/measured_median_seconds: expected a positive finite number, got 0").
Result<MeasuredRun> parseMeasuredRun(const Json& doc, const std::string& label);
Result<MeasuredRun> loadMeasuredRun(const std::filesystem::path& path);

// Widens the spec's axis ranges (to whole decades) so every measured point is inside them.
void includeMeasured(RooflineChartSpec& spec, const MeasuredRun& run);

}  // namespace rooflens::core
