// quantization_config of a quantized checkpoint -> the core::Scenario it amounts to
// (LlmConfig::checkpointScenario): awq, gptq, fp8 (fine-grained blocks), compressed-tensors,
// bitsandbytes. Modules the checkpoint keeps in 16 bits become per-layer overrides, matched on
// the Hugging Face module names of our layers. Decisions: docs/models.md.
#include <algorithm>
#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config_families.h"
#include "llm_plan.h"

namespace rooflens::models::detail {

namespace {

using core::DataType;
using core::TensorFormat;

std::optional<DataType> intType(std::int64_t bits) {
    static constexpr DataType kTypes[] = {DataType::int2, DataType::int3, DataType::int4,
                                          DataType::int5, DataType::int6, DataType::int7,
                                          DataType::int8};
    if (bits < 2 || bits > 8) {
        return std::nullopt;
    }
    return kTypes[bits - 2];
}

// The ops our builder gives block `spec` whose weights a checkpoint may quantize.
std::vector<std::string_view> quantizableOps(const LlmConfig& c, const LayerSpec& spec) {
    std::vector<std::string_view> ops;
    if (spec.attention == AttentionKind::latent) {
        ops.insert(ops.end(), {"kv_a_proj", "kv_b_proj", "q_absorb", "v_absorb", "o_proj"});
        ops.insert(ops.end(), c.mla.qLoraRank > 0
                                  ? std::initializer_list<std::string_view>{"q_a_proj", "q_b_proj"}
                                  : std::initializer_list<std::string_view>{"q_proj"});
    } else if (spec.attention != AttentionKind::none) {
        if (c.fusedQkv) {
            ops.push_back("qkv_proj");
        } else {
            ops.insert(ops.end(), {"q_proj", "k_proj", "v_proj"});
        }
        ops.push_back("o_proj");
    }
    if (spec.ssm != SsmKind::none) {
        ops.insert(ops.end(), {"in_proj", "out_proj"});
        if (spec.ssm == SsmKind::mamba1) {
            ops.insert(ops.end(), {"x_proj", "dt_proj"});
        }
    }
    if (spec.ffn == FfnKind::dense) {
        if (c.mlp == MlpKind::plain) {
            ops.insert(ops.end(), {"fc1", "fc2"});
        } else if (c.fusedGateUp) {
            ops.insert(ops.end(), {"gate_up_proj", "down_proj"});
        } else {
            ops.insert(ops.end(), {"gate_proj", "up_proj", "down_proj"});
        }
    } else if (spec.ffn == FfnKind::moe) {
        ops.insert(ops.end(),
                   {"router", "experts.gate_proj", "experts.up_proj", "experts.down_proj"});
        if (c.sharedExpertSize > 0) {
            ops.insert(ops.end(), {"shared_experts.gate_proj", "shared_experts.up_proj",
                                   "shared_experts.down_proj"});
        }
        if (c.sharedExpertGate) {
            ops.push_back("shared_expert_gate");
        }
    }
    return ops;
}

// The Hugging Face module name of our op in block `block` (transformers' module layout).
std::string hfName(const LlmConfig& c, std::string_view op, std::int64_t block) {
    if (block < 0) {
        return std::string(op);  // lm_head
    }
    const std::string layer = (c.modelType == "mamba" ? "backbone.layers." : "model.layers.") +
                              std::to_string(block) + ".";
    const bool feedForward =
        c.modelType == "llama4" || c.modelType == "jamba" || c.modelType == "falcon_h1";
    const std::string mlp = feedForward ? "feed_forward." : "mlp.";
    if (op == "in_proj" || op == "out_proj" || op == "x_proj" || op == "dt_proj") {
        return layer + (c.modelType == "mamba" ? "mixer." : "mamba.") + std::string(op);
    }
    const bool absorbed = op == "q_absorb" || op == "v_absorb";  // halves of kv_b_proj
    if (absorbed || (op.find("proj") != std::string_view::npos &&
                     op.find("experts") == std::string_view::npos && op != "gate_proj" &&
                     op != "up_proj" && op != "down_proj" && op != "gate_up_proj")) {
        std::string name(op);
        if (op == "q_absorb" || op == "v_absorb") {
            name = "kv_b_proj";
        } else if (op == "kv_a_proj") {
            name = "kv_a_proj_with_mqa";
        }
        return layer + "self_attn." + name;
    }
    if (op == "router") {
        return layer + mlp +
               (c.modelType == "gpt_oss" || c.modelType == "llama4" || c.modelType == "jamba"
                    ? "router"
                    : "gate");
    }
    if (op.rfind("shared_experts.", 0) == 0) {
        const std::string shared = c.modelType == "deepseek_v2" || c.modelType == "deepseek_v3"
                                       ? "shared_experts."
                                       : "shared_expert.";
        return layer + mlp + shared + std::string(op.substr(15));
    }
    return layer + mlp + std::string(op);
}

bool isPlain(const std::string& pattern) {
    return pattern.find_first_of("*[]()|\\?+^${}") == std::string::npos;
}

// One skip rule: transformers' (a prefix regex match or a suffix), compressed-tensors'
// ("re:" regex match at the start, else the exact name).
struct Skip {
    std::string text;
    bool regex = false;
    std::regex compiled;
    bool suffixToo = true;  // transformers also skips names ending with the key
};

bool skips(const Skip& skip, const std::string& name) {
    if (skip.regex) {
        return std::regex_search(name, skip.compiled, std::regex_constants::match_continuous);
    }
    if (!skip.suffixToo) {
        return name == skip.text;
    }
    return name.rfind(skip.text, 0) == 0 ||
           (name.size() >= skip.text.size() &&
            name.compare(name.size() - skip.text.size(), skip.text.size(), skip.text) == 0);
}

core::Status readSkips(Fields& q, std::string_view key, bool compressedTensors,
                       std::vector<Skip>& out) {
    if (!q.has(key)) {
        return core::Ok{};
    }
    const core::Json& list = q.at(key);
    if (!list.is_array()) {
        q.failExpected(key, "an array of module names");
        return q.error();
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (!list[i].is_string()) {
            return q.reader().expected(core::childPath(q.path(key), i), "a module name", list[i]);
        }
        Skip skip;
        skip.text = list[i].get<std::string>();
        skip.suffixToo = !compressedTensors;
        if (compressedTensors && skip.text.rfind("re:", 0) == 0) {
            skip.text = skip.text.substr(3);
            skip.regex = true;
        } else if (!compressedTensors && !isPlain(skip.text)) {
            skip.regex = true;
        }
        if (skip.regex) {
            try {
                skip.compiled = std::regex(skip.text);
            } catch (const std::regex_error&) {
                return q.reader().expected(core::childPath(q.path(key), i), "a valid regex",
                                           list[i]);
            }
        }
        out.push_back(std::move(skip));
    }
    return core::Ok{};
}

// Per-layer overrides that keep the skipped modules (and lm_head, unless quantized) in the
// float type. A rule that skips an op in every block becomes one "blocks.*.op" pattern when no
// other op ends in ".op".
void addOverrides(const LlmConfig& c, const std::vector<Skip>& skipList, bool quantizeHead,
                  core::Scenario& scenario) {
    core::LayerOverride keep;
    keep.weights = TensorFormat{};
    if (scenario.activations) {
        keep.activations = TensorFormat{};
    }
    const auto skipped = [&](const std::string& name) {
        return std::any_of(skipList.begin(), skipList.end(),
                           [&](const Skip& s) { return skips(s, name); });
    };
    if (!quantizeHead || skipped("lm_head")) {
        keep.pattern = "lm_head";
        scenario.overrides.push_back(keep);
    }
    // Routers stay in the float type: quantizers skip them (Qwen and Mixtral checkpoints list
    // them, DeepSeek's router weight is no nn.Linear, and DeepSeek-V3 keeps gating in BF16).
    if (c.numExperts > 0) {
        keep.pattern = "blocks.*.router";
        scenario.overrides.push_back(keep);
    }
    const std::vector<LayerSpec> plan = layerPlan(c);
    std::vector<std::string_view> allOps;
    for (const LayerSpec& spec : plan) {
        for (std::string_view op : quantizableOps(c, spec)) {
            if (std::find(allOps.begin(), allOps.end(), op) == allOps.end()) {
                allOps.push_back(op);
            }
        }
    }
    for (std::string_view op : allOps) {
        if (op == "router") {
            continue;
        }
        std::vector<std::string> names;
        bool everywhere = true;
        for (std::size_t b = 0; b < plan.size(); ++b) {
            const auto ops = quantizableOps(c, plan[b]);
            if (std::find(ops.begin(), ops.end(), op) == ops.end()) {
                continue;
            }
            if (skipped(hfName(c, op, static_cast<std::int64_t>(b)))) {
                names.push_back("blocks." + std::to_string(b) + "." + std::string(op));
            } else {
                everywhere = false;
            }
        }
        const std::string suffix = "." + std::string(op);
        const bool ambiguous = std::any_of(allOps.begin(), allOps.end(), [&](std::string_view o) {
            return o != op && o.size() > suffix.size() &&
                   o.compare(o.size() - suffix.size(), suffix.size(), suffix) == 0;
        });
        if (everywhere && !names.empty() && !ambiguous) {
            names.assign(1, "blocks.*." + std::string(op));
        }
        for (const std::string& name : names) {
            keep.pattern = name;
            scenario.overrides.push_back(keep);
        }
    }
}

std::string groupText(const TensorFormat& f) {
    if (f.groupSize > 0) {
        return " g" + std::to_string(f.groupSize);
    }
    return f.channelScale ? " per-channel" : "";
}

// awq and gptq: integer weights with a 16-bit scale per group and a packed zero.
core::Status integerWeights(Fields& q, const std::string& method, core::Scenario& s,
                            bool& quantizeHead) {
    const std::int64_t bits = q.optional(q.has("w_bit") ? "w_bit" : "bits", 2, 8, 4);
    std::int64_t group = -1;
    const std::string_view groupKey = q.has("q_group_size") ? "q_group_size" : "group_size";
    if (q.ok() && q.has(groupKey) && q.at(groupKey).is_number_integer() &&
        q.at(groupKey).get<std::int64_t>() == -1) {
        group = -1;
    } else {
        group = q.optional(groupKey, 1, kMaxDimension, 128);
    }
    TensorFormat w;
    w.type = *intType(bits);
    if (group > 0) {
        w.groupSize = group;
        w.scale = DataType::fp16;
    } else {
        w.channelScale = DataType::fp16;
    }
    // AWQ stores zeros when zero_point is set; the GPTQ format always packs qzeros.
    const bool zero = method == "gptq" ? true : q.flag("zero_point", true);
    if (zero && group > 0) {
        w.zero = w.type;
    }
    quantizeHead = method == "gptq" && q.flag("lm_head", false);
    s.weights = w;
    s.name = "checkpoint: " + method + " w" + std::to_string(bits) + groupText(w);
    return status(q);
}

core::Status fp8Weights(Fields& q, core::Scenario& s) {
    const std::string fmt = q.text("fmt", "e4m3");
    if (fmt != "e4m3" && fmt != "e5m2") {
        q.failExpected("fmt", "e4m3 or e5m2");
        return q.error();
    }
    const DataType type = fmt == "e4m3" ? DataType::fp8_e4m3 : DataType::fp8_e5m2;
    TensorFormat w;
    w.type = type;
    std::string block;
    if (q.has("weight_block_size")) {
        const std::vector<std::int64_t> dims = integerList(q, "weight_block_size", 1, 1 << 20);
        if (q.ok() && dims.size() != 2) {
            q.fail("weight_block_size", "expected two block dimensions");
        }
        if (!q.ok()) {
            return q.error();
        }
        // One fp32 scale per block: the bytes are those of a group of rows x columns.
        w.groupSize = dims[0] * dims[1];
        w.scale = DataType::fp32;
        block = " block " + std::to_string(dims[0]) + "x" + std::to_string(dims[1]);
    }
    s.weights = w;
    // Dynamic activation scales: one fp32 scale per 128 elements of a token (per tensor
    // without blocks).
    TensorFormat a;
    a.type = type;
    if (w.groupSize > 0) {
        a.groupSize = 128;
        a.scale = DataType::fp32;
    }
    s.activations = a;
    s.name = "checkpoint: fp8 " + fmt + " w8a8" + block;
    return status(q);
}

// compressed-tensors: the first config group targeting Linear layers.
core::Status compressedTensorsWeights(Fields& q, core::Scenario& s, LlmConfig& config) {
    if (!q.has("config_groups") || !q.at("config_groups").is_object() ||
        q.at("config_groups").empty()) {
        q.fail("config_groups", "expected an object with at least one quantization group");
        return q.error();
    }
    const auto group = q.at("config_groups").begin();
    if (q.at("config_groups").size() > 1) {
        config.notes.push_back("compressed-tensors: only config group \"" + group.key() +
                               "\" is applied");
    }
    Fields g(q.reader(), group.value(), core::childPath(q.path("config_groups"), group.key()));
    if (!g.has("weights") || !g.at("weights").is_object()) {
        config.notes.push_back("compressed-tensors group without weights: not applied");
        return core::Ok{};
    }
    Fields w(g.reader(), g.at("weights"), g.path("weights"));
    const std::int64_t bits = w.required("num_bits", 2, 8);
    const std::string type = w.text("type", "int");
    const std::string strategy = w.text("strategy", "tensor");
    TensorFormat format;
    if (type == "int") {
        format.type = *intType(bits);
    } else if (type == "float" && bits == 8) {
        format.type = DataType::fp8_e4m3;
    } else {
        config.notes.push_back("compressed-tensors " + type + std::to_string(bits) +
                               " weights are not modelled; costs are at the native float type");
        return status(w);
    }
    if (strategy == "group") {
        format.groupSize = w.required("group_size", 1, kMaxDimension);
        format.scale = DataType::fp16;  // scales in the checkpoint's 16-bit type
    } else if (strategy == "channel") {
        format.channelScale = DataType::fp16;
    }
    if (!w.flag("symmetric", true) && format.groupSize > 0) {
        format.zero = format.type;
    }
    if (!w.ok()) {
        return w.error();
    }
    s.weights = format;
    if (g.has("input_activations") && g.at("input_activations").is_object()) {
        Fields a(g.reader(), g.at("input_activations"), g.path("input_activations"));
        const std::int64_t abits = a.required("num_bits", 2, 8);
        const std::string atype = a.text("type", "int");
        TensorFormat act;
        act.type = atype == "float" ? DataType::fp8_e4m3 : *intType(abits);
        s.activations = act;
        if (!a.ok()) {
            return a.error();
        }
    }
    s.name = "checkpoint: compressed-tensors w" + std::to_string(bits) + groupText(format) +
             (s.activations ? " a8" : "");
    return core::Ok{};
}

// bitsandbytes: NF4 (block 64, fp32 absmax or double-quantized) or LLM.int8 (row scales).
core::Status bitsandbytesWeights(Fields& q, core::Scenario& s, LlmConfig& config,
                                 std::vector<Skip>& skipList) {
    TensorFormat w;
    if (q.flag("load_in_4bit", false)) {
        const std::string kind = q.text("bnb_4bit_quant_type", "fp4");
        if (kind != "nf4") {
            config.notes.push_back("bitsandbytes " + kind +
                                   " is not modelled; costs are at the native float type");
            return status(q);
        }
        w.type = DataType::nf4;
        w.groupSize = 64;
        if (q.flag("bnb_4bit_use_double_quant", false)) {
            w.scale = DataType::int8;
            w.secondLevelGroup = 256;
            w.secondLevelBits = 32;
            w.quantizedStats = 1;
        } else {
            w.scale = DataType::fp32;
        }
        s.name = "checkpoint: bitsandbytes nf4";
    } else if (q.flag("load_in_8bit", false)) {
        w.type = DataType::int8;
        w.channelScale = DataType::fp32;
        s.name = "checkpoint: bitsandbytes int8";
    } else {
        return status(q);
    }
    s.weights = w;
    return readSkips(q, "llm_int8_skip_modules", false, skipList);
}

}  // namespace

core::Status parseCheckpointQuantization(const core::JsonReader& reader, const core::Json& document,
                                         const core::Json& object, const std::string& base,
                                         LlmConfig& config) {
    const core::Json* owner = &object;
    std::string path = base;
    if (!object.contains("quantization_config")) {
        owner = &document;
        path.clear();
    }
    auto it = owner->find("quantization_config");
    if (it == owner->end() || it->is_null()) {
        return core::Ok{};
    }
    if (!it->is_object()) {
        return reader.expected(core::childPath(path, "quantization_config"), "an object", *it);
    }
    Fields q(reader, *it, core::childPath(path, "quantization_config"));
    auto method = reader.string(*it, q.base(), "quant_method");
    if (!method) {
        return method.error();
    }
    core::Scenario s;
    std::vector<Skip> skipList;
    bool quantizeHead = false;
    core::Status read = core::Ok{};
    if (*method == "awq" || *method == "gptq") {
        read = integerWeights(q, *method, s, quantizeHead);
        if (read) {
            read = readSkips(q, "modules_to_not_convert", false, skipList);
        }
    } else if (*method == "fp8") {
        read = fp8Weights(q, s);
        if (read) {
            read = readSkips(q, "modules_to_not_convert", false, skipList);
        }
    } else if (*method == "compressed-tensors") {
        read = compressedTensorsWeights(q, s, config);
        if (read && s.weights) {
            read = readSkips(q, "ignore", true, skipList);
        }
    } else if (*method == "bitsandbytes") {
        read = bitsandbytesWeights(q, s, config, skipList);
    } else if (*method == "mxfp4") {
        // OCP MX: E2M1 values, one E8M0 scale per 32 elements (4.25 bits per weight).
        TensorFormat w;
        w.type = DataType::mxfp4;
        s.weights = w;
        s.name = "checkpoint: mxfp4";
        read = readSkips(q, "modules_to_not_convert", false, skipList);
    } else {
        config.notes.push_back("quantization_config quant_method \"" + *method +
                               "\" is not modelled; costs are at the native float type");
    }
    if (!read) {
        return read;
    }
    if (!s.weights) {
        return core::Ok{};
    }
    s.description = "From the checkpoint's quantization_config.";
    addOverrides(config, skipList, quantizeHead, s);
    config.checkpointScenario = std::move(s);
    return core::Ok{};
}

}  // namespace rooflens::models::detail
