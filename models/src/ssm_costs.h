#pragma once
// Per-token costs of the Mamba mixers shared by the LLM builder (llm_ssm.cpp) and the Vision
// Mamba builder (vim_builder.cpp): the causal depthwise convolution and the selective scan.
// One definition, so a hybrid LLM and a Vim block price the same operation the same way.
namespace rooflens::models::ssm {

// Mamba-1 scan per token: per (channel, state) exp(dt A) (2), dt x B (1), h update (2), C h (2);
// per channel softplus(dt) (3), dt x (1), D skip (2), gate y silu(z) (5).
inline constexpr double kScan1PerState = 7;
inline constexpr double kScan1PerChannel = 11;
// Mamba-2 decode per token: per (head, p, state) dt x B (1), h update (2), C h (2); per channel
// dt x (1) and D skip (2); per head softplus(dt + bias) (4) and exp(dt A) (2).
inline constexpr double kScan2PerState = 5;
inline constexpr double kScan2PerChannel = 3;
inline constexpr double kScan2PerHead = 6;
inline constexpr double kSiluOps = 4;

// Causal depthwise conv over `kernel` taps per channel (a multiply-add each), the optional bias
// and SiLU: tokens x channels x (2 K + bias + 4) OPs.
inline double convOps(double tokens, double channels, double kernel, bool bias) {
    return tokens * channels * (2 * kernel + (bias ? 1 : 0) + kSiluOps);
}

// Conv weights (channels x K) and bias.
inline double convParameters(double channels, double kernel, bool bias) {
    return channels * kernel + (bias ? channels : 0);
}

// Mamba-1 selective scan over `tokens` tokens of E channels and N states:
// tokens x (7 E N + 11 E) OPs.
inline double scan1Ops(double tokens, double inner, double state) {
    return tokens * (kScan1PerState * inner * state + kScan1PerChannel * inner);
}

// The scan's inputs per token: x, dt and z (E each), B and C (N each).
inline double scan1InputElements(double tokens, double inner, double state) {
    return tokens * (3 * inner + 2 * state);
}

// The scan's parameters: A_log (E x N) and the D skip (E).
inline double scan1Parameters(double inner, double state) {
    return inner * state + inner;
}

}  // namespace rooflens::models::ssm
