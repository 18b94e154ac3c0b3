#include "net/registry.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/text.hpp"

namespace bb::net {
namespace {

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// One GET over HTTP/1.0 (no chunked bodies), never to anything but 127.0.0.1.
std::optional<HttpAnswer> http_get(const RegistryAddress& address, const std::string& path,
                                   int timeout_seconds) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  timeval timeout{timeout_seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  target.sin_port = htons(static_cast<std::uint16_t>(address.port));
  std::string request = fmt::format(
      "GET {} HTTP/1.0\r\nHost: {}\r\nAccept: application/vnd.oci.image.index.v1+json, "
      "application/vnd.docker.distribution.manifest.list.v2+json, "
      "application/vnd.oci.image.manifest.v1+json, "
      "application/vnd.docker.distribution.manifest.v2+json\r\n\r\n",
      path, address.text());
  std::string reply;
  if (connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof target) == 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    char buffer[16384];
    for (ssize_t n; (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) reply.append(buffer, n);
  }
  close(fd);
  auto header_end = reply.find("\r\n\r\n");
  if (reply.rfind("HTTP/", 0) != 0 || header_end == std::string::npos) return std::nullopt;
  HttpAnswer answer;
  answer.status = std::atoi(reply.c_str() + reply.find(' ') + 1);
  answer.body = reply.substr(header_end + 4);
  return answer;
}

nlohmann::json get_manifest(const RegistryAddress& address, const std::string& repository,
                            const std::string& reference) {
  auto path = fmt::format("/v2/{}/manifests/{}", repository, reference);
  auto answer = http_get(address, path, 30);
  if (!answer || answer->status != 200) {
    throw EnvironmentError(
        fmt::format("registry {} has no manifest {}:{} ({})", address.text(), repository, reference,
                    answer ? fmt::format("HTTP {}", answer->status) : std::string("no answer")));
  }
  auto json = nlohmann::json::parse(answer->body, nullptr, false);
  if (!json.is_object()) {
    throw EnvironmentError(fmt::format("registry {}: manifest {}:{} is not JSON", address.text(),
                                       repository, reference));
  }
  return json;
}

}  // namespace

std::string RegistryAddress::text() const {
  return fmt::format("{}:{}", host, port);
}

RegistryAddress parse_registry_address(std::string_view text) {
  auto colon = text.rfind(':');
  std::string host(text.substr(0, colon == std::string_view::npos ? text.size() : colon));
  int port = 0;
  if (colon != std::string_view::npos) {
    try {
      port = std::stoi(std::string(text.substr(colon + 1)));
    } catch (const std::exception&) {
      port = 0;
    }
  }
  // Traffic never leaves the machine: loopback only.
  bool loopback = host == "localhost" || host.rfind("127.", 0) == 0;
  if (!loopback || port <= 0 || port > 65535) {
    throw UsageError(
        fmt::format("--registry '{}': write a loopback HOST:PORT, e.g. --registry 127.0.0.1:5000",
                    printable(std::string(text))));
  }
  return {host == "localhost" ? "127.0.0.1" : host, port};
}

bool registry_answers(const RegistryAddress& address) {
  return http_get(address, "/v2/", 5).has_value();
}

void require_registry(const RegistryAddress& address) {
  if (registry_answers(address)) return;
  throw EnvironmentError(
      fmt::format("no registry answers on {} (GET /v2/); start one with scripts/lab-registry "
                  "(BUILDBENCH_REGISTRY_ADDR={} for another address), or run without --registry",
                  address.text(), address.text()));
}

std::int64_t StoredImage::layer_bytes() const {
  std::int64_t total = 0;
  for (const auto& [digest, size] : layers) total += size;
  return total;
}

std::int64_t StoredImage::total_bytes() const {
  return config_bytes + layer_bytes();
}

StoredImage stored_image(const RegistryAddress& address, const std::string& repository,
                         const std::string& reference) {
  auto manifest = get_manifest(address, repository, reference);
  if (manifest.contains("manifests")) {
    std::string digest;
    for (const auto& entry : manifest["manifests"]) {
      if (entry.value("/platform/os"_json_pointer, std::string()) != "unknown") {
        digest = entry.value("digest", "");
        break;
      }
    }
    if (digest.empty()) {
      throw EnvironmentError(fmt::format("registry {}: index {}:{} names no image manifest",
                                         address.text(), repository, reference));
    }
    manifest = get_manifest(address, repository, digest);
  }
  StoredImage image;
  image.config_bytes = manifest.value("/config/size"_json_pointer, std::int64_t{0});
  for (const auto& layer : manifest.value("layers", nlohmann::json::array())) {
    image.layers[layer.value("digest", "")] = layer.value("size", std::int64_t{0});
  }
  return image;
}

double percent_difference(double measured, double estimate) {
  if (estimate == 0) return measured == 0 ? 0 : 100;
  return (measured - estimate) / estimate * 100;
}

}  // namespace bb::net
