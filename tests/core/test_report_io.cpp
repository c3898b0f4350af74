#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "core/report_io.h"
#include "core/scenario.h"
#include "core/sweep.h"
#include "test_device.h"

namespace rooflens::core {
namespace {

Report sampleReport() {
    Workload w;
    w.model.id = "toy";
    w.model.family = ModelFamily::llm;
    w.model.parameters = 1000;
    w.settings.phase = Phase::decode;
    w.settings.contextLength = 42;
    for (int block = 0; block < 3; ++block) {
        Layer layer;
        layer.op = "q_proj";
        layer.block = block;
        layer.ops = 2e9;
        layer.bytes.weights = 1e9;
        layer.bytes.kvWrite = 10;
        w.layers.push_back(layer);
    }
    Layer head;
    head.op = "lm_head";
    head.ops = 1e6;
    head.bytes.weights = 1e6;
    w.layers.push_back(head);
    return analyze(w, testing::roundDevice());
}

TEST(ReportIo, JsonFollowsTheDocumentedSchema) {
    const auto doc = Json::parse(renderReport(sampleReport(), ReportFormat::json));
    EXPECT_EQ(doc["schema_version"], 2);
    EXPECT_EQ(doc["model"]["id"], "toy");
    EXPECT_EQ(doc["hardware"]["id"], "round");
    EXPECT_EQ(doc["settings"]["phase"], "decode");
    EXPECT_EQ(doc["settings"]["context_len"], 42);
    ASSERT_EQ(doc["layers"].size(), 4U);
    const auto& layer = doc["layers"][1];
    EXPECT_EQ(layer["name"], "blocks.1.q_proj");
    EXPECT_EQ(layer["kind"], "gemm");
    EXPECT_EQ(layer["block"], 1);
    for (const char* key :
         {"weights", "activations_in", "activations_out", "kv_read", "kv_write", "total"}) {
        EXPECT_TRUE(layer["bytes"].contains(key)) << key;
    }
    EXPECT_DOUBLE_EQ(layer["bytes"]["total"].get<double>(), 1e9 + 10);
    EXPECT_EQ(layer["bound"], "memory");
    EXPECT_TRUE(layer.contains("intensity"));
    EXPECT_TRUE(layer.contains("time_s"));
    for (const char* key : {"ops", "bytes", "time_s", "memory_bytes", "fits_in_memory"}) {
        EXPECT_TRUE(doc["totals"].contains(key)) << key;
    }
    EXPECT_FALSE(doc["totals"].contains("ttft_s"));
    // Uncompressed: the scenario echo names it and gives the native bits.
    EXPECT_EQ(doc["settings"]["scenario"]["name"], "uncompressed");
    EXPECT_DOUBLE_EQ(doc["settings"]["scenario"]["weight_bits"].get<double>(), 16);
    EXPECT_FALSE(doc["settings"].contains("wbits"));
}

// A report says what was run: the scenario applied and its effective bits (metadata included),
// not run settings that no longer decide anything.
TEST(ReportIo, ReportJsonIsTheDocumentRenderReportDumps) {
    // The Python module converts reportJson() directly; --format json dumps the same document.
    const Report report = sampleReport();
    EXPECT_EQ(reportJson(report).dump(2) + "\n", renderReport(report, ReportFormat::json));
    EXPECT_EQ(reportJson(report)["layers"].size(), 4U);
}

TEST(ReportIo, SweepPointsCarryThePhasesLengths) {
    SweepResult r;
    SweepPoint p;
    p.device = 1;
    p.scenario = 0;
    p.batch = 8;
    p.promptLength = 512;
    p.contextLength = 640;
    p.timeSeconds = 0.25;
    p.tokensPerSecond = 8 * 128 / 0.25;  // request: B G / e2e = 4096 tokens/s
    p.ttftSeconds = 0.05;
    p.tpotSeconds = 0.0015;
    p.fitsInMemory = false;
    r.points.push_back(p);
    const std::vector<std::string> devices{"a", "b"};
    const std::vector<std::string> scenarios{"fp16"};
    const Json request = sweepJson(r, devices, scenarios, {}, Phase::request, "toy");
    const Json& j = request["points"][0];
    EXPECT_EQ(request["schema_version"], 1);
    EXPECT_EQ(j["hardware"], "b");
    EXPECT_EQ(j["scenario"], "fp16");
    EXPECT_DOUBLE_EQ(j["tokens_per_s"].get<double>(), 4096.0);
    EXPECT_EQ(j["prompt_len"], 512);
    EXPECT_EQ(j["context_len"], 640);
    EXPECT_DOUBLE_EQ(j["tpot_s"].get<double>(), 0.0015);
    EXPECT_EQ(j["out_of_memory"], true);
    // Decode points have a context and no prompt; prefill points the reverse; no request times.
    EXPECT_FALSE(j.contains("plan"));  // no plan spans devices
    const Json decode = sweepPointJson(p, "a", "fp16", nullptr, Phase::decode);
    EXPECT_FALSE(decode.contains("prompt_len"));
    EXPECT_FALSE(decode.contains("ttft_s"));
    EXPECT_EQ(decode["context_len"], 640);
    const Json prefill = sweepPointJson(p, "a", "fp16", nullptr, Phase::prefill);
    EXPECT_FALSE(prefill.contains("context_len"));
    EXPECT_EQ(prefill["prompt_len"], 512);
    // A swept plan names itself and its per-device rate: 4096 tokens/s over TP2 = 2048.
    p.tokensPerSecondPerDevice = 2048;
    p.networkSeconds = 0.01;
    const std::string plan = "TP2";
    const Json planned = sweepPointJson(p, "a", "fp16", &plan, Phase::decode);
    EXPECT_EQ(planned["plan"], "TP2");
    EXPECT_DOUBLE_EQ(planned["tokens_per_s_per_device"].get<double>(), 2048.0);
    EXPECT_DOUBLE_EQ(planned["network_s"].get<double>(), 0.01);
}

TEST(ReportIo, SettingsEchoTheScenarioActuallyApplied) {
    Workload w;
    w.model.id = "toy";
    w.settings.phase = Phase::decode;
    w.settings.contextLength = 8;
    Layer q;
    q.op = "q_proj";
    q.block = 0;
    q.m = 1;
    q.k = 128;
    q.n = 128;
    q.weightElements = 128 * 128;
    q.ops = 2 * 128 * 128;
    q.bytes.weights = 128 * 128 * 2;
    w.layers.push_back(q);
    w.weightTensors.push_back({"q_proj", 0, 128 * 128, 128, 128, 0, DataType::fp16});
    TensorFormat int4;
    int4.type = DataType::int4;
    int4.groupSize = 128;
    int4.scale = DataType::fp16;
    int4.zero = DataType::fp16;
    Scenario s;
    s.name = "w4-g128";
    s.weights = int4;
    auto compressed = applyScenario(s, w);
    ASSERT_TRUE(compressed.ok()) << compressed.error().message;
    const auto doc = Json::parse(
        renderReport(analyze(compressed.value(), testing::roundDevice()), ReportFormat::json));
    const auto& echo = doc["settings"]["scenario"];
    EXPECT_EQ(echo["name"], "w4-g128");
    // 4 bits + (16 + 16) / 128 = 4.25 bits per weight; activations and KV stay 16.
    EXPECT_DOUBLE_EQ(echo["weight_bits"].get<double>(), 4.25);
    EXPECT_DOUBLE_EQ(echo["activation_bits"].get<double>(), 16);
    EXPECT_DOUBLE_EQ(echo["kv_bits"].get<double>(), 16);
}

TEST(ReportIo, CsvHasOneRowPerLayer) {
    const std::string csv = renderReport(sampleReport(), ReportFormat::csv);
    std::istringstream in(csv);
    std::string line;
    int rows = 0;
    while (std::getline(in, line)) {
        ++rows;
    }
    EXPECT_EQ(rows, 5);  // header + 4 layers
    EXPECT_EQ(csv.rfind("phase,name,kind,block", 0), 0U);
}

TEST(ReportIo, TableGroupsBlocks) {
    const std::string table = renderReport(sampleReport(), ReportFormat::table);
    EXPECT_NE(table.find("blocks.*.q_proj"), std::string::npos) << table;
    EXPECT_EQ(table.find("blocks.1.q_proj"), std::string::npos);
    EXPECT_NE(table.find("lm_head"), std::string::npos);
    const std::string md = renderReport(sampleReport(), ReportFormat::md);
    EXPECT_NE(md.find("| blocks.*.q_proj | gemm | 3 |"), std::string::npos) << md;
}

}  // namespace
}  // namespace rooflens::core
