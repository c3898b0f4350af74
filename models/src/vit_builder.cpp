// ViT / DeiT workload builder (formulas.md 1.1) with per-block token schedules (formulas.md 1.3).
// The Swin builder is in vit_swin.cpp, the Vision Mamba builder in vim_builder.cpp; both share
// LayerSink's GEMM and LayerNorm accounting.
#include <algorithm>
#include <cmath>
#include <string>

#include "models/layer_sink.h"
#include "models/vit.h"

namespace rooflens::models {

namespace {

using core::ByteBreakdown;
using core::ExecUnit;
using core::LayerKind;

constexpr std::int64_t kMaxBatch = std::int64_t{1} << 24;
constexpr std::int64_t kMaxImage = std::int64_t{1} << 14;

class VitBuilder {
public:
    VitBuilder(const VitConfig& c, const core::RunSettings& s, std::int64_t height,
               std::int64_t width, std::vector<BlockTokens> schedule, const TokenReduction& r)
        : m_c(c),
          m_s(s),
          m_r(r),
          m_sink(nativePrecision(c.floatType)),
          m_schedule(std::move(schedule)),
          m_height(height),
          m_width(width) {
        m_batch = static_cast<double>(s.batch);
        m_d = static_cast<double>(c.embedDim);
        m_heads = static_cast<double>(c.numHeads);
        m_headDim = m_d / m_heads;
        m_ba = m_bf = m_sink.precision().bytes;
    }

    core::Workload build() {
        const double patches =
            static_cast<double>((m_height / m_c.patchSize) * (m_width / m_c.patchSize));
        const double prot = static_cast<double>(m_c.protectedTokens());
        const double tokens = patches + prot;
        addStem(patches, tokens);
        bool merged = false;  // ToMe's proportional attention starts after the first merge
        double current = tokens;
        for (std::size_t i = 0; i < m_schedule.size(); ++i) {
            const BlockTokens& b = m_schedule[i];
            m_sink.setBlock(static_cast<std::int32_t>(i));
            if (b.predictorTokens > 0) {
                addPredictor(static_cast<double>(b.predictorTokens), current,
                             static_cast<double>(b.keptBefore));
            }
            addBlock(b, merged && m_r.proportionalAttention);
            merged |= b.merged > 0;
            current = static_cast<double>(b.mlp);
        }
        m_sink.setBlock(-1);
        m_sink.layerNorm("norm", m_batch * current, m_d);
        const double classes = static_cast<double>(m_c.numClasses);
        m_sink.gemm("head", m_batch, m_d, classes, true);
        if (m_c.distillationTokens > 0) {
            m_sink.gemm("head_dist", m_batch, m_d, classes, true);  // averaged with head
        }

        core::Workload w;
        w.model.id = m_c.id;
        w.model.family = core::ModelFamily::vit;
        w.model.blocks = static_cast<std::int32_t>(m_c.depth);
        w.settings = m_s;
        w.settings.promptLength = static_cast<std::int64_t>(tokens);  // tokens per image
        w.settings.contextLength = 0;
        w.settings.generateLength = 0;
        finishWorkload(m_sink, w);
        w.attentionShapes = std::move(m_shapes);
        if (m_height != m_c.imageSize || m_width != m_c.imageSize) {
            w.warnings.push_back(
                "image " + std::to_string(m_height) + "x" + std::to_string(m_width) +
                " differs from the trained " + std::to_string(m_c.imageSize) + "x" +
                std::to_string(m_c.imageSize) + ": position embeddings are interpolated to " +
                std::to_string(static_cast<std::int64_t>(tokens)) + " tokens");
        }
        return w;
    }

private:
    // Patch embedding as a GEMM [B N, C P^2] x [C P^2, D]: patches do not overlap, so the image
    // is read once (no im2col duplication); then class/distillation tokens and position add.
    void addStem(double patches, double tokens) {
        const double patchIn = static_cast<double>(m_c.inChannels * m_c.patchSize * m_c.patchSize);
        core::Layer& embed = m_sink.gemm("patch_embed", m_batch * patches, patchIn, m_d, true);
        embed.bytes.activationsIn = m_batch * static_cast<double>(m_height * m_width) *
                                    static_cast<double>(m_c.inChannels) * m_ba;
        core::Layer& pos = m_sink.elementwise("pos_embed", m_batch * tokens * m_d, 1, 1);
        pos.bytes.weights = (tokens + static_cast<double>(m_c.protectedTokens())) * m_d * m_bf;
    }

