// The whole forward pass of a tiny Llama against a naive double-precision implementation written
// here, for prefill (in several ubatch chunks) and for decode after prefill, on every SIMD level
// and weight format; KV-cache consistency (prefill N + decode 1 == prefill N + 1); rejection of
// other architectures; the byte accounting.
//
// The naive model uses the kernel's dequantized weights and reproduces the two roundings the
// kernel makes on purpose: K and V stored as f16, and (for Q8_0/Q4_0 weights) matmul inputs
// quantized to 8-bit blocks. What remains is float vs double arithmetic:
//   F32/F16:    |logit - ref| <= 2e-3 * max|ref logit| (observed ~1e-6)
//   Q8_0/Q4_0:  |logit - ref| <= 2e-2 * max|ref logit| (observed up to ~8e-3). The float-order
//     difference occasionally moves an activation to the neighbouring 8-bit step; in a 64-wide
//     model one such step moves a matmul output by ~1/(127 * 8 / 3) ~ 0.3%, and a few of them
//     compound over the layers. Without the emulation the Q4_0 logits are off by several percent.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "common/diagnostics.h"
#include "kernel/reference.h"
#include "kernel/simd.h"

namespace siliconsim::kernel {
namespace {

ModelSpec TinyLlama(bool tied) {
  ModelSpec m;
  m.id = "tiny-llama";
  m.family = "llama";
  m.hidden_size = 64;
  m.num_layers = 2;
  m.vocab_size = 128;
  m.tie_word_embeddings = tied;
  m.max_context_tokens = 64;
  m.attention.num_heads = 4;
  m.attention.num_kv_heads = 2;
  m.attention.head_dim = 16;
  m.ffn.intermediate_size = 96;
  m.ffn.gated = true;
  m.layer_attention.assign(2, AttentionKind::kFull);
  m.layer_ffn.assign(2, FfnKind::kDense);
  return m;
}

double RoundF16(double v) { return Fp16ToFp32(Fp32ToFp16(static_cast<float>(v))); }

// Written from the Llama definition, one token at a time (causal attention makes that equal to
// a chunked prefill), in double.
class NaiveLlama {
 public:
  NaiveLlama(const ReferenceModel& model, bool quantize_inputs) : m_(model.spec()), quantize_(quantize_inputs) {
    theta_ = model.rope_theta();
    eps_ = model.rms_norm_eps();
    for (const TensorInfo& t : BuildTensorInventory(m_)) w_[t.name] = model.TensorAsFloat(t.name);
    k_.resize(static_cast<size_t>(m_.num_layers));
    v_.resize(static_cast<size_t>(m_.num_layers));
  }

