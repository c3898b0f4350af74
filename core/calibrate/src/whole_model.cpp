// Whole-model forward passes in FP32 (whole_model.h): weights and activations allocated and
// first-touched by the threads that use them, every layer timed on its own with the steady
// clock, one warm-up pass, then `repeats` timed passes.
#include "calibrate/whole_model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <new>

#include "calibrate/gemm.h"
#include "calibrate/harness.h"
#include "calibrate/layer_kernels.h"
#include "calibrate/machine.h"
#include "calibrate/thread_team.h"
#include "whole_kernels.h"

#if ROOFLENS_HAVE_DNNL
#include <omp.h>
#endif

namespace rooflens::calibrate {

double MeasuredLayer::median() const {
    return seconds.empty() ? 0.0 : summarize(seconds).median;
}

double MeasuredPass::medianTotal() const {
    return totalSeconds.empty() ? 0.0 : summarize(totalSeconds).median;
}

namespace {

using Buffer = AlignedBuffer<float>;

// Queries per attention block (scratch: this many rows of scores per thread).
constexpr std::int64_t kBlockRows = 64;

int threadCount() {
#if ROOFLENS_HAVE_DNNL
    return omp_get_max_threads();
#else
    return 1;
#endif
}

// f(begin, end) over [0, n) split in contiguous parts of `granule` units, one per thread.
template <typename F>
void parallelFor(std::int64_t n, std::int64_t granule, const F& f) {
#if ROOFLENS_HAVE_DNNL
    const int threads = threadCount();
    if (threads > 1 && n >= 2 * granule) {
#pragma omp parallel num_threads(threads)
        {
            const Range r = splitRange(static_cast<std::size_t>(n), omp_get_num_threads(),
                                       omp_get_thread_num(), static_cast<std::size_t>(granule));
            if (r.begin < r.end) {
                f(static_cast<std::int64_t>(r.begin), static_cast<std::int64_t>(r.end));
            }
        }
        return;
    }
#endif
    f(0, n);
}

// Uniform values in [-scale, scale), deterministic per (seed, index); filled by the threads
// that will read the buffer (first touch). Weight matrices get at least 4 MiB, the size from
// which AlignedBuffer asks for transparent huge pages, as calibrate's buffers have: with 4 KiB
// pages a 2 MB matrix streamed about 50 us slower per pass here (page walks), a cost the
// calibrated memory roof does not contain.
constexpr std::int64_t kHugeFloats = (std::int64_t{4} << 20) / 4;

Buffer randomBuffer(std::int64_t count, float scale, std::uint64_t seed, bool matrix = true) {
    Buffer b(static_cast<std::size_t>(matrix ? std::max(count, kHugeFloats) : count));
    float* data = b.data();
    parallelFor(count, 4096, [&](std::int64_t begin, std::int64_t end) {
        std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(begin) + 1;
        for (std::int64_t i = begin; i < end; ++i) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            data[i] = scale * (static_cast<float>(x >> 40) / 8388608.0f - 1.0f);
        }
    });
    return b;
}

Buffer constantBuffer(std::int64_t count, float value) {
    Buffer b(static_cast<std::size_t>(count));
    float* data = b.data();
    parallelFor(count, 4096, [&](std::int64_t begin, std::int64_t end) {
        std::fill(data + begin, data + end, value);
    });
    return b;
}

// Times each layer of one pass; a pass not recorded (the warm-up) only runs.
class LayerClock {
public:
    LayerClock(MeasuredPass& pass, bool record) : m_pass(pass), m_record(record) {}
    template <typename F>
    void operator()(std::string_view name, const F& run) {
        const auto start = std::chrono::steady_clock::now();
        run();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (m_record) {
            if (m_pass.layers.size() <= m_index) {
                m_pass.layers.push_back({std::string(name), {}});
            }
            m_pass.layers[m_index].seconds.push_back(seconds);
            m_total += seconds;
        }
        ++m_index;
    }
    void finish() {
        if (m_record) {
            m_pass.totalSeconds.push_back(m_total);
        }
    }

private:
    MeasuredPass& m_pass;
    bool m_record;
    std::size_t m_index = 0;
    double m_total = 0;
};

// C[m x n] = A[m x k] W^T: oneDNN for m > 1, the streaming GEMV for one row.
void linear(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
            const float* w, float* c, std::int64_t ldc) {
    if (m == 1) {
        static const CpuFeatures features = detectCpuFeatures();
        parallelFor(n, 16, [&](std::int64_t begin, std::int64_t end) {
            gemv(w, a, c, k, begin, end, features);
        });
        return;
    }
    sgemm(m, n, k, a, lda, w, k, c, ldc);
}

void rmsRows(const float* x, const float* weight, float* y, std::int64_t rows, std::int64_t d) {
    parallelFor(rows, 1, [&](std::int64_t b, std::int64_t e) { rmsNorm(x, weight, y, d, b, e); });
}

void addRows(float* y, const float* x, std::int64_t elements) {
    parallelFor(elements, 1024,
                [&](std::int64_t b, std::int64_t e) { whole::addInPlace(y, x, b, e); });
}

std::string blockName(std::int64_t block, std::string_view op) {
    return "blocks." + std::to_string(block) + "." + std::string(op);
}

// Restores the caller's affinity and OpenMP thread count when a run ends.
class ThreadScope {
public:
    explicit ThreadScope(const std::vector<int>& cpus) : m_saved(availableCpus()) {
        setLibraryThreads(cpus.empty() ? m_saved : cpus);
    }
    ~ThreadScope() {
        setLibraryThreads(m_saved);
        setCurrentThreadAffinity(m_saved);
    }
    ThreadScope(const ThreadScope&) = delete;
    ThreadScope& operator=(const ThreadScope&) = delete;

private:
    std::vector<int> m_saved;
};

struct DecoderWeights {
    Buffer inNorm, q, k, v, o, postNorm, gate, up, down;
    Buffer kCache, vCache;  // [kvHeads x positions x headDim]
};

class Decoder {
public:
    Decoder(const DecoderShape& s, std::int64_t positions, std::uint64_t seed)
        : m_s(s), m_positions(positions) {
        const std::int64_t d = s.hidden;
        const std::int64_t qDim = s.heads * s.headDim;
        const std::int64_t kvDim = s.kvHeads * s.headDim;
        const float scale = 1.0f / std::sqrt(static_cast<float>(d));
        m_embed = randomBuffer(s.vocab * d, 1.0f, seed);
        for (std::int64_t l = 0; l < s.layers; ++l) {
            DecoderWeights w;
            const std::uint64_t base = seed + 16 * static_cast<std::uint64_t>(l + 1);
            w.inNorm = constantBuffer(d, 1.0f);
            w.q = randomBuffer(qDim * d, scale, base + 1);
            w.k = randomBuffer(kvDim * d, scale, base + 2);
            w.v = randomBuffer(kvDim * d, scale, base + 3);
            w.o = randomBuffer(d * qDim, scale, base + 4);
            w.postNorm = constantBuffer(d, 1.0f);
            w.gate = randomBuffer(s.intermediate * d, scale, base + 5);
            w.up = randomBuffer(s.intermediate * d, scale, base + 6);
            w.down = randomBuffer(d * s.intermediate,
                                  1.0f / std::sqrt(static_cast<float>(s.intermediate)), base + 7);
            w.kCache = constantBuffer(kvDim * positions, 0.0f);
            w.vCache = constantBuffer(kvDim * positions, 0.0f);
            m_layers.push_back(std::move(w));
        }
        m_finalNorm = constantBuffer(d, 1.0f);
        m_head = randomBuffer(s.vocab * d, scale, seed + 7);
        // Rotary tables [positions x headDim / 2].
        const std::int64_t half = s.headDim / 2;
        m_cos = Buffer(static_cast<std::size_t>(positions * half));
        m_sin = Buffer(static_cast<std::size_t>(positions * half));
        for (std::int64_t p = 0; p < positions; ++p) {
            for (std::int64_t i = 0; i < half; ++i) {
                const double inv = std::pow(
                    s.ropeTheta, -2.0 * static_cast<double>(i) / static_cast<double>(s.headDim));
                m_cos.data()[p * half + i] = static_cast<float>(std::cos(p * inv));
                m_sin.data()[p * half + i] = static_cast<float>(std::sin(p * inv));
            }
        }
        const std::int64_t rows = positions;
        m_hidden = constantBuffer(rows * d, 0.0f);
        m_normed = constantBuffer(rows * d, 0.0f);
        m_q = constantBuffer(rows * qDim, 0.0f);
        m_kv = constantBuffer(rows * kvDim, 0.0f);
        m_attn = constantBuffer(rows * qDim, 0.0f);
        m_out = constantBuffer(rows * d, 0.0f);
        m_gate = constantBuffer(rows * s.intermediate, 0.0f);
        m_up = constantBuffer(rows * s.intermediate, 0.0f);
        m_logits = constantBuffer(s.vocab, 0.0f);
        m_scratch.resize(static_cast<std::size_t>(std::max(1, threadCount())),
                         std::vector<float>(static_cast<std::size_t>(kBlockRows * positions)));
    }

