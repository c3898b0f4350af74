// Serving under load (core/serving.h): the steady state against hand calculations and the
// discrete-event reference, and the engine's costs against single-request reports.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/serving.h"
#include "hwdb/hwdb.h"
#include "hwdb/systems.h"
#include "models/workload_spec.h"
#include "serving_reference.h"

namespace rooflens {
namespace {

using core::LengthDistribution;
using core::ServingCosts;
using core::ServingOptions;

LengthDistribution fixed(double n) {
    LengthDistribution d;
    d.a = n;
    return d;
}

LengthDistribution uniform(double lo, double hi) {
    LengthDistribution d;
    d.kind = LengthDistribution::Kind::uniform;
    d.a = lo;
    d.b = hi;
    return d;
}

// The worked example of docs/serving.md: t_p = 100 ms, t_d(B) = 20 ms + 1 ms x B, OSL 101.
ServingCosts workedExample() {
    ServingCosts c;
    c.prefillSeconds = 0.1;
    for (double b : {1.0, 64.0}) {
        c.decodeSteps.emplace_back(b, 0.020 + 0.001 * b);
    }
    c.tdpWatts = 700;
    c.idleWatts = 100;
    c.dollarsPerDeviceHour = 3.6;
    return c;
}

ServingOptions workedLoad(double concurrency) {
    ServingOptions o;
    o.load.prompt = fixed(1000);
    o.load.output = fixed(101);
    o.load.concurrency = concurrency;
    return o;
}

TEST(Serving, LeviathanExpectedTokens) {
    // (1 - 0.8^5) / (1 - 0.8) = (1 - 0.32768) / 0.2 = 3.3616.
    EXPECT_NEAR(core::expectedTokensPerStep(0.8, 4), 3.3616, 1e-12);
    EXPECT_DOUBLE_EQ(core::expectedTokensPerStep(0.0, 4), 1.0);
}

TEST(Serving, WorkedExampleByHand) {
    // C = 10: t_d(10) = 30 ms. Cycle of a slot = C t_p + (OSL-1) t_d = 1 + 3 = 4 s, so
    // X = 10 / 4 = 2.5 req/s. The 9 other slots free 9/100 per step; a request waits for half
    // of those of its step: W = 0.1 x 9 / 200 = 4.5 ms, TTFT = 104.5 ms,
    // TPOT = (100 x 0.030 + 9 x 0.1 - 0.0045) / 100 = 38.955 ms,
    // E2E = 0.1045 + 100 x 0.038955 = 4.0 s = C / X (Little). Output 2.5 x 101 = 252.5 tokens/s.
    // Power: busy all the time -> TDP 700 W; J/token = 700 / 252.5 = 2.772.
    // Cost $3.6/h = $0.001/s; prefill share of the time = X t_p = 0.25:
    // $/M input = 1e6 x 0.001 x 0.25 / 2500 = 0.1; $/M output = 1e6 x 0.001 x 0.75 / 252.5.
    auto m = core::steadyState(workedExample(), workedLoad(10));
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_NEAR(m->requestsPerSecond, 2.5, 1e-12);
    EXPECT_NEAR(m->ttftSeconds, 0.1045, 1e-12);
    EXPECT_NEAR(m->tpotSeconds, 0.038955, 1e-12);
    EXPECT_NEAR(m->e2eSeconds, 4.0, 1e-12);
    EXPECT_NEAR(m->outputTokensPerSecond, 252.5, 1e-9);
    EXPECT_NEAR(m->wattsPerDevice, 700, 1e-9);
    EXPECT_NEAR(m->joulesPerOutputToken, 700 / 252.5, 1e-9);
    EXPECT_NEAR(m->dollarsPerMillionInput, 0.1, 1e-9);
    EXPECT_NEAR(m->dollarsPerMillionOutput, 1e6 * 0.001 * 0.75 / 252.5, 1e-9);
}

TEST(Serving, CostScalesWithThePrice) {
    ServingCosts c = workedExample();
    auto a = core::steadyState(c, workedLoad(10));
    c.dollarsPerDeviceHour *= 2.5;
    auto b = core::steadyState(c, workedLoad(10));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NEAR(b->dollarsPerMillionOutput, 2.5 * a->dollarsPerMillionOutput, 1e-12);
    EXPECT_NEAR(b->dollarsPerMillionInput, 2.5 * a->dollarsPerMillionInput, 1e-12);
}

TEST(Serving, RateModeIsTheInverseOfConcurrency) {
    // The rate 2.5 req/s is sustained at C = 10 exactly; TTFT adds Cobham's wait:
    // rho_p = 0.25, rho_d = 0.75, R = (0.25 x 0.1 + 0.75 x 0.03) / 2 = 0.02375,
    // W = R / (1 - 0.25) = 0.031667 s.
    ServingOptions o = workedLoad(10);
    o.load.concurrency.reset();
    o.load.rate = 2.5;
    auto m = core::steadyState(workedExample(), o);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_NEAR(m->concurrency, 10, 1e-6);
    EXPECT_NEAR(m->ttftSeconds, 0.1 + 0.02375 / 0.75, 1e-6);
    EXPECT_FALSE(m->saturated);
    o.load.rate = 1e6;
    auto s = core::steadyState(workedExample(), o);
    ASSERT_TRUE(s.ok());
    EXPECT_TRUE(s->saturated);
}

TEST(Serving, ChunkedPrefillByHand) {
    // N = 512, C = 10, prompt 1000, OSL 101: B_d = min(10, 512 x 100 / 1100) = 10, chunk 502,
    // phi = 10 x 1000 / (100 x 502) = 0.199203; mixed step = 30 ms + 50 ms extra = 80 ms;
    // mean step = 0.199203 x 0.08 + 0.800797 x 0.03 = 0.039960; X = 10 / (100 x that);
    // TTFT = ceil(1000 / 502) = 2 mixed steps = 0.16 s.
    ServingCosts c = workedExample();
    c.chunkTokens = 512;
    c.mixedExtra = {{1.0, 0.05}, {64.0, 0.05}};
    auto m = core::steadyState(c, workedLoad(10));
    ASSERT_TRUE(m.ok()) << m.error().message;
    const double phi = 10.0 * 1000 / (100 * 502);
    const double step = phi * 0.08 + (1 - phi) * 0.03;
    EXPECT_NEAR(m->tpotSeconds, step, 1e-12);
    EXPECT_NEAR(m->requestsPerSecond, 10 / (100 * step), 1e-9);
    EXPECT_NEAR(m->ttftSeconds, 0.16, 1e-12);
}

TEST(Serving, DisaggregatedRateMatching) {
    // 1 prefill replica: 1 / 0.1 = 10 req/s; 2 decode replicas at C = 10: 2 x 10 / (100 x
    // 0.030) = 6.67 req/s, so decode sets the rate; TTFT = t_p + KV transfer 0.02 s; TPOT =
    // t_d(10). Devices 3, prefill pool busy 6.67 x 0.1 = 0.667.
    ServingCosts c = workedExample();
    c.kvTransferSeconds = 0.02;
    ServingOptions o = workedLoad(10);
    o.prefillReplicas = 1;
    o.decodeReplicas = 2;
    auto m = core::steadyState(c, o);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_NEAR(m->requestsPerSecond, 20.0 / 3, 1e-9);
    EXPECT_NEAR(m->ttftSeconds, 0.12, 1e-12);
    EXPECT_NEAR(m->tpotSeconds, 0.03, 1e-12);
    EXPECT_EQ(m->devices, 3);
    // 1 prefill replica at 0.667 busy, 2 decode at 1: (100 + 600 x 0.667 + 2 x 700) / 3 W.
    EXPECT_NEAR(m->wattsPerDevice, (100 + 600 * (2.0 / 3) + 1400) / 3, 1e-6);
    // Prefill-bound: 8 decode replicas could take 26.7 req/s; the prefill pool caps at 10.
    o.decodeReplicas = 8;
    auto p = core::steadyState(c, o);
    ASSERT_TRUE(p.ok());
    EXPECT_NEAR(p->requestsPerSecond, 10, 1e-6);
    EXPECT_LT(p->concurrency, 10);
}

TEST(Serving, KvCacheLimitCapsConcurrency) {
    // 80 GB, 60 GB weights, 1 GB per sequence: at most 20 in flight.
    ServingCosts c = workedExample();
    c.capacityBytesPerDevice = 80e9;
    c.weightBytesPerDevice = 60e9;
    c.kvBytesPerSequence = 1e9;
    auto at20 = core::steadyState(c, workedLoad(20));
    auto at50 = core::steadyState(c, workedLoad(50));
    ASSERT_TRUE(at20.ok() && at50.ok());
    EXPECT_EQ(at50->maxConcurrency, 20);
    EXPECT_TRUE(at50->kvLimited);
    EXPECT_FALSE(at20->kvLimited);
    EXPECT_DOUBLE_EQ(at50->outputTokensPerSecond, at20->outputTokensPerSecond);
    c.weightBytesPerDevice = 79.5e9;
    EXPECT_FALSE(core::steadyState(c, workedLoad(1)).ok());
}

// The mean-field steady state against the event-driven reference, with lengths drawn from
// uniform distributions and affine step costs (the same functions priced both ways).
TEST(Serving, MeanFieldMatchesTheDiscreteEventReference) {
    core::ServingLoad load;
    load.prompt = uniform(200, 1800);
    load.output = uniform(20, 380);
    auto prefill = [](double l) { return 0.01 + 50e-6 * l; };
    auto decode = [](double b, double contexts) { return 0.015 + 0.2e-3 * b + 2e-8 * contexts; };
    // Renewal-weighted mean context of a decode step: E[P] + E[G(G-1)] / (2 E[G-1]).
    const double g1 = load.output.mean() - 1;
    const double gg = load.output.meanOf([](double g) { return g * (g - 1); });
    const double context = load.prompt.mean() + gg / (2 * g1);
    ServingCosts c;
    c.prefillSeconds = prefill(load.prompt.mean());
    for (double b = 1; b <= 256; b *= 2) {
        c.decodeSteps.emplace_back(b, decode(b, b * context));
    }
    for (int conc : {1, 4, 16, 64}) {
        ServingOptions o;
        o.load = load;
        o.load.concurrency = conc;
        auto m = core::steadyState(c, o);
        ASSERT_TRUE(m.ok());
        const auto sim = testing::simulateServing(load, conc, prefill, decode, 20000);
        EXPECT_NEAR(m->requestsPerSecond / sim.requestsPerSecond, 1, 0.01) << conc;
        EXPECT_NEAR(m->tpotSeconds / sim.tpotSeconds, 1, 0.01) << conc;
        EXPECT_NEAR(m->e2eSeconds / sim.e2eSeconds, 1, 0.01) << conc;
        EXPECT_NEAR(m->ttftSeconds / sim.ttftSeconds, 1, 0.01) << conc;
    }
}

TEST(Serving, BadLoadDescriptionsNameTheFlagOrFileAndLine) {
    for (const char* text : {"-5", "0", "uniform:10:5", "normal:100", "poisson:3:4", "1.5"}) {
        auto d = core::parseLengthDistribution(text, "prompt-len");
        ASSERT_FALSE(d.ok()) << text;
        EXPECT_NE(d.error().message.find("--prompt-len"), std::string::npos) << d.error().message;
        EXPECT_EQ(d.error().kind, core::ErrorKind::usage);
    }
    const auto path = std::filesystem::temp_directory_path() / "rooflens_lengths_bad.txt";
    {
        std::ofstream out(path);
        out << "# prompt lengths\n128\n\n256\n12x\n";
    }
    auto f = core::parseLengthDistribution("file:" + path.string(), "prompt-len");
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().message.find(path.string() + ":5:"), std::string::npos)
        << f.error().message;
    EXPECT_NE(f.error().message.find("'12x'"), std::string::npos);
    for (const char* s :
         {"draft=llama-3-8b,alpha=1", "draft=x,alpha=-0.1", "alpha=0.5", "draft=x,gamma=0"}) {
        auto p = core::parseSpeculative(s);
        ASSERT_FALSE(p.ok()) << s;
        EXPECT_NE(p.error().message.find("--speculative"), std::string::npos);
    }
    EXPECT_FALSE(core::parseOffload("kv=disk").ok());
    EXPECT_FALSE(core::parseOffload("hit=1.5").ok());
    ServingOptions o = workedLoad(1);
    o.load.concurrency.reset();
    o.load.rate = 0;
    EXPECT_FALSE(core::steadyState(workedExample(), o).ok());
}

// Lengths are bounded by 2^26 tokens (a fuzz finding: "uniform:128:2e40" cast 2e40 to int64 in
// points()). At the bound, the 256 equal-probability points of uniform 1..2^26 are
// 1 + floor((i + 0.5) / 256 * 2^26): from 1 + 2^17 to 1 + 2^26 - 2^17.
TEST(Serving, LengthsAreBoundedBy2To26Tokens) {
    const std::int64_t max = std::int64_t{1} << 26;
    auto top = core::parseLengthDistribution("uniform:1:" + std::to_string(max), "prompt-len");
    ASSERT_TRUE(top.ok()) << top.error().message;
    const auto points = top->points();
    ASSERT_EQ(points.size(), 256U);
    EXPECT_EQ(points.front().first, 1 + (std::int64_t{1} << 17));
    EXPECT_EQ(points.back().first, 1 + max - (std::int64_t{1} << 17));  // q = 255.5 / 256
    const std::vector<std::string> tooLong = {
        "uniform:1:" + std::to_string(max + 1),
        "uniform:128:20000000000000000000000000000000000000000",
        std::to_string(max + 1),
        "normal:" + std::to_string(max + 1) + ":1",
        "normal:1024:" + std::to_string(max + 1),
    };
    for (const std::string& text : tooLong) {
        auto d = core::parseLengthDistribution(text, "prompt-len");
        ASSERT_FALSE(d.ok()) << text;
        EXPECT_NE(d.error().message.find("--prompt-len"), std::string::npos);
        EXPECT_NE(d.error().message.find("67108864"), std::string::npos) << d.error().message;
    }
    const auto path = std::filesystem::temp_directory_path() / "rooflens_lengths_huge.txt";
    {
        std::ofstream out(path);
        out << max << "\n" << max + 1 << "\n";
    }
    auto f = core::loadLengthFile(path.string());
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().message.find(path.string() + ":2:"), std::string::npos)
        << f.error().message;
    std::filesystem::remove(path);
}

