#pragma once
// Workload: the hardware-free cost of one inference pass as an ordered list of layers, each with
// its OPs and the bytes it moves. Model builders (models/) produce it; analyze() prices it on a
// device. Nothing here knows about any device.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/datatypes.h"
#include "core/hardware.h"

namespace rooflens::core {

enum class LayerKind : std::uint8_t {
    gemm,       // dense matrix multiply with a weight operand
    attention,  // fused attention (QK^T, softmax, PV in one kernel)
    matmul,     // activation x activation matmul (unfused QK^T or PV)
    softmax,
    norm,
    elementwise,  // residual add, activation, rope, ...
    embedding,    // gather of table rows
    router,       // MoE gating GEMM + top-k
    spmm,
    gather,
    fft,
    ssm_conv,  // causal depthwise convolution of a state-space (Mamba) mixer, with its state
    ssm_scan,  // selective scan / SSD of a state-space mixer over its recurrent state
    // Communication added by a multi-device deployment (core/deployment.h): priced alpha-beta on
    // the link their ranks share, no OPs, no memory bytes.
    allreduce,
    allgather,
    reducescatter,
    alltoall,
    p2p,
};
inline constexpr std::size_t kLayerKindCount = 18;
bool isCommunication(LayerKind kind);
std::string_view nameOf(LayerKind kind);
std::optional<LayerKind> parseLayerKind(std::string_view name);

struct ByteBreakdown {
    double weights = 0;
    double activationsIn = 0;
    double activationsOut = 0;
    double kvRead = 0;
    double kvWrite = 0;
    double metadata = 0;  // quantization scales/zeros, sparse indices
    double total() const {
        return weights + activationsIn + activationsOut + kvRead + kvWrite + metadata;
    }
};

enum class Phase : std::uint8_t { prefill, decode, request };
std::string_view nameOf(Phase phase);
std::optional<Phase> parsePhase(std::string_view name);

// Shape of a fused (FlashAttention) layer. Its K/V traffic depends on the device's on-chip SRAM
// (the query-block size B_r), so analyze() computes it from this shape: formulas.md section 3.6.
struct AttentionShape {
    double batch = 1;
    double queryHeads = 1;
    double kvHeads = 1;
    double headDim = 1;
    double queries = 1;  // query positions per sequence in this pass
    double keys = 1;     // key positions visible at the last query (context length)
    double window = 0;   // sliding window in tokens; 0 = unlimited
    double chunk = 0;    // chunked attention: a query sees only its chunk of C tokens; 0 = off
    bool causal = true;
    double kvBytesPerElement = 2;
    double activationBytesPerElement = 2;
    // Value width per KV head when it differs from headDim (the key width); 0 = headDim.
    double valueDim = 0;
    // K and V are one cached tensor (MLA's latent: values are the first valueDim elements of
    // each key), so a cached token costs headDim elements instead of headDim + valueDim.
    bool sharedKv = false;
};

// Number of (query, key) pairs that causal (and optionally windowed) attention computes, for
// `queries` query positions ending at position keys-1.
double attentionPairs(double queries, double keys, double window, bool causal);
// The same for chunked attention (Llama 4): position p sees the keys of its own chunk of
// `chunk` tokens up to itself, (p mod chunk) + 1 of them.
double chunkedAttentionPairs(double queries, double keys, double chunk);
// attentionPairs or chunkedAttentionPairs, as the shape says.
double attentionPairs(const AttentionShape& shape);
// K and V elements per (batch, kv-head, head-dim) read by a fused kernel whose query blocks hold
// blockRows queries: every query block re-reads the keys it can see.
double fusedKeyReads(const AttentionShape& shape, double blockRows);

enum class CollectiveOp : std::uint8_t { allReduce, allGather, reduceScatter, allToAll, p2p };
std::string_view nameOf(CollectiveOp op);
LayerKind layerKindOf(CollectiveOp op);

// One collective of a communication layer: `bytes` is the whole array M (all-reduce: the tensor
// reduced; all-gather and reduce-scatter: the gathered tensor; all-to-all: what one rank sends and
// receives in all; p2p: the message), over `ranks` devices on one link.
struct CollectiveShape {
    CollectiveOp op = CollectiveOp::allReduce;
    double ranks = 1;
    double bytes = 0;
    double linkBytesPerSecond = 0;  // per device, per direction
    double latencySeconds = 0;      // per step
    bool inNetworkReduction = false;
    std::string link;  // the link's name, for reports
};

// NCCL's bus factors (nccl-tests PERFORMANCE.md): all-reduce 2 (n - 1) / n (in-network
// reduction: 1), all-gather, reduce-scatter and all-to-all (n - 1) / n, p2p 1.
double busFactor(CollectiveOp op, double ranks, bool inNetworkReduction);
// Latency steps: ring all-reduce 2 (n - 1), all-gather, reduce-scatter, all-to-all n - 1, p2p 1.
double latencySteps(CollectiveOp op, double ranks, bool inNetworkReduction);
// alpha-beta: latency x steps + bytes x bus factor / link bandwidth; 0 for one rank.
double collectiveSeconds(const CollectiveShape& shape);

// Shape of a gather-reduce aggregation (GNN SpMM, embedding-bag): how many rows of a table are
// gathered. The DRAM bytes of the gathered rows depend on how much of the table stays on chip,
// so analyze() computes them (formulas.md section 2.2):
//   bytes = rowBytes' * [gathers * (1 - eta) + tableRows * eta],  eta = min(1, onChip / table)
// with rowBytes' the row size rounded up to the memory sector for random rows.
struct GatherShape {
    double tableRows = 0;     // rows of the gathered table (V)
    double gathers = 0;       // row reads (E, nnz)
    double rowBytes = 0;      // bytes of one row (F * b_f)
    double sectorBytes = 32;  // minimum DRAM transfer of a random row
};

// DRAM bytes of the gathered rows on a device with `onChipBytes` of last-level on-chip memory.
double gatheredBytes(const GatherShape& shape, double onChipBytes);
// The reuse estimate eta in [0, 1] used by gatheredBytes().
double gatherReuse(const GatherShape& shape, double onChipBytes);

struct Layer;
struct Workload;

// Multiply-accumulates of the matrix products in a layer (GEMM m*k*n, fused attention's QK and
// PV), the unit the vision literature's "FLOPs" are counted in. 0 for vector layers.
double matrixMacs(const Layer& layer, const Workload& workload);

struct Layer {
    // (Fields ordered to pack: a 70B model has a thousand layers per pass.)
    std::string_view op;  // static name of the operation within its block: "q_proj", "attention"
    std::int32_t block = -1;           // transformer block index; -1 for layers outside the blocks
    std::uint32_t repeat = 1;          // identical instances (collapsed blocks)
    std::int32_t attentionShape = -1;  // index into Workload::attentionShapes for fused attention
    std::int32_t gatherShape = -1;     // index into Workload::gatherShapes; sets activationsIn
    std::int32_t collective = -1;      // index into Workload::collectives (communication kinds)
    LayerKind kind = LayerKind::gemm;
    ExecUnit unit = ExecUnit::matrix;
    DataType computeType = DataType::fp16;     // the math data type the operands require
    DataType weightType = DataType::fp16;      // storage type of the weight matrix
    DataType activationType = DataType::fp16;  // storage type of the matrix's input activations
    DataType kvType = DataType::fp16;          // storage type of the KV cache it reads or writes
    bool structuredSparse = false;  // 2:4 weights: runs at the sparse peak where the device has it
    // Block-sparse weights (LPViT): the fraction of b x b tiles kept, and b. analyze() skips the
    // zero tiles only where the matrix units' tile fits in a block (blockSparseExploited).
    double blockDensity = 1;
    std::int64_t blockSize = 0;
    double ops = 0;       // per instance
    ByteBreakdown bytes;  // per instance
    // GEMM dimensions [m x k] x [k x n] of gemm/matmul layers (m = rows, e.g. tokens); 0 for
    // others. Compression transforms (low rank, sparsity) rewrite a layer from these.
    double m = 0;
    double k = 0;
    double n = 0;
    // Weight-matrix elements the layer reads (quantizable; all experts touched); the rest of
    // bytes.weights (biases, norm weights, embedding rows) stays in the float type.
    double weightElements = 0;

