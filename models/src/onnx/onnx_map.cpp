// ONNX import: maps the nodes of a shape-inferred graph to layers with the built-in builders' OP
// and byte conventions (models/layer_sink.h, vit_builder.cpp; docs/onnx.md has the table).
// Every float tensor is priced at the native fp16 of the builders; compression is applied to the
// workload afterwards by core::applyScenario, from the GEMM shapes and the weight inventory.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string_view>
#include <unordered_set>

#include "onnx_mapper.h"

namespace rooflens::models::onnx_import {

namespace detail {

// OPs per output element of the element-wise operators (transcendentals count 1, as exp does in
// the softmax's 5; formulas.md section 0).
const std::map<std::string_view, double>& unaryOps() {
    static const std::map<std::string_view, double> ops = {
        {"Relu", kReluOpsPerElement},
        {"LeakyRelu", 2},
        {"PRelu", 2},
        {"Elu", 3},
        {"Selu", 4},
        {"Celu", 3},
        {"Sigmoid", 4},
        {"HardSigmoid", 3},
        {"HardSwish", 4},
        {"Softplus", 3},
        {"Softsign", 3},
        {"Tanh", 1},
        {"Exp", 1},
        {"Log", 1},
        {"Sqrt", 1},
        {"Reciprocal", 1},
        {"Erf", 1},
        {"Sin", 1},
        {"Cos", 1},
        {"Neg", 1},
        {"Abs", 1},
        {"Floor", 1},
        {"Ceil", 1},
        {"Round", 1},
        {"Sign", 1},
        {"Not", 1},
        {"Clip", 2},
        {"Cast", 1},
        {"IsNaN", 1},
        {"IsInf", 1},
        {"Gelu", kGeluOpsPerElement},
    };
    return ops;
}

bool isBinary(std::string_view op) {
    static const std::unordered_set<std::string_view> ops = {
        "Add",  "Sub",      "Mul",   "Div",   "Pow",         "Max",
        "Min",  "Mod",      "Equal", "Less",  "Greater",     "GreaterOrEqual",
        "And",  "Or",       "Xor",   "Where", "LessOrEqual", "Sum",
        "Mean", "BitShift",
    };
    return ops.contains(op);
}

bool isFree(std::string_view op) {
    static const std::unordered_set<std::string_view> ops = {
        "Reshape", "Flatten",  "Squeeze", "Unsqueeze",       "Transpose", "Identity",
        "Dropout", "Concat",   "Split",   "Slice",           "Expand",    "Shape",
        "Size",    "Constant", "Range",   "ConstantOfShape",
    };
    return ops.contains(op);
}

bool isReduce(std::string_view op) {
    return op.starts_with("Reduce") || op == "ArgMax" || op == "ArgMin";
}

std::int64_t intAttribute(const Node& node, std::string_view name, std::int64_t fallback) {
    for (const auto& a : node.attribute()) {
        if (a.name() == name) {
            return a.i();
        }
    }
    return fallback;
}

std::vector<std::int64_t> intsAttribute(const Node& node, std::string_view name) {
    for (const auto& a : node.attribute()) {
        if (a.name() == name) {
            return {a.ints().begin(), a.ints().end()};
        }
    }
    return {};
}

void Mapper::collect() {
    auto add = [&](const onnx::ValueInfoProto& v) {
        if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) {
            return;
        }
        Tensor t;
        t.type = v.type().tensor_type().elem_type();
        for (const auto& d : v.type().tensor_type().shape().dim()) {
            if (!d.has_dim_value()) {
                return;  // not fully known: shape() reports it where a node needs it
            }
            t.dims.push_back(d.dim_value());
        }
        m_shapes[v.name()] = std::move(t);
    };
    for (const auto& v : m_graph.input())
        add(v);
    for (const auto& v : m_graph.value_info())
        add(v);
    for (const auto& v : m_graph.output())
        add(v);
    for (const auto& [name, t] : m_g.initializers)
        m_shapes[name] = t;
    for (const auto& v : m_graph.output())
        m_graphOutputs.insert(v.name());
    for (int i = 0; i < m_graph.node_size(); ++i) {
        for (const auto& input : node(i).input()) {
            if (!input.empty()) {
                m_consumers[input].push_back(i);
            }
        }
        if (node(i).op_type() == "Constant" && isStandard(node(i))) {
            m_constants.insert(node(i).output(0));
        }
    }
}

core::Result<Tensor> Mapper::shape(const Node& n, const std::string& name) const {
    if (const Tensor* t = find(name)) {
        return *t;
    }
    return core::makeError(m_g.path + ": node '" + n.name() + "' (" + n.op_type() +
                           "): the shape of '" + name +
                           "' is unknown after ONNX shape inference (give the graph inputs full "
                           "shapes, or dimension names the run settings bind: models/onnx.h)");
}

int Mapper::soleConsumer(const std::string& output) const {
    const auto it = m_consumers.find(output);
    if (it == m_consumers.end() || it->second.size() != 1 || m_graphOutputs.contains(output)) {
        return -1;
    }
    // Only a standard-domain node joins a pattern: a custom-domain "Softmax" may have any number
    // of inputs and outputs.
    return isStandard(node(it->second.front())) ? it->second.front() : -1;
}

std::string_view Mapper::opName(int i) const {
    const Node& n = node(i);
    return core::internName(n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name());
}

// Bytes of a float constant at the native precision, entered in the weight inventory the first
// time a layer reads it (quantizable matrix elements when `matrix`, else float-type bytes).
double Mapper::charge(const std::string& name, bool matrix, double k, double n) {
    const Tensor* t = find(name);
    if (t == nullptr || !isFloat(t->type)) {
        return 0;  // integer constants (shapes, axes, indices) are not weights
    }
    const double elements = t->elements();
    if (m_charged.insert(name).second) {
        core::WeightTensor w;
        w.op = core::internName(name);
        w.type = m_sink.precision().floatType;
        if (matrix) {
            w.elements = elements;
            w.k = k;
            w.n = n;
        } else {
            w.otherBytes = elements * m_p;
        }
        m_inventory.push_back(w);
    }
    return elements * m_p;
}

// Activation inputs (and float constants as weights) of inputs [first, end).
core::Status Mapper::readInputs(const Node& n, ByteBreakdown& b, std::size_t first) {
    for (std::size_t i = first; i < static_cast<std::size_t>(n.input_size()); ++i) {
        const std::string& name = n.input(static_cast<int>(i));
        if (name.empty()) {
            continue;
        }
        if (isConstant(name)) {
            b.weights += charge(name, false, 0, 0);
            continue;
        }
        ROOFLENS_TRY(const Tensor t, shape(n, name));
        b.activationsIn += bytes(t);
        if (const auto it = m_carried.find(name); it != m_carried.end()) {
            for (const auto& c : it->second) {
                b.weights += charge(c, false, 0, 0);
            }
        }
    }
    return core::Ok{};
}

core::Status Mapper::writeOutputs(const Node& n, ByteBreakdown& b) {
    for (const auto& name : n.output()) {
        if (!name.empty()) {
            ROOFLENS_TRY(const Tensor t, shape(n, name));
            b.activationsOut += bytes(t);
        }
    }
    return core::Ok{};
}

core::Layer& Mapper::emit(int i, LayerKind kind, ExecUnit unit, double ops,
                          const ByteBreakdown& b) {
    m_done[static_cast<std::size_t>(i)] = true;
    return m_sink.add(opName(i), kind, unit, ops, b);
}

// --- nodes --------------------------------------------------------------------------------

core::Status Mapper::mapNode(int i) {
    const Node& n = node(i);
    const std::string& op = n.op_type();
    if (!isStandard(n)) {
        ++m_unsupported[n.domain() + "." + op];
        m_done[static_cast<std::size_t>(i)] = true;
        return core::Ok{};
    }
    if (isFree(op)) {
        return mapFree(i);
    }
    // Integer arithmetic on small tensors is the shape computation of an export (Shape, Gather,
    // Mul, Concat feeding a Reshape): free like the reshape it feeds.
    if (n.output_size() > 0) {
        const Tensor* out = find(n.output(0));
        if (out != nullptr && !isFloat(out->type) && out->elements() <= kSmallTensor) {
            return mapFree(i);
        }
    }
    if (op == "MatMul")
        return mapMatMul(i);
    if (op == "Gemm")
        return mapGemm(i);
    if (op == "Conv")
        return mapConv(i, false);
    if (op == "ConvTranspose")
        return mapConv(i, true);
    if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" ||
        op == "GlobalMaxPool") {
        return mapPool(i);
    }
    if (op == "BatchNormalization" || op == "LayerNormalization" || op == "InstanceNormalization") {
        return mapNorm(i);
    }
    if (op == "Softmax")
        return mapVector(i, LayerKind::softmax, kSoftmaxOpsPerElement);
    if (op == "LogSoftmax")
        return mapVector(i, LayerKind::softmax, kLogSoftmaxOps);
    if (op == "Gather")
        return mapGather(i);
    if ((op == "Div" || op == "Mul") && mapGelu(i)) {
        return core::Ok{};
    }
    if (const auto it = unaryOps().find(op); it != unaryOps().end()) {
        return mapVector(i, LayerKind::elementwise, it->second);
    }
    if (isBinary(op)) {
        int active = 0;
        for (const auto& input : n.input()) {
            active += input.empty() ? 0 : 1;
        }
        const double ops = std::max(1, active - 1) + (op == "Mean" ? 1 : 0);
        return mapVector(i, LayerKind::elementwise, ops);
    }
    if (isReduce(op)) {
        ROOFLENS_TRY(const Tensor in, shape(n, n.input(0)));
        ROOFLENS_TRY(const Tensor out, shape(n, n.output(0)));
        return mapVector(i, LayerKind::elementwise, in.elements() / std::max(1.0, out.elements()));
    }
    ++m_unsupported[op];
    m_done[static_cast<std::size_t>(i)] = true;
    return core::Ok{};
}