// Issue 18, 3: lengths are at most 2^26 tokens (flag or file), a file holds at most 2^24 lengths
// on lines of at most 4095 characters; each limit is a located error before memory grows.
TEST(Serving, AbsurdLengthsAndLengthFilesAreRefusedWithTheirLimit) {
    const std::pair<const char*, const char*> flags[] = {
        {"67108865", "an integer in [1, 67108864]"},
        {"1e30", "an integer in [1, 67108864]"},
        {"uniform:1:1e19", "1 <= MIN <= MAX <= 67108864"},
        {"normal:1e300:1", "1 <= MEAN <= 67108864"},
        {"normal:100:1e12", "0 <= SD <= 67108864"}};
    for (const auto& [text, fragment] : flags) {
        auto d = core::parseLengthDistribution(text, "prompt-len");
        ASSERT_FALSE(d.ok()) << text;
        EXPECT_NE(d.error().message.find("--prompt-len: "), std::string::npos);
        EXPECT_NE(d.error().message.find(fragment), std::string::npos) << d.error().message;
    }
    EXPECT_EQ(core::parseLengthDistribution("67108864", "prompt-len")->mean(), 67108864.0);

    const auto dir = std::filesystem::temp_directory_path();
    const auto load = [&](const char* name, const std::string& content) {
        const auto path = dir / name;
        std::ofstream(path) << content;
        auto d = core::parseLengthDistribution("file:" + path.string(), "prompt-len");
        std::filesystem::remove(path);
        return d;
    };
    auto big = load("rooflens_lengths_big.txt", "128\n67108865\n");
    ASSERT_FALSE(big.ok());
    EXPECT_NE(big.error().message.find("rooflens_lengths_big.txt:2: expected a token count in "
                                       "[1, 67108864], got '67108865'"),
              std::string::npos)
        << big.error().message;
    auto wide = load("rooflens_lengths_wide.txt", "1\n2\n" + std::string(5000, '7') + "\n");
    ASSERT_FALSE(wide.ok());
    EXPECT_NE(wide.error().message.find("rooflens_lengths_wide.txt:3: a line longer than 4095 "
                                        "characters"),
              std::string::npos)
        << wide.error().message;
    // 2^24 lengths load; one more is refused at its line.
    std::string lines;
    lines.reserve((std::size_t{1} << 25) + 2);
    for (std::size_t i = 0; i < (std::size_t{1} << 24); ++i) {
        lines += "1\n";
    }
    auto most = load("rooflens_lengths_most.txt", lines);
    ASSERT_TRUE(most.ok()) << most.error().message;
    EXPECT_EQ(most->values.size(), std::size_t{1} << 24);
    auto many = load("rooflens_lengths_many.txt", lines + "2\n");
    ASSERT_FALSE(many.ok());
    EXPECT_NE(many.error().message.find("rooflens_lengths_many.txt:16777217: more than 16777216 "
                                        "lengths"),
              std::string::npos)
        << many.error().message;
}

