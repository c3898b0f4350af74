#pragma once
// ONNX import: any model exported to an ONNX graph becomes a workload (family onnx). The graph is
// read with the ONNX library once (bindOnnx); every pass binds the graph inputs' symbolic
// dimensions to the run settings, runs ONNX shape inference and maps the nodes to core::Layer
// with the built-in builders' OP and byte conventions (docs/onnx.md lists the mapping).
//
// Symbolic dimensions by name (case-insensitive): "batch..." -> RunSettings::batch;
// "seq...", "sequence", "token...", "...len..." -> RunSettings::promptLength; "height" / "width"
// -> the image size (OnnxOptions). A dimension with neither a value nor a name takes the batch
// when it is the first one. Anything else is an error naming the input and the dimension.
//
// The importer is an optional component: without libonnx-dev the library builds, and
// bindOnnx() returns an error saying how to enable it.
#include <cstdint>
#include <memory>
#include <string>

#include "core/evaluate.h"
#include "core/result.h"

namespace rooflens::models {

struct OnnxOptions {
    std::int64_t imageHeight = 0;  // 0: symbolic height/width dimensions are an error
    std::int64_t imageWidth = 0;
};

// True when this build has the ONNX importer (libonnx-dev found at configure time).
bool onnxAvailable();
// A --model argument naming an ONNX file (".onnx", any case).
bool isOnnxPath(const std::string& model);

// Reads, checks (opset, external data) and keeps the graph; errors name the file and the node.
core::Result<std::shared_ptr<const core::WorkloadBuilder>> bindOnnx(const std::string& path,
                                                                    const OnnxOptions& options);

}  // namespace rooflens::models
