#include "core/audio/fft.h"

#include <fftw3.h>

#include <mutex>
#include <vector>

#include "core/error.h"

namespace dither {
namespace {

std::mutex& planner_lock() {
  static std::mutex lock;
  return lock;
}

}  // namespace

RealFft::RealFft(std::int64_t n) : n_(n) {
  check(n >= 2, "RealFft: size must be >= 2, got ", n);
  std::vector<float> real(static_cast<std::size_t>(n));
  std::vector<std::complex<float>> spectrum(static_cast<std::size_t>(bins()));
  auto* c = reinterpret_cast<fftwf_complex*>(spectrum.data());
  const unsigned flags = FFTW_ESTIMATE | FFTW_UNALIGNED;
  std::lock_guard<std::mutex> guard(planner_lock());
  forward_plan_ = fftwf_plan_dft_r2c_1d(static_cast<int>(n), real.data(), c, flags);
  inverse_plan_ = fftwf_plan_dft_c2r_1d(static_cast<int>(n), c, real.data(), flags);
  check(forward_plan_ && inverse_plan_, "RealFft: FFTW could not plan size ", n);
}

RealFft::~RealFft() {
  std::lock_guard<std::mutex> guard(planner_lock());
  fftwf_destroy_plan(static_cast<fftwf_plan>(forward_plan_));
  fftwf_destroy_plan(static_cast<fftwf_plan>(inverse_plan_));
}

void RealFft::forward(std::span<const float> in, std::span<std::complex<float>> out) const {
  check(
      static_cast<std::int64_t>(in.size()) == n_ && static_cast<std::int64_t>(out.size()) == bins(),
      "RealFft::forward: sizes ", in.size(), " and ", out.size(), " for an FFT of ", n_);
  // FFTW's r2c never writes its input; its signature is just not const.
  fftwf_execute_dft_r2c(static_cast<fftwf_plan>(forward_plan_), const_cast<float*>(in.data()),
                        reinterpret_cast<fftwf_complex*>(out.data()));
}

void RealFft::inverse(std::span<std::complex<float>> in, std::span<float> out) const {
  check(
      static_cast<std::int64_t>(in.size()) == bins() && static_cast<std::int64_t>(out.size()) == n_,
      "RealFft::inverse: sizes ", in.size(), " and ", out.size(), " for an FFT of ", n_);
  fftwf_execute_dft_c2r(static_cast<fftwf_plan>(inverse_plan_),
                        reinterpret_cast<fftwf_complex*>(in.data()), out.data());
}

}  // namespace dither