    // `tokens` new positions after `past` cached ones.
    void pass(std::int64_t tokens, std::int64_t past, LayerClock& clock) {
        const std::int64_t d = m_s.hidden;
        const std::int64_t hd = m_s.headDim;
        const std::int64_t qDim = m_s.heads * hd;
        const std::int64_t kvDim = m_s.kvHeads * hd;
        const std::int64_t ff = m_s.intermediate;
        const std::int64_t keys = past + tokens;
        clock("embed_tokens", [&] {
            parallelFor(tokens, 1, [&](std::int64_t b, std::int64_t e) {
                for (std::int64_t r = b; r < e; ++r) {
                    const std::int64_t id = (r * 7919 + past) % m_s.vocab;
                    std::copy_n(m_embed.data() + id * d, d, m_hidden.data() + r * d);
                }
            });
        });
        for (std::int64_t l = 0; l < m_s.layers; ++l) {
            DecoderWeights& w = m_layers[static_cast<std::size_t>(l)];
            clock(blockName(l, "input_norm"),
                  [&] { rmsRows(m_hidden.data(), w.inNorm.data(), m_normed.data(), tokens, d); });
            clock(blockName(l, "q_proj"), [&] {
                linear(tokens, qDim, d, m_normed.data(), d, w.q.data(), m_q.data(), qDim);
                parallelFor(tokens, 1, [&](std::int64_t b, std::int64_t e) {
                    whole::rope(m_q.data(), m_s.heads, hd, m_cos.data(), m_sin.data(), past, b, e);
                });
            });
            // K and V: projected, K rotated, both written to the cache (head-major).
            for (int which = 0; which < 2; ++which) {
                clock(blockName(l, which == 0 ? "k_proj" : "v_proj"), [&] {
                    const Buffer& weight = which == 0 ? w.k : w.v;
                    float* cache = which == 0 ? w.kCache.data() : w.vCache.data();
                    linear(tokens, kvDim, d, m_normed.data(), d, weight.data(), m_kv.data(), kvDim);
                    parallelFor(tokens, 1, [&](std::int64_t b, std::int64_t e) {
                        if (which == 0) {
                            whole::rope(m_kv.data(), m_s.kvHeads, hd, m_cos.data(), m_sin.data(),
                                        past, b, e);
                        }
                        for (std::int64_t r = b; r < e; ++r) {
                            for (std::int64_t g = 0; g < m_s.kvHeads; ++g) {
                                std::copy_n(m_kv.data() + r * kvDim + g * hd, hd,
                                            cache + (g * m_positions + past + r) * hd);
                            }
                        }
                    });
                });
            }
            clock(blockName(l, "attention"), [&] {
                const std::int64_t group = m_s.heads / m_s.kvHeads;
                if (tokens == 1) {
                    // Decode: the query heads of one KV head are the rows of one [group x hd]
                    // matrix (GQA), all at the newest position, so one product per KV head.
                    parallelFor(m_s.kvHeads, 1, [&](std::int64_t b, std::int64_t e) {
                        float* scratch = m_scratch[static_cast<std::size_t>(threadIndex())].data();
                        for (std::int64_t g = b; g < e; ++g) {
                            whole::attentionHeadBlocked(m_q.data() + g * group * hd, hd,
                                                        w.kCache.data() + g * m_positions * hd,
                                                        w.vCache.data() + g * m_positions * hd, hd,
                                                        m_attn.data() + g * group * hd, hd, group,
                                                        keys, hd, false, scratch, kBlockRows);
                        }
                    });
                    return;
                }
                parallelFor(m_s.heads, 1, [&](std::int64_t b, std::int64_t e) {
                    float* scratch = m_scratch[static_cast<std::size_t>(threadIndex())].data();
                    for (std::int64_t h = b; h < e; ++h) {
                        const std::int64_t g = h / group;
                        whole::attentionHeadBlocked(
                            m_q.data() + h * hd, qDim, w.kCache.data() + g * m_positions * hd,
                            w.vCache.data() + g * m_positions * hd, hd, m_attn.data() + h * hd,
                            qDim, tokens, keys, hd, true, scratch, kBlockRows);
                    }
                });
            });
            clock(blockName(l, "o_proj"), [&] {
                linear(tokens, d, qDim, m_attn.data(), qDim, w.o.data(), m_out.data(), d);
            });
            clock(blockName(l, "attn_residual"),
                  [&] { addRows(m_hidden.data(), m_out.data(), tokens * d); });
            clock(blockName(l, "post_attention_norm"),
                  [&] { rmsRows(m_hidden.data(), w.postNorm.data(), m_normed.data(), tokens, d); });
            clock(blockName(l, "gate_proj"), [&] {
                linear(tokens, ff, d, m_normed.data(), d, w.gate.data(), m_gate.data(), ff);
            });
            clock(blockName(l, "up_proj"),
                  [&] { linear(tokens, ff, d, m_normed.data(), d, w.up.data(), m_up.data(), ff); });
            clock(blockName(l, "act_mul"), [&] {
                parallelFor(tokens * ff, 1024, [&](std::int64_t b, std::int64_t e) {
                    whole::siluMul(m_gate.data(), m_up.data(), b, e);
                });
            });
            clock(blockName(l, "down_proj"), [&] {
                linear(tokens, d, ff, m_gate.data(), ff, w.down.data(), m_out.data(), d);
            });
            clock(blockName(l, "mlp_residual"),
                  [&] { addRows(m_hidden.data(), m_out.data(), tokens * d); });
        }
        clock("final_norm",
              [&] { rmsRows(m_hidden.data(), m_finalNorm.data(), m_normed.data(), tokens, d); });
        // Logits of the last position only, as serving engines compute them.
        clock("lm_head", [&] {
            linear(1, m_s.vocab, d, m_normed.data() + (tokens - 1) * d, d, m_head.data(),
                   m_logits.data(), m_s.vocab);
        });
        clock.finish();
        doNotOptimize(m_logits.data());
    }

private:
    static int threadIndex() {
#if ROOFLENS_HAVE_DNNL
        return omp_get_thread_num();
#else
        return 0;
#endif
    }

