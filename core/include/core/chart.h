#pragma once
// RooflineChartSpec: a Qt-free description of a roofline chart. Core decides what is drawn (roof
// segments per compute ceiling and memory level, ridge points, one point per layer, labels, axis
// ranges); ui/plot draws the spec, in the GUI and headless for `rooflens plot`. The spec is
// golden-tested through serializeChartSpec().
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/analysis.h"
#include "core/hardware.h"
#include "core/workload.h"

namespace rooflens::core {

// One analysed series: the report of one scenario on one device. Pointers must outlive the call
// to buildRooflineChart().
struct ChartInput {
    const Report* report = nullptr;
    const Hardware* hardware = nullptr;
    std::string scenario;  // scenario name; "" is shown as "baseline"
};

// Which compute ceilings are drawn: those the layers run on, or every peak of the device.
enum class CeilingSet : std::uint8_t { used, all };

struct ChartOptions {
    CeilingSet ceilings = CeilingSet::used;
    bool sparseCeilings = false;  // add the 2:4 sparse matrix peaks
    bool onChipLevels = true;     // memory ceilings for on-chip levels that publish a bandwidth
    bool labelAllSeries = false;  // label the points of every series, not only of the first
    // Also the attained rate of each layer's expected time (ops / expected seconds, at or under
    // the roof, as Intel Advisor draws measured points): ChartPoint::expectedOpsPerSecond.
    bool expectedPoints = false;
    std::string title;  // default: "<model> <phase> on <device>"
};

enum class RoofKind : std::uint8_t { compute, memory };

// One straight roof segment in (OP/byte, OP/s). Compute ceilings are horizontal from where they
// meet the fastest memory ceiling to the right edge; memory ceilings are diagonal (y = bw * x)
// from the left edge up to the device's highest compute ceiling.
struct RoofSegment {
    RoofKind kind = RoofKind::compute;
    int device = 0;         // index into RooflineChartSpec::devices
    std::string label;      // "fp16/bf16 matrix 989 TOP/s", "HBM3 3.35 TB/s"
    double value = 0;       // OPs/s (compute) or bytes/s (memory)
    bool measured = false;  // calibrated: drawn solid; datasheet, derived or unverified: dashed
    ExecUnit unit = ExecUnit::matrix;  // compute only
    std::vector<DataType> types;       // compute only: the data types sharing this peak
    bool sparse = false;               // compute only: a 2:4 sparse peak
    std::string level;                 // memory only: the level's name
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// Where main memory's diagonal meets a compute ceiling: the intensity above which a kernel of
// that data type is compute bound.
struct RidgePoint {
    int device = 0;
    std::string label;  // "fp16 matrix / HBM3"
    double intensity = 0;
    double opsPerSecond = 0;
};

// One layer of one series. Layers without OPs or without bytes cannot sit on log axes; they are
// counted in ChartSeries::skippedLayers instead.
struct ChartPoint {
    int series = 0;
    std::size_t layer = 0;  // index into the series' Report::layers / results
    std::string name;       // "blocks.3.q_proj"
    std::string label;      // text drawn beside the point when `labelled` ("q_proj")
    bool labelled = false;  // first point of this operation (at this place) in a labelled series
    LayerKind kind = LayerKind::gemm;
    std::int32_t block = -1;
    std::uint32_t repeat = 1;
    Phase phase = Phase::prefill;
    double intensity = 0;     // x: OPs per byte
    double opsPerSecond = 0;  // y: the attainable rate on the roof
    double ops = 0;           // per instance
    double bytes = 0;         // per instance
    double timeSeconds = 0;   // per instance
    // ChartOptions::expectedPoints: ops / expected seconds (<= opsPerSecond); 0 otherwise.
    double expectedOpsPerSecond = 0;
    double expectedSeconds = 0;  // per instance, with expectedPoints
    Bound bound = Bound::memory;
    std::string boundLabel;  // "compute (fp16 matrix)", "memory (HBM3)"
};

struct ChartSeries {
    std::string label;  // "w4a16 @ NVIDIA H100 SXM5" (device part only when several devices)
    int scenario = 0;   // index into RooflineChartSpec::scenarios: the point shape
    int device = 0;     // index into RooflineChartSpec::devices
    std::size_t skippedLayers = 0;
};

struct ChartDevice {
    std::string id;
    std::string name;
};

struct AxisRange {
    double min = 1;
    double max = 10;
};

struct RooflineChartSpec {
    std::string title;
    std::string xLabel;
    std::string yLabel;
    AxisRange x;  // whole decades, log scale
    AxisRange y;
    std::vector<ChartDevice> devices;
    std::vector<std::string> scenarios;
    std::vector<ChartSeries> series;
    std::vector<RoofSegment> roofs;
    std::vector<RidgePoint> ridges;
    std::vector<ChartPoint> points;  // grouped by series, in layer order
};

// Builds the chart of one or more series. Devices and scenarios are deduplicated by id and name
// in input order. Pure and cheap (linear in the number of layers); the GUI calls it on every
// parameter change, with `threads` > 1 to build the series' points on several threads (the
// spec is the same for any count).
RooflineChartSpec buildRooflineChart(std::span<const ChartInput> inputs,
                                     const ChartOptions& options = {}, unsigned threads = 1);

// Stable JSON text of a spec (numbers rounded to 6 significant digits): the golden-file format.
std::string serializeChartSpec(const RooflineChartSpec& spec);

// Predicted time per layer kind, repeats included: the stacked bars of the time breakdown.
struct KindBreakdown {
    std::array<double, kLayerKindCount> seconds{};
    double totalSeconds = 0;
};
KindBreakdown timeByKind(const Report& report);

}  // namespace rooflens::core
