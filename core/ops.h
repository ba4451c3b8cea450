#pragma once

// Every differentiable op, for code outside core that uses many of them.

#include "core/autograd.h"
#include "core/ops/arithmetic.h"
#include "core/ops/matmul.h"
#include "core/ops/reduce.h"
#include "core/ops/sum_to.h"
#include "core/tensor.h"