  std::vector<double> Step(int32_t token) {
    const int64_t d = m_.hidden_size, hd = m_.attention.head_dim, nh = m_.attention.num_heads;
    const int64_t nkv = m_.attention.num_kv_heads, ff = m_.ffn.intermediate_size;
    const std::vector<float>& emb = w_.at("token_embd.weight");
    std::vector<double> x(emb.begin() + token * d, emb.begin() + (token + 1) * d);
    const int64_t pos = static_cast<int64_t>(k_[0].size());
    for (int l = 0; l < m_.num_layers; ++l) {
      const std::string p = "blk." + std::to_string(l) + ".";
      const std::vector<double> h = Norm(x, w_.at(p + "attn_norm.weight"));
      std::vector<double> q = MatVec(p + "attn_q.weight", h);
      std::vector<double> k = MatVec(p + "attn_k.weight", h);
      std::vector<double> v = MatVec(p + "attn_v.weight", h);
      Rope(q, pos);
      Rope(k, pos);
      for (double& e : k) e = RoundF16(e);
      for (double& e : v) e = RoundF16(e);
      k_[static_cast<size_t>(l)].push_back(k);
      v_[static_cast<size_t>(l)].push_back(v);
      std::vector<double> att(static_cast<size_t>(nh * hd), 0.0);
      for (int64_t head = 0; head < nh; ++head) {
        const int64_t kvh = head / (nh / nkv);
        std::vector<double> s(static_cast<size_t>(pos + 1));
        for (int64_t j = 0; j <= pos; ++j) {
          double dot = 0;
          for (int64_t i = 0; i < hd; ++i) {
            dot += q[static_cast<size_t>(head * hd + i)] * k_[static_cast<size_t>(l)][static_cast<size_t>(j)][static_cast<size_t>(kvh * hd + i)];
          }
          s[static_cast<size_t>(j)] = dot / std::sqrt(static_cast<double>(hd));
        }
        const double max = *std::max_element(s.begin(), s.end());
        double sum = 0;
        for (double& e : s) sum += (e = std::exp(e - max));
        for (int64_t j = 0; j <= pos; ++j) {
          for (int64_t i = 0; i < hd; ++i) {
            att[static_cast<size_t>(head * hd + i)] +=
                s[static_cast<size_t>(j)] / sum * v_[static_cast<size_t>(l)][static_cast<size_t>(j)][static_cast<size_t>(kvh * hd + i)];
          }
        }
      }
      const std::vector<double> o = MatVec(p + "attn_output.weight", att);
      for (int64_t i = 0; i < d; ++i) x[static_cast<size_t>(i)] += o[static_cast<size_t>(i)];
      const std::vector<double> h2 = Norm(x, w_.at(p + "ffn_norm.weight"));
      const std::vector<double> g = MatVec(p + "ffn_gate.weight", h2);
      const std::vector<double> u = MatVec(p + "ffn_up.weight", h2);
      std::vector<double> a(static_cast<size_t>(ff));
      for (int64_t i = 0; i < ff; ++i) {
        const double gi = g[static_cast<size_t>(i)];
        a[static_cast<size_t>(i)] = gi / (1.0 + std::exp(-gi)) * u[static_cast<size_t>(i)];
      }
      const std::vector<double> down = MatVec(p + "ffn_down.weight", a);
      for (int64_t i = 0; i < d; ++i) x[static_cast<size_t>(i)] += down[static_cast<size_t>(i)];
    }
    const std::vector<double> h = Norm(x, w_.at("output_norm.weight"));
    return MatVec(m_.tie_word_embeddings ? "token_embd.weight" : "output.weight", h);
  }

 private:
  std::vector<double> Norm(const std::vector<double>& x, const std::vector<float>& w) const {
    double ss = 0;
    for (double e : x) ss += e * e;
    const double inv = 1.0 / std::sqrt(ss / static_cast<double>(x.size()) + eps_);
    std::vector<double> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * inv * w[i];
    return y;
  }

  // The kernel's matmul input rounding (Q8 blocks: d = amax / 127, q = round-half-even(x / d)).
  std::vector<double> QuantizeInput(const std::vector<double>& x) const {
    std::vector<double> y(x.size());
    for (size_t b = 0; b < x.size() / 32; ++b) {
      float amax = 0;
      for (size_t j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(static_cast<float>(x[b * 32 + j])));
      const float d = amax / 127.0f;
      const float id = d != 0 ? 1.0f / d : 0.0f;
      for (size_t j = 0; j < 32; ++j) y[b * 32 + j] = std::nearbyint(static_cast<float>(x[b * 32 + j]) * id) * double{d};
    }
    return y;
  }

  std::vector<double> MatVec(const std::string& name, const std::vector<double>& x_in) const {
    const std::vector<double> x = quantize_ ? QuantizeInput(x_in) : x_in;
    const std::vector<float>& w = w_.at(name);
    const size_t cols = x.size(), rows = w.size() / cols;
    std::vector<double> y(rows, 0.0);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t i = 0; i < cols; ++i) y[r] += double{w[r * cols + i]} * x[i];
    }
    return y;
  }

  void Rope(std::vector<double>& v, int64_t pos) const {
    const int64_t hd = m_.attention.head_dim;
    for (size_t head = 0; head < v.size() / static_cast<size_t>(hd); ++head) {
      for (int64_t i = 0; i < hd / 2; ++i) {
        const double angle = static_cast<double>(pos) * std::pow(theta_, -2.0 * static_cast<double>(i) / static_cast<double>(hd));
        double& a = v[head * static_cast<size_t>(hd) + static_cast<size_t>(2 * i)];
        double& b = v[head * static_cast<size_t>(hd) + static_cast<size_t>(2 * i + 1)];
        const double a0 = a, b0 = b;
        a = a0 * std::cos(angle) - b0 * std::sin(angle);
        b = a0 * std::sin(angle) + b0 * std::cos(angle);
      }
    }
  }

