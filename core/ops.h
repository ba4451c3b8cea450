#pragma once

// Every differentiable op, for code outside core that uses many of them.

#include "core/autograd.h"
#include "core/ops/activation.h"
#include "core/ops/arithmetic.h"
#include "core/ops/compare.h"
#include "core/ops/conv.h"
#include "core/ops/index.h"
#include "core/ops/loss.h"
#include "core/ops/matmul.h"
#include "core/ops/noise.h"
#include "core/ops/norm.h"
#include "core/ops/pool.h"
#include "core/ops/reduce.h"
#include "core/ops/shape_ops.h"
#include "core/ops/softmax.h"
#include "core/ops/sum_to.h"
#include "core/ops/unary.h"
#include "core/tensor.h"
