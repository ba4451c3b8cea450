#include "layers/init.h"

#include <cmath>

#include "core/error.h"

namespace dither {
namespace {

// The gain of a leaky ReLU with negative slope a: He et al.'s sqrt(2 / (1 + a^2)).
double leaky_relu_gain(double a) { return std::sqrt(2.0 / (1.0 + a * a)); }

void check_fans(const char* scheme, std::int64_t fan_in, std::int64_t fan_out) {
  check(fan_in >= 1 && fan_out >= 1, scheme, ": fan_in and fan_out must be >= 1, got ", fan_in,
        " and ", fan_out);
}

Tensor uniform(Shape shape, const RandomStream& stream, double bound) {
  return Tensor::rand(std::move(shape), stream, static_cast<float>(-bound),
                      static_cast<float>(bound));
}

Tensor normal(Shape shape, const RandomStream& stream, double std) {
  return Tensor::randn(std::move(shape), stream, 0.0f, static_cast<float>(std));
}

thread_local InitScope* innermost_scope = nullptr;

}  // namespace

InitScope::InitScope(std::uint64_t seed, std::string path)
    : seed_(seed), path_("init:" + std::move(path)), outer_(innermost_scope) {
  innermost_scope = this;
}

InitScope::~InitScope() { innermost_scope = outer_; }

std::uint64_t InitScope::current_seed() {
  return innermost_scope == nullptr ? 0 : innermost_scope->seed_;
}

RandomStream init_stream() {
  InitScope* scope = innermost_scope;
  if (scope == nullptr) return default_generator().next("init");
  return RandomStream(scope->seed_, scope->path_, {scope->drawn_++});
}

Tensor kaiming_uniform(Shape shape, std::int64_t fan_in, std::int64_t fan_out,
                       const RandomStream& stream, double a) {
  check_fans("kaiming_uniform", fan_in, fan_out);
  const double bound = leaky_relu_gain(a) * std::sqrt(3.0 / static_cast<double>(fan_in));
  return uniform(std::move(shape), stream, bound);
}

Tensor kaiming_normal(Shape shape, std::int64_t fan_in, std::int64_t fan_out,
                      const RandomStream& stream, double a) {
  check_fans("kaiming_normal", fan_in, fan_out);
  return normal(std::move(shape), stream,
                leaky_relu_gain(a) / std::sqrt(static_cast<double>(fan_in)));
}

Tensor xavier_uniform(Shape shape, std::int64_t fan_in, std::int64_t fan_out,
                      const RandomStream& stream, double gain) {
  check_fans("xavier_uniform", fan_in, fan_out);
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform(std::move(shape), stream, bound);
}

Tensor xavier_normal(Shape shape, std::int64_t fan_in, std::int64_t fan_out,
                     const RandomStream& stream, double gain) {
  check_fans("xavier_normal", fan_in, fan_out);
  return normal(std::move(shape), stream,
                gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)));
}

const std::vector<std::string>& init_schemes() {
  static const std::vector<std::string> schemes = {"default", "kaiming_uniform", "kaiming_normal",
                                                   "xavier_uniform", "xavier_normal"};
  return schemes;
}

std::string read_init(const JsonReader& reader) {
  return reader.string("init", "default", init_schemes());
}

Tensor init_weight(const std::string& scheme, Shape shape, std::int64_t fan_in,
                   std::int64_t fan_out) {
  const RandomStream stream = init_stream();
  if (scheme == "default") {
    return kaiming_uniform(std::move(shape), fan_in, fan_out, stream, std::sqrt(5.0));
  }
  if (scheme == "kaiming_uniform")
    return kaiming_uniform(std::move(shape), fan_in, fan_out, stream);
  if (scheme == "kaiming_normal") return kaiming_normal(std::move(shape), fan_in, fan_out, stream);
  if (scheme == "xavier_uniform") return xavier_uniform(std::move(shape), fan_in, fan_out, stream);
  if (scheme == "xavier_normal") return xavier_normal(std::move(shape), fan_in, fan_out, stream);
  throw ConfigError(str("init: unknown scheme '", scheme, "'", did_you_mean(scheme, init_schemes()),
                        "; choose from: default, kaiming_uniform, kaiming_normal, xavier_uniform, ",
                        "xavier_normal"));
}

Tensor init_bias(Shape shape, std::int64_t fan_in) {
  check(fan_in >= 1, "init_bias: fan_in must be >= 1, got ", fan_in);
  return init_uniform(std::move(shape), 1.0 / std::sqrt(static_cast<double>(fan_in)));
}

Tensor init_uniform(Shape shape, double bound) {
  return uniform(std::move(shape), init_stream(), bound);
}

Tensor init_normal(Shape shape, double std) { return normal(std::move(shape), init_stream(), std); }

}  // namespace dither
