#include "train/cli.h"

int main(int argc, char** argv) { return dither::run_cli(argc, argv); }
