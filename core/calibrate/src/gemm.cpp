#include "calibrate/gemm.h"

#include <algorithm>
#include <cstring>

#include "calibrate/thread_team.h"

#if ROOFLENS_HAVE_DNNL
#include <omp.h>

#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace rooflens::calibrate {

std::string_view nameOf(GemmType type) {
    switch (type) {
        case GemmType::fp32:
            return "fp32";
        case GemmType::bf16:
            return "bf16";
        case GemmType::int8:
            return "int8";
    }
    return "?";
}

core::DataType dataTypeOf(GemmType type) {
    switch (type) {
        case GemmType::fp32:
            return core::DataType::fp32;
        case GemmType::bf16:
            return core::DataType::bf16;
        case GemmType::int8:
            return core::DataType::int8;
    }
    return core::DataType::fp32;
}

#if ROOFLENS_HAVE_DNNL

namespace {

class SgemmRunner final : public GemmRunner {
public:
    explicit SgemmRunner(const GemmShape& shape)
        : m_a(static_cast<std::size_t>(shape.m * shape.k)),
          m_w(static_cast<std::size_t>(shape.n * shape.k)),
          m_c(static_cast<std::size_t>(shape.m * shape.n)) {
        m_shape = shape;
        std::fill(m_a.data(), m_a.data() + m_a.size(), 0.01f);
        std::fill(m_w.data(), m_w.data() + m_w.size(), 0.02f);
        std::fill(m_c.data(), m_c.data() + m_c.size(), 0.0f);
    }
    void run(std::int64_t iterations) override {
        for (std::int64_t i = 0; i < iterations; ++i) {
            dnnl_sgemm('N', 'T', m_shape.m, m_shape.n, m_shape.k, 1.0f, m_a.data(), m_shape.k,
                       m_w.data(), m_shape.k, 0.0f, m_c.data(), m_shape.n);
        }
    }
    std::string_view implementation() const override { return "dnnl_sgemm"; }

private:
    AlignedBuffer<float> m_a;
    AlignedBuffer<float> m_w;
    AlignedBuffer<float> m_c;
};

class U8s8s32Runner final : public GemmRunner {
public:
    explicit U8s8s32Runner(const GemmShape& shape)
        : m_a(static_cast<std::size_t>(shape.m * shape.k)),
          m_w(static_cast<std::size_t>(shape.n * shape.k)),
          m_c(static_cast<std::size_t>(shape.m * shape.n)) {
        m_shape = shape;
        std::memset(m_a.data(), 1, m_a.size());
        std::memset(m_w.data(), 1, m_w.size());
        std::fill(m_c.data(), m_c.data() + m_c.size(), 0);
    }
    void run(std::int64_t iterations) override {
        const std::int32_t offset = 0;
        for (std::int64_t i = 0; i < iterations; ++i) {
            dnnl_gemm_u8s8s32('N', 'T', 'F', m_shape.m, m_shape.n, m_shape.k, 1.0f, m_a.data(),
                              m_shape.k, 0, m_w.data(), m_shape.k, 0, 0.0f, m_c.data(), m_shape.n,
                              &offset);
        }
    }
    std::string_view implementation() const override { return "dnnl_gemm_u8s8s32"; }

private:
    AlignedBuffer<std::uint8_t> m_a;
    AlignedBuffer<std::int8_t> m_w;
    AlignedBuffer<std::int32_t> m_c;
};

void fillBf16(dnnl::memory& memory, float value) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, 4);
    const auto half = static_cast<std::uint16_t>(bits >> 16);
    auto* data = static_cast<std::uint16_t*>(memory.get_data_handle());
    std::fill(data, data + memory.get_desc().get_size() / 2, half);
}

// BF16 matmul primitive: weights reordered once into the layout oneDNN prefers ("any"), as an
// inference engine prepacks them; the timed part is the matmul alone.
class Bf16MatmulRunner final : public GemmRunner {
public:
    explicit Bf16MatmulRunner(const GemmShape& shape)
        : m_engine(dnnl::engine::kind::cpu, 0), m_stream(m_engine) {
        m_shape = shape;
        using dt = dnnl::memory::data_type;
        using tag = dnnl::memory::format_tag;
        const dnnl::memory::desc src({shape.m, shape.k}, dt::bf16, tag::ab);
        const dnnl::memory::desc weightsPlain({shape.k, shape.n}, dt::bf16, tag::ba);
        const dnnl::memory::desc weightsAny({shape.k, shape.n}, dt::bf16, tag::any);
        const dnnl::memory::desc dst({shape.m, shape.n}, dt::f32, tag::ab);
#if DNNL_VERSION_MAJOR >= 3
        dnnl::matmul::primitive_desc pd(m_engine, src, weightsAny, dst);
#else
        dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, weightsAny, dst), m_engine);
