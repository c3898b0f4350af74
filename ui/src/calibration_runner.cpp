// The real CalibrationRunner: core/calibrate's suite turned into a hardware profile (built only
// when the rooflens_calibrate target exists).
#include "calibrate/calibration.h"
#include "calibrate/kernel_classes.h"
#include "calibrate/profile.h"
#include "models/reference_passes.h"
#include "ui/calibration_dialog.h"

namespace rooflens::ui {

CalibrationRunner defaultCalibrationRunner() {
    return [](CalibrationMode mode, const core::ProgressCallback& progress,
              const core::CancelToken& cancel) -> core::Result<core::Hardware> {
        calibrate::CalibrationOptions options;
        options.mode =
            mode == CalibrationMode::full ? calibrate::Mode::full : calibrate::Mode::quick;
        auto calibration = calibrate::runCalibration(options, progress, cancel);
        if (!calibration) {
            return calibration.error();
        }
        core::Hardware hw = calibrate::toHardware(calibration.value());
        // Kernel classes (issue 14 item 5), as `rooflens calibrate` fits them.
        auto predict = [](const calibrate::KernelClassPass& pass, core::Phase phase,
                          const core::Hardware& device) -> core::Result<core::Report> {
            const calibrate::DecoderShape& d = pass.decoder;
            const calibrate::VitShape& v = pass.vitShape;
            auto workload =
                pass.vit ? models::referenceVitPass({v.image, v.patch, v.channels, v.dim, v.depth,
                                                     v.heads, v.mlp, v.classes})
                         : models::referenceDecoderPass({d.hidden, d.intermediate, d.layers,
                                                         d.heads, d.kvHeads, d.headDim, d.vocab},
                                                        phase, pass.prompt);
            if (!workload) {
                return workload.error();
            }
            return core::analyze(std::move(workload).value(), device);
        };
        auto classes = calibrate::addKernelClassEfficiency(
            hw, calibrate::detectMachine(), predict, options.mode, cancel,
            [&](double f, std::string_view label) {
                if (progress) {
                    progress(0.99 + 0.01 * f, label, -1);
                }
            });
        if (cancel.cancelled()) {
            return core::makeError("cancelled");
        }
        return hw;
    };
}

}  // namespace rooflens::ui
