// ONNX import: reading and checking the file (protobuf, opsets, external data), binding the
// inputs' symbolic dimensions to the run settings and running ONNX shape inference per pass.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include <onnx/common/version.h>
#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>
#include <onnx/shape_inference/implementation.h>

#include "models/onnx.h"
#include "onnx_graph.h"

namespace rooflens::models {

namespace onnx_import {

bool isFloat(std::int32_t type) {
    using T = onnx::TensorProto;
    return type == T::FLOAT || type == T::FLOAT16 || type == T::BFLOAT16 || type == T::DOUBLE;
}

double elementBytes(std::int32_t type) {
    using T = onnx::TensorProto;
    switch (type) {
        case T::DOUBLE:
        case T::INT64:
        case T::UINT64:
        case T::COMPLEX64:
            return 8;
        case T::FLOAT:
        case T::INT32:
        case T::UINT32:
            return 4;
        case T::FLOAT16:
        case T::BFLOAT16:
        case T::INT16:
        case T::UINT16:
            return 2;
        case T::COMPLEX128:
            return 16;
        default:
            return 1;  // int8, uint8, bool, string (unknown size)
    }
}

}  // namespace onnx_import

namespace {

using onnx_import::LoadedGraph;
using onnx_import::Tensor;

// Initializers up to this many elements keep their data: shape inference reads the values of
// small tensors (Reshape's shape, Split's sizes, Gather's indices); weights are never read.
constexpr std::int64_t kKeptElements = 64;

std::string typeName(std::int32_t type) {
    switch (type) {
        case onnx::TensorProto::FLOAT:
            return "float32";
        case onnx::TensorProto::FLOAT16:
            return "float16";
        case onnx::TensorProto::BFLOAT16:
            return "bfloat16";
        case onnx::TensorProto::DOUBLE:
            return "float64";
        default:
            return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(type));
    }
}

std::string gigabytes(double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GB", bytes / 1e9);
    return text;
}

// "node 'fc1' (MatMul)" of the first node reading `input`, or "no node" when none does.
std::string consumerOf(const onnx::GraphProto& graph, const std::string& input) {
    for (const auto& node : graph.node()) {
        if (std::find(node.input().begin(), node.input().end(), input) != node.input().end()) {
            return "node '" + node.name() + "' (" + node.op_type() + ")";
        }
    }
    return "no node";
}

core::Result<onnx::ModelProto> readModel(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return core::makeError(path + ": cannot open the ONNX file");
    }
    // Parsed from the stream: a large model is held once, as the parsed message.
    onnx::ModelProto model;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size == 0 || !model.ParseFromIstream(&in)) {
        return core::makeError(path +
                               ": not an ONNX model (the protobuf does not parse: the file is "
                               "truncated or of another format)");
    }
    if (model.ir_version() <= 0 || !model.has_graph() || model.graph().node_size() == 0) {
        return core::makeError(path +
                               ": not an ONNX model (expected a ModelProto with an ir_version "
                               "and a graph of at least one node)");
    }
    return model;
}

core::Status checkOpsets(const onnx::ModelProto& model, const std::string& path) {
    const auto& known = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
    for (const auto& opset : model.opset_import()) {
        const std::string domain = opset.domain() == "ai.onnx" ? "" : opset.domain();
        const auto range = known.find(domain);
        if (range == known.end()) {
            continue;  // a custom domain: its nodes are listed as unsupported
        }
        if (opset.version() > range->second.second || opset.version() < range->second.first) {
            std::string first = "no node";
            for (const auto& node : model.graph().node()) {
                if (node.domain() == opset.domain() || (domain.empty() && node.domain().empty())) {
                    first = "node '" + node.name() + "' (" + node.op_type() + ")";
                    break;
                }
            }
            return core::makeError(path + ": opset " + std::to_string(opset.version()) +
                                   " of domain '" + (domain.empty() ? "ai.onnx" : domain) +
                                   "' (used by " + first + ") is unknown to the ONNX library " +
                                   ONNX_NAMESPACE::LAST_RELEASE_VERSION + ", which knows opsets " +
                                   std::to_string(range->second.first) + " to " +
                                   std::to_string(range->second.second));
        }
    }
    return core::Ok{};
}

