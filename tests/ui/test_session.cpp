// Session JSON: round trip and located errors.
#include <gtest/gtest.h>

#include "ui/session.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

TEST(Session, RoundTrip) {
    Session s = defaultSession();
    s.settings.phase = core::Phase::request;
    s.settings.batch = 7;
    s.settings.generateLength = 33;
    s.devices = {"h100-sxm", "a100-80gb-sxm"};
    auto preset = core::resolveScenario("awq-w4a16-g128");
    ASSERT_TRUE(preset.ok());
    s.scenarios.push_back({preset.value(), false, ""});
    s.chart.ceilings = core::CeilingSet::all;
    s.view.pointLabels = false;
    s.view.legend = "outside";
    const std::string text = serializeSession(s);
    auto parsed = parseSession(text, "s.json");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->workload, s.workload);
    EXPECT_EQ(parsed->settings.phase, core::Phase::request);
    EXPECT_EQ(parsed->settings.batch, 7);
    EXPECT_EQ(parsed->settings.generateLength, 33);
    EXPECT_EQ(parsed->devices, s.devices);
    EXPECT_EQ(parsed->scenarios, s.scenarios);
    EXPECT_EQ(parsed->chart.ceilings, core::CeilingSet::all);
    EXPECT_FALSE(parsed->view.pointLabels);
    EXPECT_EQ(parsed->view.legend, "outside");
    EXPECT_EQ(serializeSession(parsed.value()), text);
    // The defaults are not written, so older session files read the same.
    const std::string plain = serializeSession(defaultSession());
    EXPECT_EQ(plain.find("point_labels"), std::string::npos);
    EXPECT_EQ(plain.find("legend"), std::string::npos);
    EXPECT_EQ(parseSession(plain, "d.json")->view, ChartView{});
}

TEST(Session, ErrorsNameTheFileAndPath) {
    struct Case {
        const char* text;
        const char* fragment;
    };
    const Case cases[] = {
        {"{", "s.json"},
        {R"({"schema_version": 2, "kind": "rooflens-session"})", "/schema_version"},
        {R"({"schema_version": 1, "kind": "other"})", "/kind"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "cnn",
            "model": "x"}})",
         "/workload/family"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x"}, "run": {"phase": "train", "batch": 1, "prompt_length": 1,
            "context_length": 1, "generate_length": 1}, "devices": []})",
         "/run/phase"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x"}, "run": {"phase": "decode", "batch": -1, "prompt_length": 1,
            "context_length": 1, "generate_length": 1}, "devices": []})",
         "/run/batch"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x"}, "run": {"phase": "decode", "batch": 1, "prompt_length": 1,
            "context_length": 1, "generate_length": 1}, "devices": [3]})",
         "/devices/0"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x", "graph": 7}})",
         "/workload/graph"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x", "image_size": 100000}})",
         "/workload/image_size"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "gcn", "parameters": [1]}})",
         "/workload/parameters"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "gcn", "parameters": {"hidden": -4}}})",
         "/workload/parameters/hidden"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x"}, "run": {"phase": "decode", "batch": 1, "prompt_length": 1,
            "context_length": 1, "generate_length": 1, "flash_attention": "yes"}})",
         "/run/flash_attention"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x"}, "run": {"phase": "decode", "batch": 1, "prompt_length": 1,
            "context_length": 1, "generate_length": 1}, "devices": "h100-sxm"})",
         "/devices"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x"}, "run": {"phase": "decode", "batch": 1, "prompt_length": 1,
            "context_length": 1, "generate_length": 1}, "devices": [], "scenarios": {}})",
         "/scenarios"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x"}, "run": {"phase": "decode", "batch": 1, "prompt_length": 1,
            "context_length": 1, "generate_length": 1}, "devices": [],
            "scenarios": [{"scenario": {"schema_version": 1, "name": "a"}}]})",
         "/scenarios/0/enabled"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x"}, "run": {"phase": "decode", "batch": 1, "prompt_length": 1,
            "context_length": 1, "generate_length": 1}, "devices": [],
            "scenarios": [{"enabled": true, "scenario": {"schema_version": 1, "name": "a"},
                           "token_schedule": 16}]})",
         "/scenarios/0/token_schedule"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x"}, "run": {"phase": "decode", "batch": 1, "prompt_length": 1,
            "context_length": 1, "generate_length": 1}, "devices": [],
            "chart": {"ceilings": "some"}})",
         "/chart/ceilings"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x"}, "run": {"phase": "decode", "batch": 1, "prompt_length": 1,
            "context_length": 1, "generate_length": 1}, "devices": [],
            "chart": {"on_chip_levels": 1}})",
         "/chart/on_chip_levels"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x"}, "run": {"phase": "decode", "batch": 1, "prompt_length": 1,
            "context_length": 1, "generate_length": 1}, "devices": [],
            "chart": {"point_labels": "no"}})",
         "/chart/point_labels"},
        {R"({"schema_version": 1, "kind": "rooflens-session", "workload": {"family": "llm",
            "model": "x"}, "run": {"phase": "decode", "batch": 1, "prompt_length": 1,
            "context_length": 1, "generate_length": 1}, "devices": [],
            "chart": {"legend": "left"}})",
         "/chart/legend"},
    };
    for (const auto& c : cases) {
        auto parsed = parseSession(c.text, "s.json");
        ASSERT_FALSE(parsed.ok()) << c.text;
        EXPECT_NE(parsed.error().message.find("s.json"), std::string::npos)
            << parsed.error().message;
        EXPECT_NE(parsed.error().message.find(c.fragment), std::string::npos)
            << parsed.error().message;
    }
}

}  // namespace
}  // namespace rooflens::ui