    DecoderShape m_s;
    std::int64_t m_positions;
    Buffer m_embed, m_finalNorm, m_head, m_cos, m_sin;
    std::vector<DecoderWeights> m_layers;
    Buffer m_hidden, m_normed, m_q, m_kv, m_attn, m_out, m_gate, m_up, m_logits;
    std::vector<std::vector<float>> m_scratch;
};

core::Status checkDecoder(const DecoderShape& s, const WholeOptions& o) {
    if (s.hidden < 1 || s.intermediate < 1 || s.layers < 1 || s.heads < 1 || s.kvHeads < 1 ||
        s.headDim < 2 || s.vocab < 1) {
        return core::makeError("whole-model validation: every decoder dimension must be positive");
    }
    if (s.heads % s.kvHeads != 0 || s.headDim % 2 != 0) {
        return core::makeError(
            "whole-model validation: heads must be a multiple of the KV heads and the head "
            "dimension even (rotary), got " +
            std::to_string(s.heads) + " heads, " + std::to_string(s.kvHeads) +
            " KV heads, head dim " + std::to_string(s.headDim));
    }
    if (o.prompt < 1 || o.repeats < 1) {
        return core::makeError("whole-model validation: prompt and repeats must be positive");
    }
    if (!dnnlAvailable()) {
        return core::makeError(
            "whole-model validation needs oneDNN (libdnnl-dev) for its GEMMs; this build has none");
    }
    return core::Ok{};
}

}  // namespace

