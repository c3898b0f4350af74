// Reading measured runs (core/measured.h).
#include "core/measured.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace rooflens::core {

namespace {

constexpr const char* kKernels = "rooflens-validation";
constexpr const char* kWhole = "rooflens-whole-validation";

// A measured time may be any positive finite number; a roofline time too.
Result<double> seconds(const JsonReader& r, const Json& obj, const std::string& path,
                       const char* key) {
    return r.positive(obj, path, key);
}

Result<LayerKind> kernelClass(const JsonReader& r, const Json& obj, const std::string& path,
                              const char* key, bool kernels) {
    ROOFLENS_TRY(const std::string name, r.string(obj, path, key));
    if (kernels && name == "gemv") {
        return LayerKind::gemm;
    }
    const auto kind = parseLayerKind(name);
    if (!kind || isCommunication(*kind)) {
        return r.expected(childPath(path, key),
                          kernels ? "a kernel class (gemm, gemv, attention, norm, spmm)"
                                  : "a compute layer kind (gemm, attention, norm, ...)",
                          obj.at(key));
    }
    return *kind;
}

Result<MeasuredRun> parseKernels(const JsonReader& r, const Json& doc, MeasuredRun run) {
    ROOFLENS_TRY(const Json* kernels, r.member(doc, "", "kernels"));
    if (!kernels->is_array()) {
        return r.expected("/kernels", "an array", *kernels);
    }
    for (std::size_t i = 0; i < kernels->size(); ++i) {
        const Json& k = (*kernels)[i];
        const std::string path = childPath("/kernels", i);
        MeasuredPoint p;
        ROOFLENS_TRY(p.name, r.string(k, path, "name"));
        ROOFLENS_TRY(p.kind, kernelClass(r, k, path, "class", true));
        ROOFLENS_TRY(p.ops, r.nonNegative(k, path, "ops"));
        ROOFLENS_TRY(p.bytes, r.nonNegative(k, path, "bytes"));
        ROOFLENS_TRY(p.measuredSeconds, seconds(r, k, path, "measured_median_seconds"));
        ROOFLENS_TRY(p.rooflineSeconds, seconds(r, k, path, "calibrated_seconds"));
        ROOFLENS_TRY(p.expectedSeconds, seconds(r, k, path, "achievable_seconds"));
        if (r.has(k, "measured_p10_seconds")) {
            ROOFLENS_TRY(p.p10Seconds, r.nonNegative(k, path, "measured_p10_seconds"));
        }
        if (r.has(k, "measured_p90_seconds")) {
            ROOFLENS_TRY(p.p90Seconds, r.nonNegative(k, path, "measured_p90_seconds"));
        }
        if (p.ops <= 0 || p.bytes <= 0) {
            ++run.skipped;
            continue;
        }
        run.points.push_back(std::move(p));
    }
    return run;
}

Result<MeasuredRun> parseWhole(const JsonReader& r, const Json& doc, MeasuredRun run) {
    ROOFLENS_TRY(const Json* runs, r.member(doc, "", "runs"));
    if (!runs->is_array()) {
        return r.expected("/runs", "an array", *runs);
    }
    for (std::size_t i = 0; i < runs->size(); ++i) {
        const Json& pass = (*runs)[i];
        const std::string runPath = childPath("/runs", i);
        ROOFLENS_TRY(const std::string phase, r.string(pass, runPath, "phase"));
        ROOFLENS_TRY(const std::int64_t threads, r.integer(pass, runPath, "threads", 1, 1 << 20));
        ROOFLENS_TRY(const Json* layers, r.member(pass, runPath, "layers"));
        const std::string layersPath = childPath(runPath, "layers");
        if (!layers->is_array()) {
            return r.expected(layersPath, "an array", *layers);
        }
        const std::string label =
            phase + ", " + std::to_string(threads) + (threads == 1 ? " thread" : " threads");
        for (std::size_t l = 0; l < layers->size(); ++l) {
            const Json& layer = (*layers)[l];
            const std::string path = childPath(layersPath, l);
            ROOFLENS_TRY(const bool measured, r.boolean(layer, path, "measured"));
            MeasuredPoint p;
            p.run = label;
            ROOFLENS_TRY(p.name, r.string(layer, path, "name"));
            ROOFLENS_TRY(p.kind, kernelClass(r, layer, path, "kind", false));
            if (!r.has(layer, "ops") || !r.has(layer, "bytes")) {
                return r.error(childPath(path, r.has(layer, "ops") ? "bytes" : "ops"),
                               "missing required field (files of `validate --whole` before "
                               "the GUI could read them lack it: run it again)");
            }
            ROOFLENS_TRY(const double ops, r.nonNegative(layer, path, "ops"));
            ROOFLENS_TRY(const double bytes, r.nonNegative(layer, path, "bytes"));
            ROOFLENS_TRY(const std::int64_t repeat,
                         r.has(layer, "repeat")
                             ? r.integer(layer, path, "repeat", 1, std::int64_t{1} << 40)
                             : Result<std::int64_t>(std::int64_t{1}));
            // ops and bytes are one instance's; the times cover every repeat.
            p.ops = ops * static_cast<double>(repeat);
            p.bytes = bytes * static_cast<double>(repeat);
            if (!measured || p.ops <= 0 || p.bytes <= 0) {
                ++run.skipped;
                continue;
            }
            ROOFLENS_TRY(p.measuredSeconds, seconds(r, layer, path, "measured_median_seconds"));
            ROOFLENS_TRY(p.rooflineSeconds, seconds(r, layer, path, "roofline_seconds"));
            ROOFLENS_TRY(p.expectedSeconds, seconds(r, layer, path, "expected_seconds"));
            if (r.has(layer, "measured_p10_seconds")) {
                ROOFLENS_TRY(p.p10Seconds, r.nonNegative(layer, path, "measured_p10_seconds"));
            }
            if (r.has(layer, "measured_p90_seconds")) {
                ROOFLENS_TRY(p.p90Seconds, r.nonNegative(layer, path, "measured_p90_seconds"));
            }
            run.points.push_back(std::move(p));
        }
    }
    return run;
}

double decadeBelow(double v) {
    return std::pow(10.0, std::floor(std::log10(v) + 1e-9));
}

double decadeAbove(double v) {
    return std::pow(10.0, std::ceil(std::log10(v) - 1e-9));
}

}  // namespace

