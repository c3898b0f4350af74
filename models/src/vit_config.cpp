// ViT / DeiT / Swin / Vim config JSON -> VitConfig, the presets in models/presets/vit/, and exact
// parameter counts. The file format and the decisions behind it: docs/vit.md.
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/paths.h"
#include "models/vit.h"

namespace rooflens::models {

namespace {

using core::Json;
using core::JsonReader;
using core::Result;
using core::Status;

constexpr std::int64_t kMaxImage = std::int64_t{1} << 14;  // 16384 pixels per side
constexpr std::int64_t kMaxWidth = std::int64_t{1} << 16;  // embed_dim, MLP width
constexpr std::int64_t kMaxDepth = 1024;
constexpr std::int64_t kMaxClasses = std::int64_t{1} << 24;
constexpr std::size_t kMaxStages = 8;

constexpr std::array<std::string_view, 19> kKnownFields = {"schema_version", "model_type",
                                                           "image_size",     "patch_size",
                                                           "in_channels",    "embed_dim",
                                                           "depth",          "num_heads",
                                                           "mlp_ratio",      "num_classes",
                                                           "class_token",    "qkv_bias",
                                                           "window_size",    "distillation_tokens",
                                                           "depths",         "d_state",
                                                           "d_conv",         "expand",
                                                           "dt_rank"};
constexpr std::int64_t kMaxState = 1024;  // d_state, d_conv, expand

bool present(const Json& obj, std::string_view key) {
    auto it = obj.find(std::string(key));
    return it != obj.end() && !it->is_null();
}

Result<std::int64_t> optionalInteger(const JsonReader& reader, const Json& doc,
                                     std::string_view key, std::int64_t minimum,
                                     std::int64_t maximum, std::int64_t fallback) {
    if (!present(doc, key)) {
        return fallback;
    }
    return reader.integer(doc, "", key, minimum, maximum);
}

Result<std::vector<std::int64_t>> integerArray(const JsonReader& reader, const Json& doc,
                                               std::string_view key, std::int64_t maximum) {
    auto member = reader.member(doc, "", key);
    if (!member) {
        return member.error();
    }
    const Json& array = *member.value();
    const std::string path = core::childPath("", key);
    if (!array.is_array() || array.empty() || array.size() > kMaxStages) {
        return reader.expected(path, "an array of 1 to 8 integers", array);
    }
    std::vector<std::int64_t> values;
    for (std::size_t i = 0; i < array.size(); ++i) {
        const Json& v = array[i];
        if (!v.is_number_integer() || v.get<std::int64_t>() < 1 ||
            v.get<std::int64_t>() > maximum) {
            return reader.expected(core::childPath(path, i),
                                   "an integer in [1, " + std::to_string(maximum) + "]", v);
        }
        values.push_back(v.get<std::int64_t>());
    }
    return values;
}

Status checkFields(const JsonReader& reader, const Json& doc) {
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        const std::string& key = it.key();
        if (!key.empty() && key.front() == '_') {
            continue;  // comments such as _source
        }
        if (std::find(kKnownFields.begin(), kKnownFields.end(), key) == kKnownFields.end()) {
            std::string known;
            for (std::string_view field : kKnownFields) {
                known += known.empty() ? "" : ", ";
                known += field;
            }
            return reader.error(core::childPath("", key), "unknown field (known: " + known + ")");
        }
    }
    return core::Ok{};
}

Status parseSwin(const JsonReader& reader, const Json& doc, VitConfig& c) {
    auto depths = integerArray(reader, doc, "depths", kMaxDepth);
    if (!depths) {
        return depths.error();
    }
    c.depths = *depths;
    auto heads = integerArray(reader, doc, "num_heads", kMaxWidth);
    if (!heads) {
        return heads.error();
    }
    if (heads->size() != c.depths.size()) {
        return reader.error("/num_heads", "expected one entry per stage (" +
                                              std::to_string(c.depths.size()) + "), got " +
                                              std::to_string(heads->size()));
    }
    c.stageHeads = *heads;
    auto window = reader.integer(doc, "", "window_size", 1, kMaxImage);
    if (!window) {
        return window.error();
    }
    c.windowSize = *window;
    c.depth = 0;
    std::int64_t width = c.embedDim;
    for (std::size_t s = 0; s < c.depths.size(); ++s) {
        c.depth += c.depths[s];
        if (width > kMaxWidth) {
            return reader.error("/embed_dim", "stage " + std::to_string(s) + " width " +
                                                  std::to_string(width) + " exceeds " +
                                                  std::to_string(kMaxWidth));
        }
        if (width % c.stageHeads[s] != 0) {
            return reader.error(core::childPath("/num_heads", s),
                                "stage width " + std::to_string(width) + " is not divisible by " +
                                    std::to_string(c.stageHeads[s]) + " heads");
        }
        width *= 2;
    }
    c.classTokens = 0;
    return core::Ok{};
}

Status parseVit(const JsonReader& reader, const Json& doc, VitConfig& c) {
    auto depth = reader.integer(doc, "", "depth", 1, kMaxDepth);
    if (!depth) {
        return depth.error();
    }
    c.depth = *depth;
    auto heads = reader.integer(doc, "", "num_heads", 1, kMaxWidth);
    if (!heads) {
        return heads.error();
    }
    if (c.embedDim % *heads != 0) {
        return reader.error("/num_heads", "embed_dim " + std::to_string(c.embedDim) +
                                              " is not divisible by " + std::to_string(*heads) +
                                              " heads");
    }
    c.numHeads = *heads;
    if (present(doc, "class_token")) {
        auto cls = reader.boolean(doc, "", "class_token");
        if (!cls) {
            return cls.error();
        }
        c.classTokens = *cls ? 1 : 0;
    }
    auto distill = optionalInteger(reader, doc, "distillation_tokens", 0, 1, 0);
    if (!distill) {
        return distill.error();
    }
    c.distillationTokens = *distill;
    if (c.classTokens + c.distillationTokens == 0) {
        return reader.error("/class_token",
                            "a ViT without class or distillation token has no classifier input");
    }
    return core::Ok{};
}

// Vim (bimamba v2, middle class token): depth, the Mamba sizes (defaults of mamba_simple.py:
// d_state 16, d_conv 4, expand 2, dt_rank ceil(D / 16)). No heads, no MLP.
Status parseVim(const JsonReader& reader, const Json& doc, VitConfig& c) {
    auto depth = reader.integer(doc, "", "depth", 1, kMaxDepth);
    if (!depth) {
        return depth.error();
    }
    c.depth = *depth;
    struct Field {
        std::string_view key;
        std::int64_t* target;
    };
    for (const Field& field :
         {Field{"d_state", &c.dState}, Field{"d_conv", &c.dConv}, Field{"expand", &c.expand}}) {
        auto value = optionalInteger(reader, doc, field.key, 1, kMaxState, *field.target);
        if (!value) {
            return value.error();
        }
        *field.target = *value;
    }
    auto rank = optionalInteger(reader, doc, "dt_rank", 1, kMaxWidth, (c.embedDim + 15) / 16);
    if (!rank) {
        return rank.error();
    }
    c.dtRank = *rank;
    if (c.innerSize() > kMaxWidth) {
        return reader.error("/expand",
                            "inner width expand x embed_dim = " + std::to_string(c.innerSize()) +
                                " exceeds " + std::to_string(kMaxWidth));
    }
    for (std::string_view key :
         {"num_heads", "mlp_ratio", "qkv_bias", "window_size", "depths", "distillation_tokens"}) {
        if (present(doc, key)) {
            return reader.error(core::childPath("", key),
                                "not a Vision Mamba field (Vim blocks have no attention or MLP)");
        }
    }
    c.numHeads = 0;
    c.mlpRatio = 0;
    c.classTokens = 1;  // the middle class token (use_middle_cls_token)
    if (present(doc, "class_token")) {
        auto cls = reader.boolean(doc, "", "class_token");
        if (!cls) {
            return cls.error();
        }
        if (!*cls) {
            return reader.error("/class_token",
                                "Vim is modelled with its middle class token; expected true");
        }
    }
    return core::Ok{};
}

}  // namespace

