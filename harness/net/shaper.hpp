#pragma once
// An in-process traffic shaper: a TCP proxy on 127.0.0.1 that forwards to an
// upstream 127.0.0.1 port and makes loopback behave like a real network link,
// so what cache mounts save on downloads shows up in build times. It shapes
// only the connections made through it and never touches the machine's other
// traffic (no tc, no qdisc) nor any address other than 127.0.0.1.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bb::net {

struct NetworkProfile {
  std::string name;
  double bits_per_second = 0;  // goodput (TCP payload); 0 means unlimited
  std::chrono::microseconds round_trip{0};
  std::string source;  // why these figures
};

// loopback (no shaping), ci, home.
const std::vector<NetworkProfile>& network_profiles();
// nullptr when no profile has that name.
const NetworkProfile* find_network_profile(std::string_view name);
// "loopback, ci, home", for error messages.
std::string network_profile_names();

// Depth of each token bucket: up to this many bytes pass at once after a pause.
inline constexpr std::size_t kBucketDepthBytes = 64 * 1024;

// Shaping model. A new connection waits one round trip (the TCP handshake)
// before the proxy connects upstream and relays. Every chunk read from either
// side is stamped on arrival and becomes eligible at arrival + RTT/2 (one-way
// propagation; chunks of a stream are pipelined, their delays do not add up),
// then takes its bytes from a token bucket before it is written on. All
// connections share one bucket for the download direction (upstream -> client)
// and one for upload (client -> upstream), each refilled at bits_per_second
// and kBucketDepthBytes deep. A request/response therefore costs
// 2 * RTT + bytes * 8 / bits_per_second on a fresh connection. Chunks are
// scheduled from their arrival stamps, so when a busy machine wakes the proxy
// late it catches up rather than stretching the transfer.
class ShapingProxy {
 public:
  // Listens on 127.0.0.1:port (0 picks a free port) and serves on its own
  // thread until destroyed. Throws EnvironmentError when it cannot listen.
  ShapingProxy(int upstream_port, NetworkProfile profile, int port = 0);
  ~ShapingProxy();  // stops, closes every relayed connection and joins
  ShapingProxy(const ShapingProxy&) = delete;
  ShapingProxy& operator=(const ShapingProxy&) = delete;

  int port() const { return port_; }
  std::string url_host() const;  // "127.0.0.1:PORT"
  const NetworkProfile& profile() const { return profile_; }

 private:
  struct Impl;
  NetworkProfile profile_;
  int port_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bb::net