TEST(Serving, LengthFileIsEmpirical) {
    const auto path = std::filesystem::temp_directory_path() / "rooflens_lengths_ok.txt";
    {
        std::ofstream out(path);
        out << "100\n300 # long\n100\n";
    }
    auto d = core::parseLengthDistribution("file:" + path.string(), "gen-len");
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_NEAR(d->mean(), 500.0 / 3, 1e-12);
    EXPECT_EQ(d->points().size(), 2U);
    EXPECT_NEAR(uniform(1, 1000).mean(), 500.5, 1e-9);  // quantile points keep the mean
}

// --- The engine's costs -------------------------------------------------------------------------

const hwdb::Database& db() {
    static const hwdb::Database database = hwdb::Database::load();
    return database;
}

std::shared_ptr<const core::WorkloadBuilder> model(const std::string& id) {
    models::WorkloadSpec spec;
    spec.model = id;
    auto builder = models::bindWorkload(spec);
    EXPECT_TRUE(builder.ok()) << builder.error().message;
    return builder.value();
}

core::Hardware device(const std::string& id) {
    return db().find(id)->hardware;
}

struct Engine {
    std::shared_ptr<const core::WorkloadBuilder> builder;
    std::vector<core::Hardware> devices;
    std::vector<core::System> systems;
    core::ServingInput input;
};