    // "blocks.3.q_proj", or the op itself outside the blocks.
    std::string name() const;
};

// The model families the builders cover (models::WorkloadSpec binds one). onnx: any graph
// imported from an ONNX file (models/onnx.h), one forward pass.
enum class ModelFamily : std::uint8_t { llm, vit, gnn, onnx };
std::string_view nameOf(ModelFamily family);  // "llm", "vit", "gnn", "onnx"
std::optional<ModelFamily> parseModelFamily(std::string_view name);

// Facts about the model that do not depend on the phase.
struct ModelFacts {
    std::string id;
    ModelFamily family = ModelFamily::llm;
    double parameters = 0;
    double activeParameters = 0;  // per token (MoE: routed top-k experts only)
    double kvBytesPerToken = 0;   // all layers, at the workload's KV data type
    std::int32_t blocks = 0;
    // Active parameters without the input embedding table (the unembedding stays): the
    // convention of some model cards (gpt-oss).
    double activeParametersExclEmbedding = 0;
    // Of kvBytesPerToken: the layers whose cache grows with the context without bound (full,
    // NoPE and latent attention). The rest (sliding and chunked layers) stops growing at its
    // window: kvCappedBytesPerSequence is what those layers hold at most per sequence.
    double kvGrowingBytesPerToken = 0;
    double kvCappedBytesPerSequence = 0;
    // SSM (Mamba) conv and recurrent state per sequence: fixed, independent of the context.
    double stateBytesPerSequence = 0;
    // Shapes the tensor-parallel plan needs (LLMs; 0 where unknown: such workloads run on one
    // device only).
    std::int64_t hiddenSize = 0;
    std::int64_t attentionHeads = 0;
    std::int64_t kvHeads = 0;
    std::int64_t headDim = 0;
    std::int64_t vocabSize = 0;
    std::int64_t experts = 0;          // routed experts per MoE layer; 0 = dense
    std::int64_t expertsPerToken = 0;  // top-k
    bool latentKv = false;  // MLA: the cache has no head axis, every TP rank holds all of it
};

// The run settings a workload was built for; echoed in reports. Compression is not a run
// setting: it is the Scenario applied to the built workload (Workload::compression says which).
struct RunSettings {
    Phase phase = Phase::prefill;
    std::int64_t batch = 1;
    std::int64_t promptLength = 0;    // prefill: tokens per sequence
    std::int64_t contextLength = 0;   // decode: tokens in the KV cache including the new one
    std::int64_t generateLength = 0;  // request: generated tokens
    bool flashAttention = false;
    bool operator==(const RunSettings&) const = default;
};

struct MemoryFootprint {
    double weights = 0;
    double kvCache = 0;
    double activations = 0;  // peak live activations of one layer
    double state = 0;        // SSM conv and recurrent state of all sequences
    double total() const { return weights + kvCache + activations + state; }
};

// A parameter tensor of the model, for the memory footprint: every expert, every block.
struct WeightTensor {
    std::string_view op;  // layer op it belongs to ("q_proj", "embed_tokens")
    std::int32_t block = -1;
    double elements = 0;             // quantizable matrix elements
    double k = 0;                    // reduction dimension of the matrix (per-channel metadata)
    double n = 0;                    // output dimension
    double otherBytes = 0;           // biases, norms, tables kept in the float type
    DataType type = DataType::fp16;  // storage type of the matrix elements
    double bytes() const { return elements * bytesOf(type) + otherBytes; }
    std::string name() const;  // same naming as Layer::name()
};

// Where a decode step's costs stop being affine in the context length t (keys in the cache
// including the new token): a sliding window or a full-precision KV window of W tokens changes
// the slope after t = W; chunked attention of C tokens (periodic) restarts after every multiple
// of C. Builders and compression transforms record them; the closed-form request sum splits the
// decode steps there (core/request.h). Between breaks every layer's OPs and bytes are affine in t.
struct ContextBreak {
    std::int64_t tokens = 0;
    bool periodic = false;
    bool operator==(const ContextBreak&) const = default;
};

// Stable storage for layer names made at run time (low-rank halves, exit heads); the views stay
// valid for the life of the program.
std::string_view internName(std::string_view name);

// Effective storage bits per element of each tensor class, metadata included (scales, zeros,
// sparse indices): weights averaged over the quantizable weight matrices, GEMM input activations,
// the KV cache. Builders set the native type's bits; applyScenario() the compressed ones.
struct TensorBits {
    double weights = 16;
    double activations = 16;
    double kv = 16;
    static TensorBits native(DataType type) {
        const double bits = bitsOf(type);
        return {bits, bits, bits};
    }
    bool operator==(const TensorBits&) const = default;
};

// A pipeline stage of a sharded workload (core/deployment.h): the layers [firstLayer, endLayer)
// of one representative rank, the blocks they belong to, and that rank's memory footprint.
struct Stage {
    std::int32_t firstBlock = 0;
    std::int32_t lastBlock = -1;
    std::size_t firstLayer = 0;
    std::size_t endLayer = 0;
    MemoryFootprint memory;
};

struct Workload {
    ModelFacts model;
    RunSettings settings;
    TensorBits bits;  // of the compression applied (native bits when uncompressed)
    std::vector<Layer> layers;
    std::vector<AttentionShape> attentionShapes;
    std::vector<GatherShape> gatherShapes;
    std::vector<WeightTensor> weightTensors;   // empty: memory.weights is taken as given
    std::vector<ContextBreak> contextBreaks;   // decode-step cost breaks in the context length
    std::vector<CollectiveShape> collectives;  // of the communication layers
    std::vector<Stage> stages;          // a sharded workload's pipeline stages; empty on one device
    int devices = 1;                    // devices of one replica (TP x EP x PP x CP)
    bool overlapCommunication = false;  // a stage takes the longer of compute and communication
    std::string scenario;               // name of the compression applied, if any
    // Dynamic sparse attention (Energon): the fraction rho of query-key pairs attention computes
    // after its "attention_filter" layers; 1 = dense.
    double attentionKeptFraction = 1;
    MemoryFootprint memory;
    std::vector<std::string> warnings;  // something the user should check
    std::vector<std::string> notes;     // choices the model made (e.g. GNN operation order)
};

}  // namespace rooflens::core