// Reshape-like nodes move no data in a compiled graph; float constants they read ride on to the
// layer that reads their output.
core::Status Mapper::mapFree(int i) {
    const Node& n = node(i);
    std::vector<std::string> carried;
    for (const auto& input : n.input()) {
        if (input.empty()) {
            continue;
        }
        if (isConstant(input)) {
            const Tensor* t = find(input);
            if (t != nullptr && isFloat(t->type) && n.op_type() != "Constant") {
                carried.push_back(input);
            }
        } else if (const auto it = m_carried.find(input); it != m_carried.end()) {
            carried.insert(carried.end(), it->second.begin(), it->second.end());
        }
    }
    if (!carried.empty()) {
        for (const auto& output : n.output()) {
            m_carried[output] = carried;
        }
    }
    ++m_free;
    m_done[static_cast<std::size_t>(i)] = true;
    return core::Ok{};
}

// A vector-unit layer: `opsPerElement` per element of the first output.
core::Status Mapper::mapVector(int i, LayerKind kind, double opsPerElement) {
    const Node& n = node(i);
    ByteBreakdown b;
    ROOFLENS_CHECK(readInputs(n, b));
    ROOFLENS_CHECK(writeOutputs(n, b));
    ROOFLENS_TRY(const Tensor out, shape(n, n.output(0)));
    emit(i, kind, ExecUnit::vector, opsPerElement * out.elements(), b);
    return core::Ok{};
}