double decoderBytes(const DecoderShape& s, std::int64_t prompt) {
    const double d = static_cast<double>(s.hidden);
    const double qDim = static_cast<double>(s.heads * s.headDim);
    const double kvDim = static_cast<double>(s.kvHeads * s.headDim);
    const double ff = static_cast<double>(s.intermediate);
    const double positions = static_cast<double>(prompt + 1);
    const double perLayer =
        2 * d * qDim + 2 * d * kvDim + 3 * d * ff + 2 * d + 2 * kvDim * positions;
    const double activations = positions * (3 * d + 2 * qDim + kvDim + 2 * ff);
    return 4 * (static_cast<double>(s.layers) * perLayer + 2 * static_cast<double>(s.vocab) * d +
                activations + static_cast<double>(s.vocab));
}

core::Result<std::vector<MeasuredPass>> runDecoder(const DecoderShape& shape,
                                                   const WholeOptions& options,
                                                   const core::CancelToken& cancel,
                                                   const WholeProgress& progress) {
    if (auto ok = checkDecoder(shape, options); !ok) {
        return ok.error();
    }
    ThreadScope threads(options.cpus);
    std::vector<MeasuredPass> passes(2);
    passes[0].phase = "prefill";
    passes[0].queries = options.prompt;
    passes[0].keys = options.prompt;
    passes[1].phase = "decode";
    passes[1].queries = 1;
    passes[1].keys = options.prompt + 1;
    try {
        if (progress) {
            progress(0.0, "allocating and filling the weights");
        }
        Decoder model(shape, options.prompt + 1, options.seed);
        const int runs = options.repeats + 1;
        for (int r = 0; r < runs; ++r) {
            if (cancel.cancelled()) {
                return core::makeError("cancelled");
            }
            if (progress) {
                progress(static_cast<double>(r) / runs, "prefill and decode, pass " +
                                                            std::to_string(r + 1) + " of " +
                                                            std::to_string(runs));
            }
            LayerClock prefill(passes[0], r > 0);
            model.pass(options.prompt, 0, prefill);
            LayerClock decode(passes[1], r > 0);
            model.pass(1, options.prompt, decode);
        }
    } catch (const std::bad_alloc&) {
        return core::makeError("whole-model validation: out of memory for " +
                               std::to_string(decoderBytes(shape, options.prompt) / 1e9) +
                               " GB of FP32 weights and activations");
    }
    if (progress) {
        progress(1.0, "done");
    }
    return passes;
}