bool isVitDocument(const core::Json& document) {
    if (!document.is_object()) {
        return false;
    }
    auto it = document.find("model_type");
    if (it == document.end() || !it->is_string()) {
        return false;
    }
    const auto type = it->get<std::string>();
    return type == "vit" || type == "deit" || type == "swin" || type == "vim";
}

core::Result<VitConfig> parseVitConfig(const core::Json& doc, const std::string& label,
                                       const std::string& id) {
    const JsonReader reader(label);
    if (!doc.is_object()) {
        return reader.expected("", "an object", doc);
    }
    auto schema = reader.integer(doc, "", "schema_version", 1, 1);
    if (!schema) {
        return schema.error();
    }
    if (auto fields = checkFields(reader, doc); !fields) {
        return fields.error();
    }
    VitConfig c;
    c.id = id;
    auto type = reader.string(doc, "", "model_type");
    if (!type) {
        return type.error();
    }
    if (!isVitDocument(doc)) {
        return reader.error("/model_type", "unsupported model_type \"" + *type +
                                               "\"; supported: vit, deit, swin, vim");
    }
    c.modelType = *type;
    c.arch = *type == "swin" ? VitArch::swin : *type == "vim" ? VitArch::vim : VitArch::vit;
    if (auto it = doc.find("_source"); it != doc.end() && it->is_string()) {
        c.source = it->get<std::string>();
    }
    struct Field {
        std::string_view key;
        std::int64_t maximum;
        std::int64_t* target;
    };
    const std::array<Field, 3> fields = {{{"image_size", kMaxImage, &c.imageSize},
                                          {"patch_size", kMaxImage, &c.patchSize},
                                          {"embed_dim", kMaxWidth, &c.embedDim}}};
    for (const Field& field : fields) {
        auto value = reader.integer(doc, "", field.key, 1, field.maximum);
        if (!value) {
            return value.error();
        }
        *field.target = *value;
    }
    if (c.imageSize % c.patchSize != 0) {
        return reader.error("/patch_size", "image_size " + std::to_string(c.imageSize) +
                                               " is not a multiple of patch_size " +
                                               std::to_string(c.patchSize));
    }
    auto channels = optionalInteger(reader, doc, "in_channels", 1, 1024, 3);
    auto classes = optionalInteger(reader, doc, "num_classes", 1, kMaxClasses, 1000);
    if (!channels || !classes) {
        return !channels ? channels.error() : classes.error();
    }
    c.inChannels = *channels;
    c.numClasses = *classes;
    if (c.arch == VitArch::vim) {
        if (auto vim = parseVim(reader, doc, c); !vim) {
            return vim.error();
        }
        return c;
    }
    if (present(doc, "mlp_ratio")) {
        auto ratio = reader.positive(doc, "", "mlp_ratio");
        if (!ratio) {
            return ratio.error();
        }
        c.mlpRatio = *ratio;
    }
    if (present(doc, "qkv_bias")) {
        auto bias = reader.boolean(doc, "", "qkv_bias");
        if (!bias) {
            return bias.error();
        }
        c.qkvBias = *bias;
    }
    if (auto arch = c.arch == VitArch::swin ? parseSwin(reader, doc, c) : parseVit(reader, doc, c);
        !arch) {
        return arch.error();
    }
    // The MLP width of every stage must be an integer: D * mlp_ratio.
    const double hidden = static_cast<double>(c.embedDim) * c.mlpRatio;
    if (hidden < 1 || hidden > static_cast<double>(kMaxWidth) * 8 ||
        std::abs(hidden - std::round(hidden)) > 1e-9) {
        return reader.error("/mlp_ratio", "embed_dim x mlp_ratio = " + std::to_string(hidden) +
                                              " is not a positive integer MLP width");
    }
    c.mlpHidden = static_cast<std::int64_t>(std::llround(hidden));
    return c;
}

