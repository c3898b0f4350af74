// applyScenario(): compression as a transform of a workload built at native precision
// (formulas.md section 4; decisions in docs/scenarios.md).
#include <algorithm>
#include <cmath>

#include "compression_paths.h"
#include "core/scenario.h"

namespace rooflens::core {

namespace {

// The settings that apply to one layer or tensor after overrides (later overrides win).
struct Resolved {
    std::optional<TensorFormat> weights;
    std::optional<TensorFormat> activations;
    Sparsity sparsity;
    std::optional<LowRank> lowRank;
};

Resolved resolveFor(const Scenario& s, std::string_view name) {
    Resolved r{s.weights, s.activations, s.sparsity, s.lowRank};
    for (const auto& o : s.overrides) {
        if (!matchesPattern(o.pattern, name)) {
            continue;
        }
        if (o.weights) {
            r.weights = o.weights;
        }
        if (o.activations) {
            r.activations = o.activations;
        }
        if (o.sparsity) {
            r.sparsity = *o.sparsity;
        }
        if (o.lowRank) {
            r.lowRank = o.lowRank;
        }
    }
    return r;
}

bool enabled(const std::optional<LowRank>& lr) {
    return lr && (lr->rankRatio > 0 || lr->paramRatio > 0);
}

double rankFor(const LowRank& lr, double k, double n) {
    const double r =
        lr.rankRatio > 0 ? lr.rankRatio * std::min(k, n) : lr.paramRatio * k * n / (k + n);
    return std::max(1.0, std::round(r));
}

// Bytes of `elements` weight-matrix elements in `format` with `sparsity`: the values and the
// metadata (quantization scales/zeros, sparse indices). `rows` = output rows (CSR row pointers).
struct WeightBytes {
    double values = 0;
    double metadata = 0;
};

WeightBytes weightBytes(double elements, double k, double rows, const TensorFormat& format,
                        const Sparsity& sparsity) {
    const double bits = bitsOf(format.type);
    const double overheadBits = format.effectiveBits(k) - bits;
    WeightBytes b;
    switch (sparsity.kind) {
        case SparsityKind::dense:
            b.values = elements * bits / 8;
            b.metadata = elements * overheadBits / 8;
            break;
        case SparsityKind::structured24:
            // Half the values plus 2-bit positions per kept value (formulas.md 4.7).
            b.values = elements * 0.5 * bits / 8;
            b.metadata = elements * 0.5 * 2 / 8 + elements * overheadBits / 8;
            break;
        case SparsityKind::block: {
            // Block CSR: the kept b x b tiles, one 16-bit column index per tile and a 16-bit
            // pointer per row of tiles (formulas in docs/scenarios.md, LPViT).
            const double size = static_cast<double>(sparsity.blockSize);
            const double kept = elements * sparsity.density;
            b.values = kept * bits / 8;
            b.metadata = kept * overheadBits / 8 + kept / (size * size) * 2 +
                         (std::ceil(rows / size) + 1) * 2;
            break;
        }
        case SparsityKind::unstructured: {
            const double nnz = elements * sparsity.density;
            b.values = nnz * bits / 8;
            b.metadata = nnz * overheadBits / 8;
            switch (sparsity.index) {
                case IndexFormat::csr16:
                    b.metadata += nnz * 2 + (rows + 1) * 2;
                    break;
                case IndexFormat::csr32:
                    b.metadata += nnz * 4 + (rows + 1) * 4;
                    break;
                case IndexFormat::bitmap:
                    b.metadata += elements / 8;
                    break;
            }
            break;
        }
    }
    return b;
}

// Weight matrices in `elements` of a [k x n] layer (experts, low-rank halves): each carries its
// own per-tensor scale.
double matrixCount(double elements, double k, double n) {
    return k > 0 && n > 0 ? std::max(1.0, std::round(elements / (k * n))) : 1.0;
}

TensorFormat nativeFormat(DataType type) {
    TensorFormat f;
    f.type = type;
    return f;
}

// A format as it applies to a model whose float type is `native`: fp16 and bf16 both name the
// model's own 16-bit type.
TensorFormat forModel(TensorFormat format, DataType native) {
    if (format.type == DataType::fp16 || format.type == DataType::bf16) {
        format.type = native;
    }
    return format;
}

bool isMx(DataType type) {
    return isBlockScaled(type) && type != DataType::nvfp4;
}

// Block-scaled math two block-scaled operands share: the same format, or for two OCP MX types
// the wider one (MX matrix units take mixed MX operands, e.g. Blackwell kind::f8f6f4; two MXFP6
// variants meet in MXFP8 E4M3, which holds both exactly). NVFP4 pairs only with NVFP4: its E4M3
// scales per 16 elements do not fit an MX operand.
std::optional<DataType> blockMathFor(DataType weights, DataType activations) {
    if (weights == activations) {
        return weights;
    }
    if (!isMx(weights) || !isMx(activations)) {
        return std::nullopt;
    }
    if (bitsOf(weights) != bitsOf(activations)) {
        return bitsOf(weights) > bitsOf(activations) ? weights : activations;
    }
    return bitsOf(weights) == 8 ? weights : DataType::mxfp8_e4m3;
}

// Math type two operand types ask for: integer math when both are integers of at most 8 bits
// (int4 when both fit in 4), a block-scaled type when both are block-scaled and meet in one
// (blockMathFor), fp8 when both are fp8, fp32 when both are fp32, else the float type.
DataType mathFor(DataType weights, DataType activations, DataType native) {
    if (isInteger(weights) && isInteger(activations)) {
        return std::max(bitsOf(weights), bitsOf(activations)) <= 4 ? DataType::int4
                                                                   : DataType::int8;
    }
    if (isBlockScaled(weights) && isBlockScaled(activations)) {
        return blockMathFor(weights, activations).value_or(native);
    }
    const auto fp8 = [](DataType t) { return t == DataType::fp8_e4m3 || t == DataType::fp8_e5m2; };
    if (fp8(weights) && fp8(activations)) {
        return weights;
    }
    if (weights == DataType::fp32 && activations == DataType::fp32) {
        return DataType::fp32;
    }
    return native;
}

// Quantizes a GEMM-like layer's weights and input activations in place.
void compressMatrix(Layer& layer, const Resolved& r, DataType native) {
    const double b = bytesOf(native);
    if (layer.weightElements > 0) {
        const double other = std::max(0.0, layer.bytes.weights - layer.weightElements * b);
        const TensorFormat format = forModel(r.weights.value_or(nativeFormat(native)), native);
        const double rows = layer.n > 0 && layer.k > 0 ? layer.weightElements / layer.k
                                                       : 0;  // output rows over all experts touched
        const WeightBytes wb = weightBytes(layer.weightElements, layer.k, rows, format, r.sparsity);
        layer.bytes.weights = other + wb.values;
        layer.bytes.metadata += wb.metadata + matrixCount(layer.weightElements, layer.k, layer.n) *
                                                  format.tensorScaleBytes();
        layer.weightType = format.type;
        layer.structuredSparse = r.sparsity.kind == SparsityKind::structured24;
        const bool block = r.sparsity.kind == SparsityKind::block;
        layer.blockDensity = block ? r.sparsity.density : 1;
        layer.blockSize = block ? r.sparsity.blockSize : 0;
        if (r.sparsity.kind == SparsityKind::unstructured && r.sparsity.sparseKernel) {
            layer.ops *= r.sparsity.density;
        }
    }
    if (r.activations && (layer.kind == LayerKind::gemm || layer.kind == LayerKind::router)) {
        const TensorFormat a = forModel(*r.activations, native);
        const double scale = bitsOf(a.type) / (8 * b);
        const double overhead = (a.effectiveBits(layer.k) - bitsOf(a.type)) / (8 * b);
        layer.bytes.metadata += layer.bytes.activationsIn * overhead + a.tensorScaleBytes();
        layer.bytes.activationsIn *= scale;
        layer.activationType = a.type;
    }
    layer.computeType = mathFor(layer.weightType, layer.activationType, native);
}

// Splits a GEMM into [m x k] x [k x r] and [m x r] x [r x n].
std::pair<Layer, Layer> splitLowRank(const Layer& layer, double rank, double b) {
    const double experts = layer.k * layer.n > 0 ? layer.weightElements / (layer.k * layer.n) : 1;
    const double other = std::max(0.0, layer.bytes.weights - layer.weightElements * b);
    Layer a = layer;
    a.op = internName(std::string(layer.op) + ".lr_a");
    a.n = rank;
    a.weightElements = experts * layer.k * rank;
    a.ops = 2 * layer.m * layer.k * rank;
    a.bytes = {};
    a.bytes.weights = a.weightElements * b;
    a.bytes.activationsIn = layer.bytes.activationsIn;
    a.bytes.activationsOut = layer.m * rank * b;
    Layer bLayer = layer;
    bLayer.op = internName(std::string(layer.op) + ".lr_b");
    bLayer.k = rank;
    bLayer.weightElements = experts * rank * layer.n;
    bLayer.ops = 2 * layer.m * rank * layer.n + (layer.ops - 2 * layer.m * layer.k * layer.n);
    bLayer.bytes = layer.bytes;
    bLayer.bytes.weights = bLayer.weightElements * b + other;
    bLayer.bytes.activationsIn = layer.m * rank * b;
    return {a, bLayer};
}

// SSM layers read and write their recurrent state in the kv fields; KV-cache compression
// does not apply to it.
bool isStateLayer(const Layer& layer) {
    return layer.kind == LayerKind::ssm_conv || layer.kind == LayerKind::ssm_scan;
}

// KV facts at a new bytes per element (the factor applies to K/V caches, not to SSM state).
void scaleKvFacts(ModelFacts& model, double factor) {
    model.kvBytesPerToken *= factor;
    model.kvGrowingBytesPerToken *= factor;
    model.kvCappedBytesPerSequence *= factor;
}

bool isKvProjection(std::string_view op) {
    return op == "k_proj" || op == "v_proj";
}

// Keys a pass attends to per sequence (the rolling buffer of a sliding window included).
double passKeys(const Workload& w) {
    for (const auto& layer : w.layers) {
        if (layer.op == "qk_matmul") {
            return layer.n;
        }
        if (layer.attentionShape >= 0) {
            const auto& s = w.attentionShapes[static_cast<std::size_t>(layer.attentionShape)];
            return s.window > 0 ? std::min(s.keys, s.window) : s.keys;
        }
    }
    return 0;
}

Status applyDepth(const Depth& depth, Workload& w) {
    const std::int32_t blocks = w.model.blocks;
    const std::int64_t drop =
        depth.dropFraction > 0 ? static_cast<std::int64_t>(std::round(depth.dropFraction * blocks))
                               : depth.dropBlocks;
    if (drop > 0) {
        if (drop >= blocks) {
            return makeError("scenario: dropping " + std::to_string(drop) +
                             " must be less than the model's " + std::to_string(blocks) +
                             " blocks");
        }
        const auto keep = static_cast<std::int32_t>(blocks - drop);
        std::vector<Layer> kept;
        for (Layer layer : w.layers) {
            if (layer.block >= keep) {
                continue;
            }
            if (layer.block >= 0 && layer.repeat > 1) {
                // Collapsed blocks: a run of `repeat` identical blocks from `block` on.
                layer.repeat =
                    std::min(layer.repeat, static_cast<std::uint32_t>(keep - layer.block));
            }
            kept.push_back(layer);
        }
        w.layers = std::move(kept);
        std::erase_if(w.weightTensors, [&](const WeightTensor& t) { return t.block >= keep; });
        const double fraction = static_cast<double>(keep) / blocks;
        w.model.kvBytesPerToken *= fraction;
        w.memory.kvCache *= fraction;
        w.model.kvGrowingBytesPerToken *= fraction;
        w.model.kvCappedBytesPerSequence *= fraction;
        w.model.stateBytesPerSequence *= fraction;
        w.memory.state *= fraction;
        w.model.blocks = keep;
        w.warnings.push_back("layer pruning: " + std::to_string(drop) + " of " +
                             std::to_string(blocks) + " blocks removed");
    }
    if (depth.exitDepth > 0) {
        if (depth.exitDepth > w.model.blocks) {
            return makeError("scenario: exit_depth " + std::to_string(depth.exitDepth) +
                             " exceeds the model's " + std::to_string(w.model.blocks) + " blocks");
        }
        const auto head = std::find_if(w.layers.begin(), w.layers.end(), [](const Layer& l) {
            return l.block < 0 && (l.op == "lm_head" || l.op == "head");
        });
        if (head == w.layers.end()) {
            return makeError("scenario: early exit needs a model with an output head");
        }
        Layer exitHead = *head;
        const double full = std::floor(depth.exitDepth);
        const double partial = depth.exitDepth - full;
        std::vector<Layer> kept;
        for (Layer layer : w.layers) {
            if (layer.block >= 0 && layer.block > full) {
                continue;
            }
            if (layer.block >= 0 && layer.block == full) {
                if (partial <= 0) {
                    continue;
                }
                // The fraction of sequences that reach this block pays for it.
                layer.ops *= partial;
                ByteBreakdown& by = layer.bytes;
                for (double* field : {&by.weights, &by.activationsIn, &by.activationsOut,
                                      &by.kvRead, &by.kvWrite, &by.metadata}) {
                    *field *= partial;
                }
            }
            kept.push_back(layer);
        }
        const auto checks = static_cast<std::uint32_t>(
            std::floor(depth.exitDepth / static_cast<double>(depth.exitCheckEvery)));
        if (checks > 0) {
            exitHead.op = "exit_head";
            exitHead.repeat = checks;
            const auto at = std::find_if(kept.begin(), kept.end(), [](const Layer& l) {
                return l.block < 0 && l.op != "embed_tokens" && l.op != "embed_positions";
            });
            kept.insert(at, exitHead);
        }
        w.layers = std::move(kept);
        w.warnings.push_back(
            "early exit: costs are those of sequences leaving at block " +
            std::to_string(depth.exitDepth) +
            "; a batch waits for its deepest sequence, and skipped blocks still need KV "
            "(CALM propagates states), so memory is unchanged");
    }
    return Ok{};
}

}  // namespace

Result<Workload> applyScenario(const Scenario& scenario, const Workload& input) {
    if (!input.scenario.empty()) {
        return makeError("scenario '" + scenario.name + "': the workload is already compressed ('" +
                         input.scenario + "')");
    }
    Workload w = input;
    w.scenario = scenario.name;
    if (auto ok = applyDepth(scenario.depth, w); !ok) {
        return ok.error();
    }
    if (auto ok = mergeExperts(scenario, w); !ok) {
        return ok.error();
    }
    const DataType native = w.layers.empty() ? DataType::fp16 : w.layers.front().activationType;
    const double b = bytesOf(native);

    // Low rank with cached projections shrinks the KV cache by r / (h_kv d_h).
    double kvRankFactor = 1;
    int kvRankLayers = 0;
    double kvRankSum = 0;

    std::vector<Layer> layers;
    layers.reserve(w.layers.size() + 16);
    for (const Layer& layer : w.layers) {
        const bool matrix = layer.weightElements > 0 &&
                            (layer.kind == LayerKind::gemm || layer.kind == LayerKind::router);
        if (!matrix) {
            layers.push_back(layer);
            continue;
        }
        // Names are only needed for overrides and messages: skip building them in sweeps.
        const std::string name = scenario.overrides.empty() ? std::string() : layer.name();
        const Resolved r = resolveFor(scenario, name);
        if (enabled(r.lowRank) && layer.kind == LayerKind::gemm && layer.k > 0 && layer.n > 0) {
            const double rank = rankFor(*r.lowRank, layer.k, layer.n);
            const double breakEven = layer.k * layer.n / (layer.k + layer.n);
            if (rank >= breakEven && layer.block <= 0) {
                w.warnings.push_back("low rank r=" + std::to_string(static_cast<long long>(rank)) +
                                     " on " + layer.name() +
                                     " is a loss: it exceeds the break-even rank " +
                                     std::to_string(static_cast<long long>(breakEven)) +
                                     " = d_in d_out / (d_in + d_out)");
            }
            auto [a, second] = splitLowRank(layer, rank, b);
            if (r.lowRank->cacheProjection && isKvProjection(layer.op)) {
                // The rank-r latent is cached instead of K or V (reconstruction absorbed into
                // the neighbouring projections, as with MLA's weight absorption).
                const double factor = rank / layer.n;
                a.bytes.activationsOut = 0;
                a.bytes.kvWrite = layer.bytes.kvWrite * factor;
                second.bytes.kvWrite = 0;
                second.bytes.activationsIn = 0;
                if (layer.block <= 0) {
                    kvRankSum += factor;
                    ++kvRankLayers;
                }
            }
            compressMatrix(a, r, native);
            compressMatrix(second, r, native);
            layers.push_back(a);
            layers.push_back(second);
            continue;
        }
        Layer copy = layer;
        compressMatrix(copy, r, native);
        layers.push_back(copy);
    }
    if (kvRankLayers > 0) {
        // K and V projections of the first block stand for every block.
        kvRankFactor = (kvRankSum + (2 - kvRankLayers)) / 2;
    }
    w.layers = std::move(layers);

    // KV cache: format, full-precision window (KIVI) and eviction (decode only).
    const double keys = passKeys(w);
    double kvByteFactor = kvRankFactor;
    double keyFactor = 1;
    DataType kvType = native;
    if (scenario.kvCache && keys > 0) {
        KvCompression kv = *scenario.kvCache;
        kv.format = forModel(kv.format, native);
        kvType = kv.format.type;
        const double window = std::min(static_cast<double>(kv.fullPrecisionWindow), keys);
        const double quantized = keys - window;
        const double keptQuantized =
            w.settings.phase == Phase::decode ? quantized * kv.keptRatio : quantized;
        keyFactor = (window + keptQuantized) / keys;
        const double effectiveBits = kvEffectiveBits(kv, static_cast<double>(w.model.headDim));
        const double bitsPerKey = (window * 8 * b + keptQuantized * effectiveBits) /
                                  std::max(window + keptQuantized, 1.0);
        kvByteFactor *= bitsPerKey / (8 * b);
        const double writeFactor = kv.fullPrecisionWindow > 0 ? 1.0 : effectiveBits / (8 * b);
        if (kv.fullPrecisionWindow > 0) {
            w.contextBreaks.push_back({kv.fullPrecisionWindow, false});
        }
        scaleKvFacts(w.model, effectiveBits / (8 * b));
        for (Layer& layer : w.layers) {
            if (layer.bytes.kvWrite > 0 && !isStateLayer(layer)) {
                layer.bytes.kvWrite *= writeFactor;
                layer.kvType = kvType;
            }
        }
    } else if (scenario.kvCache) {
        scaleKvFacts(
            w.model,
            kvEffectiveBits(*scenario.kvCache, static_cast<double>(w.model.headDim)) / (8 * b));
    }
    if (kvRankLayers > 0) {
        scaleKvFacts(w.model, kvRankFactor);
    }
    w.memory.kvCache *= kvByteFactor * keyFactor;
    if (kvByteFactor != 1 || keyFactor != 1) {
        for (Layer& layer : w.layers) {
            const bool reads =
                (layer.bytes.kvRead > 0 || layer.attentionShape >= 0) && !isStateLayer(layer);
            if (reads) {
                layer.kvType = kvType;
                layer.computeType = mathFor(layer.activationType, kvType, native);
            }
            if (keyFactor != 1 && (reads || layer.kind == LayerKind::softmax)) {
                layer.ops *= keyFactor;
                if (layer.op == "qk_matmul") {
                    layer.bytes.activationsOut *= keyFactor;
                    layer.n *= keyFactor;
                } else if (layer.op == "sv_matmul") {
                    layer.bytes.activationsIn *= keyFactor;
                    layer.k *= keyFactor;
                } else if (layer.kind == LayerKind::softmax) {
                    layer.bytes.activationsIn *= keyFactor;
                    layer.bytes.activationsOut *= keyFactor;
                }
            }
            if (layer.attentionShape >= 0) {
                auto& shape = w.attentionShapes[static_cast<std::size_t>(layer.attentionShape)];
                shape.kvBytesPerElement *= kvByteFactor;
                if (keyFactor != 1) {
                    // The expected number of kept keys, not rounded: a decode step's costs stay
                    // affine in the context (the closed-form request sum relies on it).
                    shape.keys = keys * keyFactor;
                    shape.window = 0;
                }
            } else if (reads) {
                layer.bytes.kvRead *= kvByteFactor * keyFactor;
            }
        }
    }

    w.bits.activations =
        scenario.activations ? forModel(*scenario.activations, native).effectiveBits() : 8 * b;
    if (scenario.kvCache) {
        KvCompression kv = *scenario.kvCache;
        kv.format = forModel(kv.format, native);
        w.bits.kv = kvEffectiveBits(kv, static_cast<double>(w.model.headDim));
    } else {
        w.bits.kv = 8 * b;
    }
    w.bits.weights = scenario.weights ? forModel(*scenario.weights, native).effectiveBits() : 8 * b;

    // Weight footprint and parameter count from the inventory.
    if (!w.weightTensors.empty()) {
        double bytes = 0;
        double parameters = 0;
        double matrixBits = 0;
        double matrixElements = 0;
        for (WeightTensor& t : w.weightTensors) {
            parameters += t.otherBytes / b;
            if (t.elements <= 0) {
                bytes += t.otherBytes;
                continue;
            }
            const Resolved r =
                resolveFor(scenario, scenario.overrides.empty() ? std::string() : t.name());
            double elements = t.elements;
            double matrices = matrixCount(t.elements, t.k, t.n);
            if (enabled(r.lowRank) && t.k > 0 && t.n > 0) {
                elements = t.elements / (t.k * t.n) * rankFor(*r.lowRank, t.k, t.n) * (t.k + t.n);
                matrices *= 2;
            }
            const TensorFormat format = forModel(r.weights.value_or(nativeFormat(native)), native);
            const WeightBytes wb =
                weightBytes(elements, t.k, t.k > 0 ? elements / t.k : 0, format, r.sparsity);
            const double tensorScales = matrices * format.tensorScaleBytes();
            bytes += wb.values + wb.metadata + tensorScales + t.otherBytes;
            matrixBits += 8 * (wb.values + wb.metadata + tensorScales);
            matrixElements += elements;
            parameters += elements;
            t.elements = elements;
            t.type = format.type;
        }
        if (matrixElements > 0) {
            w.bits.weights = matrixBits / matrixElements;
        }
        const double before = w.model.parameters;
        w.memory.weights = bytes;
        w.model.parameters = parameters;
        if (before > 0) {
            w.model.activeParameters *= parameters / before;
        }
    }
    if (auto ok = addPaths(scenario, w, native); !ok) {
        return ok.error();
    }
    addQuantMechanisms(scenario, w, native);
    return w;
}

}  // namespace rooflens::core