Engine engine(const std::string& id, const std::string& hw, std::int64_t prompt,
              std::int64_t output) {
    Engine e;
    e.builder = model(id);
    e.devices = {device(hw)};
    e.input.builder = e.builder.get();
    e.input.evaluation.devices = e.devices;
    e.input.evaluation.settings.flashAttention = true;
    e.input.options.load.prompt = fixed(static_cast<double>(prompt));
    e.input.options.load.output = fixed(static_cast<double>(output));
    e.input.options.load.concurrency = 1;
    return e;
}

core::Report request(const Engine& e, std::int64_t batch) {
    core::EvaluationInput in = e.input.evaluation;
    in.settings.phase = core::Phase::request;
    in.settings.batch = batch;
    in.settings.promptLength = std::llround(e.input.options.load.prompt.mean());
    in.settings.generateLength = std::llround(e.input.options.load.output.mean());
    auto r = core::evaluate(*e.builder, in);
    EXPECT_TRUE(r.ok());
    return *r->series.front().report;
}

TEST(ServingEngine, ConcurrencyOneIsTheSingleRequest) {
    Engine e = engine("llama-3-8b", "h100-sxm", 1024, 256);
    auto m = core::evaluateServing(e.input);
    ASSERT_TRUE(m.ok()) << m.error().message;
    const core::RequestMetrics r = *request(e, 1).totals.request;
    EXPECT_DOUBLE_EQ(m->ttftSeconds, r.ttftSeconds);
    EXPECT_DOUBLE_EQ(m->tpotSeconds, *r.tpotSeconds);
    EXPECT_NEAR(m->e2eSeconds, r.e2eSeconds, 1e-12 * r.e2eSeconds);
    EXPECT_NEAR(m->requestsPerSecond, 1 / r.e2eSeconds, 1e-9 / r.e2eSeconds);
}

