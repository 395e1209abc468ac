#include "kernel/simd.h"

#include <stdexcept>
#include <string>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif

namespace siliconsim::kernel {

const char* ToString(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar: return "scalar";
    case SimdLevel::kAvx2: return "avx2";
    case SimdLevel::kAvx512Vnni: return "avx512-vnni";
    case SimdLevel::kNeon: return "neon";
  }
  return "?";
}

std::optional<SimdLevel> ParseSimdLevel(std::string_view name) {
  for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512Vnni, SimdLevel::kNeon}) {
    if (name == ToString(l)) return l;
  }
  return std::nullopt;
}

namespace {

#if defined(__x86_64__) || defined(_M_X64)
struct X86Features {
  bool avx2 = false;
  bool avx512_vnni = false;
};

X86Features DetectX86() {
  X86Features f;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool fma = (ecx >> 12) & 1u;
  const bool osxsave = (ecx >> 27) & 1u;
  const bool avx = (ecx >> 28) & 1u;
  const bool f16c = (ecx >> 29) & 1u;
  if (!osxsave || !avx) return f;
  unsigned xcr0_lo = 0, xcr0_hi = 0;
  __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  const bool os_avx = (xcr0_lo & 0x6u) == 0x6u;         // XMM and YMM state
  const bool os_avx512 = (xcr0_lo & 0xe6u) == 0xe6u;    // plus opmask, ZMM0-15 high halves, ZMM16-31
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return f;
  const bool avx2 = (ebx >> 5) & 1u;
  const bool avx512f = (ebx >> 16) & 1u;
  const bool avx512bw = (ebx >> 30) & 1u;
  const bool avx512vl = (ebx >> 31) & 1u;
  const bool avx512vnni = (ecx >> 11) & 1u;
  f.avx2 = os_avx && avx2 && fma && f16c;
  f.avx512_vnni = f.avx2 && os_avx512 && avx512f && avx512bw && avx512vl && avx512vnni;
  return f;
}

const X86Features& Features() {
  static const X86Features features = DetectX86();
  return features;
}
#endif

}  // namespace

bool SimdLevelSupported(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar: return true;
#if defined(__x86_64__) || defined(_M_X64)
    case SimdLevel::kAvx2: return Features().avx2;
    case SimdLevel::kAvx512Vnni: return Features().avx512_vnni;
#else
    case SimdLevel::kAvx2:
    case SimdLevel::kAvx512Vnni: return false;
#endif
    case SimdLevel::kNeon:
#if defined(__ARM_NEON) && defined(__aarch64__)
      return true;
#else
      return false;
#endif
  }
  return false;
}

std::vector<SimdLevel> SupportedSimdLevels() {
  std::vector<SimdLevel> levels;
  for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kNeon, SimdLevel::kAvx2, SimdLevel::kAvx512Vnni}) {
    if (SimdLevelSupported(l)) levels.push_back(l);
  }
  return levels;
}

SimdLevel BestSimdLevel() { return SupportedSimdLevels().back(); }

const KernelTable& KernelsFor(SimdLevel level) {
  if (!SimdLevelSupported(level)) {
    throw std::invalid_argument(std::string("kernel: SIMD level ") + ToString(level) +
                                " is not supported by this build or CPU");
  }
  switch (level) {
#if defined(__x86_64__) || defined(_M_X64)
    case SimdLevel::kAvx2: return Avx2Kernels();
    case SimdLevel::kAvx512Vnni: return Avx512VnniKernels();
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
    case SimdLevel::kNeon: return NeonKernels();
#endif
    default: return ScalarKernels();
  }
}

}  // namespace siliconsim::kernel
