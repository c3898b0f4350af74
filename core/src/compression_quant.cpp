// Quantization mechanisms beyond bit widths, after applyScenario()'s formats: PTQ4ViT / I&S-ViT
// quantized attention matmuls, OliVe's outlier-victim pair decode and the online Hadamard or
// orthogonal transforms of QuaRot / SpinQuant / OstQuant (docs/scenarios.md has each formula and
// its paper). RPTQ's per-cluster scales are metadata of the activation format (effectiveBits)
// and its channel reordering is fused into the LayerNorm before: nothing to add here.
#include <algorithm>
#include <cmath>

#include "compression_paths.h"

namespace rooflens::core {

namespace {

bool isValueMatmul(const Layer& layer) {
    return layer.op == "sv_matmul" || layer.op == "pv_matmul";
}

bool isFusedAttention(const Layer& layer) {
    return layer.kind == LayerKind::attention && layer.attentionShape >= 0;
}

// Integer math of the attention matmuls: int4 where both operands fit in 4 bits, else int8.
DataType integerMath(DataType a, DataType b) {
    return std::max(bitsOf(a), bitsOf(b)) <= 4 ? DataType::int4 : DataType::int8;
}

// PTQ4ViT / I&S-ViT: Q, K (ViT) and the probabilities P, V (ViT) at bits(t); the scores leave
// QK^T requantized to bits(t) and the softmax dequantizes them and requantizes its output.
void quantizeAttention(const AttentionQuant& a, Workload& w, DataType native) {
    const double factor = bitsOf(a.type) / (8 * bytesOf(native));
    for (Layer& layer : w.layers) {
        // K and V from a KV cache keep the cache's type: integer ones meet t in integer math, a
        // float cache is quantized as it is loaded.
        const DataType kv = isInteger(layer.kvType) ? layer.kvType : a.type;
        if (layer.op == "qk_matmul") {
            layer.bytes.activationsIn *= factor;
            layer.bytes.activationsOut *= factor;
        } else if (isValueMatmul(layer)) {
            layer.bytes.activationsIn *= factor;
        } else if (layer.kind == LayerKind::softmax && layer.block >= 0) {
            // Scores in, probabilities out, both at bits(t); dequant + requant per element.
            const double scores = layer.bytes.activationsIn / bytesOf(native);
            layer.bytes.activationsIn *= factor;
            layer.bytes.activationsOut *= factor;
            layer.ops += 2 * a.requantOps * scores;
            continue;
        } else if (isFusedAttention(layer)) {
            // Scores stay on chip: only the math type, Q's bytes and the requant of each pair.
            const AttentionShape& s =
                w.attentionShapes[static_cast<std::size_t>(layer.attentionShape)];
            layer.bytes.activationsIn *= factor;
            layer.ops += 2 * a.requantOps * s.batch * s.queryHeads * attentionPairs(s);
        } else {
            continue;
        }
        layer.activationType = a.type;
        layer.computeType = integerMath(a.type, kv);
    }
}

// OliVe: every int4 element of an OVP-encoded operand is decoded on the vector units before the
// GEMM (a pair check, the outlier's exponent-integer shift, a select): decodeOps per element.
// Top-level formats only (an override that keeps lm_head fp16 has no decode).
void decodeOlive(const Scenario& s, Workload& w, DataType native) {
    const bool weights = s.weights && s.weights->olive;
    const bool activations = s.activations && s.activations->olive;
    if (!weights && !activations) {
        return;
    }
    std::vector<Layer> layers;
    layers.reserve(w.layers.size() * 2);
    for (const Layer& layer : w.layers) {
        const bool gemm = (layer.kind == LayerKind::gemm || layer.kind == LayerKind::router) &&
                          layer.weightElements > 0;
        double ops = 0;
        if (gemm && weights && layer.weightType == s.weights->type) {
            ops += s.weights->decodeOps * layer.weightElements;
        }
        if (gemm && activations && layer.activationType == s.activations->type) {
            ops += s.activations->decodeOps * layer.m * layer.k;
        }
        if (ops > 0) {
            Layer d;
            d.op = internName(std::string(layer.op) + ".olive_decode");
            d.block = layer.block;
            d.repeat = layer.repeat;
            d.kind = LayerKind::elementwise;
            d.unit = ExecUnit::vector;
            d.computeType = native;
            d.weightType = native;
            d.activationType = native;
            d.kvType = native;
            d.ops = ops;  // in registers on the way to the matrix units: no bytes of its own
            layers.push_back(d);
        }
        layers.push_back(layer);
    }
    w.layers = std::move(layers);
}

bool isDownProjection(const Layer& layer) {
    if (layer.kind != LayerKind::gemm || layer.weightElements <= 0) {
        return false;
    }
    const std::string_view op = layer.op;
    return op == "fc2" || op == "down_proj" || op == "experts.down_proj" ||
           op == "shared_experts.down_proj";
}

// One online transform layer: `count` transforms of `rows` vectors of width d, read and written
// in the float type (a separate pass: it cannot be folded into a weight).
Layer transformLayer(const Rotation& r, const Layer& at, std::string_view suffix, double count,
                     double rows, double d, DataType native) {
    const double b = bytesOf(native);
    Layer t;
    t.op = internName(std::string(at.op) + std::string(suffix));
    t.block = at.block;
    t.repeat = at.repeat;
    t.computeType = native;
    t.weightType = native;
    t.activationType = native;
    t.kvType = native;
    t.ops = count * rows * r.opsPerVector(d);
    t.bytes.activationsIn = count * rows * d * b;
    t.bytes.activationsOut = count * rows * d * b;
    if (r.transform == RotationTransform::hadamard) {
        t.kind = LayerKind::elementwise;
        t.unit = ExecUnit::vector;
    } else {
        // [rows x d] x [d x d] per transform: a GEMM on the matrix units, its matrix in fp16.
        t.kind = LayerKind::matmul;
        t.unit = ExecUnit::matrix;
        t.m = count * rows;
        t.k = d;
        t.n = d;
        t.bytes.weights = count * d * d * b;
    }
    return t;
}

void rotate(const Rotation& r, Workload& w, DataType native) {
    std::vector<Layer> layers;
    layers.reserve(w.layers.size() + 4 * static_cast<std::size_t>(std::max(1, w.model.blocks)));
    for (const Layer& layer : w.layers) {
        if (r.downProj > 0 && isDownProjection(layer) && layer.k > 0) {
            layers.push_back(transformLayer(r, layer, ".rotation", static_cast<double>(r.downProj),
                                            layer.m, layer.k, native));
        }
        if (r.attention > 0 && (layer.op == "qk_matmul" || isFusedAttention(layer))) {
            double rows = layer.m;  // B h_q queries
            double d = layer.k;     // d_h
            if (isFusedAttention(layer)) {
                const AttentionShape& s =
                    w.attentionShapes[static_cast<std::size_t>(layer.attentionShape)];
                rows = s.batch * s.queryHeads * s.queries;
                d = s.headDim;
            }
            layers.push_back(transformLayer(r, layer, ".rotation", static_cast<double>(r.attention),
                                            rows, d, native));
        }
        layers.push_back(layer);
    }
    w.layers = std::move(layers);
}

}  // namespace

void addQuantMechanisms(const Scenario& s, Workload& w, DataType native) {
    if (s.attention) {
        quantizeAttention(*s.attention, w, native);
    }
    decodeOlive(s, w, native);
    if (s.rotation) {
        rotate(*s.rotation, w, native);
    }
}

}  // namespace rooflens::core
