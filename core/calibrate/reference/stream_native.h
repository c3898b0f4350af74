#pragma once
// STREAM-style reference kernels built with -O3 -march=native (and OpenMP) for the comparison
// target of the calibration suite only: bench_calibrate links them, the shipped library and CLI
// never do. The arrays are doubles, as in STREAM.
#include <cstddef>

namespace rooflens::calibrate::reference {

// Parallel first-touch initialisation (schedule(static), like STREAM).
void streamInit(double* a, double* b, double* c, std::size_t n, int threads);
// a[i] = value, in parallel (first touch).
void streamFill(double* a, std::size_t n, double value, int threads);
// sum(a): the read-only kernel (8 bytes per element).
double streamRead(const double* a, std::size_t n, int threads);
// a = b + s * c (24 bytes per element, STREAM convention).
void streamTriad(double* a, const double* b, const double* c, double s, std::size_t n, int threads);
// b = a (16 bytes per element).
void streamCopy(double* b, const double* a, std::size_t n, int threads);

}  // namespace rooflens::calibrate::reference