core::Result<VitConfig> loadVitConfig(const std::filesystem::path& path) {
    auto document = core::parseJsonFile(path);
    if (!document) {
        return document.error();
    }
    return parseVitConfig(*document, path.string(), path.stem().string());
}

std::filesystem::path vitPresetDir() {
    return core::builtinDataDir() / "models" / "presets" / "vit";
}

std::vector<std::string> listVitPresets() {
    std::vector<std::string> ids;
    std::error_code ec;
    std::filesystem::directory_iterator it(vitPresetDir(), ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (it->path().extension() == ".json" && it->is_regular_file(ec)) {
            ids.push_back(it->path().stem().string());
        }
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

bool isVitPreset(const std::string& id) {
    const auto ids = listVitPresets();
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

core::Result<VitConfig> resolveVit(const std::string& idOrPath) {
    if (isVitPreset(idOrPath)) {
        return loadVitConfig(vitPresetDir() / (idOrPath + ".json"));
    }
    if (idOrPath.find('/') != std::string::npos || idOrPath.ends_with(".json")) {
        return loadVitConfig(idOrPath);
    }
    std::string available;
    for (const auto& id : listVitPresets()) {
        available += available.empty() ? id : ", " + id;
    }
    return core::makeError("unknown ViT model \"" + idOrPath + "\" (presets: " + available + ")");
}

namespace {

// Vim (models_mamba.py, mamba_simple.py with bimamba_type v2): per block in_proj D x 2E and
// out_proj E x D (no biases) shared by both directions; per direction conv1d (E K + E),
// x_proj E x (R + 2N), dt_proj R x E + E, A_log E x N and D (E); the block's RMSNorm (D).
// Outside the blocks: patch conv (C P^2 D + D), class token (D), position embedding
// ((patches + 1) D), final RMSNorm (D), head (D classes + classes).
VitParameterCounts countVimParameters(const VitConfig& c) {
    using U = std::uint64_t;
    const U d = static_cast<U>(c.embedDim);
    const U e = static_cast<U>(c.innerSize());
    const U n = static_cast<U>(c.dState);
    const U k = static_cast<U>(c.dConv);
    const U r = static_cast<U>(c.dtRank);
    const U classes = static_cast<U>(c.numClasses);
    const U patchWeights = static_cast<U>(c.inChannels * c.patchSize * c.patchSize) * d;
    const U grid = static_cast<U>(c.imageSize / c.patchSize);
    const U blockLinear = 2 * e * d + e * d + 2 * (e * (r + 2 * n) + r * e);
    const U direction = (e * k + e) + e * (r + 2 * n) + (r * e + e) + e * n + e;
    VitParameterCounts counts;
    counts.linear = patchWeights + static_cast<U>(c.depth) * blockLinear + d * classes;
    counts.total = patchWeights + d + d + (grid * grid + 1) * d +
                   static_cast<U>(c.depth) * (3 * e * d + 2 * direction + d) + d + d * classes +
                   classes;
    return counts;
}

}  // namespace

VitParameterCounts countVitParameters(const VitConfig& c) {
    if (c.arch == VitArch::vim) {
        return countVimParameters(c);
    }
    using U = std::uint64_t;
    const U d = static_cast<U>(c.embedDim);
    const U channels = static_cast<U>(c.inChannels);
    const U patch = static_cast<U>(c.patchSize);
    const U classes = static_cast<U>(c.numClasses);
    const double ratio = c.mlpRatio;
    VitParameterCounts counts;
    const U patchWeights = channels * patch * patch * d;
    counts.linear += patchWeights;
    counts.total += patchWeights + d;  // conv weight and bias
    auto block = [&](U width, U heads, U relativeBias) {
        const U hidden = static_cast<U>(std::llround(static_cast<double>(width) * ratio));
        const U linear = 3 * width * width + width * width + 2 * width * hidden;
        counts.linear += linear;
        const U biases = (c.qkvBias ? 3 * width : 0) + width + hidden + width;
        counts.total += linear + biases + 4 * width + relativeBias * heads;
    };
    if (c.arch == VitArch::vit) {
        const U grid = static_cast<U>(c.imageSize / c.patchSize);
        const U tokens = grid * grid + static_cast<U>(c.protectedTokens());
        counts.total += static_cast<U>(c.protectedTokens()) * d + tokens * d;  // tokens, pos-emb
        for (std::int64_t b = 0; b < c.depth; ++b) {
            block(d, static_cast<U>(c.numHeads), 0);
        }
        counts.total += 2 * d;  // final norm
        const U heads = static_cast<U>(c.protectedTokens());
        counts.linear += heads * d * classes;
        counts.total += heads * (d * classes + classes);
        return counts;
    }
    counts.total += 2 * d;  // patch norm
    const U window = static_cast<U>(c.windowSize);
    const U table = (2 * window - 1) * (2 * window - 1);  // relative position bias per head
    U width = d;
    for (std::size_t s = 0; s < c.depths.size(); ++s) {
        for (std::int64_t b = 0; b < c.depths[s]; ++b) {
            block(width, static_cast<U>(c.stageHeads[s]), table);
        }
        if (s + 1 < c.depths.size()) {  // patch merging: LN(4C) and Linear(4C, 2C), no bias
            counts.linear += 8 * width * width;
            counts.total += 8 * width * width + 8 * width;
            width *= 2;
        }
    }
    counts.linear += width * classes;
    counts.total += 2 * width + width * classes + classes;
    return counts;
}

}  // namespace rooflens::models
