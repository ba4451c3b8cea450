#include "train/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <string>

namespace dither {
namespace {

volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

extern "C" void on_interrupt(int signal) { g_signal = signal; }

// DITHER_CRASH_AT, read once; 0 when unset or not a positive number.
long crash_at() {
  static const long at = [] {
    const char* text = std::getenv("DITHER_CRASH_AT");
    return text == nullptr ? 0L : std::max(0L, std::strtol(text, nullptr, 10));
  }();
  return at;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // a second signal takes the default action: the user insists
  ::sigaction(SIGINT, &action, &g_previous_int);
  ::sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptGuard::~InterruptGuard() {
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
}

int interrupt_signal() { return g_signal; }

bool stop_requested() {
  crash_point();
  return g_signal != 0;
}

void crash_point() {
  static std::atomic<long> count{0};
  if (crash_at() == 0 || ++count != crash_at()) return;
  const char* signal = std::getenv("DITHER_CRASH_SIGNAL");
  // raise: delivered to this thread before it returns, so the next stop_requested() sees it.
  ::raise(signal == nullptr ? SIGKILL : std::atoi(signal));
}

}  // namespace dither
