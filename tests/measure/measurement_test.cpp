#include "measure/measurement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/test_util.h"

namespace siliconsim {
namespace {

using test::ErrorOf;

std::string Sample(const std::string& name) {
  std::ifstream in(std::filesystem::path(SILICONSIM_TEST_DATA_DIR) / "measure" / "samples" / name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  EXPECT_FALSE(s.str().empty()) << name;
  return s.str();
}

std::filesystem::path CalibrationDir() {
  return std::filesystem::path(SILICONSIM_TEST_DATA_DIR) / ".." / ".." / "shared" / "data" / "calibration";
}

MeasurementDefaults MlxDefaults() {
  MeasurementDefaults d;
  d.chip = "M4 Max";
  d.memory_gb = 64;
  d.model = "Qwen3-4B-Instruct-2507";
  d.quant = "4bit";
  return d;
}

// ---- format detection -----------------------------------------------------------------------

TEST(DetectMeasurementFormat, ByContentNotName) {
  EXPECT_EQ(DetectMeasurementFormat(Sample("llama_bench.csv"), "x.txt"), MeasurementFormat::kLlamaBenchCsv);
  EXPECT_EQ(DetectMeasurementFormat(Sample("llama_bench_2023.csv"), "x"), MeasurementFormat::kLlamaBenchCsv);
  EXPECT_EQ(DetectMeasurementFormat(Sample("llama_bench.json"), "x.csv"), MeasurementFormat::kLlamaBenchJson);
  EXPECT_EQ(DetectMeasurementFormat(Sample("llama_bench.jsonl"), "x"), MeasurementFormat::kLlamaBenchJsonl);
  EXPECT_EQ(DetectMeasurementFormat(Sample("llama_bench_metal.md"), "x"), MeasurementFormat::kLlamaBenchMarkdown);
  EXPECT_EQ(DetectMeasurementFormat(Sample("mlx_generate.txt"), "x"), MeasurementFormat::kMlxLmOutput);
  EXPECT_EQ(DetectMeasurementFormat(Sample("mlx_benchmark.txt"), "x"), MeasurementFormat::kMlxLmOutput);
  EXPECT_EQ(DetectMeasurementFormat("chip,model,quant,pp512_tps\nM1,m,q,1\n", "x"), MeasurementFormat::kTokenRateCsv);
  EXPECT_EQ(DetectMeasurementFormat("chip,model,quant,prompt_tokens,decode_tps\n", "x"),
            MeasurementFormat::kPromptSweepCsv);
}

TEST(DetectMeasurementFormat, UnknownSaysWhatIsExpected) {
  EXPECT_EQ(ErrorOf([] { DetectMeasurementFormat("\n  hello, world\n", "notes.txt"); }),
            "notes.txt:2:3: error: cannot tell what this file holds; expected llama-bench output (-o csv, json, "
            "jsonl or md), mlx_lm.benchmark or mlx_lm.generate --verbose output, or a CSV with columns "
            "chip,model,quant,pp512_tps,tg128_tps or chip,model,quant,prompt_tokens,prefill_tps,decode_tps\n"
            "    2 |   hello, world\n"
            "      |   ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements(" \n\n", "empty.csv"); }), "empty.csv: error: empty file: no measurements");
}

// ---- the shared calibration CSVs ------------------------------------------------------------

TEST(CalibrationCsv, LlamaCppMetalGivesPrefillAndDecodePerRow) {
  const std::filesystem::path path = CalibrationDir() / "llamacpp_metal_llama2_7b.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  const std::vector<Measurement> all = ReadMeasurementsFile(path.string());
  ASSERT_EQ(all.size(), 128u);  // 64 rows, no blank cells
  EXPECT_EQ(std::count_if(all.begin(), all.end(), [](const Measurement& m) { return m.phase == MeasuredPhase::kPrefill; }),
            64);
  // Row 1: M1 7-core Q8_0.
  const Measurement& pp = all[0];
  EXPECT_EQ(pp.phase, MeasuredPhase::kPrefill);
  EXPECT_EQ(pp.prompt_tokens, 512);
  EXPECT_EQ(pp.gen_tokens, 0);
  EXPECT_EQ(pp.depth_tokens, 0);
  EXPECT_DOUBLE_EQ(pp.tokens_per_second, 108.21);
  EXPECT_EQ(pp.chip, "M1");
  EXPECT_EQ(pp.gpu_cores, 7);
  EXPECT_EQ(pp.engine, "llama.cpp-metal");
  EXPECT_EQ(pp.model, "LLaMA 7B v2 (llama-2-7b)");
  EXPECT_EQ(pp.quant, "Q8_0");
  EXPECT_EQ(pp.source,
            "S-LC4167 https://github.com/ggml-org/llama.cpp/discussions/4167 (build 8e672ef, Nov 2023)");
  EXPECT_EQ(pp.where.line, 2);
  const Measurement& tg = all[1];
  EXPECT_EQ(tg.phase, MeasuredPhase::kDecode);
  EXPECT_EQ(tg.gen_tokens, 128);
  EXPECT_EQ(tg.prompt_tokens, 0);
  EXPECT_DOUBLE_EQ(tg.tokens_per_second, 7.92);
  // The F16 cells present: 18 rows (the base M1/M2/M3 and M3 Pro 14-core rows have none).
  std::vector<const Measurement*> f16;
  for (const Measurement& m : all) {
    if (m.quant == "F16") f16.push_back(&m);
  }
  ASSERT_EQ(f16.size(), 36u);
  EXPECT_EQ(f16[0]->chip, "M1 Pro");
  EXPECT_EQ(f16[0]->gpu_cores, 14);
  EXPECT_DOUBLE_EQ(f16[0]->tokens_per_second, 262.65);
  EXPECT_DOUBLE_EQ(f16[1]->tokens_per_second, 12.75);
  EXPECT_EQ(f16.back()->chip, "M3 Ultra");
  EXPECT_EQ(f16.back()->gpu_cores, 80);
  EXPECT_DOUBLE_EQ(f16.back()->tokens_per_second, 39.78);
}

TEST(CalibrationCsv, MlxLmGivesPrefillAndDecodeAtPromptDepth) {
  const std::filesystem::path path = CalibrationDir() / "mlx_lm.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  const std::vector<Measurement> all = ReadMeasurementsFile(path.string());
  ASSERT_EQ(all.size(), 62u);  // 31 rows
  const Measurement& pp = all[0];
  EXPECT_EQ(pp.phase, MeasuredPhase::kPrefill);
  EXPECT_EQ(pp.prompt_tokens, 2048);
  EXPECT_DOUBLE_EQ(pp.tokens_per_second, 1780.63);
  EXPECT_EQ(pp.engine, "mlx");
  EXPECT_EQ(pp.chip, "M4 Max");
  EXPECT_EQ(pp.memory_gb, 64.0);
  EXPECT_EQ(pp.quant, "bf16");
  EXPECT_EQ(pp.peak_memory_gb, 9.02);
  const Measurement& tg = all[1];
  EXPECT_EQ(tg.phase, MeasuredPhase::kDecode);
  EXPECT_EQ(tg.gen_tokens, 128);
  EXPECT_EQ(tg.depth_tokens, 2048);
  EXPECT_DOUBLE_EQ(tg.tokens_per_second, 52.47);
  // The quoted quant with a space and the sweep's last row.
  EXPECT_EQ(all[6].quant, "q5 g32");
  EXPECT_EQ(all.back().depth_tokens, 30136);
  EXPECT_EQ(all.back().model, "Llama-3.3-70B-Instruct");
  EXPECT_FALSE(all.back().peak_memory_gb.has_value());
}

TEST(CalibrationCsv, QuotedFieldsCrlfAndBlankCells) {
  const std::string text =
      "chip,gpu_cores,model,quant,pp512_tps,tg128_tps,source\r\n"
      "\"M2 Max\",38,\"Model, with comma\",Q4_0,671.31,,\"a \"\"quoted\"\" source\r\nspanning lines\"\r\n"
      "M2 Max,38,m,Q8_0,,41.83,\r\n";
  const std::vector<Measurement> all = ParseMeasurements(text, "in.csv");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].model, "Model, with comma");
  EXPECT_EQ(all[0].source, "a \"quoted\" source\r\nspanning lines");
  EXPECT_EQ(all[0].phase, MeasuredPhase::kPrefill);
  EXPECT_EQ(all[1].phase, MeasuredPhase::kDecode);
  EXPECT_EQ(all[1].where.line, 4);
  EXPECT_EQ(all[1].source, "in.csv");
}

TEST(CalibrationCsv, Errors) {
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("chip,model,quant,pp512_tps\nM1,m,q,fast\n", "c.csv"); }),
            "c.csv:2:8: error: pp512_tps: expected a positive number of tokens per second, got \"fast\"\n"
            "    2 | M1,m,q,fast\n"
            "      |        ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("chip,model,quant,pp512_tps\nM1,m,q\n", "c.csv"); }),
            "c.csv:2:1: error: this row has 3 fields but the header has 4\n"
            "    2 | M1,m,q\n"
            "      | ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("chip,model,quant,pp512_tps\nM1,\"m,q,1\n", "c.csv"); }),
            "c.csv:2:4: error: a quoted field is never closed: missing '\"'\n"
            "    2 | M1,\"m,q,1\n"
            "      |    ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("chip,model,quant,pp512_tps\nM1,\"m\"x,q,1\n", "c.csv"); }),
            "c.csv:2:7: error: unexpected text after a closing quote; a quote inside a quoted field is written \"\"\n"
            "    2 | M1,\"m\"x,q,1\n"
            "      |       ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("chip,gpu_cores,model,quant,tg128_tps\nM1,-8,m,q,1\n", "c.csv"); }),
            "c.csv:2:4: error: gpu_cores: expected a GPU core count from 1 to 1024, got \"-8\"\n"
            "    2 | M1,-8,m,q,1\n"
            "      |    ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("chip,model,quant,pp512_tps,chip\nM1,m,q,1,M2\n", "c.csv"); }),
            "c.csv:1:28: error: chip: this column appears twice in the header\n"
            "    1 | chip,model,quant,pp512_tps,chip\n"
            "      |                            ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("chip,model,quant,prompt_tokens,decode_tps\nM1,m,q,,5\n", "s.csv"); }),
            "s.csv:2:1: error: prompt_tokens: missing: the prompt length of this run is needed\n"
            "    2 | M1,m,q,,5\n"
            "      | ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("model,quant,pp512_tps\nm,q,5\n", "c.csv"); }),
            "c.csv:2:1: error: chip: the file does not say which chip ran this test; name it with --chip\n"
            "    2 | m,q,5\n"
            "      | ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("chip,model,quant,pp512_tps\nM1,m,q,\n", "c.csv"); }),
            "c.csv: error: no measurements in this token-rate CSV (pp<N>_tps, tg<N>_tps)");
}