// The Add of a bias vector of n elements that is the sole reader of a MatMul's output, or -1.
int Mapper::biasAdd(int matmul, double n) const {
    const int add = soleConsumer(node(matmul).output(0));
    if (add < 0 || node(add).op_type() != "Add" || node(add).input_size() != 2) {
        return -1;
    }
    const Node& a = node(add);
    const std::string& other = a.input(0) == node(matmul).output(0) ? a.input(1) : a.input(0);
    const Tensor* t = find(other);
    if (!isConstant(other) || t == nullptr || !isFloat(t->type) || t->elements() != n) {
        return -1;
    }
    return add;
}

core::Status Mapper::mapMatMul(int i) {
    const Node& n = node(i);
    const bool aConst = isConstant(n.input(0));
    const bool bConst = isConstant(n.input(1));
    if (aConst || bConst) {
        return mapWeightMatMul(i, aConst);
    }
    AttentionMatch match;
    if (matchAttention(i, match)) {
        return m_s.flashAttention ? mapFlashAttention(match) : mapAttention(match);
    }
    return mapActivationMatMul(i);
}

// Activation x activation: [.., M, K] x [.., K, N], as LayerSink::matmul.
core::Status Mapper::mapActivationMatMul(int i) {
    const Node& n = node(i);
    ROOFLENS_TRY(const Tensor a, shape(n, n.input(0)));
    ROOFLENS_TRY(const Tensor y, shape(n, n.output(0)));
    ByteBreakdown bytes;
    ROOFLENS_CHECK(readInputs(n, bytes));
    ROOFLENS_CHECK(writeOutputs(n, bytes));
    const double k = static_cast<double>(a.dims.empty() ? 1 : a.dims.back());
    const double cols =
        y.dims.empty() || n.input_size() < 2 ? 1 : static_cast<double>(y.dims.back());
    const double rows = y.elements() / std::max(1.0, cols);
    core::Layer& layer = emit(i, LayerKind::matmul, ExecUnit::matrix, 2 * rows * k * cols, bytes);
    layer.m = rows;
    layer.k = k;
    layer.n = cols;
    return core::Ok{};
}

