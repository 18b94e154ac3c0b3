#pragma once
// What a registry on 127.0.0.1 stores for an image, read from its HTTP API (distribution
// v2, no auth): the manifest's layer and config sizes. Only loopback addresses are accepted.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace bb::net {

struct RegistryAddress {
  std::string host = "127.0.0.1";
  int port = 5000;
  std::string text() const;  // "127.0.0.1:5000"
};

// "127.0.0.1:5000" or "localhost:5000"; UsageError (with the form to write) otherwise.
RegistryAddress parse_registry_address(std::string_view text);

// Whether GET /v2/ gets an HTTP answer within a few seconds.
bool registry_answers(const RegistryAddress& address);

// EnvironmentError naming the address and the fix when the registry does not answer.
void require_registry(const RegistryAddress& address);

struct StoredImage {
  std::int64_t config_bytes = 0;
  std::map<std::string, std::int64_t> layers;  // digest -> compressed size
  std::int64_t layer_bytes() const;            // what a pull of every layer downloads
  std::int64_t total_bytes() const;            // the layers and the config
};

// The image behind repository:reference; for an index, its first manifest for a real
// platform (attestation manifests are "unknown/unknown"). EnvironmentError when missing.
StoredImage stored_image(const RegistryAddress& address, const std::string& repository,
                         const std::string& reference);

// Relative difference in percent of `measured` against `estimate` (0 when both are 0).
double percent_difference(double measured, double estimate);

}  // namespace bb::net
