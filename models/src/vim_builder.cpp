// Vision Mamba (Vim, arXiv:2401.09417) workload builder: patch embedding, a class token in the
// middle of the sequence, `depth` bidirectional Mamba blocks (bimamba v2 of the official
// mamba_simple.py: in_proj and out_proj shared, conv1d, x_proj, dt_proj and the selective scan
// once per direction), the final RMSNorm and the head; with R-MeeTo merging or plain pruning
// before the scheduled blocks (arXiv:2412.12496). The scan and conv costs are the LLM Mamba
// layers' (ssm_costs.h). docs/vit.md has the formulas.
#include <algorithm>
#include <cmath>
#include <string>

#include "models/layer_sink.h"
#include "models/vit.h"
#include "ssm_costs.h"

namespace rooflens::models::detail {

namespace {

using core::ByteBreakdown;
using core::ExecUnit;
using core::LayerKind;

constexpr double kRmsNormOps = 4;  // square, sum, scale by rsqrt, multiply by weight
constexpr double kL2NormOps = 3;   // square, sum, divide

class VimBuilder {
public:
    VimBuilder(const VitConfig& c, const core::RunSettings& s, std::int64_t height,
               std::int64_t width, const std::vector<BlockTokens>& schedule,
               const TokenReduction& r)
        : m_c(c),
          m_s(s),
          m_r(r),
          m_sink(nativePrecision(core::DataType::fp16)),
          m_schedule(schedule),
          m_height(height),
          m_width(width) {
        m_batch = static_cast<double>(s.batch);
        m_d = static_cast<double>(c.embedDim);
        m_e = static_cast<double>(c.innerSize());
        m_n = static_cast<double>(c.dState);
        m_k = static_cast<double>(c.dConv);
        m_rank = static_cast<double>(c.dtRank);
        m_b = m_sink.precision().bytes;
    }

