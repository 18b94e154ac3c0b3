#pragma once
// The network a run's builds see: the suite's package index and the registry, each behind a
// ShapingProxy with the run's profile (none for loopback). The index port is fixed by the
// suite (lock files name its URL), so when shaping, the index is served on a free port and
// the proxy takes the suite's port; the registry is reached through a proxy on a free port.
#include <memory>
#include <string>

#include <filesystem>
#include <optional>

#include "lab/package_index.hpp"
#include "net/shaper.hpp"
#include "progress/progress.hpp"

namespace bb {

// The profile named by --network-profile; UsageError listing the names otherwise.
const net::NetworkProfile& network_profile_named(const std::string& name);

class RunNetwork {
 public:
  // index: the folder a suite names (served on index_port), if any; registry: "" for none.
  RunNetwork(const std::optional<std::filesystem::path>& index, int index_port,
             const std::string& profile_name, const std::string& registry, Progress& progress);
  const PackageIndexServer* index() const { return index_.get(); }
  // Address for pushes, pulls and cache refs ("" without --registry).
  const std::string& registry() const { return registry_; }

 private:
  std::unique_ptr<PackageIndexServer> index_;
  std::unique_ptr<net::ShapingProxy> index_proxy_;
  std::unique_ptr<net::ShapingProxy> registry_proxy_;
  std::string registry_;
};

}  // namespace bb
