// State-space (Mamba) mixers of the LLM builder (next-wave.md A.9): projections, the causal
// depthwise convolution and the selective scan (Mamba-1) or SSD (Mamba-2), with the conv and
// recurrent state read and written every decode step. No cost depends on the context length.
#include <algorithm>

#include "llm_builder.h"
#include "ssm_costs.h"

namespace rooflens::models::detail {

using core::ByteBreakdown;
using core::ExecUnit;
using core::Layer;
using core::LayerKind;

using ssm::kScan2PerChannel;
using ssm::kScan2PerHead;
using ssm::kScan2PerState;
using ssm::kSiluOps;

void Builder::addSsmMixer(const LayerSpec& spec) {
    const SsmConfig& s = m_c.ssm;
    const std::int64_t d = m_c.hiddenSize;
    const std::int64_t e = s.innerSize;
    const std::int64_t channels = ssmConvChannels(s);
    const bool mamba1 = spec.ssm == SsmKind::mamba1;
    // mamba1: x and z; mamba2: z, x, B, C and dt.
    addLinear("in_proj", m_tokens, d, mamba1 ? 2 * e : e + channels + s.heads, s.projBias, m_bw);
    // Causal depthwise conv over the last K inputs (the conv state), then SiLU.
    const double c = static_cast<double>(channels);
    const double k = static_cast<double>(s.convKernel);
    ByteBreakdown conv;
    conv.weights = ssm::convParameters(c, k, s.convBias) * m_bf;
    conv.activationsIn = m_tokens * c * m_ba;
    conv.activationsOut = m_tokens * c * m_ba;
    conv.kvRead = m_prefill ? 0 : m_batch * c * k * m_bs;
    conv.kvWrite = m_batch * c * k * m_bs;
    add("conv1d", LayerKind::ssm_conv, ExecUnit::vector, m_floatType,
        ssm::convOps(m_tokens, c, k, s.convBias), conv);
    if (mamba1) {
        const std::int64_t bc = s.dtRank + 2 * s.stateSize;
        addLinear("x_proj", m_tokens, e, bc, false, m_bw);
        if (s.dtBcNorms) {
            // jamba: RMSNorms over dt (R), B and C (N each).
            const double width = static_cast<double>(bc);
            addNormOver("ssm_norms", m_tokens, width, width);
        }
        addLinear("dt_proj", m_tokens, s.dtRank, e, true, m_bw);
    }
    addSsmScan();
    if (!mamba1) {
        const double de = static_cast<double>(e);
        if (s.gatedNorm) {
            // y * silu(z), then RMSNorm over E.
            addNormOver("ssm_norm", m_tokens, de, de);
            Layer& norm = m_layers.back();
            norm.ops += (kSiluOps + 1) * m_tokens * de;
            norm.bytes.activationsIn *= 2;
        } else {
            addElementwise("ssm_gate", m_tokens * de, kSiluOps + 1, 2);
        }
    }
    addLinear("out_proj", m_tokens, e, d, s.outBias, m_bw);
}

void Builder::addSsmScan() {
    const SsmConfig& s = m_c.ssm;
    const double e = static_cast<double>(s.innerSize);
    const double n = static_cast<double>(s.stateSize);
    const double h = static_cast<double>(s.heads);
    const double g = static_cast<double>(s.groups);
    const bool mamba1 = s.kind == SsmKind::mamba1;
    ByteBreakdown bytes;
    ByteBreakdown& b = bytes;
    // The recurrent state: read and written every decode step, written once by prefill.
    b.kvRead = m_prefill ? 0 : m_batch * e * n * m_bs;
    b.kvWrite = m_batch * e * n * m_bs;
    b.activationsOut = m_tokens * e * m_ba;
    double ops = 0;
    ExecUnit unit = ExecUnit::vector;
    if (mamba1) {
        b.weights = ssm::scan1Parameters(e, n) * m_bf;                     // A_log, D
        b.activationsIn = ssm::scan1InputElements(m_tokens, e, n) * m_ba;  // x, dt, z, B, C
        ops = ssm::scan1Ops(m_tokens, e, n);
    } else {
        b.weights = 3 * h * m_bf;                                 // dt_bias, A_log, D
        b.activationsIn = m_tokens * (e + 2 * g * n + h) * m_ba;  // x, B, C, dt
        if (m_prefill) {
            // Chunked SSD over chunks of Q tokens: intra-chunk C B^T (per group) and its
            // masked product with X (per head), inter-chunk states B^T X and C state.
            const double q = std::min(static_cast<double>(s.chunkSize), m_queries);
            ops = m_tokens * (2 * q * (g * n + e) + 3 * q * h + 4 * e * n);
            unit = ExecUnit::matrix;
        } else {
            ops = m_tokens * (kScan2PerState * e * n + kScan2PerChannel * e + kScan2PerHead * h);
        }
    }
    add("ssm_scan", LayerKind::ssm_scan, unit, m_floatType, ops, bytes);
}

}  // namespace rooflens::models::detail
