#pragma once
// Published benchmark measurements as users have them: llama-bench output (-o csv, json, jsonl,
// md), mlx_lm.benchmark and mlx_lm.generate --verbose output, and the calibration CSVs in
// ../shared/data/calibration/. The format is detected from the content (header columns, the
// first character, marker lines), never from the file name. Every reader treats its input as
// hostile: bad input is an InputError at `file:line:col`, nothing crashes, and work and memory
// stay linear in the input size.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostics.h"

namespace siliconsim {

/// Which phase one measured test timed.
enum class MeasuredPhase { kPrefill, kDecode };

/// One measured test, e.g. llama-bench's pp512 or tg128.
struct Measurement {
  MeasuredPhase phase = MeasuredPhase::kPrefill;
  int64_t prompt_tokens = 0;  ///< tokens processed in a prefill test (pp512 -> 512); 0 for decode
  int64_t gen_tokens = 0;     ///< tokens generated in a decode test (tg128 -> 128); 0 for prefill
  /// Tokens already in the KV cache when the test starts (llama-bench -d; for an mlx_lm decode
  /// after a P-token prompt: P).
  int64_t depth_tokens = 0;
  double tokens_per_second = 0;
  std::optional<double> stddev_tokens_per_second;
  std::string chip;  ///< as written: "M1 Max", "Apple M2 Ultra"
  std::optional<int> gpu_cores;
  std::optional<double> memory_gb;
  /// Normalized: "llama.cpp-metal", "llama.cpp-cpu", "mlx" (as best known), else as written.
  std::string engine;
  std::string model;  ///< as written ("LLaMA 7B v2 (llama-2-7b)", a llama-bench model_filename)
  std::string quant;  ///< as written ("Q4_0", "q4 g32", "4bit"; llama-bench ftype names: "Q4_K_M")
  std::optional<int> threads;
  std::optional<double> peak_memory_gb;
  std::string source;    ///< the row's source column, or the file name
  SourceLocation where;  ///< file and line of the row, for error messages and residual tables
};

/// What the caller knows that the file may not say (CLI flags); used only to fill gaps.
struct MeasurementDefaults {
  std::string chip;
  std::optional<int> gpu_cores;
  std::optional<double> memory_gb;
  std::string engine;
  std::string model;
  std::string quant;
};

/// The formats ParseMeasurements recognizes.
enum class MeasurementFormat {
  kLlamaBenchCsv,     ///< llama-bench -o csv (any column set with n_prompt, n_gen, avg_ts)
  kLlamaBenchJson,    ///< llama-bench -o json: an array of objects
  kLlamaBenchJsonl,   ///< llama-bench -o jsonl: one object per line
  kLlamaBenchMarkdown,///< llama-bench -o md (the default), tables pasted with text around them
  kMlxLmOutput,       ///< mlx_lm.benchmark or mlx_lm.generate --verbose console output
  kTokenRateCsv,      ///< calibration CSV with pp<N>_tps / tg<N>_tps columns (llama.cpp Metal)
  kPromptSweepCsv,    ///< calibration CSV with prompt_tokens, prefill_tps, decode_tps (mlx_lm)
};

/// A short human name for a format ("llama-bench CSV", ...).
std::string_view MeasurementFormatName(MeasurementFormat format);

/// Largest measurement text accepted (the same cap as a data file).
inline constexpr size_t kMaxMeasurementTextBytes = 16u << 20;
/// Deepest JSON nesting accepted (llama-bench objects nest two levels).
inline constexpr int kMaxMeasurementJsonDepth = 32;

/// The format of `text`, or an InputError saying which formats were expected.
MeasurementFormat DetectMeasurementFormat(std::string_view text, const std::string& file_name);

/// Reads every measurement in `text` (format detected), filling gaps from `defaults`.
/// Throws InputError for malformed input, for a file without measurements, and when the chip,
/// model or quant is neither in the file nor in `defaults`.
std::vector<Measurement> ParseMeasurements(std::string_view text, const std::string& file_name,
                                           const MeasurementDefaults& defaults = {});

/// Reads a file (size-capped, see ReadTextFile) and parses it.
std::vector<Measurement> ReadMeasurementsFile(const std::string& path, const MeasurementDefaults& defaults = {});

}  // namespace siliconsim
