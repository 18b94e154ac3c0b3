#include "util/interrupt.hpp"

#include <csignal>

#include "util/error.hpp"

namespace bb::interrupt {
namespace {
std::atomic<int> g_signal{0};

extern "C" void on_signal(int sig) {
  g_signal.store(sig);
}
}  // namespace

void install_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking calls return early
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool requested() {
  return g_signal.load() != 0;
}
int signal_number() {
  return g_signal.load();
}
void request_for_test(int sig) {
  g_signal.store(sig);
}
void reset_for_test() {
  g_signal.store(0);
}
void throw_if_requested() {
  if (requested()) throw Interrupted();
}

}  // namespace bb::interrupt
