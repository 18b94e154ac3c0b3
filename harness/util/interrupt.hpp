#pragma once
// SIGINT/SIGTERM only set a flag; the code that waits on children polls it and
// unwinds through normal C++ paths so every cleanup runs.
#include <atomic>

namespace bb::interrupt {

void install_handlers();
bool requested();
int signal_number();  // 0 when none arrived
void request_for_test(int sig);
void reset_for_test();
void throw_if_requested();

}  // namespace bb::interrupt
