#include "lab/run_network.hpp"

#include <fmt/format.h>

#include "net/registry.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {

const net::NetworkProfile& network_profile_named(const std::string& name) {
  if (const auto* profile = net::find_network_profile(name)) return *profile;
  std::vector<std::string> names;
  for (const auto& profile : net::network_profiles()) names.push_back(profile.name);
  throw UsageError(fmt::format("--network-profile '{}' is not a profile{}; use one of {}",
                               printable(name), did_you_mean_suffix(name, names),
                               net::network_profile_names()));
}

RunNetwork::RunNetwork(const std::optional<std::filesystem::path>& index, int index_port,
                       const std::string& profile_name, const std::string& registry,
                       Progress& progress) {
  const auto& profile = network_profile_named(profile_name);
  bool shaping = profile.name != "loopback";
  if (index) {
    index_ = std::make_unique<PackageIndexServer>(*index, shaping ? 0 : index_port);
    if (shaping) {
      index_proxy_ = std::make_unique<net::ShapingProxy>(index_->port(), profile, index_port);
      index_->advertise(index_proxy_->port());
    }
    progress.message(fmt::format("buildbench: serving the package index {} at {}{}",
                                 index->string(), index_->url(),
                                 shaping ? " (shaped: " + profile.name + ")" : ""));
  }
  if (registry.empty()) return;
  auto address = net::parse_registry_address(registry);
  registry_ = address.text();
  if (shaping) {
    registry_proxy_ = std::make_unique<net::ShapingProxy>(address.port, profile);
    registry_ = registry_proxy_->url_host();
    progress.message(fmt::format("buildbench: registry {} reached through {} (shaped: {})",
                                 address.text(), registry_, profile.name));
  }
}

}  // namespace bb
