#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace rooflens::core {

Result<std::size_t> forEachParallel(std::size_t count, unsigned threads,
                                    const std::function<Result<std::size_t>(std::size_t)>& work,
                                    const std::function<void(std::size_t finished)>& report,
                                    const CancelToken* cancel) {
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::atomic<bool> failed{false};
    std::mutex errorMutex;
    std::optional<Error> firstError;
    auto worker = [&](bool reporter) {
        while (!failed.load(std::memory_order_relaxed)) {
            if (cancel != nullptr && cancel->cancelled()) {
                return;
            }
            const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
            if (i >= count) {
                return;
            }
            // An exception must not leave a worker: on a pool thread it would call
            // std::terminate (a bad_alloc there aborted the CLI with exit 134, issue 18).
            Result<std::size_t> items = Error{};
            try {
                items = work(i);
            } catch (const std::bad_alloc&) {
                items = Error{"out of memory", ErrorKind::runtime};
            } catch (const std::exception& e) {
                items = Error{std::string("internal error: ") + e.what(), ErrorKind::runtime};
            }
            if (!items) {
                const std::lock_guard<std::mutex> lock(errorMutex);
                if (!firstError) {
                    firstError = items.error();
                }
                failed = true;
                return;
            }
            const std::size_t finished =
                done.fetch_add(items.value(), std::memory_order_relaxed) + items.value();
            if (reporter && report) {
                report(finished);
            }
        }
    };
    // --threads of sweep and plan (issue 18, 3): 10^5 threads for 10^5 work items failed to
    // start part-way, and the exception from the pool's constructor ended in std::terminate.
    constexpr unsigned kMaxThreads = 1024;
    if (threads > kMaxThreads) {
        return usageError("worker threads: expected 0 (one per core) to 1024, got " +
                          std::to_string(threads));
    }
    if (threads == 0) {
        threads = std::max(1U, std::thread::hardware_concurrency());
    }
    threads =
        static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, count)));
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned t = 1; t < threads; ++t) {
        try {
            pool.emplace_back(worker, false);
        } catch (const std::system_error&) {
            break;  // the system has no more threads: the ones started share the work
        }
    }
    worker(true);
    for (auto& thread : pool) {
        thread.join();
    }
    if (firstError) {
        return *firstError;
    }
    return done.load();
}

void reportWithEta(const ProgressCallback& progress, std::string_view label, double fraction,
                   std::chrono::steady_clock::time_point started) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    progress(fraction, label, elapsed / fraction - elapsed);
}

}  // namespace rooflens::core