// Every node of the standard domain checked against its operator's schema at the model's opset
// (input and output counts, no empty required input, attribute types), as the ONNX checker does:
// the mapper reads a node's inputs and outputs by position. An operator ONNX does not know at all
// is left to the mapper, which lists it as unsupported.
core::Status checkNodes(const onnx::ModelProto& model, const std::string& path) {
    int opset = -1;
    for (const auto& entry : model.opset_import()) {
        if (onnx_import::isStandardDomain(entry.domain())) {
            opset = static_cast<int>(entry.version());
        }
    }
    for (const auto& node : model.graph().node()) {
        if (!onnx_import::isStandardDomain(node.domain())) {
            continue;  // a custom domain: listed as unsupported
        }
        // Built only for an error: this runs once per node of every file bound.
        const auto where = [&] {
            return path + ": node '" + node.name() + "' (" + node.op_type() + ")";
        };
        if (opset < 0) {
            return core::makeError(where() +
                                   " is in domain 'ai.onnx', but the model imports no opset of it "
                                   "(expected an opset_import entry for domain '' or 'ai.onnx')");
        }
        const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(node.op_type(), opset, "");
        if (schema == nullptr) {
            if (onnx::OpSchemaRegistry::Schema(node.op_type(), "") != nullptr) {
                return core::makeError(where() + ": operator " + node.op_type() +
                                       " is not defined at opset " + std::to_string(opset) +
                                       " of domain 'ai.onnx' (the model's opset_import); the ONNX "
                                       "library defines it only in later opsets");
            }
            continue;  // unknown to ONNX: listed as unsupported
        }
        try {
            schema->Verify(node);
        } catch (const std::exception& e) {
            std::string what = e.what();
            what.erase(what.find_last_not_of(" \n") + 1);
            return core::makeError(where() + " does not match the operator's schema at opset " +
                                   std::to_string(opset) + ": " + what);
        }
    }
    return core::Ok{};
}

std::string externalField(const onnx::TensorProto& tensor, const std::string& key) {
    for (const auto& entry : tensor.external_data()) {
        if (entry.key() == key) {
            return entry.value();
        }
    }
    return {};
}

// An external-data "offset" or "length" entry: a non-negative integer, `fallback` when absent.
std::optional<double> byteCount(const std::string& text, double fallback) {
    if (text.empty()) {
        return fallback;
    }
    unsigned long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return static_cast<double>(value);
}

// External data is not read (only shapes matter), but it must be there: a model whose weights are
// missing is not the model the user means to price.
core::Status checkExternalData(const onnx::ModelProto& model, const std::string& path) {
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    for (const auto& tensor : model.graph().initializer()) {
        if (tensor.data_location() != onnx::TensorProto::EXTERNAL) {
            continue;
        }
        const std::string location = externalField(tensor, "location");
        double bytes = onnx_import::elementBytes(tensor.data_type());
        for (auto d : tensor.dims()) {
            bytes *= static_cast<double>(d);
        }
        const std::string what = path + ": initializer '" + tensor.name() + "' (input of " +
                                 consumerOf(model.graph(), tensor.name()) + ") keeps its " +
                                 gigabytes(bytes) + " in external data ";
        if (location.empty()) {
            return core::makeError(what + "without a 'location' entry");
        }
        const std::filesystem::path file = dir / location;
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (ec) {
            return core::makeError(what + "file '" + location + "', which is missing (looked for " +
                                   file.string() + ")");
        }
        const auto offset = byteCount(externalField(tensor, "offset"), 0);
        const auto length = byteCount(externalField(tensor, "length"), bytes);
        if (!offset || !length) {
            return core::makeError(what + "file '" + location +
                                   "' with an offset or length that is not a byte count");
        }
        const double end = *offset + *length;
        if (static_cast<double>(size) < end) {
            return core::makeError(what + "file '" + location + "', which holds " +
                                   std::to_string(size) + " bytes, fewer than the " +
                                   std::to_string(static_cast<long long>(end)) + " it needs");
        }
    }
    return core::Ok{};
}

