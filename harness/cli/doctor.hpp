#pragma once
#include <string>

namespace bb {
// Checks what a run needs and says how to fix what is missing. Exit 0 or 3.
int run_doctor(const std::string& suite_path, const std::string& db_path);
}  // namespace bb
