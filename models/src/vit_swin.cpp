// Swin Transformer workload (formulas.md 1.2): patch partition/embedding, window attention with
// h, w padded up to multiples of the window M, shifted windows (cyclic shift as a memory
// permutation, attention mask and relative-position-bias adds), patch merging between stages.
#include <algorithm>
#include <cmath>
#include <string>

#include "models/layer_sink.h"
#include "models/vit.h"

namespace rooflens::models::detail {

namespace {

using core::ByteBreakdown;
using core::ExecUnit;
using core::LayerKind;

std::int64_t roundUp(std::int64_t value, std::int64_t multiple) {
    return (value + multiple - 1) / multiple * multiple;
}

class SwinBuilder {
public:
    SwinBuilder(const VitConfig& c, const core::RunSettings& s)
        : m_c(c), m_s(s), m_sink(nativePrecision(c.floatType)) {
        m_batch = static_cast<double>(s.batch);
        m_ba = m_bf = m_sink.precision().bytes;
    }

    core::Workload build(std::int64_t height, std::int64_t width) {
        std::int64_t h = height / m_c.patchSize;
        std::int64_t w = width / m_c.patchSize;
        const double c0 = static_cast<double>(m_c.embedDim);
        const double patchIn = static_cast<double>(m_c.inChannels * m_c.patchSize * m_c.patchSize);
        core::Layer& embed =
            m_sink.gemm("patch_embed", m_batch * static_cast<double>(h * w), patchIn, c0, true);
        embed.bytes.activationsIn = m_batch * static_cast<double>(height * width) *
                                    static_cast<double>(m_c.inChannels) * m_ba;
        m_sink.layerNorm("patch_norm", m_batch * static_cast<double>(h * w), c0);

        std::int32_t block = 0;
        double c = c0;
        for (std::size_t s = 0; s < m_c.depths.size(); ++s) {
            if (s > 0) {  // patch merging: 2x2 neighbours -> 4C, LN(4C), Linear(4C, 2C)
                m_sink.setBlock(block);
                h = (h + 1) / 2;
                w = (w + 1) / 2;
                const double rows = m_batch * static_cast<double>(h * w);
                m_sink.layerNorm("downsample.norm", rows, 4 * c);
                m_sink.gemm("downsample.reduction", rows, 4 * c, 2 * c, false);
                c *= 2;
            }
            // Official Swin: a stage no larger than the window uses one window and no shift.
            const bool small = std::min(h, w) <= m_c.windowSize;
            const std::int64_t window = small ? std::min(h, w) : m_c.windowSize;
            for (std::int64_t j = 0; j < m_c.depths[s]; ++j) {
                m_sink.setBlock(block++);
                addBlock(h, w, c, static_cast<double>(m_c.stageHeads[s]), window,
                         !small && j % 2 == 1);
            }
        }
        m_sink.setBlock(-1);
        const double tokens = m_batch * static_cast<double>(h * w);
        m_sink.layerNorm("norm", tokens, c);
        core::Layer& pool = m_sink.elementwise("avgpool", m_batch * c, 0, 0);
        pool.ops = tokens * c;
        pool.bytes.activationsIn = tokens * c * m_ba;
        m_sink.gemm("head", m_batch, c, static_cast<double>(m_c.numClasses), true);

        core::Workload wl;
        wl.model.id = m_c.id;
        wl.model.family = core::ModelFamily::vit;
        wl.model.blocks = static_cast<std::int32_t>(m_c.depth);
        wl.settings = m_s;
        wl.settings.promptLength = (height / m_c.patchSize) * (width / m_c.patchSize);
        wl.settings.contextLength = 0;
        wl.settings.generateLength = 0;
        finishWorkload(m_sink, wl);
        wl.attentionShapes = std::move(m_shapes);
        if (height != m_c.imageSize || width != m_c.imageSize) {
            wl.warnings.push_back("image " + std::to_string(height) + "x" + std::to_string(width) +
                                  " differs from the trained " + std::to_string(m_c.imageSize) +
                                  "x" + std::to_string(m_c.imageSize) +
                                  ": relative position tables are reused per window");
        }
        return wl;
    }

private:
    // A memory permutation (pad, cyclic shift, crop): no math, one read and one write.
    void addPermute(std::string_view op, double inElements, double outElements) {
        core::Layer& layer = m_sink.elementwise(op, outElements, 0, 0);
        layer.bytes.activationsIn = inElements * m_ba;
    }