TEST(ServingEngine, TokensGrowWithConcurrencyUntilTheKvCacheStopsThem) {
    // Llama-3-70B TP8 on an HGX H100: KV 80 layers x 8 heads x 128 x 2 x 2 B = 327,680 B per
    // token, 40,960 per device; a request of 4096 + 1024 tokens reserves 209.7 MB per device.
    Engine e = engine("llama-3-70b", "h100-sxm", 4096, 1024);
    auto sys = hwdb::resolveSystem("hgx-h100-8x", db());
    ASSERT_TRUE(sys.ok());
    e.systems = {sys.value()};
    e.input.evaluation.systems = e.systems;
    e.input.evaluation.deployment.tensorParallel = 8;
    auto sweep = core::sweepServing(e.input, false, std::vector<double>{1, 8, 64, 100000});
    ASSERT_TRUE(sweep.ok()) << sweep.error().message;
    const auto& v = sweep.value();
    EXPECT_LT(v[0].metrics.outputTokensPerSecond, v[1].metrics.outputTokensPerSecond);
    EXPECT_LT(v[1].metrics.outputTokensPerSecond, v[2].metrics.outputTokensPerSecond);
    EXPECT_TRUE(v[3].metrics.kvLimited);
    EXPECT_FALSE(v[2].metrics.kvLimited);
    const core::Report one = request(e, 1);
    const double free = one.totals.capacityBytes - one.totals.memory.weights -
                        one.totals.memory.activations - one.totals.memory.state;
    EXPECT_NEAR(40960.0 * 5119, one.totals.memory.kvCache, 1.0);
    EXPECT_EQ(v[3].metrics.maxConcurrency, std::floor(free / (40960.0 * 5120)));
    EXPECT_NEAR(v[3].metrics.concurrency, v[3].metrics.maxConcurrency, 1e-9);
}

