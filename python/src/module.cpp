// rooflens._core: the extension module under `import rooflens` (python/rooflens/__init__.py
// wraps it with keyword arguments). Reports are engine objects turned into dicts of the
// documented JSON schema by the engine's writer on demand; charts are core/chart.h specs.
#include <cstdio>

#include <pybind11/stl.h>
#include <nlohmann/json.hpp>

#include "core/chart.h"
#include "core/chart_theme.h"
#include "core/platform.h"
#include "core/report_io.h"
#include "py_common.h"

namespace rooflens::python {

namespace {

void setPythonError(const core::Error& error) {
    static const char* const kClasses[] = {"UsageError", "BadInputError", "RunFailedError"};
    const py::object errors = py::module_::import("rooflens.errors");
    const py::object type = errors.attr(kClasses[static_cast<int>(error.kind)]);
    PyErr_SetString(type.ptr(), error.message.c_str());
}

std::string renderText(const Report& r, const std::string& format) {
    const auto parsed = core::parseReportFormat(format);
    if (!parsed) {
        raise(core::usageError("--format: expected table|json|csv|md, got '" + format + "'"));
    }
    return core::renderReport(*r.report, *parsed);
}

void registerReport(py::module_& m) {
    py::class_<Report>(m, "Report")
        .def("to_dict", [](const Report& r) { return toPython(core::reportJson(*r.report)); })
        .def("text", &renderText, py::arg("format") = "table")
        .def_property_readonly("scenario", [](const Report& r) { return r.scenario; })
        .def_property_readonly("device", [](const Report& r) { return Device{r.hardware}; })
        .def_property_readonly("time_s",
                               [](const Report& r) { return r.report->totals.timeSeconds; })
        .def_property_readonly("layer_count",
                               [](const Report& r) { return r.report->layers.size(); });
}

core::ChartOptions chartOptions(const std::string& ceilings, bool sparse, bool onChip,
                                bool labelAll, const std::string& title, bool expected) {
    core::ChartOptions options;
    if (ceilings != "used" && ceilings != "all") {
        raise(core::usageError("--ceilings: expected used|all, got '" + ceilings + "'"));
    }
    options.ceilings = ceilings == "all" ? core::CeilingSet::all : core::CeilingSet::used;
    options.sparseCeilings = sparse;
    options.onChipLevels = onChip;
    options.labelAllSeries = labelAll;
    options.title = title;
    options.expectedPoints = expected;
    return options;
}

py::object chart(const std::vector<Report>& reports, const std::string& ceilings, bool sparse,
                 bool onChip, bool labelAll, const std::string& title, bool expected) {
    if (reports.empty()) {
        raise(core::usageError("a chart needs at least one report"));
    }
    const core::ChartOptions options =
        chartOptions(ceilings, sparse, onChip, labelAll, title, expected);
    std::vector<core::ChartInput> inputs;
    for (const Report& r : reports) {
        inputs.push_back(core::ChartInput{r.report.get(), r.hardware.get(), r.scenario});
    }
    const std::string text = core::serializeChartSpec(core::buildRooflineChart(inputs, options));
    return toPython(core::Json::parse(text));
}

std::string hex(std::uint32_t rgb) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "#%06x", rgb & 0xffffffU);
    return buffer;
}

py::dict palette(bool dark) {
    const core::ChartPalette& p = dark ? core::kDarkChartPalette : core::kLightChartPalette;
    py::dict out;
    out["dark"] = p.dark;
    out["background"] = hex(p.background);
    out["foreground"] = hex(p.foreground);
    out["grid"] = hex(p.grid);
    out["sub_grid"] = hex(p.subGrid);
    out["legend_background"] = hex(p.legendBackground);
    out["legend_alpha"] = p.legendAlpha / 255.0;
    py::dict kinds;
    for (std::size_t i = 0; i < p.kinds.size(); ++i) {
        kinds[py::str(std::string(core::nameOf(static_cast<core::LayerKind>(i))))] =
            hex(p.kinds[i]);
    }
    out["kinds"] = kinds;
    py::list series;
    for (const auto c : p.series) {
        series.append(hex(c));
    }
    out["series"] = series;
    out["memory_roof_width"] = core::kMemoryRoofWidth;
    out["compute_roof_width"] = core::kComputeRoofWidth;
    return out;
}

}  // namespace

}  // namespace rooflens::python

PYBIND11_MODULE(_core, m) {
    namespace rp = rooflens::python;
    m.doc() = "Rooflens engine bindings; use the rooflens package, not this module";
    pybind11::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) {
                std::rethrow_exception(p);
            }
        } catch (const rooflens::core::Error& error) {
            rp::setPythonError(error);
        }
    });
    m.attr("report_schema_version") = rooflens::core::kReportSchemaVersion;
    rp::registerObjects(m);
    rp::registerEvaluate(m);
    rp::registerReport(m);
    m.def("chart", &rp::chart, pybind11::arg("reports"), pybind11::arg("ceilings") = "used",
          pybind11::arg("sparse") = false, pybind11::arg("on_chip") = true,
          pybind11::arg("label_all") = false, pybind11::arg("title") = "",
          pybind11::arg("expected") = false);
    m.def("palette", &rp::palette, pybind11::arg("dark") = false);
    m.def("configure_allocator", &rooflens::core::configureProcessAllocator);
}