std::string MeasuredRun::label() const {
    return std::string(kind == kWhole ? "validate --whole: " : "validate: ") + model + " on " +
           profile;
}

Result<MeasuredRun> parseMeasuredRun(const Json& doc, const std::string& label) {
    const JsonReader r(label);
    if (!doc.is_object()) {
        return r.expected("", "an object", doc);
    }
    ROOFLENS_TRY(const std::string kind, r.string(doc, "", "kind"));
    if (kind != kKernels && kind != kWhole) {
        return r.expected("/kind",
                          "\"rooflens-validation\" (rooflens validate --format json) or "
                          "\"rooflens-whole-validation\" (validate --whole --format json)",
                          doc.at("kind"));
    }
    ROOFLENS_TRY(const std::int64_t version, r.integer(doc, "", "schema_version", 0, 1 << 30));
    if (version != 1) {
        return r.error("/schema_version",
                       "unsupported schema_version " + std::to_string(version) + " (expected 1)");
    }
    MeasuredRun run;
    run.source = label;
    run.kind = kind;
    ROOFLENS_TRY(run.model, r.string(doc, "", "model"));
    ROOFLENS_TRY(run.profile, r.string(doc, "", "profile"));
    ROOFLENS_TRY(MeasuredRun parsed, kind == kKernels ? parseKernels(r, doc, std::move(run))
                                                      : parseWhole(r, doc, std::move(run)));
    if (parsed.points.empty()) {
        return r.error(kind == kKernels ? "/kernels" : "/runs",
                       "no measured layer with OPs and bytes to draw");
    }
    return parsed;
}

Result<MeasuredRun> loadMeasuredRun(const std::filesystem::path& path) {
    ROOFLENS_TRY(const Json doc, parseJsonFile(path));
    return parseMeasuredRun(doc, path.string());
}

void includeMeasured(RooflineChartSpec& spec, const MeasuredRun& run) {
    const AxisRange before = spec.x;
    for (const MeasuredPoint& p : run.points) {
        const double x = p.intensity();
        const double y = p.measuredOpsPerSecond();
        if (!(x > 0) || !(y > 0) || !std::isfinite(x) || !std::isfinite(y)) {
            continue;
        }
        spec.x.min = std::min(spec.x.min, decadeBelow(x / 2));
        spec.x.max = std::max(spec.x.max, decadeAbove(x * 2));
        spec.y.min = std::min(spec.y.min, decadeBelow(y / 2));
        spec.y.max = std::max(spec.y.max, decadeAbove(y * 2));
    }
    // Roofs that ran to an edge run to the new one.
    for (RoofSegment& roof : spec.roofs) {
        if (roof.kind == RoofKind::compute && roof.x1 >= before.max * 0.999) {
            roof.x1 = spec.x.max;
        }
        if (roof.kind == RoofKind::memory && roof.x0 <= before.min * 1.001) {
            roof.x0 = spec.x.min;
            roof.y0 = roof.value * spec.x.min;
        }
    }
}

}  // namespace rooflens::core