TEST(CalibrationCsv, DefaultsFillOnlyGaps) {
  MeasurementDefaults d;
  d.chip = "M3 Max";
  d.gpu_cores = 40;
  d.memory_gb = 48;
  d.engine = "mlx-lm";
  const std::vector<Measurement> all =
      ParseMeasurements("chip,model,quant,prompt_tokens,prefill_tps,decode_tps\n,m,q,100,50,5\nM1,m,q,100,50,\n", "s",
                        d);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].chip, "M3 Max");
  EXPECT_EQ(all[0].gpu_cores, 40);
  EXPECT_EQ(all[0].memory_gb, 48.0);
  EXPECT_EQ(all[0].engine, "mlx");  // the format's engine; no engine column
  EXPECT_EQ(all[2].chip, "M1");
}

// ---- llama-bench ------------------------------------------------------------------------------

TEST(LlamaBench, Csv) {
  const std::vector<Measurement> all = ParseMeasurements(Sample("llama_bench.csv"), "bench.csv");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].phase, MeasuredPhase::kPrefill);
  EXPECT_EQ(all[0].prompt_tokens, 512);
  EXPECT_DOUBLE_EQ(all[0].tokens_per_second, 564.183319);
  EXPECT_DOUBLE_EQ(*all[0].stddev_tokens_per_second, 1.326441);
  EXPECT_EQ(all[0].chip, "Apple M2 Max");
  EXPECT_EQ(all[0].engine, "llama.cpp-metal");
  EXPECT_EQ(all[0].model, "models/qwen2.5-7b-instruct-q4_k_m.gguf");
  EXPECT_EQ(all[0].quant, "Q4_K_M");
  EXPECT_EQ(all[0].threads, 8);
  EXPECT_EQ(all[0].source, "bench.csv");
  EXPECT_EQ(all[0].where.line, 2);
  EXPECT_EQ(all[1].phase, MeasuredPhase::kDecode);
  EXPECT_EQ(all[1].gen_tokens, 128);
  EXPECT_EQ(all[2].depth_tokens, 4096);
  EXPECT_DOUBLE_EQ(all[2].tokens_per_second, 46.809);
}

