#include "core/blas_kernel.h"
#include "train/cli.h"

int main(int argc, char** argv) {
  dither::ensure_best_blas_kernel(argv);  // OpenBLAS reads OPENBLAS_CORETYPE only at load:
                                          // re-executes once if it chose a slow kernel
  return dither::run_cli(argc, argv);
}
