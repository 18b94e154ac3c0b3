#include "net/shaper.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

using namespace bb::net;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Large enough that one-off scheduling delays on a busy 2-core machine (a few
// tens of ms seen under full load) stay well inside the tolerances below.
constexpr std::size_t kPayload = 8 * 1024 * 1024;
constexpr auto kIoTimeout = 10s;  // no socket call in these tests waits longer

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void set_timeouts(int fd) {
  timeval tv{};
  tv.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(kIoTimeout).count();
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// A raw TCP server on 127.0.0.1. Per connection, by mode:
//  download: reads the request line, sends `bytes` bytes, closes;
//  upload:   reads to EOF, answers with the byte count, closes;
//  drop:     closes at once without reading.
class Upstream {
 public:
  enum class Mode { download, upload, drop };

  explicit Upstream(std::size_t bytes, Mode mode = Mode::download)
      : payload_(bytes, 'x'), mode_(mode) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    auto address = loopback(0);
    socklen_t length = sizeof address;
    REQUIRE(listener_ >= 0);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(listener_, 16) == 0);
    REQUIRE(getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { serve(); });
  }

  ~Upstream() {
    stop_ = true;
    acceptor_.join();
    for (auto& worker : workers_) worker.join();
    close(listener_);
  }

  int port() const { return port_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd waiting{listener_, POLLIN, 0};
      if (poll(&waiting, 1, 50) <= 0) continue;
      int fd = accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      set_timeouts(fd);
      workers_.emplace_back([this, fd] {
        handle(fd);
        close(fd);
      });
    }
  }

  void handle(int fd) {
    if (mode_ == Mode::drop) return;
    char buffer[64 * 1024];
    std::size_t received = 0;
    for (;;) {
      ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      received += static_cast<std::size_t>(n);
      if (mode_ == Mode::download && std::string_view(buffer, n).find('\n') != npos) break;
    }
    if (mode_ == Mode::upload) {
      std::string answer = std::to_string(received) + "\n";
      send_all(fd, answer.data(), answer.size());
    } else {
      send_all(fd, payload_.data(), payload_.size());
    }
  }

  static constexpr auto npos = std::string_view::npos;
  std::string payload_;
  Mode mode_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

enum class End { eof, error, timeout };

struct Transfer {
  std::size_t received = 0;
  std::string text;  // the first bytes received
  End end = End::error;
  double seconds = 0;
};

// Connects to 127.0.0.1:port, sends the request (then half-closes when asked)
// and reads until the other side closes or kIoTimeout passes.
Transfer exchange(int port, const std::string& request, bool half_close = false) {
  Transfer result;
  auto start = Clock::now();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  set_timeouts(fd);
  auto address = loopback(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      !send_all(fd, request.data(), request.size())) {
    close(fd);
    return result;
  }
  if (half_close) shutdown(fd, SHUT_WR);
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) result.end = End::eof;
    if (n < 0) result.end = errno == EAGAIN || errno == EWOULDBLOCK ? End::timeout : End::error;
    if (n <= 0) break;
    if (result.text.size() < 64) result.text.append(buffer, static_cast<std::size_t>(n));
    result.received += static_cast<std::size_t>(n);
  }
  result.seconds = seconds_since(start);
  close(fd);
  return result;
}

Transfer download(int port) {
  return exchange(port, "GET /payload\n");
}

// A request/response on a fresh connection: one RTT for the TCP handshake, one
// for the request to travel up and the first byte to come back (RTT/2 each
// way), then the body at the profile's bandwidth, less the bucket's initial
// burst of kBucketDepthBytes that leaves at once:
//   predicted = 2 * RTT + (bytes - kBucketDepthBytes) * 8 / bits_per_second
double predicted_seconds(const NetworkProfile& profile, std::size_t bytes) {
  double rtt = std::chrono::duration<double>(profile.round_trip).count();
  return 2 * rtt + static_cast<double>(bytes - kBucketDepthBytes) * 8 / profile.bits_per_second;
}

const NetworkProfile& profile(std::string_view name) {
  const NetworkProfile* found = find_network_profile(name);
  REQUIRE(found != nullptr);
  return *found;
}

}  // namespace

TEST_CASE("network profiles are known by name", "[net]") {
  CHECK(find_network_profile("nope") == nullptr);
  CHECK(network_profile_names() == "loopback, ci, home");
  const auto& loop = profile("loopback");
  CHECK(loop.bits_per_second == 0);
  CHECK(loop.round_trip == 0us);
  CHECK(profile("ci").bits_per_second == 100e6);
  CHECK(profile("ci").round_trip == 20ms);
  CHECK(profile("home").bits_per_second == 30e6);
  CHECK(profile("home").round_trip == 40ms);
  for (const auto& each : network_profiles()) CHECK_FALSE(each.source.empty());
}