TEST(LlamaBench, Csv2023WithBackendFlags) {
  const std::vector<Measurement> all = ParseMeasurements(Sample("llama_bench_2023.csv"), "old.csv");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].engine, "llama.cpp-cpu");  // metal=0, BLAS only, ngl 0
  EXPECT_EQ(all[0].chip, "Apple M1 Max");     // from cpu_info; gpu_info is empty
  EXPECT_EQ(all[0].quant, "Q4_0");            // "llama 7B mostly Q4_0"
  EXPECT_EQ(all[1].engine, "llama.cpp-metal");
  EXPECT_DOUBLE_EQ(all[1].tokens_per_second, 61.192);
}

TEST(LlamaBench, Json) {
  const std::vector<Measurement> all = ParseMeasurements(Sample("llama_bench.json"), "bench.json");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].phase, MeasuredPhase::kPrefill);
  EXPECT_DOUBLE_EQ(all[0].tokens_per_second, 928.683);
  EXPECT_EQ(all[0].chip, "Apple M4 Max");
  EXPECT_EQ(all[0].quant, "Q8_0");
  EXPECT_EQ(all[0].threads, 12);
  EXPECT_EQ(all[0].where.line, 2);
  EXPECT_EQ(all[1].phase, MeasuredPhase::kDecode);
  EXPECT_EQ(all[1].where.line, 30);
  EXPECT_DOUBLE_EQ(*all[1].stddev_tokens_per_second, 0.091);
}

