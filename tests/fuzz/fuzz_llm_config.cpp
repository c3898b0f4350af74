// LLM config.json (Hugging Face configs, nested text_config, quantization_config): the file
// loader (bare NaN / Infinity accepted), the parameter and KV-cache counts, and one small
// decode step of the builder for configs of at most 256 layers (the builder's cost is linear
// in the layers; bounding absurd layer counts is the loader's job, docs/fuzzing.md).
#include "fuzz_support.h"
#include "models/llm.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rooflens;
    static const fuzz::TempFile file("fuzz-llm.json");
    return fuzz::guarded([&] {
        const auto& path = file.write(fuzz::text(data, size));
        auto config = models::loadLlmConfig(path);
        fuzz::expectLocated(config, path.string());
        if (!config) {
            return;
        }
        (void)models::countParameters(*config);
        (void)models::kvFootprint(*config, 2.0);
        if (models::layerPlan(*config).size() > 256) {
            return;
        }
        core::RunSettings decode;
        decode.phase = core::Phase::decode;
        decode.batch = 1;
        decode.contextLength = 8;
        (void)models::buildLlm(*config, decode);
    });
}