// ----- ViT ---------------------------------------------------------------------------------

namespace {

struct VitBlockWeights {
    Buffer norm1Gamma, norm1Beta, qkv, qkvBias, proj, projBias, norm2Gamma, norm2Beta, fc1, fc1Bias,
        fc2, fc2Bias;
};

class Vit {
public:
    Vit(const VitShape& s, std::uint64_t seed) : m_s(s) {
        const std::int64_t d = s.dim;
        const std::int64_t side = s.image / s.patch;
        m_patches = side * side;
        m_tokens = m_patches + 1;
        m_patchIn = s.channels * s.patch * s.patch;
        const float scale = 1.0f / std::sqrt(static_cast<float>(d));
        m_image = randomBuffer(s.channels * s.image * s.image, 1.0f, seed, false);
        m_patchW =
            randomBuffer(d * m_patchIn, 1.0f / std::sqrt(static_cast<float>(m_patchIn)), seed + 1);
        m_patchB = constantBuffer(d, 0.0f);
        m_cls = randomBuffer(d, 0.02f, seed + 2, false);
        m_pos = randomBuffer(m_tokens * d, 0.02f, seed + 3, false);
        for (std::int64_t l = 0; l < s.depth; ++l) {
            const std::uint64_t base = seed + 16 * static_cast<std::uint64_t>(l + 1);
            VitBlockWeights w;
            w.norm1Gamma = constantBuffer(d, 1.0f);
            w.norm1Beta = constantBuffer(d, 0.0f);
            w.qkv = randomBuffer(3 * d * d, scale, base + 1);
            w.qkvBias = constantBuffer(3 * d, 0.0f);
            w.proj = randomBuffer(d * d, scale, base + 2);
            w.projBias = constantBuffer(d, 0.0f);
            w.norm2Gamma = constantBuffer(d, 1.0f);
            w.norm2Beta = constantBuffer(d, 0.0f);
            w.fc1 = randomBuffer(s.mlp * d, scale, base + 3);
            w.fc1Bias = constantBuffer(s.mlp, 0.0f);
            w.fc2 = randomBuffer(d * s.mlp, 1.0f / std::sqrt(static_cast<float>(s.mlp)), base + 4);
            w.fc2Bias = constantBuffer(d, 0.0f);
            m_blocks.push_back(std::move(w));
        }
        m_normGamma = constantBuffer(d, 1.0f);
        m_normBeta = constantBuffer(d, 0.0f);
        m_head = randomBuffer(s.classes * d, scale, seed + 5);
        m_headBias = constantBuffer(s.classes, 0.0f);
        m_columns = constantBuffer(m_patches * m_patchIn, 0.0f);
        m_x = constantBuffer(m_tokens * d, 0.0f);
        m_normed = constantBuffer(m_tokens * d, 0.0f);
        m_qkv = constantBuffer(m_tokens * 3 * d, 0.0f);
        m_attn = constantBuffer(m_tokens * d, 0.0f);
        m_out = constantBuffer(m_tokens * d, 0.0f);
        m_hiddenMlp = constantBuffer(m_tokens * s.mlp, 0.0f);
        m_logits = constantBuffer(s.classes, 0.0f);
        m_scratch.resize(static_cast<std::size_t>(std::max(1, threadCount())),
                         std::vector<float>(static_cast<std::size_t>(kBlockRows * m_tokens)));
    }