    void addAttention(double t, bool proportional) {
        const double scores = m_batch * m_heads * t * t;
        const double tokensBytes = m_batch * t * m_d * m_ba;
        const double extraAdds = proportional ? scores : 0;  // + log(size) per score (ToMe)
        if (m_s.flashAttention) {
            core::AttentionShape shape;
            shape.batch = m_batch;
            shape.queryHeads = shape.kvHeads = m_heads;
            shape.headDim = m_headDim;
            shape.queries = shape.keys = t;
            shape.causal = false;
            shape.kvBytesPerElement = shape.activationBytesPerElement = m_ba;
            ByteBreakdown bytes;
            bytes.activationsIn = tokensBytes;
            bytes.activationsOut = tokensBytes;
            bytes.kvRead = 2 * tokensBytes;  // K and V once; analyze() prices the tiling
            core::Layer& layer =
                m_sink.add("attention", LayerKind::attention, ExecUnit::matrix,
                           scores * (4 * m_headDim + kSoftmaxOpsPerElement) + extraAdds, bytes);
            layer.attentionShape = static_cast<std::int32_t>(m_shapes.size());
            m_shapes.push_back(shape);
            return;
        }
        ByteBreakdown qk;
        qk.activationsIn = 2 * tokensBytes;
        qk.activationsOut = scores * m_ba;
        m_sink.matmul("qk_matmul", m_batch * m_heads * t, m_headDim, t, qk);
        core::Layer& softmax = m_sink.elementwise("softmax", scores, kSoftmaxOpsPerElement, 1);
        softmax.kind = LayerKind::softmax;
        softmax.ops += extraAdds;
        ByteBreakdown pv;
        pv.activationsIn = scores * m_ba + tokensBytes;
        pv.activationsOut = tokensBytes;
        m_sink.matmul("pv_matmul", m_batch * m_heads * t, t, m_headDim, pv);
    }

    // ToMe bipartite soft matching (merge.py): metric = keys averaged over heads and
    // L2-normalised; scores A B^T between alternating halves; row max, argsort, then merge the r
    // best-matched tokens by size-weighted averaging.
    void addTome(double t, double r) {
        const double a = std::ceil(t / 2);
        const double b = std::floor(t / 2);
        core::Layer& metric =
            m_sink.elementwise("tome_metric", m_batch * t * m_headDim, m_heads + 3, 0);
        metric.bytes.activationsIn = m_batch * t * m_d * m_ba;
        ByteBreakdown match;
        match.activationsIn = m_batch * t * m_headDim * m_ba;
        match.activationsOut = m_batch * a * b * m_ba;
        m_sink.matmul("tome_match", m_batch * a, m_headDim, b, match);
        core::Layer& merge = m_sink.elementwise("tome_merge", m_batch * (t - r) * m_d, 0, 0);
        merge.ops = m_batch * (a * b + a * std::log2(std::max(a, 2.0)) + 3 * t * m_d);
        merge.bytes.activationsIn = m_batch * (a * b + t * m_d + t) * m_ba;
        merge.bytes.activationsOut = m_batch * (t - r) * (m_d + 1) * m_ba;
    }

    // DiffRate: sort by class attention and drop `pruned` tokens, then merge `merged` more into
    // their most similar kept token (|merged| x |kept| x D MACs).
    void addDiffRate(double t, double pruned, double merged) {
        const double afterPrune = t - pruned;
        if (pruned > 0) {
            core::Layer& prune =
                m_sink.elementwise("diffrate_prune", m_batch * afterPrune * m_d, 0, 0);
            prune.ops = m_batch * t * std::log2(std::max(t, 2.0));
            prune.bytes.activationsIn = m_batch * (t * m_d + m_heads * t) * m_ba;
        }
        if (merged > 0) {
            const double kept = afterPrune - merged - static_cast<double>(m_c.protectedTokens());
            ByteBreakdown match;
            match.activationsIn = m_batch * afterPrune * m_d * m_ba;
            match.activationsOut = m_batch * merged * kept * m_ba;
            m_sink.matmul("diffrate_match", m_batch * merged, m_d, kept, match);
            core::Layer& merge =
                m_sink.elementwise("diffrate_merge", m_batch * (afterPrune - merged) * m_d, 0, 0);
            merge.ops = m_batch * (merged * kept + 3 * merged * m_d);
            merge.bytes.activationsIn = m_batch * (merged * kept + afterPrune * m_d) * m_ba;
        }
    }