#endif
        m_src = dnnl::memory(pd.src_desc(), m_engine);
        m_weights = dnnl::memory(pd.weights_desc(), m_engine);
        m_dst = dnnl::memory(pd.dst_desc(), m_engine);
        dnnl::memory plain(weightsPlain, m_engine);
        fillBf16(m_src, 0.01f);
        fillBf16(plain, 0.02f);
        dnnl::reorder(plain, m_weights).execute(m_stream, plain, m_weights);
        m_stream.wait();
        m_matmul = dnnl::matmul(pd);
    }
    void run(std::int64_t iterations) override {
        for (std::int64_t i = 0; i < iterations; ++i) {
            m_matmul.execute(
                m_stream,
                {{DNNL_ARG_SRC, m_src}, {DNNL_ARG_WEIGHTS, m_weights}, {DNNL_ARG_DST, m_dst}});
        }
        m_stream.wait();
    }
    std::string_view implementation() const override {
        return "dnnl matmul bf16";
    }

private:
    dnnl::engine m_engine;
    dnnl::stream m_stream;
    dnnl::memory m_src;
    dnnl::memory m_weights;
    dnnl::memory m_dst;
    dnnl::matmul m_matmul;
};

}  // namespace

std::string dnnlVersion() {
    const dnnl_version_t* v = dnnl_version();
    std::string text =
        std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
    text += v->cpu_runtime == DNNL_RUNTIME_OMP ? " (OpenMP)" : "";
    return text;
}

bool dnnlAvailable() {
    return true;
}

core::Result<std::unique_ptr<GemmRunner>> GemmRunner::create(GemmType type,
                                                             const GemmShape& shape) {
    if (shape.m < 1 || shape.n < 1 || shape.k < 1) {
        return core::makeError("GEMM: dimensions must be positive");
    }
    try {
        switch (type) {
            case GemmType::fp32:
                return std::unique_ptr<GemmRunner>(std::make_unique<SgemmRunner>(shape));
            case GemmType::int8:
                return std::unique_ptr<GemmRunner>(std::make_unique<U8s8s32Runner>(shape));
            case GemmType::bf16:
                return std::unique_ptr<GemmRunner>(std::make_unique<Bf16MatmulRunner>(shape));
        }
    } catch (const dnnl::error& e) {
        return core::makeError(std::string("oneDNN ") + std::string(nameOf(type)) +
                               " GEMM unavailable: " + e.what());
    } catch (const std::bad_alloc&) {
        return core::makeError("GEMM: out of memory");
    }
    return core::makeError("GEMM: unknown type");
}

bool sgemm(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
           const float* w, std::int64_t ldw, float* c, std::int64_t ldc, bool accumulate) {
    return dnnl_sgemm('N', 'T', m, n, k, 1.0f, a, lda, w, ldw, accumulate ? 1.0f : 0.0f, c, ldc) ==
           dnnl_success;
}

bool sgemmNN(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
             const float* b, std::int64_t ldb, float* c, std::int64_t ldc) {
    return dnnl_sgemm('N', 'N', m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc) == dnnl_success;
}

void setLibraryThreads(const std::vector<int>& cpus) {
    if (cpus.empty()) {
        return;
    }
    const int n = std::max<int>(1, static_cast<int>(cpus.size()));
    omp_set_num_threads(n);
#pragma omp parallel num_threads(n)
    { pinCurrentThread(cpus[static_cast<std::size_t>(omp_get_thread_num()) % cpus.size()]); }
}

#else

std::string dnnlVersion() {
    return "";
}

bool dnnlAvailable() {
    return false;
}

core::Result<std::unique_ptr<GemmRunner>> GemmRunner::create(GemmType, const GemmShape&) {
    return core::makeError("rooflens was built without oneDNN: no GEMM reference");
}

bool sgemm(std::int64_t, std::int64_t, std::int64_t, const float*, std::int64_t, const float*,
           std::int64_t, float*, std::int64_t, bool) {
    return false;
}

bool sgemmNN(std::int64_t, std::int64_t, std::int64_t, const float*, std::int64_t, const float*,
             std::int64_t, float*, std::int64_t) {
    return false;
}

void setLibraryThreads(const std::vector<int>&) {}

#endif

}  // namespace rooflens::calibrate