TEST(LlamaBench, Jsonl) {
  const std::vector<Measurement> all = ParseMeasurements(Sample("llama_bench.jsonl"), "bench.jsonl");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].engine, "llama.cpp-cpu");
  EXPECT_EQ(all[0].chip, "Apple M3 Pro");
  EXPECT_EQ(all[0].quant, "Q4_K_M");
  EXPECT_EQ(all[1].where.line, 2);
  EXPECT_DOUBLE_EQ(all[1].tokens_per_second, 31.5);
}

TEST(LlamaBench, Markdown) {
  MeasurementDefaults d;
  d.chip = "M2 Max";
  d.gpu_cores = 38;
  const std::vector<Measurement> all = ParseMeasurements(Sample("llama_bench_metal.md"), "bench.md", d);
  ASSERT_EQ(all.size(), 4u);  // the pp512+tg128 row is skipped
  EXPECT_EQ(all[0].chip, "M2 Max");
  EXPECT_EQ(all[0].gpu_cores, 38);
  EXPECT_EQ(all[0].engine, "llama.cpp-metal");
  EXPECT_EQ(all[0].model, "llama 7B");
  EXPECT_EQ(all[0].quant, "Q4_0");
  EXPECT_EQ(all[0].threads, 8);
  EXPECT_EQ(all[0].prompt_tokens, 512);
  EXPECT_DOUBLE_EQ(all[0].tokens_per_second, 671.31);
  EXPECT_DOUBLE_EQ(*all[0].stddev_tokens_per_second, 0.42);
  EXPECT_EQ(all[0].where.line, 5);
  EXPECT_EQ(all[2].prompt_tokens, 512);
  EXPECT_EQ(all[2].depth_tokens, 4096);
  EXPECT_EQ(all[3].gen_tokens, 128);
  EXPECT_EQ(all[3].depth_tokens, 4096);
}

TEST(LlamaBench, Markdown2023BlankCellsRepeatTheRowAbove) {
  MeasurementDefaults d;
  d.chip = "M1 Max";
  const std::vector<Measurement> all = ParseMeasurements(Sample("llama_bench_2023.md"), "old.md", d);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[1].phase, MeasuredPhase::kDecode);
  EXPECT_EQ(all[1].gen_tokens, 128);
  EXPECT_EQ(all[1].quant, "Q8_0");
  EXPECT_EQ(all[1].engine, "llama.cpp-metal");
  EXPECT_EQ(all[2].quant, "F16");
  EXPECT_DOUBLE_EQ(all[2].tokens_per_second, 453.03);
}

