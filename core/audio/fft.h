#pragma once

#include <complex>
#include <cstdint>
#include <span>

namespace dither {

/// A real FFT of one size through FFTW (single precision), planned once (FFTW_ESTIMATE,
/// unaligned arrays) and then run on any caller's buffers: execution is thread-safe, so one plan
/// serves every worker. Plans are made under a process-wide lock, as FFTW requires.
class RealFft {
 public:
  explicit RealFft(std::int64_t n);
  ~RealFft();
  RealFft(const RealFft&) = delete;
  RealFft& operator=(const RealFft&) = delete;

  std::int64_t size() const { return n_; }
  std::int64_t bins() const { return n_ / 2 + 1; }  ///< n/2 + 1 complex outputs

  /// out[k] = sum_t in[t] exp(-2 pi i k t / n), k in [0, n/2].
  void forward(std::span<const float> in, std::span<std::complex<float>> out) const;
  /// out[t] = sum_k X[k] exp(2 pi i k t / n) over the full Hermitian spectrum (unnormalised, as
  /// FFTW: inverse(forward(x)) = n x). `in` is clobbered.
  void inverse(std::span<std::complex<float>> in, std::span<float> out) const;

 private:
  std::int64_t n_;
  void* forward_plan_;
  void* inverse_plan_;
};

}  // namespace dither
