// ONNX graphs (docs/onnx.md): bindOnnx reads and checks the protobuf, then one prefill pass of
// batch 1, 16 tokens, 224 x 224 images runs shape inference and the node mapping.
#include "core/evaluate.h"
#include "fuzz_support.h"
#include "models/onnx.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rooflens;
    static const fuzz::TempFile file("fuzz-model.onnx");
    return fuzz::guarded([&] {
        const auto& path = file.write(fuzz::text(data, size));
        models::OnnxOptions options;
        options.imageHeight = 224;
        options.imageWidth = 224;
        auto builder = models::bindOnnx(path.string(), options);
        fuzz::expectLocated(builder, path.string());
        if (!builder) {
            return;
        }
        core::RunSettings settings;
        settings.phase = core::Phase::prefill;
        settings.batch = 1;
        settings.promptLength = 16;
        auto workload = (*builder)->build(settings, {});
        fuzz::expectLocated(workload, path.string());
    });
}