TEST(LlamaBench, MarkdownWithoutChipNeedsDefault) {
  EXPECT_EQ(ErrorOf([] { ParseMeasurements(Sample("llama_bench_2023.md"), "old.md"); }),
            "old.md:3:1: error: chip: the file does not say which chip ran this test; name it with --chip\n"
            "    3 | | llama 7B mostly Q8_0           |   6.67 GiB |     6.74 B | Metal      |  99 | pp 512     |    "
            "405.87 ± 0.12 |\n"
            "      | ^");
}

TEST(LlamaBench, Errors) {
  const std::string header = "| model | backend | test | t/s |\n| --- | --- | --- | --- |\n";
  MeasurementDefaults d;
  d.chip = "M1";
  EXPECT_EQ(ErrorOf([&] { ParseMeasurements(header + "| llama 7B Q4_0 | Metal | pq512 | 5.0 ± 0.1 |\n", "b.md", d); }),
            "b.md:3:27: error: test: expected a llama-bench test like pp512, tg128 or pp512 @ d4096, got \"pq512\"\n"
            "    3 | | llama 7B Q4_0 | Metal | pq512 | 5.0 ± 0.1 |\n"
            "      |                           ^");
  EXPECT_EQ(ErrorOf([&] { ParseMeasurements(header + "| llama 7B Q4_0 | Metal | pp512 | fast |\n", "b.md", d); }),
            "b.md:3:35: error: t/s: expected tokens per second like 132.19 ± 0.55, got \"fast\"\n"
            "    3 | | llama 7B Q4_0 | Metal | pp512 | fast |\n"
            "      |                                   ^");
  EXPECT_EQ(ErrorOf([&] { ParseMeasurements(header + "| llama 7B Q4_0 | Metal | pp512 |\n", "b.md", d); }),
            "b.md:3:1: error: this table row has 3 cells but the header has 4\n"
            "    3 | | llama 7B Q4_0 | Metal | pp512 |\n"
            "      | ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("[{\"n_prompt\": 512, \"n_gen\": 0, \"avg_ts\": \"x\"}]", "b.json"); }),
            "b.json:1:2: error: [0].avg_ts: expected a positive number of tokens per second, got \"x\"\n"
            "    1 | [{\"n_prompt\": 512, \"n_gen\": 0, \"avg_ts\": \"x\"}]\n"
            "      |  ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("[{\"n_prompt\": 512, \"avg_ts\": 5}]", "b.json"); }),
            "b.json:1:2: error: [0].n_gen: missing: the test's token count is needed\n"
            "    1 | [{\"n_prompt\": 512, \"avg_ts\": 5}]\n"
            "      |  ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("[{\"n_prompt\": 512,\n \"n_gen\": 0,, }]", "b.json"); }),
            "b.json:2:13: error: not valid JSON: syntax error while parsing object key - unexpected ','; expected "
            "string literal\n"
            "    2 |  \"n_gen\": 0,, }]\n"
            "      |             ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements("{\"n_prompt\": 512, \"n_gen\": 0, \"avg_ts\": 5}\n[1]\n", "b.jsonl"); }),
            "b.jsonl:2:1: error: expected a JSON object for each test\n"
            "    2 | [1]\n"
            "      | ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements(std::string(40, '[') + std::string(40, ']'), "deep.json"); }),
            "deep.json:1:33: error: JSON nested deeper than 32 levels is not benchmark output\n"
            "    1 | " + std::string(40, '[') + std::string(40, ']') + "\n"
            "      |                                 ^");
  EXPECT_EQ(ErrorOf([] {
              ParseMeasurements("n_prompt,n_gen,avg_ts,model_type,cpu_info\n512,-1,5,llama 7B Q4_0,Apple M1\n", "b.csv");
            }),
            "b.csv:2:5: error: n_gen: expected a token count from 0 to 1099511627776, got \"-1\"\n"
            "    2 | 512,-1,5,llama 7B Q4_0,Apple M1\n"
            "      |     ^");
}

// ---- mlx_lm -----------------------------------------------------------------------------------

