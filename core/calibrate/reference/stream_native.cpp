// STREAM-style kernels compiled with -O3 -march=native -fopenmp (see stream_native.h).
#include "stream_native.h"

namespace rooflens::calibrate::reference {

void streamInit(double* a, double* b, double* c, std::size_t n, int threads) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = 1.0;
        b[i] = 2.0;
        c[i] = 0.0;
    }
}

void streamFill(double* a, std::size_t n, double value, int threads) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = value;
    }
}

double streamRead(const double* a, std::size_t n, int threads) {
    double sum = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : sum) num_threads(threads)
    for (std::size_t i = 0; i < n; ++i) {
        sum += a[i];
    }
    return sum;
}

void streamTriad(double* a, const double* b, const double* c, double s, std::size_t n,
                 int threads) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = b[i] + s * c[i];
    }
}

void streamCopy(double* b, const double* a, std::size_t n, int threads) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::size_t i = 0; i < n; ++i) {
        b[i] = a[i];
    }
}

}  // namespace rooflens::calibrate::reference
