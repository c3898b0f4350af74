#include "workload_options.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <typeinfo>

#include "cli_common.h"
#include "core/sweep.h"
#include "progress_bar.h"

namespace rooflens::cli {

namespace {

using core::ModelFamily;

// Options that belong to one family only; giving one for a model of another family is an error.
struct FamilyFlag {
    const char* name;
    ModelFamily family;
};
constexpr FamilyFlag kFamilyFlags[] = {
    {"prompt-len", ModelFamily::llm},      {"context-len", ModelFamily::llm},
    {"gen-len", ModelFamily::llm},         {"image-size", ModelFamily::vit},
    {"token-schedule", ModelFamily::vit},  {"tome-r", ModelFamily::vit},
    {"dynamicvit-keep", ModelFamily::vit}, {"dynamicvit-loc", ModelFamily::vit},
    {"diffrate", ModelFamily::vit},        {"token-reduction", ModelFamily::vit},
    {"graph", ModelFamily::gnn},           {"hidden", ModelFamily::gnn},
    {"layers", ModelFamily::gnn},          {"heads", ModelFamily::gnn},
    {"fanout", ModelFamily::gnn},          {"sample-batch", ModelFamily::gnn},
    {"aggregator", ModelFamily::gnn},      {"block-circulant", ModelFamily::gnn},
    {"gnn-order", ModelFamily::gnn},       {"features", ModelFamily::gnn},
    {"classes", ModelFamily::gnn},         {"gnn-dtype", ModelFamily::gnn},
};

std::string displayName(ModelFamily family) {
    switch (family) {
        case ModelFamily::llm:
            return "LLM";
        case ModelFamily::vit:
            return "ViT";
        case ModelFamily::gnn:
            return "GNN";
        case ModelFamily::onnx:
            return "ONNX";
    }
    return "?";
}

bool given(const po::variables_map& vm, const char* name) {
    return vm.count(name) != 0U && !vm[name].defaulted();
}

std::string text(const po::variables_map& vm, const char* name) {
    return vm.count(name) != 0U ? vm[name].as<std::string>() : "";
}

template <typename T>
T get(const po::variables_map& vm, const char* name, T fallback) {
    return vm.count(name) != 0U ? vm[name].as<T>() : fallback;
}

// An ONNX graph's symbolic dimensions take their values from the batch, the sequence length
// (--prompt-len) and the image size (models/onnx.h).
bool onnxFlag(const FamilyFlag& flag) {
    return std::string_view(flag.name) == "image-size" ||
           std::string_view(flag.name) == "prompt-len";
}

void checkFamilyFlags(const po::variables_map& vm, ModelFamily family, const std::string& model) {
    for (const FamilyFlag& flag : kFamilyFlags) {
        if (family == ModelFamily::onnx && onnxFlag(flag)) {
            continue;
        }
        if (flag.family != family && given(vm, flag.name)) {
            throw CliError{kUsage, std::string("--") + flag.name + " applies to " +
                                       displayName(flag.family) + " models, but " + model + " is " +
                                       (family == ModelFamily::llm ? "an " : "a ") +
                                       displayName(family) + " model"};
        }
    }
}

std::int64_t count(const std::string& value, const char* option) {
    std::size_t used = 0;
    long long n = -1;
    try {
        n = std::stoll(value, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (value.empty() || used != value.size() || n < 1) {
        throw CliError{kUsage, std::string("--") + option +
                                   ": expected N or HxW pixels (positive integers), got '" + value +
                                   "'"};
    }
    return n;
}

// Validates a flag's comma-separated list of numbers (integers when `integers`).
void checkNumbers(const std::string& value, const char* option, bool integers) {
    std::size_t start = 0;
    while (start <= value.size()) {
        const auto comma = value.find(',', start);
        const std::string item =
            value.substr(start, comma == std::string::npos ? value.npos : comma - start);
        std::size_t used = 0;
        double v = -1;
        try {
            v = std::stod(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (item.empty() || used != item.size() || (integers && (v < 0 || v != std::floor(v)))) {
            throw CliError{kUsage, std::string("--") + option + ": expected " +
                                       (integers ? "non-negative integers" : "numbers") +
                                       ", got '" + value + "'"};
        }
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
}

// The ViT flags in the shared token-reduction grammar (models::parseTokenReduction), so the CLI
// and the GUI read one language: --tome-r 16 is "tome 16".
std::string tokenReductionText(const po::variables_map& vm) {
    std::vector<std::string> methods;
    if (const auto v = text(vm, "token-reduction"); !v.empty()) {
        methods.push_back(v);
    }
    if (const auto v = text(vm, "token-schedule"); !v.empty()) {
        checkNumbers(v, "token-schedule", true);
        methods.push_back("schedule " + v);
    }
    if (const auto v = text(vm, "tome-r"); !v.empty()) {
        checkNumbers(v, "tome-r", true);
        methods.push_back("tome " + v);
    }
    if (const auto v = text(vm, "dynamicvit-keep"); !v.empty()) {
        checkNumbers(v, "dynamicvit-keep", false);
        checkNumbers(text(vm, "dynamicvit-loc"), "dynamicvit-loc", true);
        methods.push_back("dynamicvit " + v + " at " + text(vm, "dynamicvit-loc"));
    }
    if (const auto v = text(vm, "diffrate"); !v.empty()) {
        // PRUNE:MERGE pairs -> "diffrate PRUNES MERGES"
        std::string prune;
        std::string merge;
        std::size_t start = 0;
        while (start <= v.size()) {
            const auto comma = v.find(',', start);
            const std::string pair =
                v.substr(start, comma == std::string::npos ? v.npos : comma - start);
            const auto colon = pair.find(':');
            if (colon == std::string::npos) {
                throw CliError{kUsage,
                               "--diffrate: expected PRUNE:MERGE rates, got '" + pair + "'"};
            }
            prune += (prune.empty() ? "" : ",") + pair.substr(0, colon);
            merge += (merge.empty() ? "" : ",") + pair.substr(colon + 1);
            if (comma == std::string::npos) {
                break;
            }
            start = comma + 1;
        }
        methods.push_back("diffrate " + prune + " " + merge);
    }
    if (methods.size() > 1) {
        throw CliError{kUsage,
                       "choose one token reduction: --token-reduction, --token-schedule, "
                       "--tome-r, --dynamicvit-keep or --diffrate"};
    }
    return methods.empty() ? std::string() : methods.front();
}

void readImageSize(const po::variables_map& vm, models::WorkloadSpec& spec) {
    if (const auto size = text(vm, "image-size"); !size.empty()) {
        const auto x = size.find('x');
        spec.imageHeight = count(size.substr(0, x), "image-size");
        spec.imageWidth =
            x == std::string::npos ? spec.imageHeight : count(size.substr(x + 1), "image-size");
    }
}

void readVitOptions(const po::variables_map& vm, models::WorkloadSpec& spec) {
    readImageSize(vm, spec);
    spec.tokenReduction = tokenReductionText(vm);
    // Validate here so a bad value is reported as the flag's fault.
    auto reduction = models::parseTokenReduction(spec.tokenReduction);
    if (!reduction) {
        throw CliError{kUsage, reduction.error().message};
    }
}

std::vector<std::int64_t> fanouts(const std::string& value) {
    std::vector<std::int64_t> out;
    std::string item;
    for (char c : value + ",") {
        if (c != ',') {
            item += c;
            continue;
        }
        std::size_t used = 0;
        long long n = 0;
        try {
            n = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (item.empty() || used != item.size() || n < 1) {
            throw CliError{kUsage,
                           "--fanout: expected positive integers like 25,10, got '" + value + "'"};
        }
        out.push_back(n);
        item.clear();
    }
    return out;
}

void readGnnOptions(const po::variables_map& vm, models::WorkloadSpec& spec) {
    models::GnnConfig& c = spec.gnn;
    spec.graph = text(vm, "graph");
    if (spec.graph.empty()) {
        std::string ids;
        for (const auto& id : models::listBuiltinGraphs()) {
            ids += (ids.empty() ? "" : ", ") + id;
        }
        throw CliError{kUsage, "--graph is required for GNN models (built-in: " + ids +
                                   "; or an edge list / .mtx file)"};
    }
    c.layers = get<std::int64_t>(vm, "layers", c.layers);
    c.hidden = get<std::int64_t>(vm, "hidden", c.hidden);
    c.heads = get<std::int64_t>(vm, "heads", c.heads);
    c.sampleBatch = get<std::int64_t>(vm, "sample-batch", c.sampleBatch);
    c.blockCirculant = get<std::int64_t>(vm, "block-circulant", c.blockCirculant);
    c.features = get<std::int64_t>(vm, "features", c.features);
    c.classes = get<std::int64_t>(vm, "classes", c.classes);
    if (const auto f = text(vm, "fanout"); !f.empty()) {
        c.fanouts = fanouts(f);
    }
    const auto aggregator = get<std::string>(vm, "aggregator", "mean");
    if (aggregator != "mean" && aggregator != "pool") {
        throw CliError{kUsage, "--aggregator: expected mean|pool, got '" + aggregator + "'"};
    }
    if (aggregator == "pool" && models::parseGnnModel(spec.model) != models::GnnModel::sage) {
        throw CliError{kUsage, "--aggregator applies to graphsage only"};
    }
    c.aggregator =
        aggregator == "pool" ? models::SageAggregator::pool : models::SageAggregator::mean;
    const auto order = get<std::string>(vm, "gnn-order", "auto");
    if (order == "auto") {
        c.order = models::GnnOrder::automatic;
    } else if (order == "aggregate-first") {
        c.order = models::GnnOrder::aggregateFirst;
    } else if (order == "combine-first") {
        c.order = models::GnnOrder::combineFirst;
    } else {
        throw CliError{kUsage, "--gnn-order: expected auto|aggregate-first|combine-first, got '" +
                                   order + "'"};
    }
    const auto dtype = get<std::string>(vm, "gnn-dtype", "fp32");
    const auto type = core::parseDataType(dtype);
    if (!type || (*type != core::DataType::fp32 && *type != core::DataType::fp16 &&
                  *type != core::DataType::bf16)) {
        throw CliError{kUsage, "--gnn-dtype: expected fp32|fp16|bf16, got '" + dtype + "'"};
    }
    c.floatType = *type;
}

std::vector<std::string> strings(const po::variables_map& vm, const char* name) {
    if (vm.count(name) == 0U) {
        return {};
    }
    const boost::any& value = vm[name].value();
    if (const auto* one = boost::any_cast<std::string>(&value)) {
        return one->empty() ? std::vector<std::string>{} : std::vector<std::string>{*one};
    }
    return vm[name].as<std::vector<std::string>>();
}

std::int64_t positive(const po::variables_map& vm, const char* name) {
    return requirePositive(vm, name);
}

// --dtype: nullopt for auto (or when the command has no such option).
std::optional<core::DataType> dtypeOption(const po::variables_map& vm) {
    const std::string value = get<std::string>(vm, "dtype", "auto");
    if (value == "auto") {
        return std::nullopt;
    }
    const auto type = core::parseDataType(value == "float32" ? "fp32" : value);
    if (!type || (*type != core::DataType::fp32 && *type != core::DataType::fp16 &&
                  *type != core::DataType::bf16)) {
        throw CliError{kUsage, "--dtype: expected auto|fp16|bf16|fp32, got '" + value + "'"};
    }
    return type;
}

int bits(const po::variables_map& vm, const char* name) {
    const int value = vm[name].as<int>();
    if (!((value >= 2 && value <= 8) || value == 16 || value == 32)) {
        throw CliError{kUsage, std::string("--") + name + ": expected 2..8, 16 or 32, got " +
                                   std::to_string(value)};
    }
    return value;
}

}  // namespace

void addRunOptions(po::options_description& options, const RunOptionStyle& style) {
    po::options_description run("run settings");
    auto init = run.add_options();
    init("phase", po::value<std::string>()->default_value(style.phase), "prefill|decode|request");
    if (style.ranges) {
        init("batch", po::value<std::string>()->default_value("1"),
             "batch sizes: 1,2,4 or 1:256:x2 or 8:64:+8");
        init("prompt-len", po::value<std::string>()->default_value("1024"),
             "prompt lengths (prefill, request)");
        init("context-len", po::value<std::string>()->default_value("1024"),
             "context lengths (decode)");
    } else {
        init("batch", po::value<std::int64_t>()->default_value(1), "sequences per batch");
        init("prompt-len", po::value<std::int64_t>()->default_value(1024),
             "prompt tokens per sequence (prefill, request)");
        if (style.compare) {
            init("context-len", po::value<std::int64_t>()->default_value(0),
                 "context of the decode-step column (default: prompt-len + gen-len)");
        } else {
            init("context-len", po::value<std::int64_t>()->default_value(1024),
                 "tokens in the KV cache including the new one (decode)");
        }
    }
    init("gen-len", po::value<std::int64_t>()->default_value(128),
         "generated tokens per sequence (request)");
    init("flash-attention", po::bool_switch(), "fused attention (FlashAttention IO model)");
    options.add(run);
}

void addModelOptions(po::options_description& options, bool severalDevices, bool severalScenarios) {
    auto init = options.add_options();
    init("model", po::value<std::string>()->required(),
         "model: a preset id (rooflens models list), a config .json, or gcn|graphsage|gat|gin");
    if (severalDevices) {
        init("hw", po::value<std::vector<std::string>>()->composing(),
             "device id or profile .json; repeat for several devices");
    } else {
        init("hw", po::value<std::string>(), "device id or path to a profile .json");
    }
    if (severalScenarios) {
        init("scenario", po::value<std::vector<std::string>>()->composing(),
             "scenario preset or .json; repeat for several (default: uncompressed)");
    } else {
        init("scenario", po::value<std::string>()->default_value(""),
             "compression: a scenario preset (rooflens scenarios list) or a scenario .json; "
             "replaces --wbits/--abits/--kvbits");
    }
    init("wbits", po::value<int>()->default_value(16), "bits per linear-layer weight (shorthand)");
    init("abits", po::value<int>()->default_value(16), "bits per GEMM input activation");
    init("kvbits", po::value<int>()->default_value(16), "bits per KV-cache element");
}

void addOutputOptions(po::options_description& options, const char* formats) {
    options.add_options()("format", po::value<std::string>()->default_value("table"), formats)(
        "output,o", po::value<std::string>()->default_value(""), "write to FILE instead of stdout")(
        "time", po::value<std::string>()->default_value("roofline"),
        "expected|roofline: the time headline figures and speed-ups use (reports carry both): "
        "the efficiency model's expected time or the roofline bound");
}

core::TimeBasis timeBasisOption(const po::variables_map& vm) {
    const std::string& text = vm["time"].as<std::string>();
    const auto basis = core::parseTimeBasis(text);
    if (!basis) {
        throw CliError{kUsage,
                       "--time: expected \"expected\" or \"roofline\", got \"" + text + "\""};
    }
    return *basis;
}

void addFamilyOptions(po::options_description& options) {
    po::options_description vit("vision model options (ViT, DeiT, Swin, Vim)");
    // clang-format off
    vit.add_options()
        ("image-size", po::value<std::string>()->default_value(""),
         "input image N or HxW pixels (default: the model's)")
        ("token-schedule", po::value<std::string>()->default_value(""),
         "tokens entering each block, comma-separated (one per block)")
        ("tome-r", po::value<std::string>()->default_value(""),
         "ToMe: tokens merged per block, R or R1,R2,... (one per block)")
        ("dynamicvit-keep", po::value<std::string>()->default_value(""),
         "DynamicViT: keep ratio rho (patch tokens N rho^i kept at the i-th location)")
        ("dynamicvit-loc", po::value<std::string>()->default_value("3,6,9"),
         "DynamicViT: blocks before which tokens are pruned")
        ("diffrate", po::value<std::string>()->default_value(""),
         "DiffRate: PRUNE:MERGE rates per block (one pair, or one per block)")
        ("token-reduction", po::value<std::string>()->default_value(""),
         "any token reduction in the shared grammar (docs/vit.md): \"tome r=16\", "
         "\"zerotprune keep=0.7 at 3,6,9 iters=5\" (ViT), \"rmeeto r=11 every=2 [prune]\" "
         "(Vision Mamba), ...");
    po::options_description gnn("graph neural network options (gcn, graphsage, gat, gin)");
    gnn.add_options()
        ("graph", po::value<std::string>()->default_value(""),
         "built-in graph (cora, citeseer, pubmed, ogbn-arxiv, ogbn-products, reddit) or an edge "
         "list / .mtx file")
        ("hidden", po::value<std::int64_t>()->default_value(256),
         "hidden width (GAT: all heads together)")
        ("layers", po::value<std::int64_t>()->default_value(2), "GNN layers")
        ("heads", po::value<std::int64_t>()->default_value(8), "GAT heads in hidden layers")
        ("fanout", po::value<std::string>()->default_value(""),
         "sampled mini-batch: neighbours per hop, one per layer (e.g. 25,10)")
        ("sample-batch", po::value<std::int64_t>()->default_value(1024),
         "sampled mini-batch: target nodes")
        ("aggregator", po::value<std::string>()->default_value("mean"), "graphsage: mean|pool")
        ("block-circulant", po::value<std::int64_t>()->default_value(0),
         "BlockGNN block-circulant weights with block size B (a power of two)")
        ("gnn-order", po::value<std::string>()->default_value("auto"),
         "auto|aggregate-first|combine-first")
        ("features", po::value<std::int64_t>()->default_value(0),
         "input features (default: the graph's; needed for imported graphs)")
        ("classes", po::value<std::int64_t>()->default_value(0),
         "output classes (default: the graph's; needed for imported graphs)")
        ("gnn-dtype", po::value<std::string>()->default_value("fp32"),
         "native float type of features and weights: fp32|fp16|bf16");
    // clang-format on
    po::options_description precision("precision");
    precision.add_options()("dtype", po::value<std::string>()->default_value("auto"),
                            "float type of weights and activations: auto|fp16|bf16|fp32 (auto: "
                            "the config's torch_dtype, float32 served at fp16; ViT fp16; GNN "
                            "--gnn-dtype)");
    options.add(precision);
    options.add(vit);
    options.add(gnn);
}

BoundModel bindModel(const po::variables_map& vm, const core::ProgressCallback& progress) {
    BoundModel bound;
    models::WorkloadSpec& spec = bound.spec;
    spec.model = vm["model"].as<std::string>();
    auto family = models::familyOf(spec.model);
    if (!family) {
        throw CliError{family.error().kind == core::ErrorKind::usage ? kUsage : kBadInput,
                       family.error().message};
    }
    spec.family = *family;
    checkFamilyFlags(vm, spec.family, spec.model);
    if (spec.family == ModelFamily::vit) {
        readVitOptions(vm, spec);
    } else if (spec.family == ModelFamily::gnn) {
        readGnnOptions(vm, spec);
    } else if (spec.family == ModelFamily::onnx) {
        readImageSize(vm, spec);
    }
    spec.floatType = dtypeOption(vm);
    ProgressBar bar;
    const auto start = std::chrono::steady_clock::now();
    models::BindOptions options;
    options.progress =
        progress ? progress : [&](double fraction, std::string_view label, double left) {
            if (std::chrono::steady_clock::now() - start > std::chrono::milliseconds(500)) {
                bar.update(fraction, label, left);
            }
        };
    auto builder = models::bindWorkload(spec, options);
    bar.finish();
    bound.builder = unwrap(std::move(builder));
    return bound;
}

core::Phase phaseOption(const po::variables_map& vm, const core::WorkloadBuilder& builder) {
    if (!builder.hasDecode() && !given(vm, "phase")) {
        return core::Phase::prefill;  // vision models and GNNs: the one forward pass
    }
    return requirePhase(vm);
}

core::RunSettings runSettings(const po::variables_map& vm, const core::WorkloadBuilder& builder) {
    core::RunSettings s;
    s.phase = phaseOption(vm, builder);
    s.batch = positive(vm, "batch");
    s.promptLength = positive(vm, "prompt-len");
    const auto context = vm["context-len"].as<std::int64_t>();
    if (context < 0 || (context == 0 && !vm["context-len"].defaulted())) {
        throw CliError{
            kUsage, "--context-len: expected a positive integer, got " + std::to_string(context)};
    }
    if (context > std::int64_t{1} << 40) {
        throw CliError{kUsage, "--context-len: expected at most 2^40 (1099511627776), got " +
                                   std::to_string(context)};
    }
    s.contextLength = context;
    s.generateLength = positive(vm, "gen-len");
    s.flashAttention = vm["flash-attention"].as<bool>();
    return s;
}

core::Scenario resolveScenarioArg(const std::string& nameOrPath) {
    return unwrap(core::resolveScenario(nameOrPath));
}

core::ScenarioList scenarioList(const po::variables_map& vm, const core::WorkloadBuilder& builder) {
    const int w = bits(vm, "wbits");
    const int a = bits(vm, "abits");
    const int kv = bits(vm, "kvbits");
    const std::vector<std::string> names = strings(vm, "scenario");
    const bool shorthand = w != 16 || a != 16 || kv != 16;
    if (!names.empty() && shorthand) {
        throw CliError{kUsage,
                       "--scenario replaces --wbits/--abits/--kvbits: give one or the other"};
    }
    core::ScenarioList list;
    for (const auto& name : names) {
        list.emplace_back(resolveScenarioArg(name));
    }
    if (shorthand) {
        list.emplace_back(core::scenarioFromBits(w, a, kv));
    }
    if (list.empty()) {
        list.emplace_back(builder.checkpointScenario());
    }
    return list;
}

std::vector<core::Hardware> deviceList(const po::variables_map& vm) {
    const hwdb::Database db = loadDatabase(false);
    std::vector<core::Hardware> devices;
    const auto systems = strings(vm, "system");
    if (!systems.empty() && !strings(vm, "hw").empty()) {
        throw CliError{kUsage, "--system names its device: give --system or --hw, not both"};
    }
    for (const auto& id : systems) {
        devices.push_back(unwrap(hwdb::resolveSystem(id, db)).device);
    }
    for (const auto& id : strings(vm, "hw")) {
        devices.push_back(resolveHardware(db, id));
    }
    if (devices.empty()) {
        throw CliError{kUsage, "a device is required: --hw ID (or --system ID)"};
    }
    // Calibrated CPU profiles: the ceilings measured at N threads (issue 14, 7c).
    const char* flag = vm.count("device-threads") != 0U ? "device-threads" : "threads";
    const bool given = vm.count(flag) != 0U && vm[flag].value().type() == typeid(int);
    const int threads = given ? vm[flag].as<int>() : 0;
    if (threads < 0) {
        throw CliError{kUsage, std::string("--") + flag + ": expected a thread count >= 1, got " +
                                   std::to_string(threads)};
    }
    if (threads > 0) {
        for (core::Hardware& hw : devices) {
            auto chosen = hw.atThreads(threads);
            if (!chosen) {
                throw CliError{kUsage, std::string("--") + flag + ": " + chosen.error().message};
            }
            hw = std::move(chosen).value();
        }
    }
    return devices;
}

void addDeviceThreadsOption(po::options_description& options, const char* name) {
    options.add_options()(name, po::value<int>()->default_value(0),
                          "calibrated CPU profiles: price with the ceilings measured at N "
                          "threads (0 = the profile's own, all threads)");
}

void addDeploymentOptions(po::options_description& options, bool ranges) {
    po::options_description d("deployment (docs/parallelism.md)");
    auto init = d.add_options();
    const char* what = ranges ? "; a list sweeps plans (1,2,4,8)" : "";
    for (auto [name, help] :
         {std::pair{"tp", "tensor parallelism"}, std::pair{"pp", "pipeline parallelism (stages)"},
          std::pair{"ep", "expert parallelism (MoE)"}, std::pair{"dp", "data-parallel replicas"},
          std::pair{"cp", "context parallelism (prompt split)"}}) {
        init(name, po::value<std::string>()->default_value("1"),
             (std::string(help) + what).c_str());
    }
    init("micro-batches", po::value<int>()->default_value(1),
         "prefill micro-batches through the pipeline (GPipe)");
    init("expert-imbalance", po::value<double>()->default_value(1.0),
         "tokens of the busiest expert over the mean (1 = uniform routing)");
    init("overlap", po::bool_switch(), "communication overlaps the compute of its stage");
    init("in-network-reduction", po::bool_switch(),
         "all-reduce reduced in the switch (NVLS/SHARP) where the fabric has it");
    init("system", po::value<std::vector<std::string>>()->composing(),
         "a system (rooflens hw systems) or a system .json: devices, nodes and links");
    init("devices", po::value<int>()->default_value(0),
         "with --hw: a system of N such devices (default: as many as the plan needs)");
    options.add(d);
}

namespace {

int degree(const po::variables_map& vm, const char* name) {
    auto values = core::parseRange(vm[name].as<std::string>());
    if (!values || values->size() != 1 || values->front() > 65536) {
        throw CliError{kUsage, std::string("--") + name + ": expected one integer in [1, 65536]" +
                                   ", got '" + vm[name].as<std::string>() + "'"};
    }
    return static_cast<int>(values->front());
}

std::vector<int> degrees(const po::variables_map& vm, const char* name) {
    auto values = core::parseRange(vm[name].as<std::string>());
    std::vector<int> out;
    if (values) {
        for (std::int64_t v : *values) {
            if (v > 65536) {
                break;
            }
            out.push_back(static_cast<int>(v));
        }
    }
    if (!values || out.size() != values->size()) {
        throw CliError{kUsage, std::string("--") + name +
                                   ": expected integers in [1, 65536] (4, or a list 1,2,4,8)" +
                                   ", got '" + vm[name].as<std::string>() + "'"};
    }
    return out;
}

}  // namespace

core::Deployment deploymentOption(const po::variables_map& vm) {
    core::Deployment d;
    d.tensorParallel = degree(vm, "tp");
    d.pipelineParallel = degree(vm, "pp");
    d.expertParallel = degree(vm, "ep");
    d.dataParallel = degree(vm, "dp");
    d.contextParallel = degree(vm, "cp");
    return withPlanOptions(vm, d);
}

std::vector<core::Deployment> deploymentList(const po::variables_map& vm) {
    // Every combination is a plan: lists of up to 65536 degrees each would make up to 2^80 plans,
    // so their count is checked before any is made (issue 18, 3).
    constexpr std::uint64_t kMaxPlans = 4096;
    const std::vector<int> lists[] = {degrees(vm, "tp"), degrees(vm, "ep"), degrees(vm, "pp"),
                                      degrees(vm, "cp"), degrees(vm, "dp")};
    std::uint64_t count = 1;
    std::string sizes;
    for (const auto& list : lists) {
        count = std::min<std::uint64_t>(count * list.size(), kMaxPlans + 1);
        sizes += (sizes.empty() ? "" : " x ") + std::to_string(list.size());
    }
    if (count > kMaxPlans) {
        throw CliError{kUsage, "--tp, --ep, --pp, --cp, --dp: " + sizes +
                                   " values make more than 4096 plans; at most 4096 are allowed"};
    }
    std::vector<core::Deployment> plans;
    for (int tp : lists[0]) {
        for (int ep : lists[1]) {
            for (int pp : lists[2]) {
                for (int cp : lists[3]) {
                    for (int dp : lists[4]) {
                        core::Deployment d;
                        d.tensorParallel = tp;
                        d.expertParallel = ep;
                        d.pipelineParallel = pp;
                        d.contextParallel = cp;
                        d.dataParallel = dp;
                        plans.push_back(withPlanOptions(vm, d));
                    }
                }
            }
        }
    }
    return plans;
}

core::Deployment withPlanOptions(const po::variables_map& vm, core::Deployment d) {
    d.microBatches = vm["micro-batches"].as<int>();
    d.expertImbalance = vm["expert-imbalance"].as<double>();
    d.overlapCommunication = vm["overlap"].as<bool>();
    d.inNetworkReduction = vm["in-network-reduction"].as<bool>();
    if (d.microBatches < 1) {
        throw CliError{kUsage, "--micro-batches: expected a positive integer"};
    }
    if (!(d.expertImbalance >= 1)) {
        throw CliError{kUsage, "--expert-imbalance: expected a number >= 1 (max/mean load)"};
    }
    return d;
}

std::vector<core::System> systemList(const po::variables_map& vm,
                                     const std::vector<core::Hardware>& devices,
                                     const core::Deployment& deployment) {
    std::vector<core::System> systems;
    const hwdb::Database db = loadDatabase(false);
    for (const auto& id : strings(vm, "system")) {
        systems.push_back(unwrap(hwdb::resolveSystem(id, db)));
    }
    const int count = vm["devices"].as<int>();
    if (count < 0 || (count > 0 && !systems.empty())) {
        throw CliError{kUsage, "--devices N goes with --hw (a --system has its own)"};
    }
    if (count > core::kMaxPlanDevices) {
        throw CliError{kUsage, "--devices: expected at most 268435456 (2^28) devices, got " +
                                   std::to_string(count)};
    }
    if (systems.empty() && (count > 0 || !deployment.single())) {
        for (const auto& hw : devices) {
            systems.push_back(core::systemOf(hw, count > 0 ? count : deployment.devices()));
        }
    }
    return systems;
}

core::ReportFormat formatOption(const po::variables_map& vm,
                                std::initializer_list<core::ReportFormat> allowed) {
    return parseFormat(vm["format"].as<std::string>(), allowed);
}

std::string outputOption(const po::variables_map& vm) {
    return vm["output"].as<std::string>();
}

void printWarnings(const std::vector<std::string>& warnings) {
    for (const auto& w : warnings) {
        std::cerr << "warning: " << w << '\n';
    }
}

}  // namespace rooflens::cli
