#include "layers/residual.h"

#include "core/error.h"
#include "core/ops/arithmetic.h"

namespace dither {

Tensor Residual::forward(const Tensor& x) {
  const Tensor fx = Sequential::forward(x);
  // add() would broadcast [N,1] against [N,8] without a word; a skip connection must not.
  check_shape(fx.shape() == x.shape(), "residual: the branch maps ", x.shape(), " to ", fx.shape(),
              "; x + f(x) needs both shapes equal");
  return dither::add(x, fx);
}

}  // namespace dither