TEST(MlxLm, Generate) {
  const std::vector<Measurement> all = ParseMeasurements(Sample("mlx_generate.txt"), "gen.txt", MlxDefaults());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].phase, MeasuredPhase::kPrefill);
  EXPECT_EQ(all[0].prompt_tokens, 2048);
  EXPECT_DOUBLE_EQ(all[0].tokens_per_second, 1780.63);
  EXPECT_EQ(all[0].peak_memory_gb, 9.02);
  EXPECT_EQ(all[0].engine, "mlx");
  EXPECT_EQ(all[0].chip, "M4 Max");
  EXPECT_EQ(all[0].model, "Qwen3-4B-Instruct-2507");
  EXPECT_EQ(all[0].where.line, 5);
  EXPECT_EQ(all[1].phase, MeasuredPhase::kDecode);
  EXPECT_EQ(all[1].gen_tokens, 128);
  EXPECT_EQ(all[1].depth_tokens, 2048);
  EXPECT_DOUBLE_EQ(all[1].tokens_per_second, 52.47);
  EXPECT_EQ(all[1].peak_memory_gb, 9.02);
}

TEST(MlxLm, Benchmark) {
  const std::vector<Measurement> all = ParseMeasurements(Sample("mlx_benchmark.txt"), "bench.txt", MlxDefaults());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].prompt_tokens, 2048);
  EXPECT_DOUBLE_EQ(all[0].tokens_per_second, 1622.27);
  EXPECT_NEAR(*all[0].stddev_tokens_per_second, 2.168, 0.001);
  EXPECT_EQ(all[1].gen_tokens, 128);
  EXPECT_EQ(all[1].depth_tokens, 2048);
  EXPECT_DOUBLE_EQ(all[1].tokens_per_second, 134.52);
  EXPECT_EQ(all[1].peak_memory_gb, 3.35);
  EXPECT_EQ(all[1].where.line, 7);
}

TEST(MlxLm, Errors) {
  const MeasurementDefaults d = MlxDefaults();
  EXPECT_EQ(ErrorOf([&] { ParseMeasurements("Prompt: 12 tokens, fast tokens-per-sec\n", "g.txt", d); }),
            "g.txt:1:20: error: mlx_lm prompt line: expected a positive number, got \"fast\"\n"
            "    1 | Prompt: 12 tokens, fast tokens-per-sec\n"
            "      |                    ^");
  EXPECT_EQ(ErrorOf([&] { ParseMeasurements("Generation: 12 tokens, 5.0 tokens-per-sec\n", "g.txt", d); }),
            "g.txt:1:1: error: a Generation line without the Prompt line before it: the context depth is unknown\n"
            "    1 | Generation: 12 tokens, 5.0 tokens-per-sec\n"
            "      | ^");
  EXPECT_EQ(ErrorOf([&] { ParseMeasurements("Averages: prompt_tps=1.0, generation_tps=2.0, peak_memory=3.0\n", "b", d); }),
            "b:1:1: error: an Averages line without the 'Timing with prompt_tokens=..., generation_tokens=...' line "
            "before it: the token counts are unknown\n"
            "    1 | Averages: prompt_tps=1.0, generation_tps=2.0, peak_memory=3.0\n"
            "      | ^");
  EXPECT_EQ(ErrorOf([&] {
              ParseMeasurements("Timing with prompt_tokens=512, generation_tokens=128, batch_size=4.\n", "b", d);
            }),
            "b:1:68: error: mlx_lm.benchmark timing line: batch_size=4 measures batched throughput, not one stream; "
            "run with -b 1\n"
            "    1 | Timing with prompt_tokens=512, generation_tokens=128, batch_size=4.\n"
            "      |                                                                    ^");
  EXPECT_EQ(ErrorOf([] { ParseMeasurements(Sample("mlx_generate.txt"), "g.txt"); }),
            "g.txt:5:1: error: chip: the file does not say which chip ran this test; name it with --chip\n"
            "    5 | Prompt: 2048 tokens, 1780.630 tokens-per-sec\n"
            "      | ^");
}

TEST(ParseMeasurements, RefusesOversizedText) {
  const std::string big(kMaxMeasurementTextBytes + 1, ' ');
  EXPECT_EQ(ErrorOf([&] { ParseMeasurements(big, "big.csv"); }),
            "big.csv: error: 16777217 bytes is more than the 16777216 bytes a measurement file may have");
}

}  // namespace
}  // namespace siliconsim
