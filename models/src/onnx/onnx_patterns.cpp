// ONNX import: the fused patterns the Mapper recognises in a graph (MatMul-[scale]-[mask]-
// Softmax-MatMul attention, the Erf form of GELU) and prices as the built-in builders do.
#include <string>

#include "onnx_mapper.h"

namespace rooflens::models::onnx_import::detail {

// --- patterns -----------------------------------------------------------------------------

bool Mapper::matchAttention(int qk, AttentionMatch& m) const {
    auto isScalarConstant = [&](const std::string& name) {
        const Tensor* t = find(name);
        return isConstant(name) && t != nullptr && t->elements() == 1;
    };
    auto other = [&](int i, const std::string& mine) {
        return node(i).input(0) == mine ? node(i).input(1) : node(i).input(0);
    };
    m.qk = qk;
    std::string out = node(qk).output(0);
    int next = soleConsumer(out);
    if (next >= 0 && (node(next).op_type() == "Mul" || node(next).op_type() == "Div") &&
        isScalarConstant(other(next, out)) &&
        (node(next).op_type() == "Mul" || node(next).input(0) == out)) {
        m.scale = next;
        out = node(next).output(0);
        next = soleConsumer(out);
    }
    if (next >= 0 && node(next).op_type() == "Add" && node(next).input_size() == 2) {
        m.mask = next;
        out = node(next).output(0);
        next = soleConsumer(out);
    }
    if (next < 0 || node(next).op_type() != "Softmax") {
        return false;
    }
    const Tensor* scores = find(out);
    const std::int64_t axis = intAttribute(node(next), "axis", -1);
    if (scores == nullptr ||
        (axis != -1 && axis != static_cast<std::int64_t>(scores->dims.size()) - 1)) {
        return false;
    }
    m.softmax = next;
    const int pv = soleConsumer(node(next).output(0));
    if (pv < 0 || node(pv).op_type() != "MatMul" || node(pv).input(0) != node(next).output(0) ||
        isConstant(node(pv).input(1))) {
        return false;
    }
    m.pv = pv;
    return true;
}

// Unfused attention as the ViT builder counts it: QK^T, the softmax over the scores (the scale
// folded into it, as attention kernels do), PV; a mask Add stays an element-wise layer.
core::Status Mapper::mapAttention(const AttentionMatch& m) {
    ROOFLENS_CHECK(mapActivationMatMul(m.qk));
    if (m.scale >= 0) {
        m_done[static_cast<std::size_t>(m.scale)] = true;
    }
    if (m.mask >= 0) {
        ROOFLENS_CHECK(mapVector(m.mask, LayerKind::elementwise, 1));
    }
    const Node& softmax = node(m.softmax);
    ROOFLENS_TRY(const Tensor scores, shape(softmax, softmax.output(0)));
    ByteBreakdown b;
    b.activationsIn = bytes(scores);
    b.activationsOut = bytes(scores);
    emit(m.softmax, LayerKind::softmax, ExecUnit::vector, kSoftmaxOpsPerElement * scores.elements(),
         b);
    ++m_attentionCount;
    return mapActivationMatMul(m.pv);
}

// FlashAttention: one fused layer as the ViT builder's, K and V priced by analyze() from the
// shape (formulas.md 3.6). Q [.., Tq, d], K^T [.., d, Tk], V [.., Tk, dv].
core::Status Mapper::mapFlashAttention(const AttentionMatch& m) {
    const Node& qk = node(m.qk);
    const Node& pv = node(m.pv);
    ROOFLENS_TRY(const Tensor q, shape(qk, qk.input(0)));
    ROOFLENS_TRY(const Tensor kt, shape(qk, qk.input(1)));
    ROOFLENS_TRY(const Tensor v, shape(pv, pv.input(1)));
    ROOFLENS_TRY(const Tensor o, shape(pv, pv.output(0)));
    ROOFLENS_TRY(const Tensor s, shape(qk, qk.output(0)));
    if (q.dims.size() < 2 || kt.dims.size() < 2 || v.dims.size() < 2) {
        return core::makeError(m_g.path + ": node '" + qk.name() +
                               "' (MatMul): attention operands of rank below 2");
    }
    core::AttentionShape a;
    a.headDim = static_cast<double>(q.dims.back());
    a.queries = static_cast<double>(q.dims[q.dims.size() - 2]);
    a.keys = static_cast<double>(kt.dims.back());
    const double dv = static_cast<double>(v.dims.back());
    a.valueDim = dv == a.headDim ? 0 : dv;
    const double lead = q.elements() / (a.queries * a.headDim);
    a.batch = q.dims.size() > 2 ? static_cast<double>(q.dims[0]) : 1;
    a.queryHeads = a.kvHeads = lead / a.batch;
    a.causal = false;  // the graph's mask, if any, is an input: all pairs are counted
    a.kvBytesPerElement = a.activationBytesPerElement = m_p;
    ByteBreakdown b;
    b.activationsIn = bytes(q);
    b.activationsOut = bytes(o);
    b.kvRead = bytes(kt) + bytes(v);  // K and V once; analyze() prices the tiling
    double ops = s.elements() * (2 * a.headDim + 2 * dv + kSoftmaxOpsPerElement);
    if (m.mask >= 0) {
        ROOFLENS_CHECK(readInputs(node(m.mask), b));
        b.activationsIn -= bytes(s);  // the scores never leave the chip
        ops += s.elements();
    }
    for (int i : {m.qk, m.scale, m.mask, m.softmax}) {
        if (i >= 0) {
            m_done[static_cast<std::size_t>(i)] = true;
        }
    }
    ++m_attentionCount;
    core::Layer& layer = emit(m.pv, LayerKind::attention, ExecUnit::matrix, ops, b);
    layer.op = core::internName("attention_" + std::to_string(m_attentionCount));
    layer.attentionShape = static_cast<std::int32_t>(m_attention.size());
    m_attention.push_back(a);
    return core::Ok{};
}

// torch.nn.GELU's erf form, x * 0.5 * (1 + erf(x / sqrt 2)), five nodes from the Div: one GELU
// of 8 OPs per element (LayerSink's kGeluOpsPerElement).
bool Mapper::mapGelu(int i) {
    const Node& div = node(i);
    const std::string& x = div.input(0);
    if (div.input_size() != 2 || isConstant(x) || !isConstant(div.input(1))) {
        return false;
    }
    const int erf = soleConsumer(div.output(0));
    if (erf < 0 || node(erf).op_type() != "Erf")
        return false;
    const int add = soleConsumer(node(erf).output(0));
    if (add < 0 || node(add).op_type() != "Add")
        return false;
    const int mul = soleConsumer(node(add).output(0));
    if (mul < 0 || node(mul).op_type() != "Mul")
        return false;
    const Node& m = node(mul);
    if (m.input(0) != x && m.input(1) != x)
        return false;
    int last = mul;
    const int half = soleConsumer(m.output(0));
    if (half >= 0 && node(half).op_type() == "Mul") {
        const Node& h = node(half);
        const std::string& other = h.input(0) == m.output(0) ? h.input(1) : h.input(0);
        const Tensor* t = find(other);
        if (isConstant(other) && t != nullptr && t->elements() == 1) {
            last = half;
        }
    }
    const Tensor* in = find(x);
    const Tensor* out = find(node(last).output(0));
    if (in == nullptr || out == nullptr)
        return false;
    for (int n : {i, erf, add, mul, last}) {
        m_done[static_cast<std::size_t>(n)] = true;
    }
    ByteBreakdown b;
    b.activationsIn = bytes(*in);
    b.activationsOut = bytes(*out);
    ++m_geluCount;
    core::Layer& layer = m_sink.add(opName(last), LayerKind::elementwise, ExecUnit::vector,
                                    kGeluOpsPerElement * out->elements(), b);
    layer.op = core::internName("gelu_" + std::to_string(m_geluCount));
    return true;
}

}  // namespace rooflens::models::onnx_import::detail