    // Zero-TPrune's I-stage at a pruning layer (arXiv:2305.17328): the weighted PageRank
    // s <- A_h^T s over this block's attention probabilities A_h (t x t per head), `iterations`
    // times per head (t^2 MACs each) plus the head average (t adds per head and iteration); the
    // probabilities are read once (one head's t x t tile stays on chip across the iterations).
    // Under FlashAttention they were never written, so they are recomputed from Q and K
    // (h t^2 (2 d_h + 5) OPs). Then the tokens are sorted by importance and the kept ones
    // gathered for the MLP.
    void addZeroTPrune(double t, double kept) {
        const double iterations = static_cast<double>(m_r.iterations);
        ByteBreakdown wpr;
        wpr.activationsIn = m_batch * m_heads * t * t * m_ba;
        wpr.activationsOut = m_batch * t * m_ba;
        double recompute = 0;
        if (m_s.flashAttention) {
            wpr.activationsIn = 2 * m_batch * t * m_d * m_ba;  // Q and K
            recompute = m_batch * m_heads * t * t * (2 * m_headDim + kSoftmaxOpsPerElement);
        }
        core::Layer& rank =
            m_sink.matmul("zerotprune_wpr", m_batch * m_heads * iterations * t, t, 1, wpr);
        rank.unit = ExecUnit::vector;  // matrix-vector products
        rank.ops += m_batch * iterations * m_heads * t + recompute;
        core::Layer& select = m_sink.elementwise("zerotprune_select", m_batch * kept * m_d, 0, 0);
        select.ops = m_batch * t * std::log2(std::max(t, 2.0));
        select.bytes.activationsIn = m_batch * (t + t * m_d) * m_ba;
    }

    // DynamicViT PredictorLG on the patch tokens: LN, Linear(D, D), GELU, split into local and
    // global (mean) halves, Linear(D, D/2), GELU, Linear(D/2, D/4), GELU, Linear(D/4, 2),
    // log-softmax; then top-k and a gather of the kept tokens.
    void addPredictor(double patchTokens, double tokens, double kept) {
        const double rows = m_batch * patchTokens;
        const double half = std::floor(m_d / 2);
        const double quarter = std::floor(m_d / 4);
        m_sink.layerNorm("predictor.norm", rows, m_d);
        m_sink.gemm("predictor.fc1", rows, m_d, m_d, true);
        core::Layer& act1 = m_sink.elementwise("predictor.act1", rows * m_d, kGeluOpsPerElement, 1);
        act1.ops += rows * half;  // policy-weighted mean of the global half
        m_sink.gemm("predictor.fc2", rows, m_d, half, true);
        m_sink.elementwise("predictor.act2", rows * half, kGeluOpsPerElement, 1);
        m_sink.gemm("predictor.fc3", rows, half, quarter, true);
        m_sink.elementwise("predictor.act3", rows * quarter, kGeluOpsPerElement, 1);
        m_sink.gemm("predictor.fc4", rows, quarter, 2, true);
        core::Layer& select = m_sink.elementwise("predictor.select", m_batch * kept * m_d, 0, 0);
        select.ops = rows * 2 * kSoftmaxOpsPerElement +
                     rows * std::log2(std::max(patchTokens, 2.0));  // log-softmax, top-k sort
        select.bytes.activationsIn = (rows * 2 + m_batch * tokens * m_d) * m_ba;
    }