    void pass(LayerClock& clock) {
        const std::int64_t d = m_s.dim;
        const std::int64_t t = m_tokens;
        const std::int64_t hd = d / m_s.heads;
        const std::int64_t side = m_s.image / m_s.patch;
        const std::int64_t p = m_s.patch;
        // Patch embedding: the non-overlapping patches gathered into rows (C, P, P order, as a
        // stride-P convolution's weight), one GEMM into token rows 1..N, plus the bias.
        clock("patch_embed", [&] {
            parallelFor(m_patches, 1, [&](std::int64_t b, std::int64_t e) {
                for (std::int64_t n = b; n < e; ++n) {
                    const std::int64_t py = n / side;
                    const std::int64_t px = n % side;
                    float* row = m_columns.data() + n * m_patchIn;
                    for (std::int64_t c = 0; c < m_s.channels; ++c) {
                        for (std::int64_t y = 0; y < p; ++y) {
                            std::copy_n(
                                m_image.data() + (c * m_s.image + py * p + y) * m_s.image + px * p,
                                p, row + (c * p + y) * p);
                        }
                    }
                }
            });
            linear(m_patches, d, m_patchIn, m_columns.data(), m_patchIn, m_patchW.data(),
                   m_x.data() + d, d);
            parallelFor(m_patches, 1, [&](std::int64_t b, std::int64_t e) {
                whole::addBias(m_x.data() + d, m_patchB.data(), d, b, e);
            });
        });
        clock("pos_embed", [&] {
            std::copy_n(m_cls.data(), d, m_x.data());
            addRows(m_x.data(), m_pos.data(), t * d);
        });
        for (std::int64_t l = 0; l < m_s.depth; ++l) {
            VitBlockWeights& w = m_blocks[static_cast<std::size_t>(l)];
            clock(blockName(l, "norm1"), [&] { norm(w.norm1Gamma, w.norm1Beta); });
            clock(blockName(l, "qkv"), [&] {
                linear(t, 3 * d, d, m_normed.data(), d, w.qkv.data(), m_qkv.data(), 3 * d);
                bias(m_qkv.data(), w.qkvBias.data(), t, 3 * d);
            });
            clock(blockName(l, "attention"), [&] {
                parallelFor(m_s.heads, 1, [&](std::int64_t b, std::int64_t e) {
                    float* scratch = m_scratch[static_cast<std::size_t>(threadIndex())].data();
                    for (std::int64_t h = b; h < e; ++h) {
                        whole::attentionHeadBlocked(
                            m_qkv.data() + h * hd, 3 * d, m_qkv.data() + d + h * hd,
                            m_qkv.data() + 2 * d + h * hd, 3 * d, m_attn.data() + h * hd, d, t, t,
                            hd, false, scratch, kBlockRows);
                    }
                });
            });
            clock(blockName(l, "proj"), [&] {
                linear(t, d, d, m_attn.data(), d, w.proj.data(), m_out.data(), d);
                bias(m_out.data(), w.projBias.data(), t, d);
            });
            clock(blockName(l, "attn_residual"), [&] { addRows(m_x.data(), m_out.data(), t * d); });
            clock(blockName(l, "norm2"), [&] { norm(w.norm2Gamma, w.norm2Beta); });
            clock(blockName(l, "fc1"), [&] {
                linear(t, m_s.mlp, d, m_normed.data(), d, w.fc1.data(), m_hiddenMlp.data(),
                       m_s.mlp);
                bias(m_hiddenMlp.data(), w.fc1Bias.data(), t, m_s.mlp);
            });
            clock(blockName(l, "act"), [&] {
                parallelFor(t * m_s.mlp, 1024, [&](std::int64_t b, std::int64_t e) {
                    whole::gelu(m_hiddenMlp.data(), b, e);
                });
            });
            clock(blockName(l, "fc2"), [&] {
                linear(t, d, m_s.mlp, m_hiddenMlp.data(), m_s.mlp, w.fc2.data(), m_out.data(), d);
                bias(m_out.data(), w.fc2Bias.data(), t, d);
            });
            clock(blockName(l, "mlp_residual"), [&] { addRows(m_x.data(), m_out.data(), t * d); });
        }
        clock("norm", [&] { norm(m_normGamma, m_normBeta); });
        clock("head", [&] {
            linear(1, m_s.classes, d, m_normed.data(), d, m_head.data(), m_logits.data(),
                   m_s.classes);
            whole::addBias(m_logits.data(), m_headBias.data(), m_s.classes, 0, 1);
        });
        clock.finish();
        doNotOptimize(m_logits.data());
    }

private:
    static int threadIndex() {
#if ROOFLENS_HAVE_DNNL
        return omp_get_thread_num();
#else
        return 0;
#endif
    }
    void norm(const Buffer& gamma, const Buffer& beta) {
        parallelFor(m_tokens, 1, [&](std::int64_t b, std::int64_t e) {
            whole::layerNorm(m_x.data(), gamma.data(), beta.data(), m_normed.data(), m_s.dim, b, e);
        });
    }
    void bias(float* y, const float* b, std::int64_t rows, std::int64_t n) {
        parallelFor(rows, 1, [&](std::int64_t begin, std::int64_t end) {
            whole::addBias(y, b, n, begin, end);
        });
    }

