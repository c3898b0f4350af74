#pragma once
// Internal to rooflens_models: the family parsers of config.json files and the pieces they
// share. Each reads one object (the top level, or a nested text_config) through Fields.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "config_fields.h"
#include "core/json_io.h"
#include "core/result.h"
#include "models/llm.h"

namespace rooflens::models::detail {

// hidden_size, the MLP width `ffKey`, num_hidden_layers (at most maxLayers), heads, vocab,
// max_position_embeddings: all required.
core::Status parseDimensions(Fields& f, std::string_view ffKey, std::int64_t maxLayers,
                             LlmConfig& config);
// head_dim (when readHeadDim and present), else hidden_size / heads, which must divide.
core::Status parseHeadDim(Fields& f, bool readHeadDim, LlmConfig& config);
// num_key_value_heads (default: the head count), which must divide the head count.
core::Status parseKvHeads(Fields& f, LlmConfig& config);
void parseActivation(Fields& f, std::string_view key, std::string fallback, LlmConfig& config);
// The llama-style core: dimensions, head_dim, KV heads, hidden_act, RMSNorm, gated MLP.
core::Status parseDecoderCore(Fields& f, std::int64_t maxLayers, LlmConfig& config);

// torch_dtype / dtype of the language model's object, else of the top level.
// The price-time float type of a checkpoint's torch_dtype (dtype): bfloat16 -> bf16, float16 ->
// fp16, float32 -> fp16 (served at 16 bits, as vLLM's dtype "auto"; --dtype fp32 overrides),
// absent -> fp16. `checkpoint` receives the field's text ("" when absent).
core::Result<core::DataType> parseFloatType(Fields& f, const core::Json& document,
                                            std::string* checkpoint = nullptr);
// Vision tower parameters (gemma3's SigLIP under vision_config).
core::Status parseVision(const core::JsonReader& reader, const core::Json& document,
                         LlmConfig& config);
// quantization_config (in the language model's object or at the top level) -> the checkpoint
// scenario, or a note saying why there is none.
core::Status parseCheckpointQuantization(const core::JsonReader& reader, const core::Json& document,
                                         const core::Json& object, const std::string& base,
                                         LlmConfig& config);
// The file as JSON; bare NaN / Infinity / -Infinity (Python's json.dumps writes them, as in
// Mamba-2 configs' time_step_limit) are read as null when the strict parse fails.
core::Result<core::Json> parseConfigFile(const std::filesystem::path& path);

core::Status parseQwen3(Fields& f, LlmConfig& config, const ConfigOptions& options);
core::Status parseQwen3Moe(Fields& f, LlmConfig& config, const ConfigOptions& options);
core::Status parseQwen2Moe(Fields& f, LlmConfig& config, const ConfigOptions& options);
core::Status parseDeepseek(Fields& f, LlmConfig& config, const ConfigOptions& options);
core::Status parseLlama4(Fields& f, LlmConfig& config, const ConfigOptions& options);
core::Status parseGemma(Fields& f, LlmConfig& config, const ConfigOptions& options);
core::Status parsePhi3(Fields& f, LlmConfig& config, const ConfigOptions& options);
core::Status parseGptOss(Fields& f, LlmConfig& config, const ConfigOptions& options);
core::Status parseMamba(Fields& f, LlmConfig& config, const ConfigOptions& options);
core::Status parseMamba2(Fields& f, LlmConfig& config, const ConfigOptions& options);
core::Status parseJamba(Fields& f, LlmConfig& config, const ConfigOptions& options);
core::Status parseFalconH1(Fields& f, LlmConfig& config, const ConfigOptions& options);

// An integer list field (mlp_only_layers, no_rope_layers) with every entry in [lo, hi].
std::vector<std::int64_t> integerList(Fields& f, std::string_view key, std::int64_t lo,
                                      std::int64_t hi);

inline core::Status status(const Fields& f) {
    return f.ok() ? core::Status(core::Ok{}) : core::Status(f.error());
}

}  // namespace rooflens::models::detail
