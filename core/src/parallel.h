#pragma once
// Private to core: the worker pool of sweeps and plan searches.
#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>

#include "core/progress.h"
#include "core/result.h"

namespace rooflens::core {

// Runs work(i) for every i in [0, count) on `threads` threads (0: all cores; never more than
// count), each thread claiming the next index, the calling thread among them. Claiming stops at
// the first error, which is returned, or once `cancel` is set. work(i) returns how many items
// it finished; after each of the calling thread's units `report` (may be empty) gets the running
// total of items finished by all threads. Returns the items finished.
Result<std::size_t> forEachParallel(std::size_t count, unsigned threads,
                                    const std::function<Result<std::size_t>(std::size_t)>& work,
                                    const std::function<void(std::size_t finished)>& report,
                                    const CancelToken* cancel);

// Reports `fraction` done with the time left extrapolated from the time since `started`.
void reportWithEta(const ProgressCallback& progress, std::string_view label, double fraction,
                   std::chrono::steady_clock::time_point started);

}  // namespace rooflens::core