    void addBlock(const BlockTokens& b, bool proportional) {
        const double t = static_cast<double>(b.attention);
        const double tm = static_cast<double>(b.mlp);
        const double hidden = static_cast<double>(m_c.mlpHidden);
        m_sink.layerNorm("norm1", m_batch * t, m_d);
        m_sink.gemm("qkv", m_batch * t, m_d, 3 * m_d, m_c.qkvBias);
        addAttention(t, proportional);
        m_sink.gemm("proj", m_batch * t, m_d, m_d, true);
        m_sink.elementwise("attn_residual", m_batch * t * m_d, 1, 2);
        if (m_r.method == TokenMethod::tome && b.merged > 0) {
            addTome(t, static_cast<double>(b.merged));
        } else if (m_r.method == TokenMethod::diffRate && b.pruned + b.merged > 0) {
            addDiffRate(t, static_cast<double>(b.pruned), static_cast<double>(b.merged));
        } else if (m_r.method == TokenMethod::zeroTPrune && b.pruned > 0) {
            addZeroTPrune(t, tm);
        }
        m_sink.layerNorm("norm2", m_batch * tm, m_d);
        m_sink.gemm("fc1", m_batch * tm, m_d, hidden, true);
        m_sink.elementwise("act", m_batch * tm * hidden, kGeluOpsPerElement, 1);
        m_sink.gemm("fc2", m_batch * tm, hidden, m_d, true);
        m_sink.elementwise("mlp_residual", m_batch * tm * m_d, 1, 2);
    }

    const VitConfig& m_c;
    core::RunSettings m_s;
    const TokenReduction& m_r;
    LayerSink m_sink;
    std::vector<BlockTokens> m_schedule;
    std::vector<core::AttentionShape> m_shapes;
    std::int64_t m_height = 0;
    std::int64_t m_width = 0;
    double m_batch = 1;
    double m_d = 0;
    double m_heads = 1;
    double m_headDim = 1;
    double m_ba = 2;
    double m_bf = 2;
};

core::Status checkSettings(const VitConfig& c, const core::RunSettings& s, std::int64_t height,
                           std::int64_t width) {
    if (s.phase != core::Phase::prefill) {
        return core::usageError(c.id +
                                ": a vision model runs one forward pass; use phase "
                                "prefill, not " +
                                std::string(core::nameOf(s.phase)));
    }
    if (s.batch < 1 || s.batch > kMaxBatch) {
        return core::usageError("batch must be an integer in [1, 2^24], got " +
                                std::to_string(s.batch));
    }
    for (auto [name, side] : {std::pair{"height", height}, std::pair{"width", width}}) {
        if (side < c.patchSize || side > kMaxImage || side % c.patchSize != 0) {
            return core::usageError(
                "image " + std::string(name) + " " + std::to_string(side) +
                ": expected a multiple of the patch size " + std::to_string(c.patchSize) + " in [" +
                std::to_string(c.patchSize) + ", " + std::to_string(kMaxImage) + "]");
        }
    }
    return core::Ok{};
}

}  // namespace

core::Result<core::Workload> buildVit(const VitConfig& config, const core::RunSettings& settings,
                                      const VitOptions& options) {
    const std::int64_t height = options.imageHeight > 0 ? options.imageHeight : config.imageSize;
    const std::int64_t width = options.imageWidth > 0 ? options.imageWidth : config.imageSize;
    if (auto ok = checkSettings(config, settings, height, width); !ok) {
        return ok.error();
    }
    if (config.arch == VitArch::swin) {
        if (options.reduction.method != TokenMethod::none) {
            return core::usageError("token reduction is modelled for ViT/DeiT, not for Swin (" +
                                    config.id + ")");
        }
        return detail::buildSwin(config, settings, height, width);
    }
    const std::int64_t tokens =
        (height / config.patchSize) * (width / config.patchSize) + config.protectedTokens();
    auto schedule = tokenSchedule(config, tokens, options.reduction);
    if (!schedule) {
        return schedule.error();
    }
    if (config.arch == VitArch::vim) {
        return detail::buildVim(config, settings, height, width, schedule.value(),
                                options.reduction);
    }
    return VitBuilder(config, settings, height, width, std::move(schedule).value(),
                      options.reduction)
        .build();
}

}  // namespace rooflens::models
