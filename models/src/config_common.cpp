// Pieces every config.json family shares: float type, lenient file reading, integer lists,
// the vision tower of multimodal wrappers.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config_families.h"

namespace rooflens::models::detail {

namespace {

// Replaces the bare tokens NaN, Infinity and -Infinity outside strings by null.
std::string nullNonFinite(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            out += c;
            if (c == '\\' && i + 1 < text.size()) {
                out += text[++i];
            } else if (c == '"') {
                inString = false;
            }
            continue;
        }
        if (c == '"') {
            inString = true;
            out += c;
            continue;
        }
        bool replaced = false;
        for (std::string_view token : {"-Infinity", "Infinity", "NaN"}) {
            if (text.compare(i, token.size(), token) == 0) {
                out += "null";
                i += token.size() - 1;
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            out += c;
        }
    }
    return out;
}

std::uint64_t u(std::int64_t value) {
    return static_cast<std::uint64_t>(value);
}

}  // namespace

core::Result<core::Json> parseConfigFile(const std::filesystem::path& path) {
    auto text = core::readFile(path);
    if (!text) {
        return text.error();
    }
    auto strict = core::parseJsonText(*text, path.string());
    if (strict) {
        return strict;
    }
    const std::string lenient = nullNonFinite(*text);
    if (lenient != *text) {
        if (auto relaxed = core::parseJsonText(lenient, path.string())) {
            return relaxed;
        }
    }
    return strict;
}

core::Result<core::DataType> parseFloatType(Fields& f, const core::Json& document,
                                            std::string* checkpoint) {
    const core::Json* owner = &f.object();
    std::string base = f.base();
    const auto has = [](const core::Json& obj, const char* key) {
        auto it = obj.find(key);
        return it != obj.end() && !it->is_null();
    };
    if (!has(*owner, "torch_dtype") && !has(*owner, "dtype")) {
        owner = &document;
        base.clear();
    }
    // torch_dtype (named "dtype" since transformers 4.56): the checkpoint's float type. float32
    // and an absent field both map to fp16, the precision the cost model assumes for inference
    // (vLLM's --dtype auto serves FP32 checkpoints at FP16); --dtype fp32 prices FP32.
    const char* key = has(*owner, "torch_dtype") ? "torch_dtype" : "dtype";
    if (!has(*owner, key)) {
        return core::DataType::fp16;
    }
    auto name = f.reader().string(*owner, base, key);
    if (!name) {
        return name.error();
    }
    if (checkpoint) {
        *checkpoint = *name;
    }
    if (*name == "float16" || *name == "half" || *name == "float32" || *name == "float") {
        return core::DataType::fp16;
    }
    if (*name == "bfloat16") {
        return core::DataType::bf16;
    }
    return f.reader().expected(core::childPath(base, key), "one of float16, bfloat16, float32",
                               owner->at(key));
}

std::vector<std::int64_t> integerList(Fields& f, std::string_view key, std::int64_t lo,
                                      std::int64_t hi) {
    std::vector<std::int64_t> values;
    if (!f.ok() || !f.has(key)) {
        return values;
    }
    const core::Json& list = f.at(key);
    if (!list.is_array()) {
        f.failExpected(key, "an array of integers");
        return values;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const core::Json& item = list[i];
        const bool integral = item.is_number_integer() || item.is_number_unsigned();
        const std::int64_t v = integral ? item.get<std::int64_t>() : lo - 1;
        if (v < lo || v > hi) {
            f.latch(f.reader().expected(
                core::childPath(f.path(key), i),
                "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", item));
            return values;
        }
        values.push_back(v);
    }
    return values;
}

// Gemma 3's SigLIP tower and projector (next-wave.md A.6): per layer 4 (h^2 + h) attention,
// 2 h f + f + h MLP, two LayerNorms (4 h); patch embedding C p^2 h + h; a learned position per
// patch; the post LayerNorm (2 h); projector RMSNorm (h) and h x d_text.
core::Status parseVision(const core::JsonReader& reader, const core::Json& document,
                         LlmConfig& config) {
    auto it = document.find("vision_config");
    if (it == document.end() || !it->is_object()) {
        return core::Ok{};
    }
    if (config.modelType != "gemma3") {
        config.notes.push_back("the vision tower (vision_config) is not counted in the parameters");
        return core::Ok{};
    }
    Fields v(reader, *it, "/vision_config");
    const std::int64_t h = v.required("hidden_size", 1, kMaxDimension);
    const std::int64_t ff = v.required("intermediate_size", 1, kMaxDimension);
    const std::int64_t layers = v.required("num_hidden_layers", 1, kMaxPlannedLayers);
    const std::int64_t patch = v.required("patch_size", 1, kMaxDimension);
    const std::int64_t image = v.required("image_size", 1, kMaxDimension);
    const std::int64_t channels = v.optional("num_channels", 1, 64, 3);
    if (v.flag("vision_use_head", false)) {
        v.fail("vision_use_head", "a SigLIP pooling head is not counted");
    }
    if (!v.ok()) {
        return v.error();
    }
    const std::uint64_t perLayer =
        4 * (u(h) * u(h) + u(h)) + 2 * u(h) * u(ff) + u(ff) + u(h) + 4 * u(h);
    const std::uint64_t patches = (u(image) / u(patch)) * (u(image) / u(patch));
    const std::uint64_t tower = u(layers) * perLayer + u(channels) * u(patch) * u(patch) * u(h) +
                                u(h) + patches * u(h) + 2 * u(h);
    const std::uint64_t projector = u(h) + u(h) * u(config.hiddenSize);
    config.visionParameters = tower + projector;
    return core::Ok{};
}

}  // namespace rooflens::models::detail
