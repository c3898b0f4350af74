#include "core/analysis.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>

#include "core/deployment.h"

namespace rooflens::core {

namespace {

using D = DataType;

// Wider types a requested math type may run as, in order of preference.
std::span<const DataType> promotionChain(DataType type) {
    static constexpr std::array kSmallInt = {D::int4, D::int8, D::fp16, D::bf16, D::fp32};
    static constexpr std::array kInt = {D::int8, D::fp16, D::bf16, D::fp32};
    static constexpr std::array kNf4 = {D::fp16, D::bf16, D::fp32};
    static constexpr std::array kE4m3 = {D::fp8_e4m3, D::fp16, D::bf16, D::fp32};
    static constexpr std::array kE5m2 = {D::fp8_e5m2, D::fp16, D::bf16, D::fp32};
    static constexpr std::array kFp16 = {D::fp16, D::bf16, D::fp32};
    static constexpr std::array kBf16 = {D::bf16, D::fp16, D::fp32};
    static constexpr std::array kTf32 = {D::tf32, D::fp32};
    static constexpr std::array kFp32 = {D::fp32};
    static constexpr std::array kFp64 = {D::fp64};
    // Plain FP4/FP6 elements fit FP8 exactly (E2M1 and E2M3 in E4M3, E3M2 in E5M2).
    static constexpr std::array kFp4 = {D::fp8_e4m3, D::fp16, D::bf16, D::fp32};
    static constexpr std::array kFp6E3m2 = {D::fp8_e5m2, D::fp8_e4m3, D::fp16, D::bf16, D::fp32};
    // MX blocks widen losslessly into wider MX blocks with the same E8M0 scales, then into bf16
    // (whose exponent range covers E8M0); plain FP8 with a per-tensor scale cannot hold them.
    static constexpr std::array kMxfp4 = {D::mxfp4, D::mxfp6_e2m3, D::mxfp8_e4m3,
                                          D::bf16,  D::fp16,       D::fp32};
    static constexpr std::array kMxfp6E2m3 = {D::mxfp6_e2m3, D::mxfp8_e4m3, D::bf16, D::fp16,
                                              D::fp32};
    static constexpr std::array kMxfp6E3m2 = {D::mxfp6_e3m2, D::mxfp8_e5m2, D::mxfp8_e4m3,
                                              D::bf16,       D::fp16,       D::fp32};
    static constexpr std::array kMxfp8E4m3 = {D::mxfp8_e4m3, D::bf16, D::fp16, D::fp32};
    static constexpr std::array kMxfp8E5m2 = {D::mxfp8_e5m2, D::bf16, D::fp16, D::fp32};
    // An NVFP4 element times its E4M3 scale needs 6 significant bits: exact in 16-bit floats
    // only (not in FP8 or MXFP8), so NVFP4 without NVFP4 units dequantizes to 16 bits.
    static constexpr std::array kNvfp4 = {D::nvfp4, D::fp16, D::bf16, D::fp32};
    switch (type) {
        case D::fp4_e2m1:
        case D::fp6_e2m3:
            return kFp4;
        case D::fp6_e3m2:
            return kFp6E3m2;
        case D::mxfp4:
            return kMxfp4;
        case D::mxfp6_e2m3:
            return kMxfp6E2m3;
        case D::mxfp6_e3m2:
            return kMxfp6E3m2;
        case D::mxfp8_e4m3:
            return kMxfp8E4m3;
        case D::mxfp8_e5m2:
            return kMxfp8E5m2;
        case D::nvfp4:
            return kNvfp4;
        case D::e8m0:
            return kFp32;
        case D::int2:
        case D::int3:
        case D::int4:
            return kSmallInt;
        case D::int5:
        case D::int6:
        case D::int7:
        case D::int8:
            return kInt;
        case D::nf4:
            return kNf4;
        case D::fp8_e4m3:
            return kE4m3;
        case D::fp8_e5m2:
            return kE5m2;
        case D::fp16:
            return kFp16;
        case D::bf16:
            return kBf16;
        case D::tf32:
            return kTf32;
        case D::fp32:
            return kFp32;
        case D::fp64:
            return kFp64;
    }
    return kFp32;
}

bool pick(const PeakTable& table, ExecUnit unit, DataType requested, Execution& out) {
    for (DataType candidate : promotionChain(requested)) {
        const double peak = table.at(candidate);
        if (peak > 0) {
            out = Execution{candidate, unit, candidate != requested, false, peak};
            return true;
        }
    }
    return false;
}

// FlashAttention query-block rows: B_r = min(ceil(M / (4 d)), d) with M the per-SM SRAM in
// elements (FlashAttention-1 tiling, formulas.md section 3.6).
double flashBlockRows(const AttentionShape& shape, const Hardware& hw) {
    if (hw.sramPerCoreBytes <= 0) {
        return shape.headDim;
    }
    const double elements = hw.sramPerCoreBytes / shape.activationBytesPerElement;
    return std::max(1.0, std::min(std::ceil(elements / (4 * shape.headDim)), shape.headDim));
}

constexpr double kConvertOpsPerElement = 2;  // unpack/convert + scale (formulas.md 4.1, 4.6)
constexpr double kEpilogueOpsPerOutput = 2;  // integer GEMM dequantization epilogue (4.2)

bool isMx(DataType type) {
    return isBlockScaled(type) && type != D::nvfp4;
}

// Whether a matrix unit running `math` reads an operand stored as `storage` as it is: the same
// type, or a narrower OCP MX operand of a mixed MX product the layer asked for (mxfp4 weights
// times mxfp8 activations run as one MXFP8 MMA, e.g. Blackwell kind::f8f6f4).
bool consumesNatively(DataType storage, DataType math, DataType requested) {
    return storage == math ||
           (math == requested && isMx(storage) && isMx(math) && bitsOf(storage) <= bitsOf(math));
}

// OPs on the vector units that the execution rule adds to a layer: converting operands stored
// in another type than the math runs in (dequantization), and the integer-GEMM epilogue.
double conversionOps(const Layer& layer, const ByteBreakdown& bytes, DataType math) {
    double ops = 0;
    const bool matrix = layer.kind == LayerKind::gemm || layer.kind == LayerKind::router;
    if (matrix && layer.weightElements > 0 &&
        !consumesNatively(layer.weightType, math, layer.computeType)) {
        ops += kConvertOpsPerElement * layer.weightElements;
    }
    if (matrix && !consumesNatively(layer.activationType, math, layer.computeType)) {
        ops += kConvertOpsPerElement * layer.m * layer.k;
    }
    if (matrix && isInteger(math)) {
        ops += kEpilogueOpsPerOutput * layer.m * layer.n;
    }
    const bool attention = layer.kind == LayerKind::matmul || layer.kind == LayerKind::attention;
    if (attention && bytes.kvRead > 0 && layer.kvType != math) {
        ops += kConvertOpsPerElement * bytes.kvRead / bytesOf(layer.kvType);
    }
    return ops;
}

// The execution rule's verdict per (requested type, unit), resolved once per analysis: models
// have a handful of distinct pairs and a thousand layers.
class ExecutionCache {
public:
    explicit ExecutionCache(const Hardware& hw) : m_hw(hw) {}
    const Execution& at(DataType type, ExecUnit unit) {
        const std::size_t i = indexOf(type) * 2 + (unit == ExecUnit::matrix ? 0 : 1);
        if (!m_known[i]) {
            m_executions[i] = resolveExecution(type, unit, m_hw);
            m_known[i] = true;
        }
        return m_executions[i];
    }

private:
    const Hardware& m_hw;
    std::array<Execution, kDataTypeCount * 2> m_executions{};
    std::array<bool, kDataTypeCount * 2> m_known{};
};

}  // namespace

std::int64_t blockSparseTile(const Hardware& hw) {
    if (!hw.matrixDense.any()) {
        return 0;
    }
    switch (hw.kind) {
        case DeviceKind::gpu:
        case DeviceKind::soc:
            return 16;
        case DeviceKind::tpu:
            return 128;
        case DeviceKind::cpu:
            return 0;
    }
    return 0;
}

bool blockSparseExploited(const Hardware& hw, std::int64_t blockSize) {
    const std::int64_t tile = blockSparseTile(hw);
    return tile > 0 && blockSize >= tile && blockSize % tile == 0;
}

namespace {

void priceLayer(const Layer& layer, const ByteBreakdown& bytes, const Hardware& hw,
                double vectorPeak, ExecutionCache& executions, LayerResult& result) {
    result.bytes = bytes;
    result.execution = executions.at(layer.computeType, layer.unit);
    Execution& e = result.execution;
    if (layer.structuredSparse && e.unit == ExecUnit::matrix &&
        hw.matrixSparse.at(e.mathType) > 0) {
        e.peakOpsPerSecond = hw.matrixSparse.at(e.mathType);  // 2:4 sparse tensor cores
        e.sparse = true;
    }
    if (layer.blockSize > 0 && layer.blockDensity < 1 && e.unit == ExecUnit::matrix &&
        e.peakOpsPerSecond > 0 && blockSparseExploited(hw, layer.blockSize)) {
        e.peakOpsPerSecond /= layer.blockDensity;  // the zero tiles are skipped
        e.sparse = true;
    }
    result.conversionOps = conversionOps(layer, bytes, e.mathType);
    result.ops = layer.ops + result.conversionOps;
    const double total = bytes.total();
    const double bandwidth = hw.memoryBytesPerSecond();
    const double peak = e.peakOpsPerSecond;
    double computeTime = peak > 0 ? layer.ops / peak : 0;
    if (result.conversionOps > 0 && vectorPeak > 0) {
        computeTime += result.conversionOps / vectorPeak;
    }
    const double memoryTime = bandwidth > 0 ? total / bandwidth : 0;
    result.intensity = total > 0 ? result.ops / total : 0;
    result.bound = computeTime > memoryTime ? Bound::compute : Bound::memory;
    result.computeSeconds = computeTime;
    result.memorySeconds = memoryTime;
    result.timeSeconds = std::max(computeTime, memoryTime);
    result.attainableOpsPerSecond = result.timeSeconds > 0 ? result.ops / result.timeSeconds : peak;
}

// The GEMM shape efficiency applies to matrix products with a shape (GEMMs, the router, unfused
// attention matmuls), on whichever unit they run; other layers reach their compute roof.
bool hasGemmShape(const Layer& layer) {
    const bool product = layer.kind == LayerKind::gemm || layer.kind == LayerKind::router ||
                         layer.kind == LayerKind::matmul;
    return product && layer.m > 0 && layer.k > 0 && layer.n > 0;
}

// The expected time of a priced layer from the device's efficiency model: the math (not the
// conversions on the vector units) at the GEMM efficiency of its shape, the bytes at the memory
// efficiency of their amount, plus one kernel's overhead. Without a model it is the roofline
// time exactly.
void priceExpected(const Layer& layer, const Hardware& hw, double vectorPeak,
                   const GatherShape* gather, LayerResult& result) {
    result.expectedComputeSeconds = result.computeSeconds;
    result.expectedMemorySeconds = result.memorySeconds;
    result.expectedSeconds = result.timeSeconds;
    if (!hw.efficiency) {
        return;
    }
    const EfficiencyModel& model = *hw.efficiency;
    const Execution& e = result.execution;
    const double bytes = result.bytes.total();
    // The kernel class's measured efficiency at the bytes this layer moves (issue 14 item 5).
    const MemoryEfficiencyCurve* kind = model.curveFor(layer.kind);
    const double kindEfficiency = kind != nullptr && bytes > 0 ? kind->at(bytes) : 1.0;
    if (hasGemmShape(layer) && e.peakOpsPerSecond > 0) {
        const double conversion =
            result.conversionOps > 0 && vectorPeak > 0 ? result.conversionOps / vectorPeak : 0;
        const double efficiency = model.gemmAt(e.unit, e.mathType, layer.m, layer.k, layer.n);
        result.expectedComputeSeconds = layer.ops / e.peakOpsPerSecond / efficiency + conversion;
    } else if (kind != nullptr) {
        result.expectedComputeSeconds = result.computeSeconds / kindEfficiency;
    }
    if (bytes > 0) {
        result.expectedMemorySeconds =
            result.memorySeconds / (kind != nullptr ? kindEfficiency : model.memoryAt(bytes));
    }
    const double bandwidth = hw.memoryBytesPerSecond();
    if (gather != nullptr && model.gather && bandwidth > 0) {
        // Every gathered row at the measured random-gather rate (issue 14, 7d): the on-chip
        // reuse estimate follows the cache size alone; the gather ceiling is what was measured.
        const double rows = gather->gathers * gather->rowBytes;
        const double rate = bandwidth * model.gather->at(gather->rowBytes);
        const double rest = std::max(0.0, bytes - result.bytes.activationsIn);
        result.expectedMemorySeconds = std::max(
            result.expectedMemorySeconds, rest / bandwidth / model.memoryAt(bytes) + rows / rate);
    }
    const bool kernel = result.ops > 0 || bytes > 0;
    result.overheadSeconds = kernel ? model.kernelOverheadSeconds : 0;
    result.expectedSeconds = std::max(result.expectedComputeSeconds, result.expectedMemorySeconds) +
                             result.overheadSeconds;
}

}  // namespace

std::string_view nameOf(TimeBasis basis) {
    return basis == TimeBasis::expected ? "expected" : "roofline";
}

std::optional<TimeBasis> parseTimeBasis(std::string_view name) {
    for (TimeBasis basis : {TimeBasis::roofline, TimeBasis::expected}) {
        if (nameOf(basis) == name) {
            return basis;
        }
    }
    return std::nullopt;
}

std::string_view nameOf(Bound bound) {
    switch (bound) {
        case Bound::compute:
            return "compute";
        case Bound::memory:
            return "memory";
        case Bound::network:
            return "network";
    }
    return "?";
}

MemoryFootprint requestFootprint(const MemoryFootprint& prefill, const MemoryFootprint& lastStep) {
    MemoryFootprint m = lastStep;
    m.kvCache = std::max(prefill.kvCache, lastStep.kvCache);
    m.activations = std::max(prefill.activations, lastStep.activations);
    return m;
}

std::string_view itemName(ModelFamily family) {
    switch (family) {
        case ModelFamily::llm:
            return "tokens";
        case ModelFamily::vit:
            return "images";
        case ModelFamily::gnn:
            return "passes";
        case ModelFamily::onnx:
            return "samples";
    }
    return "items";
}

double itemsPerPass(ModelFamily family, const RunSettings& settings) {
    const auto batch = static_cast<double>(settings.batch);
    if (family == ModelFamily::gnn) {
        return 1;
    }
    if (family == ModelFamily::llm && settings.phase == Phase::prefill) {
        return batch * static_cast<double>(settings.promptLength);
    }
    return batch;
}

Execution resolveExecution(DataType requested, ExecUnit unit, const Hardware& hw) {
    Execution execution{requested, unit, false, false, 0};
    const bool found = unit == ExecUnit::matrix
                           ? pick(hw.matrixDense, ExecUnit::matrix, requested, execution) ||
                                 pick(hw.vector, ExecUnit::vector, requested, execution)
                           : pick(hw.vector, ExecUnit::vector, requested, execution) ||
                                 pick(hw.matrixDense, ExecUnit::matrix, requested, execution);
    if (!found) {
        execution = Execution{requested, unit, false, false, 0};
    }
    return execution;
}

namespace {

// The bytes of a layer on this device: fused attention re-reads K and V per query block, and a
// gather's rows follow the on-chip reuse estimate.
ByteBreakdown deviceBytes(const Layer& layer, const Workload& workload, const Hardware& hw) {
    ByteBreakdown bytes = layer.bytes;
    if (layer.attentionShape >= 0) {
        const AttentionShape& shape =
            workload.attentionShapes[static_cast<std::size_t>(layer.attentionShape)];
        const double reads = fusedKeyReads(shape, flashBlockRows(shape, hw));
        if (shape.valueDim > 0 || shape.sharedKv) {
            // Separate K and V widths, or one latent tensor for both (MLA).
            const double width =
                shape.sharedKv
                    ? shape.headDim
                    : shape.headDim + (shape.valueDim > 0 ? shape.valueDim : shape.headDim);
            bytes.kvRead = shape.batch * shape.kvHeads * width * shape.kvBytesPerElement * reads;
        } else {
            bytes.kvRead =
                2 * shape.batch * shape.kvHeads * shape.headDim * shape.kvBytesPerElement * reads;
        }
    }
    if (layer.gatherShape >= 0) {
        bytes.activationsIn = gatheredBytes(
            workload.gatherShapes[static_cast<std::size_t>(layer.gatherShape)], hw.onChipBytes());
    }
    return bytes;
}

// Peaks a device lacks for some layers, and matrix layers that fell back to the vector units:
// collected while pricing, reported once per report.
class PeakGaps {
public:
    void record(const Layer& layer, const Execution& e, const Hardware& hw) {
        if (layer.ops > 0 && e.peakOpsPerSecond <= 0) {
            add(m_missing,
                std::string(nameOf(layer.computeType)) + " " + std::string(nameOf(layer.unit)));
        } else if (layer.ops > 0 && layer.unit == ExecUnit::matrix && e.unit == ExecUnit::vector &&
                   hw.matrixDense.any()) {
            add(m_fallbacks, std::string(nameOf(layer.computeType)) + " as " +
                                 std::string(nameOf(e.mathType)) + " vector");
        }
        if (layer.blockSize > 0 && layer.blockDensity < 1 && !e.sparse) {
            add(m_denseBlocks, std::to_string(layer.blockSize));
        }
    }
    void report(Report& report, const Hardware& hw) const {
        if (!m_denseBlocks.empty()) {
            const std::int64_t tile = blockSparseTile(hw);
            report.notes.push_back("block-sparse weights (block " + joined(m_denseBlocks) +
                                   ") run as dense math on " + hw.id + " (" +
                                   (tile > 0 ? "its matrix tile is " + std::to_string(tile) +
                                                   " x " + std::to_string(tile)
                                             : std::string("no matrix tile that skips blocks")) +
                                   "): only the weight bytes shrink");
        }
        if (!m_missing.empty()) {
            report.warnings.push_back("device " + hw.id + " publishes no compute peak for " +
                                      joined(m_missing) +
                                      " (nor a wider type it could run as); those layers' time "
                                      "is memory time only");
        }
        if (!m_fallbacks.empty()) {
            // A choice the execution rule made (fp32 GEMMs on a GPU's CUDA cores), not a defect.
            report.notes.push_back("device " + hw.id +
                                   " publishes no matrix peak for some layers' type or a wider "
                                   "type it could run as; they run on the vector units (" +
                                   joined(m_fallbacks) + ")");
        }
    }

private:
    static void add(std::vector<std::string>& list, std::string what) {
        if (std::find(list.begin(), list.end(), what) == list.end()) {
            list.push_back(std::move(what));
        }
    }
    static std::string joined(const std::vector<std::string>& list) {
        std::string out;
        for (const auto& what : list) {
            out += (out.empty() ? "" : ", ") + what;
        }
        return out;
    }
    std::vector<std::string> m_missing;      // "fp16 matrix", in first-seen order
    std::vector<std::string> m_fallbacks;    // "fp32 as fp32 vector"
    std::vector<std::string> m_denseBlocks;  // block sizes not exploited, "32"
};

// A communication layer waits on its collective: no OPs, no memory traffic of its own.
void priceCollective(const Layer& layer, const Workload& workload, LayerResult& result) {
    result.bytes = layer.bytes;
    result.execution = Execution{DataType::fp16, ExecUnit::vector, false, false, 0};
    result.networkSeconds =
        layer.collective >= 0
            ? collectiveSeconds(workload.collectives[static_cast<std::size_t>(layer.collective)])
            : 0;
    result.timeSeconds = result.networkSeconds;
    result.expectedSeconds = result.networkSeconds;
    result.bound = Bound::network;
}

// Per-stage times and memory of a sharded workload; with overlap a stage takes the longer of its
// compute and its communication, and the pass the sum of its stages. The fullest rank's memory is
// the report's.
void summarizeStages(const Workload& workload, Report& report) {
    if (workload.stages.empty()) {
        return;
    }
    Totals& totals = report.totals;
    double seconds = 0;
    double expectedSeconds = 0;
    bool fits = true;
    const MemoryFootprint* fullest = nullptr;
    for (const Stage& stage : workload.stages) {
        StageResult r{stage.firstBlock, stage.lastBlock, 0, 0, 0, 0, stage.memory, true};
        double expectedBusy = 0;
        for (std::size_t i = stage.firstLayer; i < stage.endLayer; ++i) {
            const double repeat = report.layers[i].repeat;
            const double t = report.results[i].timeSeconds * repeat;
            if (isCommunication(report.layers[i].kind)) {
                r.networkSeconds += t;
            } else {
                r.computeSeconds += t;
                expectedBusy += report.results[i].expectedSeconds * repeat;
            }
        }
        r.seconds = workload.overlapCommunication ? std::max(r.computeSeconds, r.networkSeconds)
                                                  : r.computeSeconds + r.networkSeconds;
        r.expectedSeconds = workload.overlapCommunication ? std::max(expectedBusy, r.networkSeconds)
                                                          : expectedBusy + r.networkSeconds;
        expectedSeconds += r.expectedSeconds;
        r.fitsInMemory = stage.memory.total() <= totals.capacityBytes;
        fits &= r.fitsInMemory;
        seconds += r.seconds;
        if (fullest == nullptr || stage.memory.total() > fullest->total()) {
            fullest = &stage.memory;
        }
        report.stages.push_back(r);
    }
    totals.timeSeconds = seconds;
    totals.expectedSeconds = expectedSeconds;
    totals.memory = *fullest;
    totals.fitsInMemory = fits;
    const double items = itemsPerPass(workload.model.family, workload.settings);
    if (totals.timeSeconds > 0) {
        totals.itemsPerSecond = items / totals.timeSeconds;
    }
    if (totals.expectedSeconds > 0) {
        totals.expectedItemsPerSecond = items / totals.expectedSeconds;
    }
}

void addToTotals(Totals& totals, const Layer& layer, const LayerResult& result, double macs) {
    const double repeat = layer.repeat;
    totals.conversionOps += result.conversionOps * repeat;
    totals.ops += result.ops * repeat;
    totals.macs += macs * repeat;
    totals.bytes += result.bytes.total() * repeat;
    totals.timeSeconds += result.timeSeconds * repeat;
    totals.expectedSeconds += result.expectedSeconds * repeat;
    if (result.bound == Bound::compute) {
        totals.computeBoundSeconds += result.timeSeconds * repeat;
    }
    totals.networkSeconds += result.networkSeconds * repeat;
}

// Prices every layer of `workload` into `report` (whose layers are the workload's).
void priceLayers(const Workload& workload, const Hardware& hw, Report& report) {
    Totals& totals = report.totals;
    PeakGaps gaps;
    const double vectorPeak =
        resolveExecution(DataType::fp16, ExecUnit::vector, hw).peakOpsPerSecond;
    ExecutionCache executions(hw);
    report.results.reserve(workload.layers.size());
    for (const Layer& layer : workload.layers) {
        LayerResult& result = report.results.emplace_back();
        result.phase = workload.settings.phase;
        if (isCommunication(layer.kind)) {
            priceCollective(layer, workload, result);
            addToTotals(totals, layer, result, 0);
            continue;
        }
        priceLayer(layer, deviceBytes(layer, workload, hw), hw, vectorPeak, executions, result);
        const GatherShape* gather =
            layer.gatherShape >= 0
                ? &workload.gatherShapes[static_cast<std::size_t>(layer.gatherShape)]
                : nullptr;
        priceExpected(layer, hw, vectorPeak, gather, result);
        gaps.record(layer, result.execution, hw);
        addToTotals(totals, layer, result, matrixMacs(layer, workload));
    }
    if (totals.timeSeconds > 0) {
        totals.itemsPerSecond =
            itemsPerPass(workload.model.family, workload.settings) / totals.timeSeconds;
        totals.itemsPerSecondPerDevice = totals.itemsPerSecond / std::max(1, workload.devices);
    }
    if (totals.expectedSeconds > 0) {
        totals.expectedItemsPerSecond =
            itemsPerPass(workload.model.family, workload.settings) / totals.expectedSeconds;
    }
    gaps.report(report, hw);
    totals.memory = workload.memory;
    totals.capacityBytes = hw.memoryCapacityBytes();
    totals.fitsInMemory = totals.memory.total() <= totals.capacityBytes;
}

Report reportHeader(const Workload& workload, const Hardware& hw) {
    Report report;
    report.model = workload.model;
    report.settings = workload.settings;
    report.hardwareId = hw.id;
    report.hardwareName = hw.name;
    report.scenario = workload.scenario;
    report.bits = workload.bits;
    report.warnings = workload.warnings;
    report.notes = workload.notes;
    report.collectives = workload.collectives;
    report.efficiency =
        hw.efficiency ? std::string(nameOf(hw.efficiency->origin)) : std::string("none");
    return report;
}

}  // namespace

Report analyze(const Workload& workload, const Hardware& hw, const AnalysisOptions& options) {
    Report report = reportHeader(workload, hw);
    report.timeBasis = options.timeBasis;
    report.layers = workload.layers;
    priceLayers(workload, hw, report);
    summarizeStages(workload, report);
    summarizeSparseAttention(workload, report);
    return report;
}

Report analyze(Workload&& workload, const Hardware& hw, const AnalysisOptions& options) {
    Report report = reportHeader(workload, hw);
    report.timeBasis = options.timeBasis;
    priceLayers(workload, hw, report);
    report.layers = std::move(workload.layers);
    summarizeStages(workload, report);
    summarizeSparseAttention(workload, report);
    return report;
}

}  // namespace rooflens::core
