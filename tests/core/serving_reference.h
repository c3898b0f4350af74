#pragma once
// A small discrete-event reference of continuous batching, used only in tests to check the
// mean-field steady state (core/serving.h). Closed loop of C slots; the scheduler runs one
// waiting prompt's prefill as its own step when a prompt waits (prefill first), else one decode
// step of every decoding request. Each step's cost comes from the given functions of the step's
// content: prefill(prompt tokens), decode(batch, summed contexts).
#include <cstdint>
#include <deque>
#include <functional>
#include <random>
#include <vector>

#include "core/serving.h"

namespace rooflens::testing {

struct SimulatedServing {
    double requestsPerSecond = 0;
    double ttftSeconds = 0;
    double tpotSeconds = 0;  // sum of (E2E - TTFT) over sum of (OSL - 1)
    double e2eSeconds = 0;
};

inline SimulatedServing simulateServing(const core::ServingLoad& load, int concurrency,
                                        const std::function<double(double)>& prefill,
                                        const std::function<double(double, double)>& decode,
                                        int requests, std::uint64_t seed = 7) {
    struct Request {
        double arrival = 0;
        double first = 0;
        std::int64_t prompt = 0;
        std::int64_t output = 0;
        std::int64_t made = 0;  // tokens generated so far
    };
    std::mt19937_64 rng(seed);
    auto fresh = [&](double now) {
        Request r;
        r.arrival = now;
        r.prompt = load.prompt.sample(rng);
        r.output = load.output.sample(rng);
        return r;
    };
    std::deque<Request> waiting;
    std::vector<Request> decoding;
    for (int i = 0; i < concurrency; ++i) {
        waiting.push_back(fresh(0));
    }
    const int warmup = 4 * concurrency + 50;
    int done = 0;
    double start = 0;
    double ttft = 0;
    double e2e = 0;
    double decodeTime = 0;
    double decodeTokens = 0;
    double now = 0;
    auto finish = [&](const Request& r) {
        ++done;
        if (done == warmup) {
            start = now;
        } else if (done > warmup) {
            ttft += r.first - r.arrival;
            e2e += now - r.arrival;
            decodeTime += now - r.first;
            decodeTokens += static_cast<double>(r.output - 1);
        }
        waiting.push_back(fresh(now));
    };
    while (done < warmup + requests) {
        if (!waiting.empty()) {
            Request r = waiting.front();
            waiting.pop_front();
            now += prefill(static_cast<double>(r.prompt));
            r.first = now;
            r.made = 1;
            if (r.output == 1) {
                finish(r);
            } else {
                decoding.push_back(r);
            }
            continue;
        }
        double contexts = 0;
        for (const Request& r : decoding) {
            contexts += static_cast<double>(r.prompt + r.made);  // keys incl. the new token
        }
        now += decode(static_cast<double>(decoding.size()), contexts);
        std::vector<Request> still;
        for (Request& r : decoding) {
            if (++r.made == r.output) {
                finish(r);
            } else {
                still.push_back(r);
            }
        }
        decoding.swap(still);
    }
    SimulatedServing s;
    s.requestsPerSecond = requests / (now - start);
    s.ttftSeconds = ttft / requests;
    s.e2eSeconds = e2e / requests;
    s.tpotSeconds = decodeTime / decodeTokens;
    return s;
}

}  // namespace rooflens::testing