TEST_CASE("shaping proxy listens on 127.0.0.1", "[net]") {
  Upstream upstream(16);
  ShapingProxy proxy(upstream.port(), profile("loopback"));
  CHECK(proxy.port() > 0);
  CHECK(proxy.url_host() == "127.0.0.1:" + std::to_string(proxy.port()));
  CHECK_THROWS(ShapingProxy(upstream.port(), profile("loopback"), proxy.port()));
}

TEST_CASE("a download through the ci profile takes what the profile predicts", "[net]") {
  Upstream upstream(kPayload);
  ShapingProxy ci(upstream.port(), profile("ci"));
  double predicted = predicted_seconds(profile("ci"), kPayload);
  auto shaped = download(ci.port());
  INFO("ci download of " << kPayload << " bytes: predicted " << predicted << " s, measured "
                         << shaped.seconds << " s");
  REQUIRE(shaped.end == End::eof);
  CHECK(shaped.received == kPayload);
  CHECK(shaped.seconds == Approx(predicted).epsilon(0.10));

  ShapingProxy loop(upstream.port(), profile("loopback"));
  auto fast = download(loop.port());
  INFO("loopback download: " << fast.seconds << " s");
  REQUIRE(fast.end == End::eof);
  CHECK(fast.received == kPayload);
  CHECK(fast.seconds < shaped.seconds / 4);
}

TEST_CASE("concurrent downloads share the ci bandwidth", "[net]") {
  Upstream upstream(kPayload);
  ShapingProxy ci(upstream.port(), profile("ci"));
  double predicted = predicted_seconds(profile("ci"), 2 * kPayload);
  auto start = Clock::now();
  Transfer first, second;
  double first_done = 0, second_done = 0;
  std::thread other([&] {
    second = download(ci.port());
    second_done = seconds_since(start);
  });
  first = download(ci.port());
  first_done = seconds_since(start);
  other.join();
  double total = std::max(first_done, second_done);
  INFO("two concurrent ci downloads: predicted " << predicted << " s, measured " << total
                                                 << " s (each done at " << first_done << " s, "
                                                 << second_done << " s)");
  REQUIRE(first.end == End::eof);
  REQUIRE(second.end == End::eof);
  CHECK(first.received == kPayload);
  CHECK(second.received == kPayload);
  CHECK(total == Approx(predicted).epsilon(0.15));
  // Shared, not taken in turns: the one that finishes first was still
  // downloading for most of the time (in turns it would finish at half).
  CHECK(std::min(first_done, second_done) > 0.75 * total);
}

TEST_CASE("an upload through the home profile is shaped and half-closed", "[net]") {
  constexpr std::size_t kUpload = 2 * 1024 * 1024;
  Upstream upstream(0, Upstream::Mode::upload);
  ShapingProxy home(upstream.port(), profile("home"));
  double predicted = predicted_seconds(profile("home"), kUpload);
  auto result = exchange(home.port(), std::string(kUpload, 'u'), true);
  INFO("home upload of " << kUpload << " bytes: predicted " << predicted << " s, measured "
                         << result.seconds << " s");
  REQUIRE(result.end == End::eof);
  CHECK(result.text == std::to_string(kUpload) + "\n");
  CHECK(result.seconds == Approx(predicted).epsilon(0.15));
}

TEST_CASE("the upstream closing early reaches the client as EOF", "[net]") {
  constexpr std::size_t kShort = 1024 * 1024;
  Upstream upstream(kShort);  // the client reads until EOF, as for a 4 MB body
  ShapingProxy ci(upstream.port(), profile("ci"));
  auto result = download(ci.port());
  REQUIRE(result.end == End::eof);
  CHECK(result.received == kShort);
  CHECK(result.seconds < 5);
}

TEST_CASE("an upstream that drops or refuses connections ends the client's", "[net]") {
  SECTION("dropped at once") {
    Upstream upstream(0, Upstream::Mode::drop);
    ShapingProxy ci(upstream.port(), profile("ci"));
    auto result = download(ci.port());
    CHECK(result.end != End::timeout);
    CHECK(result.received == 0);
  }
  SECTION("nothing listens") {
    int port = 0;
    {
      Upstream gone(0);
      port = gone.port();
    }
    ShapingProxy ci(port, profile("ci"));
    auto result = download(ci.port());
    CHECK(result.end != End::timeout);
    CHECK(result.received == 0);
    // The proxy keeps serving after a failed connection.
    CHECK(download(ci.port()).end != End::timeout);
  }
}
