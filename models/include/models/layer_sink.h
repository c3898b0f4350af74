#pragma once
// LayerSink: appends core::Layer entries for a workload builder (ViT, Swin, GNN), stamping the
// block index, repeat count and operand data types of the current position, and setting GEMM
// shapes (m, k, n) and weight elements so that compression transforms can rewrite the layers
// later. inventory() lists the parameter tensors for the memory footprint.
#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "core/workload.h"

namespace rooflens::models {

// The native float type a workload is built in. Compression (quantization, sparsity) is applied
// afterwards by core::applyScenario, which rewrites the GEMM layers from their m, k, n and
// weightElements, so builders never look at RunSettings' bit widths.
struct Precision {
    core::DataType floatType = core::DataType::fp16;
    double bytes = 2;  // b_w = b_a = b_f at native precision
};

inline Precision nativePrecision(core::DataType floatType) {
    return Precision{floatType, core::bytesOf(floatType)};
}

class LayerSink {
public:
    explicit LayerSink(const Precision& precision) : m_p(precision) {}

    void setBlock(std::int32_t block) { m_block = block; }
    std::int32_t block() const { return m_block; }
    const Precision& precision() const { return m_p; }

    core::Layer& add(std::string_view op, core::LayerKind kind, core::ExecUnit unit, double ops,
                     const core::ByteBreakdown& bytes) {
        core::Layer layer;
        layer.op = op;
        layer.block = m_block;
        layer.kind = kind;
        layer.unit = unit;
        layer.computeType = m_p.floatType;
        layer.weightType = m_p.floatType;
        layer.activationType = m_p.floatType;
        layer.kvType = m_p.floatType;
        layer.ops = ops;
        layer.bytes = bytes;
        m_layers.push_back(layer);
        return m_layers.back();
    }

    // y = x W (+ b): [rows x in] x [in x out]; the bias adds 1 OP per output.
    core::Layer& gemm(std::string_view op, double rows, double in, double out, bool bias) {
        core::ByteBreakdown bytes;
        bytes.weights = (in * out + (bias ? out : 0)) * m_p.bytes;
        bytes.activationsIn = rows * in * m_p.bytes;
        bytes.activationsOut = rows * out * m_p.bytes;
        core::Layer& layer = add(op, core::LayerKind::gemm, core::ExecUnit::matrix,
                                 2 * rows * in * out + (bias ? rows * out : 0), bytes);
        layer.m = rows;
        layer.k = in;
        layer.n = out;
        layer.weightElements = in * out;
        return layer;
    }

    // Activation x activation product [m x k] x [k x n] (unfused attention, similarity scores).
    core::Layer& matmul(std::string_view op, double m, double k, double n,
                        const core::ByteBreakdown& bytes) {
        core::Layer& layer =
            add(op, core::LayerKind::matmul, core::ExecUnit::matrix, 2 * m * k * n, bytes);
        layer.m = m;
        layer.k = k;
        layer.n = n;
        return layer;
    }

    // A vector-unit op over `elements` outputs reading `inputs` tensors of the same size.
    core::Layer& elementwise(std::string_view op, double elements, double opsPerElement,
                             double inputs) {
        core::ByteBreakdown bytes;
        bytes.activationsIn = inputs * elements * m_p.bytes;
        bytes.activationsOut = elements * m_p.bytes;
        return add(op, core::LayerKind::elementwise, core::ExecUnit::vector,
                   opsPerElement * elements, bytes);
    }

    // LayerNorm (weight and bias) over rows x width: 7 OPs per element (LLM-Viewer).
    core::Layer& layerNorm(std::string_view op, double rows, double width) {
        constexpr double kLayerNormOps = 7;
        core::ByteBreakdown bytes;
        bytes.weights = 2 * width * m_p.bytes;
        bytes.activationsIn = rows * width * m_p.bytes;
        bytes.activationsOut = rows * width * m_p.bytes;
        return add(op, core::LayerKind::norm, core::ExecUnit::vector, kLayerNormOps * rows * width,
                   bytes);
    }

    // Parameter tensors, one per layer that reads weights: its matrix elements (quantizable) and
    // the rest (biases, norms, tables) in the float type. Valid for builders in which every
    // parameter is read by exactly one layer of the pass (ViT, Swin, GNN).
    std::vector<core::WeightTensor> inventory() const {
        std::vector<core::WeightTensor> tensors;
        for (const core::Layer& layer : m_layers) {
            if (layer.bytes.weights <= 0) {
                continue;
            }
            const double other = layer.bytes.weights - layer.weightElements * m_p.bytes;
            tensors.push_back({layer.op, layer.block, layer.weightElements, layer.k, layer.n, other,
                               m_p.floatType});
        }
        return tensors;
    }

    std::vector<core::Layer> take() { return std::move(m_layers); }
    const std::vector<core::Layer>& layers() const { return m_layers; }

private:
    Precision m_p;
    std::int32_t m_block = -1;
    std::vector<core::Layer> m_layers;
};

// Moves the sink's layers into `w` with the parameter inventory, the parameter count and the
// memory footprint (weights from the inventory, activations: the largest in + out of a layer).
inline void finishWorkload(LayerSink& sink, core::Workload& w) {
    w.bits = core::TensorBits::native(sink.precision().floatType);
    w.weightTensors = sink.inventory();
    double parameters = 0;
    for (const auto& t : w.weightTensors) {
        parameters += t.elements + t.otherBytes / sink.precision().bytes;
        w.memory.weights += t.bytes();
    }
    w.model.parameters = parameters;
    w.model.activeParameters = parameters;
    w.model.activeParametersExclEmbedding = parameters;  // no lookup-table input embedding
    w.layers = sink.take();
    for (const auto& layer : w.layers) {
        w.memory.activations =
            std::max(w.memory.activations, layer.bytes.activationsIn + layer.bytes.activationsOut);
    }
}

// OPs per element of vector operations shared by the vision and graph builders (LLM-Viewer
// conventions, formulas.md section 0).
inline constexpr double kSoftmaxOpsPerElement = 5;  // max, sub, exp, sum, div
inline constexpr double kGeluOpsPerElement = 8;     // tanh form (formulas.md 1.1: 1-8 OPs)
inline constexpr double kReluOpsPerElement = 1;

}  // namespace rooflens::models