  ModelSpec m_;
  bool quantize_;
  double theta_ = 10000;
  double eps_ = 1e-5;
  std::map<std::string, std::vector<float>> w_;
  std::vector<std::vector<std::vector<double>>> k_, v_;
};

double MaxAbs(const std::vector<double>& v) {
  double m = 0;
  for (double e : v) m = std::max(m, std::fabs(e));
  return m;
}

void ExpectLogitsNear(const std::vector<float>& got, const std::vector<double>& want, double relative,
                      const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  const double tolerance = relative * MaxAbs(want);
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - want[i]));
  EXPECT_LE(worst, tolerance) << what << " (max |ref| " << MaxAbs(want) << ")";
  if (std::getenv("SILICONSIM_KERNEL_TEST_VERBOSE")) {
    std::printf("%-28s worst relative %.2e\n", what.c_str(), worst / MaxAbs(want));
  }
}

constexpr WeightFormat kFormats[] = {WeightFormat::kF32, WeightFormat::kF16, WeightFormat::kQ8_0,
                                     WeightFormat::kQ4_0};

TEST(KernelReference, PrefillAndDecodeMatchNaiveLlama) {
  const std::vector<int32_t> prompt = {1, 17, 99, 3, 127, 0, 64};
  const std::vector<int32_t> next = {5, 88, 42};
  for (bool tied : {false, true}) {
    const ModelSpec spec = TinyLlama(tied);
    for (SimdLevel level : SupportedSimdLevels()) {
      for (WeightFormat format : kFormats) {
        const std::string what = std::string(ToString(level)) + " " + ToString(format) + (tied ? " tied" : "");
        ReferenceOptions options;
        options.threads = 2;
        options.max_context_tokens = 16;
        options.seed = 9;
        options.simd = level;
        ReferenceModel model = ReferenceModel::Build(spec, format, options);
        NaiveLlama naive(model, IsBlockQuantized(format));
        std::vector<double> want;
        for (int32_t t : prompt) want = naive.Step(t);
        ASSERT_GT(MaxAbs(want), 0.1) << what;
        const double tolerance = IsBlockQuantized(format) ? 2e-2 : 2e-3;
        ExpectLogitsNear(model.Prefill(prompt, 3), want, tolerance, what + " prefill");
        for (size_t i = 0; i < next.size(); ++i) {
          ExpectLogitsNear(model.DecodeStep(next[i]), naive.Step(next[i]), tolerance,
                           what + " decode " + std::to_string(i));
        }
        EXPECT_EQ(model.position(), 10);
      }
    }
  }
}

TEST(KernelReference, DecodeAfterPrefillEqualsLongerPrefill) {
  const ModelSpec spec = TinyLlama(false);
  const std::vector<int32_t> tokens = {4, 8, 15, 16, 23, 42, 7, 9, 100};
  for (WeightFormat format : kFormats) {
    ReferenceOptions options;
    options.threads = 2;
    options.max_context_tokens = 32;
    ReferenceModel a = ReferenceModel::Build(spec, format, options);
    ReferenceModel b = ReferenceModel::Build(spec, format, options);
    const std::vector<float> whole = a.Prefill(tokens, 4);
    b.Prefill(std::span<const int32_t>(tokens).first(tokens.size() - 1), 512);
    const std::vector<float> stepped = b.DecodeStep(tokens.back());
    std::vector<double> ref(whole.begin(), whole.end());
    ExpectLogitsNear(stepped, ref, 1e-5, ToString(format));
    // Reset empties the cache: the same prompt again gives the same logits.
    a.ResetCache();
    EXPECT_EQ(a.Prefill(tokens, 4), whole) << ToString(format);
  }
}

