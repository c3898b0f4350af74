#pragma once
// Private to the ONNX import: the Mapper that turns a shape-inferred graph into layers, shared by
// onnx_map.cpp (collection, the node-by-node mapping, the workload) and onnx_patterns.cpp (the
// fused patterns it recognises: attention, GELU).
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "models/layer_sink.h"
#include "onnx_graph.h"

namespace rooflens::models::onnx_import::detail {

using core::ByteBreakdown;
using core::ExecUnit;
using core::LayerKind;
using Node = onnx::NodeProto;

constexpr double kLayerNormOps = 7;  // LayerSink::layerNorm (LLM-Viewer)
constexpr double kBatchNormOps = 2;  // inference: one scale and one shift per element
constexpr double kLogSoftmaxOps = kSoftmaxOpsPerElement + 1;
constexpr double kSmallTensor = 64;  // integer tensors up to this size are shape arithmetic

// Operator tables and attribute readers (onnx_map.cpp).
const std::map<std::string_view, double>& unaryOps();
bool isBinary(std::string_view op);
bool isFree(std::string_view op);
bool isReduce(std::string_view op);
std::int64_t intAttribute(const Node& node, std::string_view name, std::int64_t fallback);
std::vector<std::int64_t> intsAttribute(const Node& node, std::string_view name);
// A node of the standard domain ('' or 'ai.onnx'): the load checked its arity against its
// operator's schema (onnx_load.cpp, checkNodes), so its inputs and outputs can be read by position.
inline bool isStandard(const Node& node) {
    return isStandardDomain(node.domain());
}

// A recognised MatMul-[scale]-[mask]-Softmax-MatMul attention.
struct AttentionMatch {
    int qk = -1;
    int scale = -1;
    int mask = -1;
    int softmax = -1;
    int pv = -1;
};

class Mapper {
public:
    Mapper(const LoadedGraph& g, const onnx::ModelProto& inferred, const core::RunSettings& s)
        : m_g(g), m_graph(inferred.graph()), m_s(s), m_sink(nativePrecision(core::DataType::fp16)) {
        m_p = m_sink.precision().bytes;
        m_done.assign(static_cast<std::size_t>(m_graph.node_size()), false);
    }

    core::Result<core::Workload> run();

private:
    void collect();
    core::Status checkSizes() const;
    const Tensor* find(const std::string& name) const {
        const auto it = m_shapes.find(name);
        return it == m_shapes.end() ? nullptr : &it->second;
    }
    core::Result<Tensor> shape(const Node& node, const std::string& name) const;
    bool isConstant(const std::string& name) const {
        return m_g.initializers.contains(name) || m_constants.contains(name);
    }
    double bytes(const Tensor& t) const {
        return t.elements() * (isFloat(t.type) ? m_p : elementBytes(t.type));
    }
    int soleConsumer(const std::string& output) const;
    const Node& node(int i) const { return m_graph.node(i); }
    std::string_view opName(int i) const;

    double charge(const std::string& name, bool matrix, double k, double n);
    core::Status readInputs(const Node& node, ByteBreakdown& bytes, std::size_t first = 0);
    core::Status writeOutputs(const Node& node, ByteBreakdown& bytes);
    core::Layer& emit(int i, LayerKind kind, ExecUnit unit, double ops, const ByteBreakdown& b);

    core::Status mapNode(int i);
    core::Status mapFree(int i);
    core::Status mapMatMul(int i);
    core::Status mapActivationMatMul(int i);
    core::Status mapWeightMatMul(int i, bool weightFirst);
    core::Status mapGemm(int i);
    core::Status mapConv(int i, bool transpose);
    core::Status mapPool(int i);
    core::Status mapNorm(int i);
    core::Status mapVector(int i, LayerKind kind, double opsPerElement);
    core::Status mapGather(int i);
    bool matchAttention(int qk, AttentionMatch& m) const;
    core::Status mapAttention(const AttentionMatch& m);
    core::Status mapFlashAttention(const AttentionMatch& m);
    bool mapGelu(int i);
    int biasAdd(int matmul, double n) const;
    core::Workload finish();

    const LoadedGraph& m_g;
    const onnx::GraphProto& m_graph;
    core::RunSettings m_s;
    LayerSink m_sink;
    double m_p = 2;
    std::unordered_map<std::string, Tensor> m_shapes;
    std::unordered_set<std::string> m_constants;  // outputs of Constant nodes
    std::unordered_set<std::string> m_graphOutputs;
    std::unordered_map<std::string, std::vector<int>> m_consumers;
    // Float constants read by free nodes (a class token through Expand and Concat) ride on their
    // outputs to the first layer that reads them.
    std::unordered_map<std::string, std::vector<std::string>> m_carried;
    std::unordered_set<std::string> m_charged;  // constants already in the inventory
    std::vector<core::WeightTensor> m_inventory;
    std::vector<core::AttentionShape> m_attention;
    std::vector<bool> m_done;
    std::map<std::string, int> m_unsupported;
    int m_free = 0;
    int m_attentionCount = 0;
    int m_geluCount = 0;
};

}  // namespace rooflens::models::onnx_import::detail
