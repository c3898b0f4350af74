#include "calibrate/thread_team.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>

namespace rooflens::calibrate {

std::vector<int> availableCpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
            if (CPU_ISSET(cpu, &set)) {
                cpus.push_back(cpu);
            }
        }
    }
    if (cpus.empty()) {
        const unsigned n = std::max(1U, std::thread::hardware_concurrency());
        for (unsigned cpu = 0; cpu < n; ++cpu) {
            cpus.push_back(static_cast<int>(cpu));
        }
    }
    return cpus;
}

bool setCurrentThreadAffinity(const std::vector<int>& cpus) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu : cpus) {
        if (cpu >= 0 && cpu < CPU_SETSIZE) {
            CPU_SET(cpu, &set);
        }
    }
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

bool pinCurrentThread(int cpu) {
    return setCurrentThreadAffinity({cpu});
}

ThreadTeam::ThreadTeam(std::vector<int> cpus) : m_cpus(std::move(cpus)) {
    m_threads.reserve(m_cpus.size());
    for (std::size_t i = 0; i < m_cpus.size(); ++i) {
        m_threads.emplace_back([this, i] { work(static_cast<int>(i)); });
    }
}

ThreadTeam::~ThreadTeam() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    for (auto& thread : m_threads) {
        thread.join();
    }
}

void ThreadTeam::run(const std::function<void(int)>& job) {
    std::unique_lock lock(m_mutex);
    m_job = &job;
    m_finished = 0;
    ++m_generation;
    m_wake.notify_all();
    m_done.wait(lock, [&] { return m_finished == size(); });
    m_job = nullptr;
}

void ThreadTeam::work(int index) {
    if (!pinCurrentThread(m_cpus[static_cast<std::size_t>(index)])) {
        std::lock_guard lock(m_mutex);
        m_pinned = false;
    }
    std::size_t seen = 0;
    for (;;) {
        const std::function<void(int)>* job = nullptr;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || m_generation != seen; });
            if (m_stop) {
                return;
            }
            seen = m_generation;
            job = m_job;
            // Start barrier: the last worker to arrive releases the others.
            const std::size_t barrier = m_barrierGeneration;
            if (++m_arrived == size()) {
                m_arrived = 0;
                ++m_barrierGeneration;
                m_wake.notify_all();
            } else {
                m_wake.wait(lock, [&] { return m_barrierGeneration != barrier; });
            }
        }
        (*job)(index);
        {
            std::lock_guard lock(m_mutex);
            ++m_finished;
        }
        m_done.notify_one();
    }
}

Range splitRange(std::size_t n, int parts, int index, std::size_t granule) {
    const std::size_t units = (n + granule - 1) / granule;
    const auto p = static_cast<std::size_t>(std::max(parts, 1));
    const auto i = static_cast<std::size_t>(index);
    const std::size_t begin = std::min(n, units * i / p * granule);
    const std::size_t end = std::min(n, units * (i + 1) / p * granule);
    return {begin, end};
}

}  // namespace rooflens::calibrate
