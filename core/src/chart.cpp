#include "core/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/units.h"
#include "parallel.h"

namespace rooflens::core {

namespace {

// Points of one operation closer than this (in decades on both axes) share one label.
constexpr double kSamePlaceDecades = 0.1;

struct Ceiling {
    ExecUnit unit = ExecUnit::matrix;
    bool sparse = false;
    double value = 0;
    std::vector<DataType> types;
    bool measured = true;
};

bool provenanceMeasured(const Hardware& hw, const std::string& path) {
    for (const auto& entry : hw.provenance) {
        if (entry.jsonPath == path) {
            return entry.status == Provenance::measured;
        }
    }
    return false;
}

bool peakMeasured(const Hardware& hw, ExecUnit unit, DataType type, bool sparse) {
    const std::string prefix = std::string("/compute/") + std::string(nameOf(unit)) + "/";
    const std::string suffix = sparse ? "/sparse_2_4" : "/dense";
    if (provenanceMeasured(hw, prefix + std::string(nameOf(type)) + suffix)) {
        return true;
    }
    // Device-file keys that set several types: fp8 (with its MXFP8 block scales), fp6, fp4.
    const auto element = blockScalingOf(type) ? blockScalingOf(type)->element : type;
    const char* key = element == DataType::fp8_e4m3 || element == DataType::fp8_e5m2   ? "fp8"
                      : element == DataType::fp6_e2m3 || element == DataType::fp6_e3m2 ? "fp6"
                      : element == DataType::fp4_e2m1                                  ? "fp4"
                                                                                       : nullptr;
    return key != nullptr && provenanceMeasured(hw, prefix + key + suffix);
}

const PeakTable& tableOf(const Hardware& hw, ExecUnit unit, bool sparse) {
    if (unit == ExecUnit::vector) {
        return hw.vector;
    }
    return sparse ? hw.matrixSparse : hw.matrixDense;
}

std::string typeNames(const std::vector<DataType>& types) {
    // Two variants sharing a peak are named once: fp8, mxfp8, fp6, mxfp6.
    struct Pair {
        DataType first;
        DataType second;
        const char* name;
    };
    static constexpr Pair kPairs[] = {{DataType::fp8_e4m3, DataType::fp8_e5m2, "fp8"},
                                      {DataType::mxfp8_e4m3, DataType::mxfp8_e5m2, "mxfp8"},
                                      {DataType::fp6_e2m3, DataType::fp6_e3m2, "fp6"},
                                      {DataType::mxfp6_e2m3, DataType::mxfp6_e3m2, "mxfp6"}};
    auto has = [&](DataType t) { return std::find(types.begin(), types.end(), t) != types.end(); };
    std::vector<std::string> names;
    for (DataType type : types) {
        std::string name(nameOf(type));
        bool skip = false;
        for (const auto& pair : kPairs) {
            if (has(pair.first) && has(pair.second)) {
                skip = skip || type == pair.second;
                name = type == pair.first ? pair.name : name;
            }
        }
        if (!skip) {
            names.push_back(std::move(name));
        }
    }
    std::string out;
    for (const auto& name : names) {
        out += (out.empty() ? "" : "/") + name;
    }
    return out;
}

std::string ceilingName(const Ceiling& c) {
    return typeNames(c.types) + " " + std::string(nameOf(c.unit)) + (c.sparse ? " 2:4 sparse" : "");
}

// Groups the requested (unit, type) peaks of one table by equal value.
void addCeilings(const Hardware& hw, ExecUnit unit, bool sparse, const std::set<DataType>& wanted,
                 std::vector<Ceiling>& out) {
    const PeakTable& table = tableOf(hw, unit, sparse);
    std::vector<Ceiling> grouped;
    for (DataType type : kAllDataTypes) {
        const double value = table.at(type);
        if (value <= 0 || wanted.count(type) == 0) {
            continue;
        }
        auto it = std::find_if(grouped.begin(), grouped.end(),
                               [&](const Ceiling& c) { return c.value == value; });
        if (it == grouped.end()) {
            grouped.push_back(Ceiling{unit, sparse, value, {}, true});
            it = grouped.end() - 1;
        }
        it->types.push_back(type);
        it->measured = it->measured && peakMeasured(hw, unit, type, sparse);
    }
    out.insert(out.end(), grouped.begin(), grouped.end());
}

std::vector<Ceiling> computeCeilings(const Hardware& hw, const std::set<DataType>& usedMatrix,
                                     const std::set<DataType>& usedVector,
                                     const ChartOptions& options) {
    std::set<DataType> all(kAllDataTypes.begin(), kAllDataTypes.end());
    const bool everything = options.ceilings == CeilingSet::all;
    std::vector<Ceiling> out;
    addCeilings(hw, ExecUnit::matrix, false, everything ? all : usedMatrix, out);
    if (options.sparseCeilings) {
        addCeilings(hw, ExecUnit::matrix, true, everything ? all : usedMatrix, out);
    }
    addCeilings(hw, ExecUnit::vector, false, everything ? all : usedVector, out);
    std::stable_sort(out.begin(), out.end(),
                     [](const Ceiling& a, const Ceiling& b) { return a.value > b.value; });
    return out;
}

double decadeBelow(double v) {
    return std::pow(10.0, std::floor(std::log10(v) + 1e-9));
}

double decadeAbove(double v) {
    return std::pow(10.0, std::ceil(std::log10(v) - 1e-9));
}

// Whole decades around [lo, hi] with a margin, at least `decades` wide.
AxisRange decadeRange(double lo, double hi, int decades) {
    AxisRange range{decadeBelow(lo / 2), decadeAbove(hi * 2)};
    bool growUp = true;
    while (range.max / range.min < std::pow(10.0, decades) * 0.999) {
        if (growUp) {
            range.max *= 10;
        } else {
            range.min /= 10;
        }
        growUp = !growUp;
    }
    return range;
}

std::string defaultTitle(std::span<const ChartInput> inputs, std::size_t deviceCount) {
    const Report& report = *inputs.front().report;
    const RunSettings& s = report.settings;
    std::string title = report.model.id + " " + std::string(nameOf(s.phase));
    std::string details = "batch " + std::to_string(s.batch);
    if (report.model.family == ModelFamily::gnn) {
        title = report.model.id + " inference";  // one pass over the graph: no batch, tokens
        details.clear();
    } else if (report.model.family == ModelFamily::onnx) {
        // An imported graph's shapes come from the file (the settings fill only its symbolic
        // dimensions): no phase, no token count that may not apply.
        title = report.model.id + " forward pass";
        details.clear();
    } else if (report.model.family == ModelFamily::vit) {
        title = report.model.id + " forward pass";
        if (s.promptLength > 0) {
            details += ", " + std::to_string(s.promptLength) + " tokens per image";
        }
    } else if (s.phase == Phase::prefill && s.promptLength > 0) {
        details += ", " + std::to_string(s.promptLength) + " tokens";
    } else if (s.phase == Phase::decode && s.contextLength > 0) {
        details += ", context " + std::to_string(s.contextLength);
    } else if (s.phase == Phase::request) {
        details += ", " + std::to_string(s.promptLength) + " + " +
                   std::to_string(s.generateLength) + " tokens";
    }
    if (!details.empty()) {
        title += " (" + details + ")";
    }
    // One compressed scenario on its own: name it, as no legend entry will.
    bool single = true;
    for (const auto& input : inputs) {
        single = single && input.scenario == inputs.front().scenario;
    }
    if (single && !inputs.front().scenario.empty() && inputs.front().scenario != "baseline") {
        title += ", " + inputs.front().scenario;
    }
    if (deviceCount == 1) {
        title += " on " + report.hardwareName;
    } else {
        title += " on " + std::to_string(deviceCount) + " devices";
    }
    return title;
}

double round6(double v) {
    if (!std::isfinite(v) || v == 0) {
        return v;
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", v);
    return std::strtod(buffer, nullptr);
}

// Deduplicates devices (by id) and scenarios (by name) in input order and adds one series per
// usable input; `hardware` gets the device of each entry of spec.devices.
void collectSeries(std::span<const ChartInput> inputs, RooflineChartSpec& spec,
                   std::vector<const Hardware*>& hardware) {
    for (const auto& input : inputs) {
        if (input.report == nullptr || input.hardware == nullptr) {
            continue;
        }
        auto device =
            std::find_if(spec.devices.begin(), spec.devices.end(),
                         [&](const ChartDevice& d) { return d.id == input.hardware->id; });
        if (device == spec.devices.end()) {
            spec.devices.push_back({input.hardware->id, input.hardware->name});
            hardware.push_back(input.hardware);
            device = spec.devices.end() - 1;
        }
        const std::string scenarioName = input.scenario.empty() ? "baseline" : input.scenario;
        auto scenario = std::find(spec.scenarios.begin(), spec.scenarios.end(), scenarioName);
        if (scenario == spec.scenarios.end()) {
            spec.scenarios.push_back(scenarioName);
            scenario = spec.scenarios.end() - 1;
        }
        ChartSeries series;
        series.device = static_cast<int>(device - spec.devices.begin());
        series.scenario = static_cast<int>(scenario - spec.scenarios.begin());
        series.label = scenarioName;
        spec.series.push_back(series);
    }
}

// The (unit, math type) pairs the layers of each device execute on: their ceilings are drawn.
struct UsedTypes {
    std::vector<std::set<DataType>> matrix;  // per device
    std::vector<std::set<DataType>> vector;
};

// Labelled positions per operation: a repeated op is labelled again only where it sits
// elsewhere (GNN layers of different widths, Swin stages), not once per block.
using LabelPlaces =
    std::map<std::pair<std::string_view, Phase>, std::vector<std::pair<double, double>>>;

bool claimLabel(LabelPlaces& seen, const Layer& layer, const LayerResult& result) {
    auto& places = seen[{layer.op, result.phase}];
    const double lx = std::log10(result.intensity);
    const double ly = std::log10(result.attainableOpsPerSecond);
    const bool free = std::none_of(places.begin(), places.end(), [&](const auto& p) {
        return std::fabs(p.first - lx) < kSamePlaceDecades &&
               std::fabs(p.second - ly) < kSamePlaceDecades;
    });
    if (free) {
        places.emplace_back(lx, ly);
    }
    return free;
}

// "compute (fp16 matrix)" or "memory (HBM3)": a handful of distinct texts per series, built
// once each rather than once per point (the GUI builds the spec on every parameter change).
class BoundLabels {
public:
    explicit BoundLabels(std::string memoryName) : m_memory("memory (" + memoryName + ")") {}
    const std::string& of(const LayerResult& result) {
        if (result.bound != Bound::compute) {
            return m_memory;
        }
        const Execution& e = result.execution;
        for (const auto& [type, unit, text] : m_compute) {
            if (type == e.mathType && unit == e.unit) {
                return text;
            }
        }
        m_compute.push_back({e.mathType, e.unit,
                             "compute (" + std::string(nameOf(e.mathType)) + " " +
                                 std::string(nameOf(e.unit)) + ")"});
        return std::get<2>(m_compute.back());
    }

private:
    std::string m_memory;
    std::vector<std::tuple<DataType, ExecUnit, std::string>> m_compute;
};

ChartPoint makePoint(const Report& report, std::size_t i, BoundLabels& bounds) {
    const Layer& layer = report.layers[i];
    const LayerResult& result = report.results[i];
    ChartPoint point;
    point.layer = i;
    point.name = layer.name();
    point.label = layer.op;
    if (report.settings.phase == Phase::request && result.phase == Phase::decode) {
        point.label += " (decode)";
    }
    point.kind = layer.kind;
    point.block = layer.block;
    point.repeat = layer.repeat;
    point.phase = result.phase;
    point.intensity = result.intensity;
    point.opsPerSecond = result.attainableOpsPerSecond;
    point.ops = result.ops;
    point.bytes = result.bytes.total();
    point.timeSeconds = result.timeSeconds;
    point.bound = result.bound;
    point.boundLabel = bounds.of(result);
    return point;
}

// A layer is drawn when it has OPs, bytes and a rate; the others are counted as skipped.
bool drawable(const LayerResult& result) {
    return result.ops > 0 && result.bytes.total() > 0 && result.attainableOpsPerSecond > 0;
}

std::size_t drawableLayers(const Report& report) {
    const std::size_t n = std::min(report.layers.size(), report.results.size());
    return static_cast<std::size_t>(std::count_if(
        report.results.begin(), report.results.begin() + static_cast<std::ptrdiff_t>(n), drawable));
}

// The (unit, math type) pairs one series' layers run on: their ceilings are drawn.
struct SeriesTypes {
    std::set<DataType> matrix;
    std::set<DataType> vector;
};

// Writes the points of series `seriesIndex` into `out` (its drawableLayers() slots). The series
// are independent, so they are built in parallel, each into its own slice of the spec's points.
SeriesTypes writeSeriesPoints(const ChartInput& input, int seriesIndex, bool labelled,
                              bool expected, std::span<ChartPoint> out) {
    SeriesTypes types;
    const Report& report = *input.report;
    const Hardware& hw = *input.hardware;
    LabelPlaces seen;
    BoundLabels bounds(hw.memory.empty() ? "memory" : hw.mainMemory().name);
    std::size_t next = 0;
    for (std::size_t i = 0; i < report.layers.size() && i < report.results.size(); ++i) {
        const LayerResult& result = report.results[i];
        if (!drawable(result)) {
            continue;
        }
        ChartPoint& point = out[next++];
        point = makePoint(report, i, bounds);
        point.series = seriesIndex;
        point.labelled = labelled && claimLabel(seen, report.layers[i], result);
        if (expected && result.expectedSeconds > 0) {
            point.expectedSeconds = result.expectedSeconds;
            point.expectedOpsPerSecond =
                std::min(point.opsPerSecond, result.ops / result.expectedSeconds);
        }
        const Execution& e = result.execution;
        if (e.peakOpsPerSecond > 0) {
            (e.unit == ExecUnit::matrix ? types.matrix : types.vector).insert(e.mathType);
        }
    }
    return types;
}

// Ceilings and ridges per device; the axis ranges cover points, ridges and ceilings.
std::vector<std::vector<Ceiling>> addRidgesAndAxes(const std::vector<const Hardware*>& hardware,
                                                   const UsedTypes& used,
                                                   const ChartOptions& options,
                                                   RooflineChartSpec& spec) {
    std::vector<std::vector<Ceiling>> ceilings(spec.devices.size());
    double xLo = HUGE_VAL, xHi = 0, yLo = HUGE_VAL, yHi = 0;
    for (const auto& point : spec.points) {
        xLo = std::min(xLo, point.intensity);
        xHi = std::max(xHi, point.intensity);
        yLo = std::min(
            yLo, point.expectedOpsPerSecond > 0 ? point.expectedOpsPerSecond : point.opsPerSecond);
        yHi = std::max(yHi, point.opsPerSecond);
    }
    for (std::size_t d = 0; d < spec.devices.size(); ++d) {
        const Hardware& hw = *hardware[d];
        ceilings[d] = computeCeilings(hw, used.matrix[d], used.vector[d], options);
        const double bandwidth = hw.memory.empty() ? 0 : hw.memoryBytesPerSecond();
        for (const auto& c : ceilings[d]) {
            yHi = std::max(yHi, c.value);
            if (bandwidth > 0) {
                RidgePoint ridge;
                ridge.device = static_cast<int>(d);
                ridge.label = ceilingName(c) + " / " + hw.mainMemory().name;
                ridge.intensity = c.value / bandwidth;
                ridge.opsPerSecond = c.value;
                xLo = std::min(xLo, ridge.intensity);
                xHi = std::max(xHi, ridge.intensity);
                spec.ridges.push_back(ridge);
            }
        }
    }
    if (xHi > 0) {
        spec.x = decadeRange(xLo, xHi, 4);
    }
    if (yHi > 0) {
        spec.y = decadeRange(std::isfinite(yLo) ? yLo : yHi / 1e3, yHi, 3);
    }
    return ceilings;
}

// Horizontal compute roofs from where they meet the fastest memory level to the right edge.
void addComputeRoofs(const Hardware& hw, int device, const std::vector<Ceiling>& ceilings,
                     RooflineChartSpec& spec) {
    double fastest = 0;
    for (const auto& level : hw.memory) {
        fastest = std::max(fastest, level.bytesPerSecond);
    }
    for (const auto& c : ceilings) {
        RoofSegment roof;
        roof.kind = RoofKind::compute;
        roof.device = device;
        roof.value = c.value;
        roof.measured = c.measured;
        roof.unit = c.unit;
        roof.types = c.types;
        roof.sparse = c.sparse;
        roof.label = ceilingName(c) + " " + formatSi(c.value, "OP/s");
        roof.x0 = fastest > 0 ? std::max(spec.x.min, c.value / fastest) : spec.x.min;
        roof.x1 = spec.x.max;
        roof.y0 = roof.y1 = c.value;
        spec.roofs.push_back(std::move(roof));
    }
}

// Diagonal memory roofs from the left edge up to the device's highest compute ceiling.
void addMemoryRoofs(const Hardware& hw, int device, double topPeak, const ChartOptions& options,
                    RooflineChartSpec& spec) {
    for (std::size_t i = 0; i < hw.memory.size(); ++i) {
        const MemoryLevel& level = hw.memory[i];
        const bool main = i + 1 == hw.memory.size();
        if (level.bytesPerSecond <= 0 || (!options.onChipLevels && !main)) {
            continue;
        }
        RoofSegment roof;
        roof.kind = RoofKind::memory;
        roof.device = device;
        roof.value = level.bytesPerSecond;
        roof.measured = level.measured;
        roof.level = level.name;
        roof.label = level.name + " " + formatSi(level.bytesPerSecond, "B/s");
        roof.x0 = spec.x.min;
        roof.y0 = level.bytesPerSecond * spec.x.min;
        roof.x1 = std::min(spec.x.max, topPeak / level.bytesPerSecond);
        roof.y1 = level.bytesPerSecond * roof.x1;
        spec.roofs.push_back(std::move(roof));
    }
}

}  // namespace

RooflineChartSpec buildRooflineChart(std::span<const ChartInput> inputs,
                                     const ChartOptions& options, unsigned threads) {
    RooflineChartSpec spec;
    spec.xLabel = "Arithmetic intensity [OP/byte]";
    spec.yLabel = "Performance [OP/s]";
    spec.x = {0.1, 1e4};
    spec.y = {1e9, 1e15};

    std::vector<const Hardware*> hardware;
    collectSeries(inputs, spec, hardware);
    if (spec.series.empty()) {
        spec.title = options.title;
        return spec;
    }
    if (spec.devices.size() > 1) {
        for (auto& series : spec.series) {
            series.label += " @ " + spec.devices[static_cast<std::size_t>(series.device)].name;
        }
    }
    spec.title = options.title.empty() ? defaultTitle(inputs, spec.devices.size()) : options.title;

    UsedTypes used{std::vector<std::set<DataType>>(spec.devices.size()),
                   std::vector<std::set<DataType>>(spec.devices.size())};
    std::vector<const ChartInput*> drawn;  // per series
    for (const auto& input : inputs) {
        if (input.report != nullptr && input.hardware != nullptr) {
            drawn.push_back(&input);
        }
    }
    std::vector<std::size_t> first(drawn.size() + 1, 0);  // each series' slice of the points
    for (std::size_t s = 0; s < drawn.size(); ++s) {
        const std::size_t layers =
            std::min(drawn[s]->report->layers.size(), drawn[s]->report->results.size());
        const std::size_t points = drawableLayers(*drawn[s]->report);
        spec.series[s].skippedLayers = layers - points;
        first[s + 1] = first[s] + points;
    }
    spec.points.resize(first.back());
    std::vector<SeriesTypes> types(drawn.size());
    auto build = [&](std::size_t s) {
        types[s] =
            writeSeriesPoints(*drawn[s], static_cast<int>(s), options.labelAllSeries || s == 0,
                              options.expectedPoints,
                              std::span(spec.points).subspan(first[s], first[s + 1] - first[s]));
    };
    if (threads <= 1 || drawn.size() < 2) {
        for (std::size_t s = 0; s < drawn.size(); ++s) {
            build(s);
        }
    } else {
        const auto built = forEachParallel(
            drawn.size(), threads,
            [&](std::size_t s) -> Result<std::size_t> {
                build(s);
                return std::size_t{1};
            },
            {}, nullptr);
        if (!built) {  // a worker's exception (out of memory), as the serial loop would throw it
            throw std::runtime_error(built.error().message);
        }
    }
    for (std::size_t s = 0; s < drawn.size(); ++s) {
        const auto device = static_cast<std::size_t>(spec.series[s].device);
        used.matrix[device].merge(types[s].matrix);
        used.vector[device].merge(types[s].vector);
    }

    const auto ceilings = addRidgesAndAxes(hardware, used, options, spec);
    for (std::size_t d = 0; d < spec.devices.size(); ++d) {
        const int device = static_cast<int>(d);
        const double topPeak = ceilings[d].empty() ? spec.y.max : ceilings[d].front().value;
        addComputeRoofs(*hardware[d], device, ceilings[d], spec);
        addMemoryRoofs(*hardware[d], device, topPeak, options, spec);
    }
    return spec;
}

std::string serializeChartSpec(const RooflineChartSpec& spec) {
    using J = nlohmann::ordered_json;
    J doc;
    doc["title"] = spec.title;
    doc["x_label"] = spec.xLabel;
    doc["y_label"] = spec.yLabel;
    doc["x_range_ops_per_byte"] = {round6(spec.x.min), round6(spec.x.max)};
    doc["y_range_ops_per_second"] = {round6(spec.y.min), round6(spec.y.max)};
    J devices = J::array();
    for (const auto& d : spec.devices) {
        devices.push_back({{"id", d.id}, {"name", d.name}});
    }
    doc["devices"] = devices;
    doc["scenarios"] = spec.scenarios;
    J series = J::array();
    for (const auto& s : spec.series) {
        series.push_back({{"label", s.label},
                          {"scenario", s.scenario},
                          {"device", s.device},
                          {"skipped_layers", s.skippedLayers}});
    }
    doc["series"] = series;
    J roofs = J::array();
    for (const auto& r : spec.roofs) {
        J roof = {{"kind", r.kind == RoofKind::compute ? "compute" : "memory"},
                  {"device", r.device},
                  {"label", r.label},
                  {"value", round6(r.value)},
                  {"measured", r.measured}};
        if (r.kind == RoofKind::compute) {
            J types = J::array();
            for (auto type : r.types) {
                types.push_back(std::string(nameOf(type)));
            }
            roof["unit"] = std::string(nameOf(r.unit));
            roof["types"] = types;
            roof["sparse"] = r.sparse;
        } else {
            roof["level"] = r.level;
        }
        roof["from"] = {round6(r.x0), round6(r.y0)};
        roof["to"] = {round6(r.x1), round6(r.y1)};
        roofs.push_back(roof);
    }
    doc["roofs"] = roofs;
    J ridges = J::array();
    for (const auto& r : spec.ridges) {
        ridges.push_back({{"device", r.device},
                          {"label", r.label},
                          {"intensity_ops_per_byte", round6(r.intensity)},
                          {"ops_per_second", round6(r.opsPerSecond)}});
    }
    doc["ridges"] = ridges;
    J points = J::array();
    for (const auto& p : spec.points) {
        J point = {{"series", p.series},
                   {"layer", p.layer},
                   {"name", p.name},
                   {"kind", std::string(nameOf(p.kind))},
                   {"intensity_ops_per_byte", round6(p.intensity)},
                   {"ops_per_second", round6(p.opsPerSecond)},
                   {"ops", round6(p.ops)},
                   {"bytes", round6(p.bytes)},
                   {"time_seconds", round6(p.timeSeconds)},
                   {"bound", p.boundLabel}};
        if (p.labelled) {
            point["label"] = p.label;
        }
        if (p.expectedOpsPerSecond > 0) {
            point["expected_ops_per_second"] = round6(p.expectedOpsPerSecond);
            point["expected_seconds"] = round6(p.expectedSeconds);
        }
        points.push_back(point);
    }
    doc["points"] = points;
    return doc.dump(2) + "\n";
}

KindBreakdown timeByKind(const Report& report) {
    KindBreakdown out;
    for (std::size_t i = 0; i < report.layers.size() && i < report.results.size(); ++i) {
        const double seconds = report.results[i].timeSeconds * report.layers[i].repeat;
        out.seconds[static_cast<std::size_t>(report.layers[i].kind)] += seconds;
        out.totalSeconds += seconds;
    }
    return out;
}

}  // namespace rooflens::core
