// The real CalibrationRunner: core/calibrate's suite turned into a hardware profile (built only
// when the rooflens_calibrate target exists).
#include "calibrate/calibration.h"
#include "calibrate/profile.h"
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
        return calibrate::toHardware(calibration.value());
    };
}

}  // namespace rooflens::ui