    VitShape m_s;
    std::int64_t m_patches = 0, m_tokens = 0, m_patchIn = 0;
    Buffer m_image, m_patchW, m_patchB, m_cls, m_pos, m_normGamma, m_normBeta, m_head, m_headBias;
    std::vector<VitBlockWeights> m_blocks;
    Buffer m_columns, m_x, m_normed, m_qkv, m_attn, m_out, m_hiddenMlp, m_logits;
    std::vector<std::vector<float>> m_scratch;
};

}  // namespace

double vitBytes(const VitShape& s) {
    const double d = static_cast<double>(s.dim);
    const double mlp = static_cast<double>(s.mlp);
    const double side = static_cast<double>(s.patch > 0 ? s.image / s.patch : 0);
    const double tokens = side * side + 1;
    const double patchIn = static_cast<double>(s.channels * s.patch * s.patch);
    const double perBlock = 4 * d * d + 2 * d * mlp + 9 * d + mlp;
    const double weights = static_cast<double>(s.depth) * perBlock + d * patchIn +
                           static_cast<double>(s.classes) * (d + 1) + tokens * d;
    const double activations =
        tokens * (patchIn + 7 * d + mlp) + static_cast<double>(s.channels * s.image * s.image);
    return 4 * (weights + activations);
}

core::Result<MeasuredPass> runVit(const VitShape& shape, const WholeOptions& options,
                                  const core::CancelToken& cancel, const WholeProgress& progress) {
    if (shape.dim < 1 || shape.depth < 1 || shape.heads < 1 || shape.mlp < 1 || shape.patch < 1 ||
        shape.image < shape.patch || shape.channels < 1 || shape.classes < 1 ||
        shape.dim % shape.heads != 0 || shape.image % shape.patch != 0) {
        return core::makeError(
            "whole-model validation: a ViT needs positive dimensions, a width divisible by the "
            "heads and an image size divisible by the patch size");
    }
    if (options.repeats < 1) {
        return core::makeError("whole-model validation: repeats must be positive");
    }
    if (!dnnlAvailable()) {
        return core::makeError(
            "whole-model validation needs oneDNN (libdnnl-dev) for its GEMMs; this build has none");
    }
    ThreadScope threads(options.cpus);
    MeasuredPass pass;
    pass.phase = "prefill";
    const std::int64_t side = shape.image / shape.patch;
    pass.queries = pass.keys = side * side + 1;
    try {
        if (progress) {
            progress(0.0, "allocating and filling the weights");
        }
        Vit model(shape, options.seed);
        const int runs = options.repeats + 1;
        for (int r = 0; r < runs; ++r) {
            if (cancel.cancelled()) {
                return core::makeError("cancelled");
            }
            if (progress) {
                progress(static_cast<double>(r) / runs,
                         "forward pass " + std::to_string(r + 1) + " of " + std::to_string(runs));
            }
            LayerClock clock(pass, r > 0);
            model.pass(clock);
        }
    } catch (const std::bad_alloc&) {
        return core::makeError("whole-model validation: out of memory for " +
                               std::to_string(vitBytes(shape) / 1e9) + " GB");
    }
    if (progress) {
        progress(1.0, "done");
    }
    return pass;
}

}  // namespace rooflens::calibrate