// The cache is head-major, so a head's attention streams one contiguous region, and Attend over it
// equals softmax(q.k / sqrt(d)) v computed naively, causally, with query heads grouped on KV heads.
TEST(KernelReference, KvCacheIsHeadMajorAndAttendMatchesNaiveGqa) {
  constexpr int64_t kKvHeads = 2, kHeads = 4, kDim = 32, kCapacity = 9, kPrior = 3, kNew = 4;
  const KernelTable& kt = KernelsFor(BestSimdLevel());
  ThreadPool pool(2);
  KvLayerCache cache(kKvHeads, kCapacity, kDim);
  auto value = [](int64_t i, int salt) { return static_cast<float>(std::sin(0.37 * static_cast<double>(i) + salt)); };
  std::vector<float> k_rows((kPrior + kNew) * kKvHeads * kDim), v_rows(k_rows.size());
  for (size_t i = 0; i < k_rows.size(); ++i) {
    k_rows[i] = value(static_cast<int64_t>(i), 1);
    v_rows[i] = value(static_cast<int64_t>(i), 2);
  }
  cache.Append(kt, k_rows.data(), v_rows.data(), kPrior, 0);  // in two appends, as prefill then more
  cache.Append(kt, k_rows.data() + kPrior * kKvHeads * kDim, v_rows.data() + kPrior * kKvHeads * kDim, kNew, kPrior);
  EXPECT_THROW(cache.Append(kt, k_rows.data(), v_rows.data(), 3, kCapacity - 2), std::invalid_argument);
  // Position p of KV head h sits at (h * capacity + p) * head_dim: each head's rows are contiguous.
  for (int64_t h = 0; h < kKvHeads; ++h) {
    for (int64_t p = 0; p < kPrior + kNew; ++p) {
      for (int64_t j = 0; j < kDim; ++j) {
        const auto stored = static_cast<size_t>((h * kCapacity + p) * kDim + j);
        const auto source = static_cast<size_t>((p * kKvHeads + h) * kDim + j);
        EXPECT_EQ(Fp16ToFp32(cache.k[stored]), Fp16ToFp32(Fp32ToFp16(k_rows[source])));
        EXPECT_EQ(Fp16ToFp32(cache.v[stored]), Fp16ToFp32(Fp32ToFp16(v_rows[source])));
      }
    }
  }
  std::vector<float> q(kNew * kHeads * kDim);
  for (size_t i = 0; i < q.size(); ++i) q[i] = value(static_cast<int64_t>(i), 3);
  std::vector<float> scores(static_cast<size_t>(pool.threads() * kCapacity)), out(q.size());
  Attend(kt, pool, cache, q.data(), kNew, kPrior, kHeads, scores.data(), out.data());
  for (int64_t t = 0; t < kNew; ++t) {
    for (int64_t hh = 0; hh < kHeads; ++hh) {
      const int64_t kvh = hh / (kHeads / kKvHeads);
      std::vector<double> w;
      double max_s = -1e300, sum = 0;
      for (int64_t p = 0; p <= kPrior + t; ++p) {  // causal: the query at kPrior + t sees itself
        double s = 0;
        for (int64_t j = 0; j < kDim; ++j) {
          s += double{q[static_cast<size_t>((t * kHeads + hh) * kDim + j)]} *
               Fp16ToFp32(Fp32ToFp16(k_rows[static_cast<size_t>((p * kKvHeads + kvh) * kDim + j)]));
        }
        w.push_back(s / std::sqrt(double{kDim}));
        max_s = std::max(max_s, w.back());
      }
      for (double& x : w) sum += (x = std::exp(x - max_s));
      for (int64_t j = 0; j < kDim; ++j) {
        double ref = 0;
        for (int64_t p = 0; p <= kPrior + t; ++p) {
          ref += w[static_cast<size_t>(p)] / sum *
                 Fp16ToFp32(Fp32ToFp16(v_rows[static_cast<size_t>((p * kKvHeads + kvh) * kDim + j)]));
        }
        EXPECT_NEAR(out[static_cast<size_t>((t * kHeads + hh) * kDim + j)], ref, 1e-5) << t << " " << hh << " " << j;
      }
    }
  }
}

