#pragma once
// Internal to the ONNX importer: the graph kept by the builder (initializer data stripped, their
// shapes kept) and the node mapper that turns a shape-inferred graph into layers.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/result.h"
#include "core/workload.h"

namespace rooflens::models::onnx_import {

struct Tensor {
    std::vector<std::int64_t> dims;
    std::int32_t type = 0;  // onnx::TensorProto_DataType
    double elements() const {
        double n = 1;
        for (auto d : dims) {
            n *= static_cast<double>(d);
        }
        return n;
    }
};

// The standard ONNX domain, spelt '' or 'ai.onnx' (a node's domain, an opset_import entry's).
inline bool isStandardDomain(const std::string& domain) {
    return domain.empty() || domain == "ai.onnx";
}

bool isFloat(std::int32_t type);
double elementBytes(std::int32_t type);  // stored bytes of one element of an ONNX type

struct LoadedGraph {
    std::string path;
    std::string id;          // the file's stem
    onnx::ModelProto model;  // large float initializers without their data
    std::unordered_map<std::string, Tensor> initializers;
    std::string floatTypes;  // the float types the file stores its weights in ("float32")
};

// Maps the nodes of `inferred` (the loaded graph after shape inference at `settings`) to layers.
core::Result<core::Workload> mapGraph(const LoadedGraph& graph, const onnx::ModelProto& inferred,
                                      const core::RunSettings& settings);

}  // namespace rooflens::models::onnx_import
