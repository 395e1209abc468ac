// `siliconsim predict`: memory, fit verdict, prefill, TTFT and decode for the cartesian product
// of models x quants x chips x memory sizes x engines x prompt/gen/depth/context lengths.

#include <map>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/output.h"
#include "cli/predict_args.h"
#include "cli/sim_support.h"
#include "common/value_parse.h"

namespace siliconsim {
namespace {

using Json = nlohmann::ordered_json;

struct PredictOptions {
  ScenarioArgs scenario;
  std::string prompt = "512";
  std::string gen = "128";
  std::string depth = "0";
  std::string ctx;
  bool explain = false;
  std::string format = "table";
};

}  // namespace

std::vector<Command> AddPredictCommands(CLI::App& app, GlobalOptions& options) {
  (void)options;
  auto state = std::make_shared<PredictOptions>();
  CLI::App* predict = app.add_subcommand("predict", "Predict memory, fit, prefill, TTFT and decode speed on a Mac");
  AddScenarioOptions(predict, state->scenario, ChipDefault::kThisMac);
  predict->add_option("--prompt", state->prompt, "Prompt tokens processed (llama-bench -p): list or range, e.g. 512,4k")
      ->capture_default_str();
  predict->add_option("--gen", state->gen, "Tokens generated (llama-bench -n): list or range")->capture_default_str();
  predict->add_option("--depth", state->depth, "Tokens already in the KV cache when the test starts (llama-bench -d)")
      ->capture_default_str();
  predict->add_option("--ctx", state->ctx,
                      "Context the engine allocates (llama.cpp -c); default depth + prompt + gen. List or range");
  predict->add_flag("--explain", state->explain, "Print the per-op breakdown: bytes, FLOPs, roofs, which binds");
  AddFormatFlag(predict, state->format);
  predict->footer(R"(Lists (a,b,c) and ranges (1k..32k:x2, 512..4096:+512) expand to the cartesian product.
llama-bench semantics: --prompt 512 --gen 0 is pp512; --prompt 0 --gen 128 is tg128.

Examples:
  siliconsim predict --model Qwen/Qwen3-30B-A3B --quant Q4_K_M --chip "M3 Ultra" --memory 96
  siliconsim predict --model llama-3.1-8b --quant Q4_K_M,Q8_0,mlx-4bit --chip m4-pro-20c --memory 48
  siliconsim predict --model llama-2-7b --quant Q4_0 --chip "M2 Max" --prompt 512 --gen 0 --explain
  siliconsim predict --model qwen3-8b --quant Q4_K_M --chip m4-max-40c --depth 0,8k,32k --format csv)");

  Command cmd{predict, [state](const CommandContext& ctx) {
                const SimData data = LoadSimData(ctx);
                const std::vector<Scenario> scenarios = ExpandScenarios(data, state->scenario, ctx);
                const std::vector<int64_t> prompts = ParseTokenList(state->prompt);
                const std::vector<int64_t> gens = ParseTokenList(state->gen);
                const std::vector<int64_t> depths = ParseTokenList(state->depth);
                std::vector<std::optional<int64_t>> contexts = {std::nullopt};
                if (!state->ctx.empty()) {
                  contexts.clear();
                  for (int64_t c : ParseTokenList(state->ctx)) contexts.push_back(c);
                }
                std::vector<Json> records;
                std::string explained;
                ScenarioRunner runner(data, state->scenario.threads);
                for (const Scenario& s : scenarios) {
                  for (int64_t depth : depths) {
                    for (int64_t prompt : prompts) {
                      for (int64_t gen : gens) {
                        for (const std::optional<int64_t>& context : contexts) {
                          sim::Workload w = runner.BaseWorkload(s);
                          w.prompt_tokens = prompt;
                          w.gen_tokens = gen;
                          w.depth_tokens = depth;
                          w.context_tokens = context;
                          if (prompt == 0 && gen == 0) throw UsageError("--prompt 0 --gen 0 predicts nothing");
                          const sim::Prediction p = runner.Run(s, w, state->explain);
                          records.push_back(PredictionRecord(s, w, p));
                          if (state->explain) {
                            explained += RenderExplain(s, w, runner.Compiled(s), runner.Peaks(s), p) + "\n";
                          }
                        }
                      }
                    }
                  }
                }
                std::string text = RenderPredictions(state->format, records);
                if (state->explain && ParseOutputFormat(state->format) == OutputFormat::kTable) text += "\n" + explained;
                EmitOutput(text, ctx.options.output_path, ctx.out);
              }};
  return {cmd};
}

}  // namespace siliconsim