TEST(KernelReference, RejectsOtherArchitectures) {
  ModelSpec sliding = TinyLlama(false);
  sliding.id = "windowed";
  sliding.layer_attention[1] = AttentionKind::kSliding;
  try {
    ReferenceModel::Build(sliding, WeightFormat::kQ8_0, 1, 1);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("windowed"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sliding attention in layer 1"), std::string::npos) << e.what();
  }
  ModelSpec moe = TinyLlama(false);
  moe.layer_ffn[0] = FfnKind::kMoe;
  moe.moe = MoeSpec{};
  EXPECT_THROW(ReferenceModel::Build(moe, WeightFormat::kQ8_0, 1, 1), InputError);
  ModelSpec biased = TinyLlama(false);
  biased.attention.qkv_bias = true;
  EXPECT_THROW(ReferenceModel::Build(biased, WeightFormat::kQ8_0, 1, 1), InputError);
  ReferenceModel ok = ReferenceModel::Build(TinyLlama(false), WeightFormat::kQ8_0, 1, 1);
  const std::vector<int32_t> bad = {128};
  EXPECT_THROW(ok.Prefill(bad), std::invalid_argument);
}

TEST(KernelReference, CostAccountsForEveryStoredByte) {
  for (bool tied : {false, true}) {
    const ModelSpec spec = TinyLlama(tied);
    for (WeightFormat format : kFormats) {
      ReferenceModel model = ReferenceModel::Build(spec, format, 1, 1);
      const ForwardCost decode = ForwardChunkCost(spec, format, 1, 5, true);
      // Decode streams every matrix (the LM head included) and every norm; an untied embedding
      // is only looked up, one row.
      const int64_t embedding_matrix = tied ? 0 : spec.vocab_size * RowBytes(format, spec.hidden_size);
      EXPECT_EQ(decode.matrix_bytes + decode.norm_bytes + embedding_matrix, model.weight_bytes()) << ToString(format);
      EXPECT_EQ(decode.embedding_bytes, RowBytes(format, spec.hidden_size));
      EXPECT_EQ(decode.kv_read_bytes, 6 * 2 * 2 * 32 * 2);  // 6 positions x 2 layers x K,V x 32 dims x f16
      EXPECT_EQ(decode.kv_write_bytes, 2 * 2 * 32 * 2);
      const ForwardCost chunk = ForwardChunkCost(spec, format, 8, 0, false);
      EXPECT_EQ(chunk.matrix_bytes, decode.matrix_bytes - spec.vocab_size * RowBytes(format, spec.hidden_size));
      EXPECT_DOUBLE_EQ(chunk.attention_flops, 4.0 * 16 * 4 * (8 * 9 / 2) * 2);
    }
  }
  EXPECT_EQ(ReferenceModel::Build(TinyLlama(false), WeightFormat::kF16, 1, 1).kv_cache_bytes(),
            2 * 2 * 4096 * 32 * 2);
}

TEST(KernelReference, RunReferenceTimesPrefillAndDecode) {
  const ModelSpec spec = TinyLlama(true);
  ReferenceConfig config;
  config.model = &spec;
  config.format = WeightFormat::kQ4_0;
  config.threads = 2;
  config.prompt_tokens = 20;
  config.gen_tokens = 5;
  config.ubatch_tokens = 8;
  const ReferenceTiming t = RunReference(config);
  EXPECT_GT(t.prefill_seconds, 0);
  EXPECT_GT(t.decode_seconds, 0);
  EXPECT_GT(t.prefill_tps(), 0);
  EXPECT_GT(t.decode_tps(), 0);
  EXPECT_EQ(t.prompt_tokens, 20);
  EXPECT_EQ(t.gen_tokens, 5);
  EXPECT_EQ(t.kv_cache_bytes, 2 * 2 * 25 * 32 * 2);
  EXPECT_EQ(t.simd, ToString(BestSimdLevel()));
  EXPECT_EQ(t.prefill_pass_seconds.size(), 1u);

  // Several passes: every pass recorded, the reported time is their median, the range brackets it.
  config.repetitions = 3;
  const ReferenceTiming r = RunReference(config);
  ASSERT_EQ(r.prefill_pass_seconds.size(), 3u);
  ASSERT_EQ(r.decode_pass_seconds.size(), 3u);
  std::vector<double> sorted = r.decode_pass_seconds;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(r.decode_seconds, sorted[1]);
  sorted = r.prefill_pass_seconds;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(r.prefill_seconds, sorted[1]);
  EXPECT_DOUBLE_EQ(r.decode_tps_range().first, 5 / *std::min_element(r.decode_pass_seconds.begin(), r.decode_pass_seconds.end()));
  EXPECT_DOUBLE_EQ(r.decode_tps_range().second, 5 / *std::max_element(r.decode_pass_seconds.begin(), r.decode_pass_seconds.end()));
  EXPECT_GE(r.prefill_tps_range().first, r.prefill_tps());
  EXPECT_LE(r.prefill_tps_range().second, r.prefill_tps());
  config.repetitions = 0;
  EXPECT_THROW(RunReference(config), InputError);
}

}  // namespace
}  // namespace siliconsim::kernel