// x W (+ b) with W a [K, N] constant, or W x with W [M, K]: a GEMM as LayerSink::gemm, taking
// the bias Add that follows.
core::Status Mapper::mapWeightMatMul(int i, bool weightFirst) {
    const Node& n = node(i);
    const std::string& weight = n.input(weightFirst ? 0 : 1);
    const std::string& x = n.input(weightFirst ? 1 : 0);
    ROOFLENS_TRY(const Tensor w, shape(n, weight));
    ROOFLENS_TRY(const Tensor y, shape(n, n.output(0)));
    if (w.dims.size() != 2) {
        return core::makeError(m_g.path + ": node '" + n.name() + "' (MatMul): weight '" + weight +
                               "' has rank " + std::to_string(w.dims.size()) +
                               "; expected a [K, N] matrix");
    }
    const double k = static_cast<double>(weightFirst ? w.dims[1] : w.dims[0]);
    const double out = static_cast<double>(weightFirst ? w.dims[0] : w.dims[1]);
    const double rows = y.elements() / out;
    ByteBreakdown b;
    b.weights = charge(weight, true, k, out);
    if (!isConstant(x)) {
        ROOFLENS_TRY(const Tensor a, shape(n, x));
        b.activationsIn = bytes(a);
    }
    b.activationsOut = bytes(y);
    double ops = 2 * rows * k * out;
    if (const int add = weightFirst ? -1 : biasAdd(i, out); add >= 0) {
        const Node& a = node(add);
        b.weights += charge(a.input(0) == n.output(0) ? a.input(1) : a.input(0), false, 0, 0);
        ops += rows * out;
        m_done[static_cast<std::size_t>(add)] = true;
    }
    core::Layer& layer = emit(i, LayerKind::gemm, ExecUnit::matrix, ops, b);
    layer.m = rows;
    layer.k = k;
    layer.n = out;
    layer.weightElements = k * out;
    return core::Ok{};
}

core::Status Mapper::mapGemm(int i) {
    const Node& n = node(i);
    ROOFLENS_TRY(const Tensor a, shape(n, n.input(0)));
    ROOFLENS_TRY(const Tensor y, shape(n, n.output(0)));
    if (a.dims.size() != 2 || y.dims.size() != 2) {
        return core::makeError(m_g.path + ": node '" + n.name() +
                               "' (Gemm): expected 2-D operands");
    }
    const double k = static_cast<double>(intAttribute(n, "transA", 0) != 0 ? a.dims[0] : a.dims[1]);
    const double rows = static_cast<double>(y.dims[0]);
    const double out = static_cast<double>(y.dims[1]);
    ByteBreakdown b;
    const bool weight = isConstant(n.input(1));
    if (weight) {
        b.weights = charge(n.input(1), true, k, out);
    }
    ROOFLENS_CHECK(readInputs(n, b, weight ? 2 : 1));  // the bias C is a constant: weights
    b.activationsIn += isConstant(n.input(0)) ? 0 : bytes(a);
    b.activationsOut = bytes(y);
    const bool bias = n.input_size() > 2 && !n.input(2).empty();
    core::Layer& layer = emit(i, weight ? LayerKind::gemm : LayerKind::matmul, ExecUnit::matrix,
                              2 * rows * k * out + (bias ? rows * out : 0), b);
    layer.m = rows;
    layer.k = k;
    layer.n = out;
    layer.weightElements = weight ? k * out : 0;
    return core::Ok{};
}

