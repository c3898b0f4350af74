#pragma once
// Pinned worker threads for the calibration kernels: one thread per CPU, pinned with
// pthread_setaffinity_np, so each thread allocates and first-touches its own data (NUMA) and a
// timed trial runs on all of them at once and ends when the slowest finishes. Also an aligned,
// uninitialized buffer so first-touch happens where the owner thread writes it.
#include <sys/mman.h>

#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <new>
#include <thread>
#include <utility>
#include <vector>

namespace rooflens::calibrate {

// CPUs this process may run on (sched_getaffinity), ascending.
std::vector<int> availableCpus();
// Pins the calling thread to one CPU (false when the OS refuses).
bool pinCurrentThread(int cpu);
// Restores the calling thread's affinity to a set of CPUs.
bool setCurrentThreadAffinity(const std::vector<int>& cpus);

class ThreadTeam {
public:
    // One worker pinned to each CPU of `cpus`.
    explicit ThreadTeam(std::vector<int> cpus);
    ~ThreadTeam();
    ThreadTeam(const ThreadTeam&) = delete;
    ThreadTeam& operator=(const ThreadTeam&) = delete;

    int size() const { return static_cast<int>(m_cpus.size()); }
    const std::vector<int>& cpus() const { return m_cpus; }
    bool pinned() const { return m_pinned; }

    // Runs job(threadIndex) on every worker; returns when all have finished. The workers wait at
    // a barrier first so they start together.
    void run(const std::function<void(int)>& job);

private:
    void work(int index);

    std::vector<int> m_cpus;
    std::vector<std::thread> m_threads;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_done;
    const std::function<void(int)>* m_job = nullptr;
    std::size_t m_generation = 0;
    int m_finished = 0;
    int m_arrived = 0;
    std::size_t m_barrierGeneration = 0;
    bool m_stop = false;
    bool m_pinned = true;
};

// Splits [0, n) into `parts` contiguous ranges; returns the range of part `index`.
struct Range {
    std::size_t begin = 0;
    std::size_t end = 0;
};
Range splitRange(std::size_t n, int parts, int index, std::size_t granule = 1);

// Uninitialized storage aligned to 2 MiB (large) or 64 B, released with free(). Buffers of
// 4 MiB or more ask for transparent huge pages (MADV_HUGEPAGE, effective when THP is "madvise" or
// "always"): on the development VM, 4 KiB pages streamed DRAM 10-45 % slower, by how early the
// buffer was allocated (nested paging), and 2 MiB pages removed that spread.
template <typename T>
class AlignedBuffer {
public:
    AlignedBuffer() = default;
    explicit AlignedBuffer(std::size_t count) { reset(count); }
    ~AlignedBuffer() { std::free(m_data); }
    AlignedBuffer(AlignedBuffer&& other) noexcept : m_data(other.m_data), m_count(other.m_count) {
        other.m_data = nullptr;
        other.m_count = 0;
    }
    AlignedBuffer& operator=(AlignedBuffer&& other) noexcept {
        std::swap(m_data, other.m_data);
        std::swap(m_count, other.m_count);
        return *this;
    }
    AlignedBuffer(const AlignedBuffer&) = delete;
    AlignedBuffer& operator=(const AlignedBuffer&) = delete;

    void reset(std::size_t count) {
        std::free(m_data);
        m_data = nullptr;
        m_count = count;
        if (count == 0) {
            return;
        }
        const std::size_t bytes = count * sizeof(T);
        const std::size_t alignment = bytes >= (std::size_t{4} << 20) ? (std::size_t{2} << 20) : 64;
        const std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
        m_data = static_cast<T*>(std::aligned_alloc(alignment, rounded));
        if (m_data == nullptr) {
            throw std::bad_alloc();
        }
        if (alignment > 64) {
            ::madvise(m_data, rounded, MADV_HUGEPAGE);  // advisory: failure is harmless
        }
    }
    T* data() { return m_data; }
    const T* data() const { return m_data; }
    std::size_t size() const { return m_count; }
    T& operator[](std::size_t i) { return m_data[i]; }
    const T& operator[](std::size_t i) const { return m_data[i]; }

private:
    T* m_data = nullptr;
    std::size_t m_count = 0;
};

}  // namespace rooflens::calibrate