// Keeps every initializer's shape and drops the data of the large ones.
LoadedGraph strip(onnx::ModelProto model, const std::string& path) {
    LoadedGraph g;
    g.path = path;
    g.id = std::filesystem::path(path).stem().string();
    std::vector<std::string> floats;
    for (auto& tensor : *model.mutable_graph()->mutable_initializer()) {
        Tensor info{{tensor.dims().begin(), tensor.dims().end()}, tensor.data_type()};
        if (onnx_import::isFloat(info.type) && info.elements() > 0) {
            const std::string name = typeName(info.type);
            if (std::find(floats.begin(), floats.end(), name) == floats.end()) {
                floats.push_back(name);
            }
        }
        if (info.elements() > kKeptElements) {
            tensor.clear_raw_data();
            tensor.clear_float_data();
            tensor.clear_int32_data();
            tensor.clear_double_data();
            tensor.clear_int64_data();
            tensor.clear_external_data();
            tensor.clear_data_location();
        }
        g.initializers.emplace(tensor.name(), std::move(info));
    }
    for (const auto& name : floats) {
        g.floatTypes += (g.floatTypes.empty() ? "" : ", ") + name;
    }
    g.model = std::move(model);
    return g;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The run-setting value of a symbolic dimension, by its name (models/onnx.h), or 0.
std::int64_t settingFor(const std::string& param, const core::RunSettings& s,
                        const OnnxOptions& o) {
    const std::string name = lower(param);
    if (name.find("batch") != std::string::npos) {
        return s.batch;
    }
    if (name.find("seq") != std::string::npos || name.find("token") != std::string::npos ||
        name.find("len") != std::string::npos) {
        return s.promptLength;
    }
    if (name.find("height") != std::string::npos) {
        return o.imageHeight;
    }
    if (name.find("width") != std::string::npos) {
        return o.imageWidth;
    }
    return 0;
}

core::Status bindInputs(onnx::ModelProto& model, const LoadedGraph& g, const core::RunSettings& s,
                        const OnnxOptions& o) {
    for (auto& input : *model.mutable_graph()->mutable_input()) {
        if (g.initializers.contains(input.name()) || !input.type().has_tensor_type()) {
            continue;
        }
        auto* shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
        for (int i = 0; i < shape->dim_size(); ++i) {
            auto* dim = shape->mutable_dim(i);
            if (dim->has_dim_value()) {
                continue;
            }
            const std::string param = dim->has_dim_param() ? dim->dim_param() : "";
            const std::int64_t value =
                param.empty() ? (i == 0 ? s.batch : 0) : settingFor(param, s, o);
            if (value <= 0) {
                return core::usageError(
                    g.path + ": input '" + input.name() + "' dimension " + std::to_string(i) +
                    (param.empty() ? " has no size" : " '" + param + "'") +
                    ": expected a name with batch, seq/len/token (--prompt-len), height or width "
                    "(--image-size), with that setting given");
            }
            dim->set_dim_value(value);
        }
    }
    return core::Ok{};
}

class OnnxBuilder final : public core::WorkloadBuilder {
public:
    OnnxBuilder(LoadedGraph graph, OnnxOptions options)
        : m_graph(std::move(graph)), m_options(options) {}
    core::ModelFamily family() const override { return core::ModelFamily::onnx; }
    const std::string& id() const override { return m_graph.id; }
    core::Result<core::Workload> build(const core::RunSettings& settings,
                                       const core::PassOptions& options) const override {
        if (!options.tokenReduction.empty() && options.tokenReduction != "none") {
            return core::usageError(
                "token reduction applies to the built-in vision models, not "
                "to the ONNX graph " +
                m_graph.path);
        }
        if (settings.phase != core::Phase::prefill) {
            return core::usageError(m_graph.path +
                                    ": an ONNX graph is one forward pass; use phase prefill, not " +
                                    std::string(core::nameOf(settings.phase)));
        }
        onnx::ModelProto model = m_graph.model;
        ROOFLENS_CHECK(bindInputs(model, m_graph, settings, m_options));
        try {
            onnx::ShapeInferenceOptions inference(true, 1, true);
            onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                               inference);
        } catch (const std::exception& e) {
            std::string what = e.what();
            what.erase(what.find_last_not_of(" \n") + 1);
            return core::makeError(m_graph.path + ": ONNX shape inference failed: " + what);
        }
        return onnx_import::mapGraph(m_graph, model, settings);
    }

private:
    LoadedGraph m_graph;
    OnnxOptions m_options;
};

}  // namespace

bool onnxAvailable() {
    return true;
}

bool isOnnxPath(const std::string& model) {
    return model.size() > 5 && lower(model.substr(model.size() - 5)) == ".onnx";
}

core::Result<std::shared_ptr<const core::WorkloadBuilder>> bindOnnx(const std::string& path,
                                                                    const OnnxOptions& options) {
    ROOFLENS_TRY(onnx::ModelProto model, readModel(path));
    ROOFLENS_CHECK(checkOpsets(model, path));
    ROOFLENS_CHECK(checkNodes(model, path));
    ROOFLENS_CHECK(checkExternalData(model, path));
    return std::shared_ptr<const core::WorkloadBuilder>(
        std::make_shared<OnnxBuilder>(strip(std::move(model), path), options));
}

}  // namespace rooflens::models
