#include "scenario/base_images.hpp"

#include <algorithm>

#include "dockerfile/stages.hpp"
#include "util/text.hpp"

namespace bb {

BaseImages read_base_images(std::string_view text,
                            const std::map<std::string, std::string>& build_args) {
  auto stages = dockerfile::stages_of(dockerfile::parse(text), build_args);
  auto open = [](const std::string& ref) { return ref.find('$') != std::string::npos; };
  BaseImages bases;
  for (const auto& stage : stages) {
    const auto& ref = stage.base;
    if (stage.parent || ref.empty() || lower(ref) == "scratch" || open(ref) ||
        std::find(bases.all.begin(), bases.all.end(), ref) != bases.all.end()) {
      continue;
    }
    bases.all.push_back(ref);
  }
  if (stages.empty()) return bases;
  const auto& root = stages[dockerfile::chain_root(stages, stages.size() - 1)].base;
  if (open(root)) {
    bases.unresolved = root;
  } else if (!root.empty() && lower(root) != "scratch") {
    bases.final_base = root;
  }
  return bases;
}

}  // namespace bb
