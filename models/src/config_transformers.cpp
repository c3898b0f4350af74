// config.json families with attention mixers beyond Llama's: qwen3, qwen3_moe, qwen2_moe,
// deepseek_v2/v3 (MLA), llama4, gemma2/gemma3, phi3, gpt_oss. Field names and layer rules:
// next-wave.md section A and the transformers configuration classes (docs/models.md).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config_families.h"

namespace rooflens::models::detail {

namespace {

// layer_types (full_attention / sliding_attention / chunked_attention), one per layer.
std::vector<AttentionKind> layerTypes(Fields& f, std::int64_t layers) {
    std::vector<AttentionKind> kinds;
    if (!f.ok() || !f.has("layer_types")) {
        return kinds;
    }
    const core::Json& list = f.at("layer_types");
    if (!list.is_array()) {
        f.failExpected("layer_types", "an array of layer types");
        return kinds;
    }
    if (static_cast<std::int64_t>(list.size()) != layers) {
        f.fail("layer_types", "has " + std::to_string(list.size()) +
                                  " entries but num_hidden_layers is " + std::to_string(layers));
        return kinds;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const core::Json& item = list[i];
        const std::string name = item.is_string() ? item.get<std::string>() : "";
        if (name == "full_attention") {
            kinds.push_back(AttentionKind::full);
        } else if (name == "sliding_attention") {
            kinds.push_back(AttentionKind::sliding);
        } else if (name == "chunked_attention") {
            kinds.push_back(AttentionKind::chunked);
        } else {
            f.latch(f.reader().expected(core::childPath(f.path("layer_types"), i),
                                        "full_attention, sliding_attention or chunked_attention",
                                        item));
            return kinds;
        }
    }
    return kinds;
}

// A plan of `layers` dense layers with full attention.
void densePlan(LlmConfig& config) {
    config.layers.assign(static_cast<std::size_t>(config.numLayers), LayerSpec{});
}

// Window of the sliding layers, applied to a plan's kinds.
void applyKinds(const std::vector<AttentionKind>& kinds, std::int64_t window, LlmConfig& config) {
    for (std::size_t i = 0; i < kinds.size() && i < config.layers.size(); ++i) {
        config.layers[i].attention = kinds[i];
        config.layers[i].window = kinds[i] == AttentionKind::full ? 0 : window;
    }
}

// Qwen2/Qwen3 (and their MoE): explicit layer_types, else with use_sliding_window the layers
// from max_window_layers on slide (Qwen2Config / Qwen3Config).
void qwenWindows(Fields& f, LlmConfig& config) {
    const bool use = f.flag("use_sliding_window", false);
    std::vector<AttentionKind> kinds = layerTypes(f, config.numLayers);
    std::int64_t window = 0;
    if (use || !kinds.empty()) {
        window = f.optional("sliding_window", 1, kMaxPositions, 4096);
    }
    if (kinds.empty() && use) {
        const std::int64_t from = f.optional("max_window_layers", 0, kMaxPlannedLayers, 28);
        for (std::int64_t i = 0; i < config.numLayers; ++i) {
            kinds.push_back(i >= from ? AttentionKind::sliding : AttentionKind::full);
        }
    }
    if (!use && !kinds.empty()) {
        std::fill(kinds.begin(), kinds.end(), AttentionKind::full);
    }
    applyKinds(kinds, window, config);
}

// num_experts / num_experts_per_tok / moe_intermediate_size under `expertsKey`.
void routedExperts(Fields& f, std::string_view expertsKey, LlmConfig& config) {
    config.numExperts = f.optional(expertsKey, 1, kMaxDimension, 0);
    if (config.numExperts > 0) {
        config.expertsPerToken = f.required("num_experts_per_tok", 1, config.numExperts);
        config.expertIntermediateSize = f.required("moe_intermediate_size", 1, kMaxDimension);
    }
}

// Qwen MoE rule: layer i is MoE iff i is not in mlp_only_layers, there are experts and
// (i + 1) % decoder_sparse_step == 0.
void qwenMoePlan(Fields& f, LlmConfig& config) {
    const std::int64_t step = f.optional("decoder_sparse_step", 1, kMaxPlannedLayers, 1);
    const std::vector<std::int64_t> dense =
        integerList(f, "mlp_only_layers", 0, config.numLayers - 1);
    for (std::int64_t i = 0; i < config.numLayers; ++i) {
        const bool listed = std::find(dense.begin(), dense.end(), i) != dense.end();
        const bool moe = !listed && config.numExperts > 0 && (i + 1) % step == 0;
        config.layers[static_cast<std::size_t>(i)].ffn = moe ? FfnKind::moe : FfnKind::dense;
    }
}

}  // namespace

core::Status parseQwen3(Fields& f, LlmConfig& config, const ConfigOptions&) {
    if (auto s = parseDecoderCore(f, kMaxPlannedLayers, config); !s) {
        return s;
    }
    // Qwen3Attention: attention_bias on q, k, v and o; RMSNorm over head_dim on q and k.
    config.attentionBias = config.outputBias = f.flag("attention_bias", false);
    config.qkNorm = QkNorm::rms;
    config.tieEmbeddings = f.flag("tie_word_embeddings", false);
    densePlan(config);
    qwenWindows(f, config);
    return status(f);
}

core::Status parseQwen3Moe(Fields& f, LlmConfig& config, const ConfigOptions& options) {
    if (auto s = parseQwen3(f, config, options); !s) {
        return s;
    }
    routedExperts(f, "num_experts", config);
    qwenMoePlan(f, config);
    return status(f);
}

core::Status parseQwen2Moe(Fields& f, LlmConfig& config, const ConfigOptions&) {
    if (auto s = parseDecoderCore(f, kMaxPlannedLayers, config); !s) {
        return s;
    }
    config.attentionBias = f.flag("qkv_bias", true);  // q, k, v; not o_proj
    config.tieEmbeddings = f.flag("tie_word_embeddings", false);
    densePlan(config);
    qwenWindows(f, config);
    routedExperts(f, "num_experts", config);
    config.sharedExpertSize = f.optional("shared_expert_intermediate_size", 1, kMaxDimension, 0);
    config.sharedExpertGate = config.sharedExpertSize > 0;
    qwenMoePlan(f, config);
    return status(f);
}

// DeepSeek-V2/V3 (and Kimi-K2, which reads as deepseek_v3 by its architectures[0]): MLA and
// fine-grained MoE with shared experts after first_k_dense_replace dense layers.
core::Status parseDeepseek(Fields& f, LlmConfig& config, const ConfigOptions&) {
    if (auto s = parseDimensions(f, "intermediate_size", kMaxPlannedLayers, config); !s) {
        return s;
    }
    parseActivation(f, "hidden_act", "silu", config);
    MlaConfig& m = config.mla;
    m.qLoraRank = f.optional("q_lora_rank", 1, kMaxDimension, 0);
    m.kvLoraRank = f.required("kv_lora_rank", 1, kMaxDimension);
    m.ropeDim = f.required("qk_rope_head_dim", 1, kMaxDimension);
    m.nopeDim = f.required("qk_nope_head_dim", 1, kMaxDimension);
    m.valueDim = f.required("v_head_dim", 1, kMaxDimension);
    if (f.flag("attention_bias", false)) {
        f.fail("attention_bias", "attention biases are not modelled for MLA");
    }
    // num_key_value_heads has no meaning under MLA; K and V have one head per query head.
    config.numKvHeads = config.numHeads;
    config.headDim = m.nopeDim + m.ropeDim;
    config.numExperts = f.optional("n_routed_experts", 1, kMaxDimension, 0);
    if (config.numExperts > 0) {
        config.expertsPerToken = f.required("num_experts_per_tok", 1, config.numExperts);
        config.expertIntermediateSize = f.required("moe_intermediate_size", 1, kMaxDimension);
        const std::int64_t shared = f.optional("n_shared_experts", 1, 1024, 0);
        config.sharedExpertSize = shared * config.expertIntermediateSize;
        const std::string fallback = config.modelType == "deepseek_v3" ? "noaux_tc" : "greedy";
        // noaux_tc routing adds e_score_correction_bias (a buffer in HF, a checkpoint tensor).
        config.expertScoreBias = f.text("topk_method", fallback) == "noaux_tc";
    }
    const std::int64_t firstDense = f.optional("first_k_dense_replace", 0, config.numLayers, 0);
    const std::int64_t frequency = f.optional("moe_layer_freq", 1, kMaxPlannedLayers, 1);
    config.mtpLayers = f.optional("num_nextn_predict_layers", 0, 16, 0);
    config.tieEmbeddings = f.flag("tie_word_embeddings", false);
    LayerSpec spec;
    spec.attention = AttentionKind::latent;
    config.layers.assign(static_cast<std::size_t>(config.numLayers), spec);
    for (std::int64_t i = 0; i < config.numLayers; ++i) {
        const bool moe = config.numExperts > 0 && i >= firstDense && i % frequency == 0;
        config.layers[static_cast<std::size_t>(i)].ffn = moe ? FfnKind::moe : FfnKind::dense;
    }
    if (config.mtpLayers > 0 && !config.countMtp) {
        config.notes.push_back("the " + std::to_string(config.mtpLayers) +
                               " MTP layer(s) of the checkpoint are not counted (HF does not "
                               "load them); count them with ConfigOptions::countMtp");
    }
    return status(f);
}

// Llama 4 (text_config of Llama4ForConditionalGeneration): MoE layers every
// interleave_moe_layer_step (1 routed + 1 shared expert), chunked attention on RoPE layers,
// global NoPE attention every no_rope_layer_interval-th layer, weightless QK L2 norm.
core::Status parseLlama4(Fields& f, LlmConfig& config, const ConfigOptions&) {
    if (auto s = parseDecoderCore(f, kMaxPlannedLayers, config); !s) {
        return s;
    }
    const std::int64_t L = config.numLayers;
    const std::int64_t denseWidth =
        f.optional("intermediate_size_mlp", 1, kMaxDimension, config.intermediateSize);
    config.numExperts = f.required("num_local_experts", 1, kMaxDimension);
    config.expertsPerToken = f.required("num_experts_per_tok", 1, config.numExperts);
    config.expertIntermediateSize = config.intermediateSize;
    config.sharedExpertSize = config.intermediateSize;
    config.attentionBias = config.outputBias = f.flag("attention_bias", false);
    config.qkNorm = f.flag("use_qk_norm", true) ? QkNorm::l2 : QkNorm::none;
    config.tieEmbeddings = f.flag("tie_word_embeddings", false);
    const std::int64_t chunk = f.optional("attention_chunk_size", 1, kMaxPositions, 0);
    const std::int64_t step = f.optional("interleave_moe_layer_step", 1, kMaxPlannedLayers, 1);
    std::vector<std::int64_t> moeLayers = integerList(f, "moe_layers", 0, L - 1);
    if (!f.has("moe_layers")) {
        for (std::int64_t i = step - 1; i < L; i += step) {
            moeLayers.push_back(i);
        }
    }
    std::vector<std::int64_t> rope = integerList(f, "no_rope_layers", 0, 1);
    if (f.ok() && f.has("no_rope_layers") && static_cast<std::int64_t>(rope.size()) < L) {
        f.fail("no_rope_layers", "has " + std::to_string(rope.size()) +
                                     " entries, fewer than num_hidden_layers " + std::to_string(L));
    }
    const std::int64_t interval = f.optional("no_rope_layer_interval", 1, kMaxPlannedLayers, 4);
    config.layers.assign(static_cast<std::size_t>(L), LayerSpec{});
    for (std::int64_t i = 0; i < L && f.ok(); ++i) {
        LayerSpec& spec = config.layers[static_cast<std::size_t>(i)];
        spec.rope = f.has("no_rope_layers") ? rope[static_cast<std::size_t>(i)] == 1
                                            : (i + 1) % interval != 0;
        if (spec.rope && chunk > 0) {
            spec.attention = AttentionKind::chunked;
            spec.window = chunk;
        }
        const bool moe = std::find(moeLayers.begin(), moeLayers.end(), i) != moeLayers.end();
        spec.ffn = moe ? FfnKind::moe : FfnKind::dense;
        spec.ffnWidth = moe ? 0 : denseWidth;
    }
    return status(f);
}

// Gemma 2 and 3: sliding/global pattern, head_dim independent of d, four norms per layer, tied
// embeddings, GeGLU; Gemma 2 soft-caps scores and logits, Gemma 3 norms q and k.
core::Status parseGemma(Fields& f, LlmConfig& config, const ConfigOptions&) {
    const bool gemma3 = config.modelType == "gemma3";
    // Published Gemma 3 configs omit fields the config class defaults (Gemma3TextConfig).
    const std::int64_t defaultVocab = gemma3 ? 262208 : 256000;
    config.hiddenSize = f.required("hidden_size", 1, kMaxDimension);
    config.intermediateSize = f.required("intermediate_size", 1, kMaxDimension);
    config.numLayers = f.required("num_hidden_layers", 1, kMaxPlannedLayers);
    config.numHeads = f.required("num_attention_heads", 1, kMaxDimension);
    config.vocabSize = f.optional("vocab_size", 1, kMaxDimension, defaultVocab);
    config.maxPositions =
        f.optional("max_position_embeddings", 1, kMaxPositions, gemma3 ? 131072 : 8192);
    config.headDim = f.optional("head_dim", 1, kMaxDimension, 256);
    if (!f.has("vocab_size")) {
        config.notes.push_back("vocab_size not given: " + std::to_string(defaultVocab) +
                               ", the transformers default for " + config.modelType);
    }
    if (auto s = parseKvHeads(f, config); !s) {
        return s;
    }
    parseActivation(f, f.has("hidden_activation") ? "hidden_activation" : "hidden_act",
                    "gelu_pytorch_tanh", config);
    config.attentionBias = config.outputBias = f.flag("attention_bias", false);
    config.tieEmbeddings = f.flag("tie_word_embeddings", true);
    config.normsPerLayer = 4;
    config.qkNorm = gemma3 ? QkNorm::rms : QkNorm::none;
    // Soft-capping: a value turns it on, null off; absent, Gemma 2 caps and Gemma 3 does not.
    const auto softcap = [&](std::string_view key) {
        if (f.has(key)) {
            f.number(key, 1.0);
            return true;
        }
        return !gemma3 && !f.object().contains(std::string(key));
    };
    config.attnSoftcap = softcap("attn_logit_softcapping");
    config.finalSoftcap = softcap("final_logit_softcapping");
    const std::int64_t window = f.optional("sliding_window", 1, kMaxPositions, 4096);
    std::vector<AttentionKind> kinds = layerTypes(f, config.numLayers);
    if (kinds.empty()) {
        // Gemma 2 alternates from a sliding first layer; Gemma 3 has one global layer in
        // every sliding_window_pattern.
        const std::int64_t pattern =
            gemma3 ? f.optional("sliding_window_pattern", 1, kMaxPlannedLayers, 6) : 2;
        for (std::int64_t i = 0; i < config.numLayers; ++i) {
            kinds.push_back((i + 1) % pattern != 0 ? AttentionKind::sliding : AttentionKind::full);
        }
    }
    densePlan(config);
    applyKinds(kinds, window, config);
    return status(f);
}

core::Status parsePhi3(Fields& f, LlmConfig& config, const ConfigOptions& options) {
    if (auto s = parseDecoderCore(f, kMaxLayers, config); !s) {
        return s;
    }
    const std::int64_t window = f.optional("sliding_window", 1, kMaxPositions, 0);
    config.slidingWindow = options.phi3SlidingWindow ? window : 0;
    if (window > 0 && !options.phi3SlidingWindow) {
        config.notes.push_back("phi3 sliding_window " + std::to_string(window) +
                               " ignored (full attention on every layer)");
    }
    config.tieEmbeddings = f.flag("tie_word_embeddings", false);
    config.fusedQkv = true;
    config.fusedGateUp = true;
    return status(f);
}

// gpt-oss: MoE on every layer (biased router and experts), attention sinks, alternating
// 128-token sliding windows (layer_types, else even layers slide), biases on q, k, v and o.
core::Status parseGptOss(Fields& f, LlmConfig& config, const ConfigOptions&) {
    if (auto s = parseDecoderCore(f, kMaxPlannedLayers, config); !s) {
        return s;
    }
    if (!f.has("head_dim")) {
        config.headDim = 64;  // GptOssConfig default, independent of hidden / heads
    }
    config.numExperts = f.required("num_local_experts", 1, kMaxDimension);
    const std::string topKey =
        f.has("num_experts_per_tok") ? "num_experts_per_tok" : "experts_per_token";
    config.expertsPerToken = f.required(topKey, 1, config.numExperts);
    config.attentionBias = config.outputBias = f.flag("attention_bias", true);
    config.attentionSinks = true;
    config.routerBias = true;
    config.expertBias = true;
    config.tieEmbeddings = f.flag("tie_word_embeddings", false);
    const std::int64_t window = f.optional("sliding_window", 1, kMaxPositions, 128);
    std::vector<AttentionKind> kinds = layerTypes(f, config.numLayers);
    if (kinds.empty()) {
        for (std::int64_t i = 0; i < config.numLayers; ++i) {
            kinds.push_back(i % 2 == 0 ? AttentionKind::sliding : AttentionKind::full);
        }
    }
    LayerSpec spec;
    spec.ffn = FfnKind::moe;
    config.layers.assign(static_cast<std::size_t>(config.numLayers), spec);
    applyKinds(kinds, window, config);
    return status(f);
}

}  // namespace rooflens::models::detail