TEST(ServingEngine, PrefixSharingSavesThePrefixPrefillOfAllButOne) {
    Engine e = engine("llama-3-8b", "h100-sxm", 2048, 64);
    e.input.options.load.requests = 1000;
    auto plain = core::servingCosts(e.input);
    e.input.options.prefixTokens = 1536;
    auto shared = core::evaluateServing(e.input);
    ASSERT_TRUE(plain.ok() && shared.ok());
    core::EvaluationInput in = e.input.evaluation;
    in.settings.promptLength = 1536;
    const double prefix = core::evaluate(*e.builder, in)->series.front().report->totals.timeSeconds;
    // 1000 requests: 1000 t_p(2048) - 999 t_p(1536).
    EXPECT_NEAR(1000 * shared->prefillSeconds, 1000 * plain->prefillSeconds - 999 * prefix,
                1e-9 * plain->prefillSeconds);
}

TEST(ServingEngine, KvOffloadOverPcie5FollowsThePcieBandwidth) {
    // Llama-3-8B at 32k context, 16 in flight, KV in host memory over PCIe 5.0 x16 (64 GB/s):
    // each step reads 16 x ~32.8k tokens x 131,072 B = ~69 GB of KV over the link.
    Engine e = engine("llama-3-8b", "h100-sxm", 32768, 64);
    e.input.options.load.concurrency = 16;
    e.input.options.offload.kv = core::Tier::host;
    auto at64 = core::evaluateServing(e.input);
    e.input.options.offload.hostBytesPerSecond = 32e9;
    auto at32 = core::evaluateServing(e.input);
    ASSERT_TRUE(at64.ok() && at32.ok()) << at64.error().message;
    const double kvBytes = 16 * 131072.0 * (32768 + 32);
    EXPECT_NEAR(at64->decodeStepSeconds / (kvBytes / 64e9), 1, 0.05);
    EXPECT_NEAR(at32->decodeStepSeconds / at64->decodeStepSeconds, 2, 0.05);
    EXPECT_EQ(at64->bindingTier, "host");
}

TEST(ServingEngine, SpeculativeDecodingDividesTheStepByTheExpectedTokens) {
    Engine e = engine("llama-3-70b", "mi300x", 512, 128);
    auto draft = model("llama-3-8b");
    e.input.draft = draft.get();
    e.input.options.offload.weights = core::Tier::hbm;
    e.input.options.speculative = core::SpeculativeDecoding{"llama-3-8b", 0.8, 4};
    e.input.evaluation.scenarios = {std::nullopt};
    auto costs = core::servingCosts(e.input);
    ASSERT_TRUE(costs.ok()) << costs.error().message;
    auto m = core::steadyState(*costs, e.input.options);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_NEAR(costs->tokensPerStep, 3.3616, 1e-12);
    EXPECT_NEAR(m->tpotSeconds, costs->verifySteps.front().second / 3.3616, 1e-12);
    // 70B at batch 1 is weight-bound: 4 draft steps + a 5-token verify cost less than 3.36
    // plain steps, so the draft helps.
    EXPECT_LT(m->tpotSeconds, costs->decodeSteps.front().second);
}