// Conv as the GEMM [positions, Cin/g * kernel] x [Cin/g * kernel, Cout] (grouped and depthwise
// included: MACs = outputs x Cin/g x kernel); ConvTranspose as [input positions, Cin/g] x
// [Cin/g, Cout * kernel]. The input is read once (no im2col copy), as the ViT patch embedding.
core::Status Mapper::mapConv(int i, bool transpose) {
    const Node& n = node(i);
    ROOFLENS_TRY(const Tensor x, shape(n, n.input(0)));
    ROOFLENS_TRY(const Tensor w, shape(n, n.input(1)));
    ROOFLENS_TRY(const Tensor y, shape(n, n.output(0)));
    if (w.dims.size() < 3 || x.dims.size() < 3) {
        return core::makeError(m_g.path + ": node '" + n.name() + "' (" + n.op_type() +
                               "): expected [N, C, ...] input and weight tensors");
    }
    const double groups =
        static_cast<double>(std::max<std::int64_t>(1, intAttribute(n, "group", 1)));
    double rows = 0;
    double k = 0;
    if (transpose) {
        rows = x.elements() / static_cast<double>(x.dims[1]);
        k = static_cast<double>(w.dims[0]) / groups;
    } else {
        rows = y.elements() / static_cast<double>(y.dims[1]);
        k = w.elements() / static_cast<double>(w.dims[0]);
    }
    const double cols = w.elements() / k;
    ByteBreakdown b;
    const bool weight = isConstant(n.input(1));
    b.weights = weight ? charge(n.input(1), true, k, cols) : 0;
    ROOFLENS_CHECK(readInputs(n, b, 2));  // the bias
    b.activationsIn += bytes(x) + (weight ? 0 : bytes(w));
    b.activationsOut = bytes(y);
    const bool bias = n.input_size() > 2 && !n.input(2).empty();
    core::Layer& layer = emit(i, LayerKind::gemm, ExecUnit::matrix,
                              2 * rows * k * cols + (bias ? y.elements() : 0), b);
    layer.m = rows;
    layer.k = k;
    layer.n = cols;
    layer.weightElements = weight ? k * cols : 0;
    return core::Ok{};
}

// One OP per window element per output (compare or add), and one divide per output of an
// average.
core::Status Mapper::mapPool(int i) {
    const Node& n = node(i);
    ROOFLENS_TRY(const Tensor x, shape(n, n.input(0)));
    ROOFLENS_TRY(const Tensor y, shape(n, n.output(0)));
    double window = 1;
    if (n.op_type().starts_with("Global")) {
        window = x.elements() / std::max(1.0, y.elements());
    } else {
        for (auto d : intsAttribute(n, "kernel_shape")) {
            window *= static_cast<double>(d);
        }
    }
    const bool average = n.op_type().find("Average") != std::string::npos;
    return mapVector(i, LayerKind::elementwise, window + (average ? 1 : 0));
}

core::Status Mapper::mapNorm(int i) {
    const Node& n = node(i);
    const bool batch = n.op_type() == "BatchNormalization";
    ByteBreakdown b;
    ROOFLENS_CHECK(readInputs(n, b));
    ROOFLENS_TRY(const Tensor y, shape(n, n.output(0)));
    b.activationsOut = bytes(y);  // optional outputs (mean, variance) are not inference's
    emit(i, LayerKind::norm, ExecUnit::vector,
         (batch ? kBatchNormOps : kLayerNormOps) * y.elements(), b);
    return core::Ok{};
}

// Gather from a float constant is an embedding lookup (LLM builder: the gathered rows, not the
// table, are read); from an activation it is an index select, free like a Slice.
core::Status Mapper::mapGather(int i) {
    const Node& n = node(i);
    if (!isConstant(n.input(0))) {
        return mapFree(i);
    }
    const Tensor* table = find(n.input(0));
    if (table == nullptr || !isFloat(table->type)) {
        return mapFree(i);
    }
    ROOFLENS_TRY(const Tensor y, shape(n, n.output(0)));
    ByteBreakdown b;
    charge(n.input(0), false, 0, 0);
    b.weights = y.elements() * m_p;
    if (!isConstant(n.input(1))) {
        ROOFLENS_TRY(const Tensor idx, shape(n, n.input(1)));
        b.activationsIn = bytes(idx);
    }
    b.activationsOut = bytes(y);
    emit(i, LayerKind::embedding, ExecUnit::vector, 0, b);
    return core::Ok{};
}

