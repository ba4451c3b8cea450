#pragma once

namespace dither {

/// The `dither` command line: train, eval, certify, info, show, sweep, compare. Returns the process
/// exit status: 0 on success, 2 on bad input (config, data file, checkpoint, arguments) with one
/// clear line on stderr, 1 on an internal failure or a diverged run, 128 + signal for a training
/// run stopped by SIGINT (130) or SIGTERM (143) after saving its state.
int run_cli(int argc, char** argv);

}  // namespace dither