    core::Workload build() {
        const double patches =
            static_cast<double>((m_height / m_c.patchSize) * (m_width / m_c.patchSize));
        const double tokens = patches + static_cast<double>(m_c.protectedTokens());
        addStem(patches, tokens);
        double current = tokens;
        for (std::size_t i = 0; i < m_schedule.size(); ++i) {
            const BlockTokens& b = m_schedule[i];
            m_sink.setBlock(static_cast<std::int32_t>(i));
            const double removed = static_cast<double>(b.merged + b.pruned);
            if (m_r.method == TokenMethod::rmeeto && removed > 0) {
                addMerge(current, removed, b.merged > 0);
            }
            current = static_cast<double>(b.attention);
            addBlock(current, i == 0);
        }
        m_sink.setBlock(-1);
        addAddNorm("norm_f", m_batch * current, false);
        m_sink.gemm("head", m_batch, m_d, static_cast<double>(m_c.numClasses), true);

        core::Workload w;
        w.model.id = m_c.id;
        w.model.family = core::ModelFamily::vit;
        w.model.blocks = static_cast<std::int32_t>(m_c.depth);
        w.settings = m_s;
        w.settings.promptLength = static_cast<std::int64_t>(tokens);  // tokens per image
        w.settings.contextLength = 0;
        w.settings.generateLength = 0;
        finishWorkload(m_sink, w);
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
    // Patch embedding as a GEMM [B N, C P^2] x [C P^2, D] (the image is read once), then the
    // class token is inserted at position N / 2 and the position embedding added; the
    // elementwise layer reads the class token and the (N + 1) x D position table.
    void addStem(double patches, double tokens) {
        const double patchIn = static_cast<double>(m_c.inChannels * m_c.patchSize * m_c.patchSize);
        core::Layer& embed = m_sink.gemm("patch_embed", m_batch * patches, patchIn, m_d, true);
        embed.bytes.activationsIn = m_batch * static_cast<double>(m_height * m_width) *
                                    static_cast<double>(m_c.inChannels) * m_b;
        core::Layer& pos = m_sink.elementwise("pos_embed", m_batch * tokens * m_d, 1, 1);
        pos.bytes.weights = (tokens + static_cast<double>(m_c.protectedTokens())) * m_d * m_b;
    }

    // The fused residual add + RMSNorm of a Vim block (Add -> Norm -> Mixer; the first block has
    // no residual yet): reads the mixer output and the residual, writes the normalised input and
    // the new residual. norm_f writes only the normalised tokens.
    void addAddNorm(std::string_view op, double rows, bool first) {
        const bool writesResidual = op != "norm_f";
        ByteBreakdown bytes;
        bytes.weights = m_d * m_b;
        bytes.activationsIn = (first ? 1 : 2) * rows * m_d * m_b;
        bytes.activationsOut = (writesResidual ? 2 : 1) * rows * m_d * m_b;
        m_sink.add(op, LayerKind::norm, ExecUnit::vector,
                   (kRmsNormOps + (first ? 0 : 1)) * rows * m_d, bytes);
    }

    // One direction of the bimamba v2 mixer (mamba_inner_fn_no_out_proj): causal depthwise conv
    // and SiLU over x, x_proj to (dt, B, C), dt_proj, and the selective scan gated by silu(z).
    void addDirection(double rows, bool backward) {
        ByteBreakdown conv;
        conv.weights = ssm::convParameters(m_e, m_k, true) * m_b;
        conv.activationsIn = rows * m_e * m_b;
        conv.activationsOut = rows * m_e * m_b;
        m_sink.add(backward ? "conv1d_b" : "conv1d", LayerKind::ssm_conv, ExecUnit::vector,
                   ssm::convOps(rows, m_e, m_k, true), conv);
        m_sink.gemm(backward ? "x_proj_b" : "x_proj", rows, m_e, m_rank + 2 * m_n, false);
        m_sink.gemm(backward ? "dt_proj_b" : "dt_proj", rows, m_rank, m_e, true);
        ByteBreakdown scan;
        scan.weights = ssm::scan1Parameters(m_e, m_n) * m_b;  // A_log, D
        scan.activationsIn = ssm::scan1InputElements(rows, m_e, m_n) * m_b;
        scan.activationsOut = rows * m_e * m_b;
        m_sink.add(backward ? "ssm_scan_b" : "ssm_scan", LayerKind::ssm_scan, ExecUnit::vector,
                   ssm::scan1Ops(rows, m_e, m_n), scan);
    }

    void addBlock(double t, bool first) {
        const double rows = m_batch * t;
        addAddNorm("norm", rows, first);
        m_sink.gemm("in_proj", rows, m_d, 2 * m_e, false);
        addDirection(rows, false);
        // The official code materialises xz.flip (2E channels) for the backward branch and
        // out_b.flip (E) before the sum: copies without OPs.
        m_sink.elementwise("flip", rows * 3 * m_e, 0, 1);
        addDirection(rows, true);
        m_sink.elementwise("combine", rows * m_e, 2, 2);  // (out + out_b) / 2 (if_divide_out)
        m_sink.gemm("out_proj", rows, m_e, m_d, false);
    }

    // R-MeeTo (RMeeTo_Merge, metric X, cosine, ordered merge) before a block entering with `t`
    // tokens, `r` of which are removed: the class token is set aside; the other t - 1 tokens are
    // L2-normalised and split alternately into a = ceil((t-1)/2) and b = floor((t-1)/2); the
    // a x b cosine scores (a b D MACs), row max and argsort pick the r best-matched a-tokens;
    // merge_wavg scales hidden states and residual by size, scatter-adds the r sources into
    // their destinations (skipped when pruning), divides by size, and the ordered merge sorts
    // the kept indices back into sequence order.
    void addMerge(double t, double r, bool merge) {
        const double others = t - static_cast<double>(m_c.protectedTokens());
        const double a = std::ceil(others / 2);
        const double b = std::floor(others / 2);
        core::Layer& metric = m_sink.elementwise(merge ? "rmeeto_metric" : "prune_metric",
                                                 m_batch * others * m_d, kL2NormOps, 0);
        metric.bytes.activationsIn = m_batch * t * m_d * m_b;
        ByteBreakdown match;
        match.activationsIn = m_batch * others * m_d * m_b;
        match.activationsOut = m_batch * a * b * m_b;
        m_sink.matmul(merge ? "rmeeto_match" : "prune_match", m_batch * a, m_d, b, match);
        const double kept = t - r;
        const double sortedKept = std::max(others - r, 2.0);
        core::Layer& apply = m_sink.elementwise(merge ? "rmeeto_merge" : "prune_drop",
                                                m_batch * 2 * kept * m_d, 0, 0);
        apply.ops = m_batch * (a * b + a * std::log2(std::max(a, 2.0)) +
                               2 * (t * m_d + kept * m_d + (merge ? r * m_d : 0)) +
                               sortedKept * std::log2(sortedKept));
        apply.bytes.activationsIn = m_batch * (a * b + 2 * t * m_d) * m_b;
        apply.bytes.activationsOut = m_batch * 2 * kept * m_d * m_b;
    }

    const VitConfig& m_c;
    core::RunSettings m_s;
    const TokenReduction& m_r;
    LayerSink m_sink;
    const std::vector<BlockTokens>& m_schedule;
    std::int64_t m_height = 0;
    std::int64_t m_width = 0;
    double m_batch = 1;
    double m_d = 0;
    double m_e = 0;
    double m_n = 0;
    double m_k = 0;
    double m_rank = 0;
    double m_b = 2;
};

}  // namespace

core::Result<core::Workload> buildVim(const VitConfig& config, const core::RunSettings& settings,
                                      std::int64_t imageHeight, std::int64_t imageWidth,
                                      const std::vector<BlockTokens>& schedule,
                                      const TokenReduction& reduction) {
    return VimBuilder(config, settings, imageHeight, imageWidth, schedule, reduction).build();
}

}  // namespace rooflens::models::detail
