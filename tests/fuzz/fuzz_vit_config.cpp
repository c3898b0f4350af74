// ViT / DeiT / Swin / Vision Mamba configs (docs/vit.md): the file loader, the parameter count
// and one forward pass of the builder at the config's image size for up to 64 blocks.
#include "fuzz_support.h"
#include "models/vit.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rooflens;
    static const fuzz::TempFile file("fuzz-vit.json");
    return fuzz::guarded([&] {
        const auto& path = file.write(fuzz::text(data, size));
        auto config = models::loadVitConfig(path);
        fuzz::expectLocated(config, path.string());
        if (!config) {
            return;
        }
        (void)models::countVitParameters(*config);
        if (config->depth > 64) {
            return;
        }
        core::RunSettings pass;
        pass.phase = core::Phase::prefill;
        pass.batch = 1;
        (void)models::buildVit(*config, pass);
    });
}
