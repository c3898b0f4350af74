// Compression paths beside the compressed tensors: Sub-MoE expert merging, EoRA low-rank
// compensation, GEAR's KV residual and its decode-time reconstruction, Energon's dynamic sparse
// attention (docs/scenarios.md has each formula and its paper).
#include "compression_paths.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/analysis.h"
#include "core/units.h"

namespace rooflens::core {

namespace {

std::string integerText(double value) {
    return std::to_string(static_cast<long long>(std::llround(value)));
}

// Errors at apply time name the scenario's file (or label) and the field, as parse errors do.
JsonReader locate(const Scenario& s) {
    return JsonReader(s.source.label.empty() ? "scenario '" + s.name + "'" : s.source.label);
}

bool isExpertGemm(const Layer& layer) {
    return layer.kind == LayerKind::gemm && layer.weightElements > 0 &&
           layer.op.rfind("experts.", 0) == 0;
}

bool isExpertTensor(const WeightTensor& t) {
    return t.elements > 0 && t.op.rfind("experts.", 0) == 0;
}

// An expert GEMM as [pairs x k] x [k x r] per merged expert, then [pairs x r] x [r x n] on the
// layer's shared basis. `touched` = merged experts touched.
std::pair<Layer, Layer> splitOnBasis(const Layer& layer, double touched, double rank,
                                     double otherBytes, double b) {
    Layer own = layer;
    own.op = internName(std::string(layer.op) + ".sub_expert");
    own.n = rank;
    own.weightElements = touched * layer.k * rank;
    own.ops = 2 * layer.m * layer.k * rank;
    own.bytes = {};
    own.bytes.weights = own.weightElements * b;
    own.bytes.activationsIn = layer.bytes.activationsIn;
    own.bytes.activationsOut = layer.m * rank * b;
    Layer basis = layer;
    basis.op = internName(std::string(layer.op) + ".sub_basis");
    basis.k = rank;
    basis.weightElements = rank * layer.n;
    basis.ops = 2 * layer.m * rank * layer.n + (layer.ops - 2 * layer.m * layer.k * layer.n);
    basis.bytes = layer.bytes;
    basis.bytes.weights = basis.weightElements * b + otherBytes;
    basis.bytes.activationsIn = layer.m * rank * b;
    return {own, basis};
}

bool isStateLayer(const Layer& layer) {
    return layer.kind == LayerKind::ssm_conv || layer.kind == LayerKind::ssm_scan;
}

double kvHeadsOf(const Workload& w) {
    return static_cast<double>(w.model.kvHeads > 0 ? w.model.kvHeads : w.model.attentionHeads);
}

// K and V elements a decode step reads from the cache in this layer (each cached element once).
double cachedElementsRead(const Layer& layer, const Workload& w) {
    if (layer.attentionShape >= 0) {
        const AttentionShape& s = w.attentionShapes[static_cast<std::size_t>(layer.attentionShape)];
        const double keys = s.window > 0 ? std::min(s.keys, s.window) : s.keys;
        const double values = s.valueDim > 0 ? s.valueDim : s.headDim;
        const double width = s.sharedKv ? s.headDim : s.headDim + values;
        return s.batch * s.kvHeads * width * keys;
    }
    const double batch = static_cast<double>(w.settings.batch);
    if (layer.op == "qk_matmul") {
        return batch * kvHeadsOf(w) * layer.n * layer.k;  // keys x key width
    }
    if (layer.op == "sv_matmul") {
        return batch * kvHeadsOf(w) * layer.k * layer.n;  // keys x value width
    }
    return 0;
}

// EoRA: beside every quantized GEMM, x A ([m x k] x [k x r]) then (x A) B ([m x r] x [r x n])
// accumulated into the GEMM's output, A and B in the float type.
Status addCompensation(const Scenario& s, Workload& w, DataType native) {
    const double rank = static_cast<double>(s.compensation->rank);
    const double bc = bytesOf(native);  // fp16 and bf16 both mean the model's 16-bit type
    const double ba = bytesOf(native);
    std::vector<Layer> layers;
    layers.reserve(w.layers.size() * 2);
    int pairs = 0;
    for (const Layer& layer : w.layers) {
        layers.push_back(layer);
        const bool quantized = layer.kind == LayerKind::gemm && layer.weightElements > 0 &&
                               layer.k > 0 && layer.n > 0 && layer.weightType != native;
        if (!quantized) {
            continue;
        }
        if (rank > std::min(layer.k, layer.n)) {
            return locate(s).error(
                "/compensation/rank",
                "expected at most min(k, n) = " + integerText(std::min(layer.k, layer.n)) + " of " +
                    layer.name() + " [" + integerText(layer.k) + " x " + integerText(layer.n) +
                    "] in " + w.model.id + ", got " + integerText(rank));
        }
        const double matrices = layer.weightElements / (layer.k * layer.n);
        Layer a = layer;
        a.op = internName(std::string(layer.op) + ".eora_a");
        a.n = rank;
        a.weightElements = matrices * layer.k * rank;
        a.ops = 2 * layer.m * layer.k * rank;
        a.bytes = {};
        a.bytes.weights = a.weightElements * bc;
        a.bytes.activationsIn = layer.m * layer.k * ba;
        a.bytes.activationsOut = layer.m * rank * ba;
        a.weightType = native;
        a.activationType = native;
        a.computeType = native;
        a.kvType = native;
        a.structuredSparse = false;
        Layer bl = a;
        bl.op = internName(std::string(layer.op) + ".eora_b");
        bl.k = rank;
        bl.n = layer.n;
        bl.weightElements = matrices * rank * layer.n;
        bl.ops = 2 * layer.m * rank * layer.n + layer.m * layer.n;
        bl.bytes = {};
        bl.bytes.weights = bl.weightElements * bc;
        bl.bytes.activationsIn = layer.m * rank * ba + layer.m * layer.n * ba;
        bl.bytes.activationsOut = layer.m * layer.n * ba;
        layers.push_back(a);
        layers.push_back(bl);
        ++pairs;
    }
    w.layers = std::move(layers);
    if (pairs == 0) {
        w.warnings.push_back(
            "compensation: no quantized weight matrices to compensate (EoRA's "
            "path sits beside weights a \"weights\" format quantizes)");
    }
    // The factors are weights too: r (k + n) per matrix, kept in the float type.
    const double topK = static_cast<double>(w.model.expertsPerToken);
    for (WeightTensor& t : w.weightTensors) {
        if (t.elements <= 0 || t.k <= 0 || t.n <= 0 || t.type == native) {
            continue;
        }
        const double matrices = std::max(1.0, std::round(t.elements / (t.k * t.n)));
        const double elements = matrices * rank * (t.k + t.n);
        t.otherBytes += elements * bc;
        w.memory.weights += elements * bc;
        w.model.parameters += elements;
        const double active = isExpertTensor(t) && topK > 0 ? std::min(matrices, topK) : matrices;
        w.model.activeParameters += active * rank * (t.k + t.n);
        w.model.activeParametersExclEmbedding += active * rank * (t.k + t.n);
    }
    return Ok{};
}

// GEAR: in decode every cached element read is rebuilt as Q + A B^T + S before attention.
Status addKvReconstruction(const Scenario& s, Workload& w) {
    const KvResidual& r = *s.kvCache->residual;
    const double headDim = static_cast<double>(w.model.headDim);
    if (headDim > 0 && static_cast<double>(r.rank) > headDim) {
        return locate(s).error("/kv_cache/residual/rank",
                               "expected at most the head dimension d_h = " + integerText(headDim) +
                                   " of " + w.model.id +
                                   " (the residual is [G x r][r x d_h] per KV head), got " +
                                   std::to_string(r.rank));
    }
    if (w.settings.phase != Phase::decode) {
        return Ok{};
    }
    const double perElement = r.reconstructOpsPerElement();
    for (Layer& layer : w.layers) {
        if (isStateLayer(layer) || layer.kind == LayerKind::softmax) {
            continue;
        }
        if (layer.attentionShape >= 0 || layer.op == "qk_matmul" || layer.op == "sv_matmul") {
            layer.ops += perElement * cachedElementsRead(layer, w);
        }
    }
    return Ok{};
}

// Energon: before each attention, a low-bit QK^T over every pair ("attention_filter"), then the
// attention on the kept fraction rho of the pairs.
void filterAttention(const Scenario& s, Workload& w) {
    const SparseAttention& sa = *s.sparseAttention;
    const double rho = sa.keptFraction;
    const double lowBytes = bitsOf(sa.filterType) / 8.0;
    const bool decode = w.settings.phase == Phase::decode;
    const double batch = static_cast<double>(w.settings.batch);
    constexpr double kIndexBytes = 4;  // one int32 key index per kept pair
    std::vector<Layer> layers;
    layers.reserve(w.layers.size() + 64);
    for (Layer layer : w.layers) {
        const bool fused = layer.kind == LayerKind::attention && layer.attentionShape >= 0;
        if (fused || layer.op == "qk_matmul") {
            Layer f;
            f.op = "attention_filter";
            f.block = layer.block;
            f.repeat = layer.repeat;
            f.kind = LayerKind::matmul;
            f.unit = ExecUnit::matrix;
            f.computeType = sa.filterType;
            f.activationType = sa.filterType;
            f.kvType = sa.filterType;
            f.weightType = layer.weightType;
            double pairs = 0;
            double keyElements = 0;
            double newKeys = 0;
            if (fused) {
                AttentionShape& shape =
                    w.attentionShapes[static_cast<std::size_t>(layer.attentionShape)];
                pairs = shape.batch * shape.queryHeads * attentionPairs(shape);
                const double keys =
                    shape.window > 0 ? std::min(shape.keys, shape.window) : shape.keys;
                f.m = shape.batch * shape.queryHeads * shape.queries;
                f.k = shape.headDim;
                f.n = f.m > 0 ? pairs / f.m : 0;
                keyElements = shape.batch * shape.kvHeads * keys * shape.headDim;
                newKeys = shape.batch * shape.kvHeads * shape.queries * shape.headDim;
                if (decode) {
                    shape.kvBytesPerElement *= rho;
                }
            } else {
                pairs = layer.m * layer.n;
                f.m = layer.m;
                f.k = layer.k;
                f.n = layer.n;
                const double heads =
                    static_cast<double>(std::max<std::int64_t>(1, w.model.attentionHeads));
                keyElements = batch * kvHeadsOf(w) * layer.n * layer.k;
                newKeys = layer.m / heads * kvHeadsOf(w) * layer.k;
                layer.bytes.activationsOut *= rho;
                if (decode) {
                    layer.bytes.kvRead *= rho;
                }
            }
            f.ops = 2 * pairs * f.k;
            f.bytes.activationsIn = f.m * f.k * lowBytes;
            f.bytes.kvRead = keyElements * lowBytes;
            f.bytes.kvWrite = newKeys * lowBytes;
            f.bytes.activationsOut = rho * pairs * kIndexBytes;
            layer.ops *= rho;
            layers.push_back(f);
            layers.push_back(layer);
            continue;
        }
        if (layer.kind == LayerKind::softmax && layer.block >= 0) {
            layer.ops *= rho;
            layer.bytes.activationsIn *= rho;
            layer.bytes.activationsOut *= rho;
        } else if (layer.op == "sv_matmul") {
            layer.ops *= rho;
            layer.bytes.activationsIn *= rho;
            if (decode) {
                layer.bytes.kvRead *= rho;
            }
        }
        layers.push_back(layer);
    }
    w.layers = std::move(layers);
    // The low-bit copy of the keys lives beside the cache: half of its elements (K of K and V)
    // at the filter's bits.
    if (w.bits.kv > 0) {
        const double factor = 1 + bitsOf(sa.filterType) / (2 * w.bits.kv);
        w.model.kvBytesPerToken *= factor;
        w.model.kvGrowingBytesPerToken *= factor;
        w.model.kvCappedBytesPerSequence *= factor;
        w.memory.kvCache *= factor;
    }
    w.attentionKeptFraction = rho;
}

}  // namespace

double expectedDistinctExperts(double experts, double topK, double tokens) {
    if (experts <= 0 || topK <= 0 || !(tokens > 0)) {
        return 0;
    }
    const double k = std::min(topK, experts);
    return std::clamp(experts * (1.0 - std::pow(1.0 - k / experts, tokens)), 0.0, experts);
}

double KvResidual::extraBits(double headDim) const {
    double bits = outlierFraction * (outlierValueBits + outlierIndexBits);
    if (rank > 0 && headDim > 0) {
        const double g = static_cast<double>(groupTokens);
        bits += 16 * static_cast<double>(rank) * (g + headDim) / (g * headDim);
    }
    return bits;
}

double KvResidual::reconstructOpsPerElement() const {
    return 2 * static_cast<double>(rank) + outlierFraction;
}

double kvEffectiveBits(const KvCompression& kv, double headDim) {
    return kv.format.effectiveBits() + (kv.residual ? kv.residual->extraBits(headDim) : 0);
}

Status mergeExperts(const Scenario& s, Workload& w) {
    if (!s.expertMerging) {
        return Ok{};
    }
    const ExpertMerging& m = *s.expertMerging;
    const JsonReader at = locate(s);
    const double experts = static_cast<double>(w.model.experts);
    const double topK = static_cast<double>(w.model.expertsPerToken);
    const double merged = static_cast<double>(m.experts);
    if (experts <= 0) {
        return at.error("/expert_merging/experts", "expected a mixture-of-experts model, but " +
                                                       w.model.id + " has no routed experts");
    }
    if (merged > experts) {
        return at.error("/expert_merging/experts", "expected at most the " + integerText(experts) +
                                                       " routed experts of " + w.model.id +
                                                       ", got " + integerText(merged));
    }
    if (merged < topK) {
        return at.error("/expert_merging/experts", "expected at least the " + integerText(topK) +
                                                       " experts per token (top-k) of " +
                                                       w.model.id + ", got " + integerText(merged));
    }
    const double mergedTopK = std::min(topK, merged);
    const double rank = static_cast<double>(m.sharedBasisRank);
    const double ratio = merged / experts;
    std::vector<Layer> layers;
    layers.reserve(w.layers.size() + 8);
    for (Layer layer : w.layers) {
        if (layer.kind == LayerKind::router && layer.weightElements > 0) {
            // Gating GEMM, softmax and top-k over E' logits: every term is proportional to E.
            layer.ops *= ratio;
            layer.bytes.weights *= ratio;
            layer.bytes.activationsOut *= ratio;
            layer.weightElements *= ratio;
            layer.n = merged;
            layers.push_back(layer);
            continue;
        }
        if (!isExpertGemm(layer) || layer.k <= 0 || layer.n <= 0) {
            layers.push_back(layer);
            continue;
        }
        const double tokens = topK > 0 ? layer.m / topK : 0;  // m = token-expert pairs
        const double before = expectedDistinctExperts(experts, topK, tokens);
        const double after = expectedDistinctExperts(merged, mergedTopK, tokens);
        const double scale = before > 0 ? after / before : 0;
        const double elementBytes = bytesOf(layer.weightType);
        const double otherBytes =
            std::max(0.0, layer.bytes.weights - layer.weightElements * elementBytes) * scale;
        if (rank > 0) {
            auto [own, basis] = splitOnBasis(layer, after, rank, otherBytes, elementBytes);
            layers.push_back(own);
            layers.push_back(basis);
            continue;
        }
        layer.weightElements *= scale;
        layer.bytes.weights = layer.weightElements * elementBytes + otherBytes;
        layers.push_back(layer);
    }
    w.layers = std::move(layers);
    for (WeightTensor& t : w.weightTensors) {
        const double b = bytesOf(t.type);
        if (t.op == "router") {
            const double elements = t.elements * ratio;
            w.model.parameters += (elements - t.elements) + t.otherBytes * (ratio - 1) / b;
            w.model.activeParameters += (elements - t.elements) + t.otherBytes * (ratio - 1) / b;
            w.model.activeParametersExclEmbedding +=
                (elements - t.elements) + t.otherBytes * (ratio - 1) / b;
            w.memory.weights += (elements - t.elements) * b + t.otherBytes * (ratio - 1);
            t.elements = elements;
            t.n = t.n > 0 ? merged : t.n;
            t.otherBytes *= ratio;
            continue;
        }
        if (!isExpertTensor(t) || t.k <= 0 || t.n <= 0) {
            continue;
        }
        const double elements = rank > 0 ? merged * t.k * rank + rank * t.n : merged * t.k * t.n;
        const double activeBefore = mergedTopK * t.k * t.n;
        const double activeAfter = rank > 0 ? mergedTopK * t.k * rank + rank * t.n : activeBefore;
        const double delta = elements - t.elements + t.otherBytes * (ratio - 1) / b;
        w.model.parameters += delta;
        w.model.activeParameters += activeAfter - activeBefore;
        w.model.activeParametersExclEmbedding += activeAfter - activeBefore;
        w.memory.weights += (elements - t.elements) * b + t.otherBytes * (ratio - 1);
        t.elements = elements;
        t.otherBytes *= ratio;
    }
    w.model.experts = m.experts;
    w.model.expertsPerToken = static_cast<std::int64_t>(mergedTopK);
    w.notes.push_back("expert merging: " + integerText(experts) + " routed experts merged into " +
                      integerText(merged) +
                      (rank > 0 ? " on a shared basis of rank " + integerText(rank) : "") +
                      "; expected experts touched per layer follow E' (1 - (1 - k/E')^T)");
    return Ok{};
}

Status addPaths(const Scenario& s, Workload& w, DataType native) {
    if (s.compensation) {
        if (auto ok = addCompensation(s, w, native); !ok) {
            return ok.error();
        }
    }
    if (s.kvCache && s.kvCache->residual) {
        if (auto ok = addKvReconstruction(s, w); !ok) {
            return ok.error();
        }
    }
    if (s.sparseAttention) {
        filterAttention(s, w);
    }
    return Ok{};
}

void summarizeSparseAttention(const Workload& workload, Report& report) {
    double filter = 0;
    double kept = 0;
    bool filtered = false;
    for (std::size_t i = 0; i < report.layers.size() && i < report.results.size(); ++i) {
        const Layer& layer = report.layers[i];
        const double seconds = report.results[i].timeSeconds * layer.repeat;
        if (layer.op == "attention_filter") {
            filter += seconds;
            filtered = true;
        } else if (layer.kind == LayerKind::attention || layer.op == "qk_matmul" ||
                   layer.op == "sv_matmul" ||
                   (layer.kind == LayerKind::softmax && layer.block >= 0)) {
            kept += seconds;
        }
    }
    if (!filtered) {
        return;
    }
    SparseAttentionSummary sa;
    sa.keptFraction = workload.attentionKeptFraction;
    sa.filterSeconds = filter;
    sa.keptAttentionSeconds = kept;
    sa.denseAttentionSeconds = sa.keptFraction > 0 ? kept / sa.keptFraction : 0;
    sa.breakEvenKeptFraction =
        sa.denseAttentionSeconds > 0 ? 1 - filter / sa.denseAttentionSeconds : 0;
    char text[64];
    std::snprintf(text, sizeof text, "%.3g%% of the pairs", 100 * sa.keptFraction);
    char breakEven[32];
    std::snprintf(breakEven, sizeof breakEven, "%.3g", sa.breakEvenKeptFraction);
    report.notes.push_back(
        "dynamic sparse attention: filtering " + formatSeconds(filter) + " + attention on " + text +
        " " + formatSeconds(kept) + ", against " + formatSeconds(sa.denseAttentionSeconds) +
        " dense: break-even kept fraction " + breakEven +
        (sa.breakEvenKeptFraction > 0 ? " on this device"
                                      : " (filtering costs more than dense attention here)"));
    report.sparseAttention = sa;
}

}  // namespace rooflens::core