TEST(ServingEngine, AChunkReadsNoWeightsOfItsOwn) {
    // Llama-3-8B, prompt 4096, steps of 1024 tokens at batch 1: the chunk of 1023 tokens is
    // 1023/4096 of the prefill's work, without its weight reads (the decode step read them),
    // plus a re-read of half the prompt's KV (2048 x 131,072 B at the HBM bandwidth).
    Engine e = engine("llama-3-8b", "h100-sxm", 4096, 128);
    e.input.options.chunkTokens = 1024;
    auto c = core::servingCosts(e.input);
    ASSERT_TRUE(c.ok()) << c.error().message;
    const double reread = 2048 * 131072.0 / e.devices.front().memoryBytesPerSecond();
    const double share = 1023.0 / 4096 * c->prefillSeconds;
    const double extra = c->mixedExtra.front().second;
    EXPECT_LT(extra, share + reread);
    EXPECT_GT(extra, reread);
    // The prompt's k = 4096/1023 mixed steps do the prefill's math (compute-bound at 4096
    // tokens, so at least ~all of its time) and hide the decode steps' weight reads under it:
    // k mixed steps take no more than the prefill plus k decode steps and re-reads.
    const double k = 4096.0 / 1023;
    const double mixed = c->decodeSteps.front().second + extra;
    EXPECT_GT(k * mixed, 0.9 * c->prefillSeconds);
    EXPECT_LT(k * mixed, c->prefillSeconds + k * (c->decodeSteps.front().second + reread));
}

TEST(ServingEngine, OffloadedWeightsStreamOverTheHostLink) {
    // Llama-3-8B bf16 at batch 1, weights in host memory: every decode step streams the 15.0 GB
    // of weights it reads over PCIe 5.0 x16 (64 GB/s), ~235 ms, which hides the HBM traffic
    // (overlap on); with overlap off the HBM/compute time of each layer adds to it.
    Engine e = engine("llama-3-8b", "h100-sxm", 128, 16);
    e.input.options.offload.weights = core::Tier::host;
    auto on = core::evaluateServing(e.input);
    ASSERT_TRUE(on.ok()) << on.error().message;
    // A decode step reads every weight but the input embedding table, of which it gathers one
    // row: 128,256 x 4096 x 2 B = 1,050,673,152 B stay unread.
    const double weights = request(e, 1).totals.memory.weights - 128256.0 * 4096 * 2;
    EXPECT_NEAR(on->decodeStepSeconds / (weights / 64e9), 1, 0.01);
    EXPECT_EQ(on->bindingTier, "host");
    e.input.options.offload.overlap = false;
    auto off = core::evaluateServing(e.input);
    ASSERT_TRUE(off.ok());
    EXPECT_GT(off->decodeStepSeconds, on->decodeStepSeconds);
    // What overlap hides is at most the HBM-resident traffic and compute of a step (~0.2 ms).
    EXPECT_LT(off->decodeStepSeconds - on->decodeStepSeconds, 0.01 * on->decodeStepSeconds);
}

TEST(ServingEngine, ExpertCacheHitsCutTheExpertTraffic) {
    // Mixtral-8x7B with its routed experts in host memory: the link carries (1 - hit) of the
    // experts' bytes, so a 50% hit rate halves the link-bound step (within the HBM remainder).
    Engine e = engine("mixtral-8x7b", "h100-sxm", 256, 32);
    e.input.options.offload.experts = core::Tier::host;
    auto miss = core::evaluateServing(e.input);
    e.input.options.offload.expertHitRate = 0.5;
    auto half = core::evaluateServing(e.input);
    ASSERT_TRUE(miss.ok() && half.ok()) << miss.error().message;
    EXPECT_EQ(miss->bindingTier, "host");
    EXPECT_NEAR(half->decodeStepSeconds / miss->decodeStepSeconds, 0.5, 0.05);
}

TEST(ServingEngine, AttentionOnTheStorageDeviceReadsTheKvAtItsFlashBandwidth) {
    // InstInfer what-if: Llama-3-8B at 16k context, 8 in flight, KV on NVMe: over PCIe at 7 GB/s
    // versus read in the drive at 28 GB/s, the KV-bound step is 4x shorter.
    Engine e = engine("llama-3-8b", "h100-sxm", 16384, 32);
    e.input.options.load.concurrency = 8;
    e.input.options.offload.kv = core::Tier::nvme;
    auto pcie = core::evaluateServing(e.input);
    e.input.options.offload.storageAttentionBytesPerSecond = 28e9;
    auto csd = core::evaluateServing(e.input);
    ASSERT_TRUE(pcie.ok() && csd.ok()) << pcie.error().message;
    const double kv = 8 * 131072.0 * (16384 + 16);
    EXPECT_NEAR(pcie->decodeStepSeconds / (kv / 7e9), 1, 0.03);
    EXPECT_NEAR(pcie->decodeStepSeconds / csd->decodeStepSeconds, 4, 0.15);
    EXPECT_EQ(pcie->bindingTier, "nvme");
}

}  // namespace
}  // namespace rooflens