// --- the workload -------------------------------------------------------------------------

// Issue 18, 3: dimensions come from the file (or a run setting bound to a symbolic one) and
// ONNX checks no range; every tensor a node reads or writes has dimensions in [0, 2^40] and at
// most 2^53 elements, so element, OP and byte counts stay exact in a double.
core::Status Mapper::checkSizes() const {
    constexpr std::int64_t kMaxDim = std::int64_t{1} << 40;
    constexpr double kMaxElements = 9007199254740992.0;  // 2^53
    for (int i = 0; i < m_graph.node_size(); ++i) {
        const Node& n = node(i);
        for (const auto* names : {&n.input(), &n.output()}) {
            for (const std::string& name : *names) {
                const Tensor* t = name.empty() ? nullptr : find(name);
                if (t == nullptr) {
                    continue;
                }
                const std::string where = m_g.path + ": node '" + n.name() + "' (" + n.op_type() +
                                          "): tensor '" + name + "' ";
                double elements = 1;
                for (std::size_t d = 0; d < t->dims.size(); ++d) {
                    if (t->dims[d] < 0 || t->dims[d] > kMaxDim) {
                        return core::makeError(where + "dimension " + std::to_string(d) + " is " +
                                               std::to_string(t->dims[d]) +
                                               "; expected a size in [0, 2^40]");
                    }
                    elements *= static_cast<double>(t->dims[d]);
                }
                if (elements > kMaxElements) {
                    char text[32];
                    std::snprintf(text, sizeof text, "%.3g", elements);
                    return core::makeError(where + "has " + text +
                                           " elements; expected at most 2^53");
                }
            }
        }
    }
    return core::Ok{};
}

core::Result<core::Workload> Mapper::run() {
    collect();
    ROOFLENS_CHECK(checkSizes());
    for (int i = 0; i < m_graph.node_size(); ++i) {
        if (!m_done[static_cast<std::size_t>(i)]) {
            ROOFLENS_CHECK(mapNode(i));
        }
    }
    return finish();
}

core::Workload Mapper::finish() {
    core::Workload w;
    w.model.id = m_g.id;
    w.model.family = core::ModelFamily::onnx;
    w.settings = m_s;
    w.settings.contextLength = 0;
    w.settings.generateLength = 0;
    w.bits = core::TensorBits::native(m_sink.precision().floatType);
    double parameters = 0;
    for (const auto& t : m_inventory) {
        parameters += t.elements + t.otherBytes / m_p;
        w.memory.weights += t.bytes();
    }
    w.model.parameters = w.model.activeParameters = parameters;
    w.model.activeParametersExclEmbedding = parameters;
    w.weightTensors = std::move(m_inventory);
    w.layers = m_sink.take();
    for (const auto& layer : w.layers) {
        w.memory.activations =
            std::max(w.memory.activations, layer.bytes.activationsIn + layer.bytes.activationsOut);
    }
    w.attentionShapes = std::move(m_attention);
    if (!m_unsupported.empty()) {
        std::string list;
        int count = 0;
        for (const auto& [op, n] : m_unsupported) {
            list += (list.empty() ? "" : ", ") + op + " x" + std::to_string(n);
            count += n;
        }
        w.warnings.push_back(std::to_string(count) +
                             " ONNX node(s) of unsupported operators are not counted (their OPs "
                             "and bytes are missing from the totals): " +
                             list);
    }
    w.notes.push_back("ONNX graph " + m_g.path + ": " + std::to_string(m_graph.node_size()) +
                      " nodes -> " + std::to_string(w.layers.size()) + " layers (" +
                      std::to_string(m_free) + " reshape-like nodes free, " +
                      std::to_string(m_attentionCount) + " attention patterns, " +
                      std::to_string(m_geluCount) +
                      " GELUs fused); float tensors priced at "
                      "fp16 (the file stores " +
                      (m_g.floatTypes.empty() ? "none" : m_g.floatTypes) + ")");
    return w;
}

}  // namespace detail

core::Result<core::Workload> mapGraph(const LoadedGraph& graph, const onnx::ModelProto& inferred,
                                      const core::RunSettings& settings) {
    return detail::Mapper(graph, inferred, settings).run();
}

}  // namespace rooflens::models::onnx_import