    void addWindowAttention(double paddedTokens, double c, double heads, double window,
                            bool shifted) {
        const double m2 = window * window;
        const double windows = paddedTokens / m2;  // per image
        const double headDim = c / heads;
        const double scores = m_batch * heads * paddedTokens * m2;
        const double tokenBytes = m_batch * paddedTokens * c * m_ba;
        const double biasTable = (2 * window - 1) * (2 * window - 1) * heads * m_bf;
        const double maskBytes = shifted ? windows * m2 * m2 * m_ba : 0;
        if (m_s.flashAttention) {
            core::AttentionShape shape;
            shape.batch = m_batch * windows;
            shape.queryHeads = shape.kvHeads = heads;
            shape.headDim = headDim;
            shape.queries = shape.keys = m2;
            shape.causal = false;
            shape.kvBytesPerElement = shape.activationBytesPerElement = m_ba;
            ByteBreakdown bytes;
            bytes.weights = biasTable;
            bytes.activationsIn = tokenBytes + maskBytes;
            bytes.activationsOut = tokenBytes;
            bytes.kvRead = 2 * tokenBytes;
            const double adds = scores * (shifted ? 2 : 1);  // bias (+ mask) inside the kernel
            core::Layer& layer =
                m_sink.add("attention", LayerKind::attention, ExecUnit::matrix,
                           scores * (4 * headDim + kSoftmaxOpsPerElement) + adds, bytes);
            layer.attentionShape = static_cast<std::int32_t>(m_shapes.size());
            m_shapes.push_back(shape);
            return;
        }
        ByteBreakdown qk;
        qk.activationsIn = 2 * tokenBytes;
        qk.activationsOut = scores * m_ba;
        m_sink.matmul("qk_matmul", m_batch * windows * heads * m2, headDim, m2, qk);
        core::Layer& bias = m_sink.elementwise("rel_pos_bias", scores, 1, 1);
        bias.bytes.weights = biasTable;
        if (shifted) {
            core::Layer& mask = m_sink.elementwise("attn_mask", scores, 1, 1);
            mask.bytes.activationsIn += maskBytes;
        }
        core::Layer& softmax = m_sink.elementwise("softmax", scores, kSoftmaxOpsPerElement, 1);
        softmax.kind = LayerKind::softmax;
        ByteBreakdown pv;
        pv.activationsIn = scores * m_ba + tokenBytes;
        pv.activationsOut = tokenBytes;
        m_sink.matmul("pv_matmul", m_batch * windows * heads * m2, m2, headDim, pv);
    }

    void addBlock(std::int64_t h, std::int64_t w, double c, double heads, std::int64_t window,
                  bool shifted) {
        const double tokens = static_cast<double>(h * w);
        const double padded = static_cast<double>(roundUp(h, window) * roundUp(w, window));
        const double rows = m_batch * tokens;
        const double paddedRows = m_batch * padded;
        m_sink.layerNorm("norm1", rows, c);
        if (padded > tokens) {
            addPermute("pad", rows * c, paddedRows * c);
        }
        if (shifted) {
            addPermute("cyclic_shift", paddedRows * c, paddedRows * c);
        }
        // QKV and the output projection run inside WindowAttention, on the padded windows.
        m_sink.gemm("qkv", paddedRows, c, 3 * c, m_c.qkvBias);
        addWindowAttention(padded, c, heads, static_cast<double>(window), shifted);
        m_sink.gemm("proj", paddedRows, c, c, true);
        if (shifted) {
            addPermute("reverse_shift", paddedRows * c, paddedRows * c);
        }
        if (padded > tokens) {
            addPermute("crop", paddedRows * c, rows * c);
        }
        const double hidden = std::round(c * m_c.mlpRatio);
        m_sink.elementwise("attn_residual", rows * c, 1, 2);
        m_sink.layerNorm("norm2", rows, c);
        m_sink.gemm("fc1", rows, c, hidden, true);
        m_sink.elementwise("act", rows * hidden, kGeluOpsPerElement, 1);
        m_sink.gemm("fc2", rows, hidden, c, true);
        m_sink.elementwise("mlp_residual", rows * c, 1, 2);
    }

    const VitConfig& m_c;
    core::RunSettings m_s;
    LayerSink m_sink;
    std::vector<core::AttentionShape> m_shapes;
    double m_batch = 1;
    double m_ba = 2;
    double m_bf = 2;
};

}  // namespace

core::Result<core::Workload> buildSwin(const VitConfig& config, const core::RunSettings& settings,
                                       std::int64_t imageHeight, std::int64_t imageWidth) {
    return SwinBuilder(config, settings).build(imageHeight, imageWidth);
}

}  // namespace rooflens::models::detail
