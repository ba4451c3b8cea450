#pragma once

#include <stdexcept>
#include <string>

namespace dither {

/// While alive, SIGINT and SIGTERM ask the training run to stop instead of killing the process:
/// the first one sets a flag that the trainer reads between steps (a second one kills at once,
/// as usual). The previous handlers come back when the guard dies.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

/// The signal that asked the run to stop (SIGINT or SIGTERM), or 0.
int interrupt_signal();

/// Called by the trainer between steps: whether a signal asked the run to stop. Also a crash
/// point (see crash_point).
bool stop_requested();

/// A testing aid for crash tests: with the environment variable DITHER_CRASH_AT=k, the process
/// kills itself with SIGKILL at its k-th crash point (1-based): between training steps and
/// inside each atomic file write (half written, written but not renamed, renamed);
/// DITHER_CRASH_SIGNAL=n sends signal n instead (15: a SIGTERM at a known moment). Without the
/// variables it does nothing.
void crash_point();

/// A run stopped by a signal after its state was saved; the CLI exits with 128 + signal.
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int signal, const std::string& message)
      : std::runtime_error(message), signal_(signal) {}
  int signal() const { return signal_; }

 private:
  int signal_;
};

}  // namespace dither
