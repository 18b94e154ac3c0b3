#include "net/shaper.hpp"

#include <utility>  // Boost 1.74 asio needs std::exchange declared first under C++20

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>

#include "util/error.hpp"

namespace bb::net {
namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const std::vector<NetworkProfile>& network_profiles() {
  static const std::vector<NetworkProfile> profiles = {
      {"loopback", 0, 0us,
       "no shaping: the machine's own loopback, as if every mirror ran on the build host"},
      {"ci", 100e6, 20ms,
       "a typical hosted CI runner's sustained download from a package mirror or registry in "
       "another region of the same continent"},
      {"home", 30e6, 40ms,
       "a typical home broadband line's sustained download from a public package index across "
       "the internet"},
  };
  return profiles;
}

const NetworkProfile* find_network_profile(std::string_view name) {
  for (const auto& profile : network_profiles()) {
    if (profile.name == name) return &profile;
  }
  return nullptr;
}

std::string network_profile_names() {
  std::string names;
  for (const auto& profile : network_profiles()) {
    if (!names.empty()) names += ", ";
    names += profile.name;
  }
  return names;
}

namespace {

constexpr std::size_t kChunkBytes = 16 * 1024;
// How far each direction reads ahead of the modelled link. Chunks are stamped
// when read, so a proxy thread starved of CPU for longer than this read-ahead
// lasts (80 ms at 100 Mbit/s) stamps late and the transfer runs slow.
constexpr std::size_t kReadAheadBytes = 1024 * 1024;

// A token bucket kept as a virtual clock (GCRA): `busy_until_` is when the
// modelled link has finished sending everything taken so far. Bytes may leave
// kBucketDepthBytes' worth of time before that, which is the burst a full
// bucket allows. Each chunk is scheduled from the time it became eligible, not
// from when the proxy's thread got round to it, so a late wake-up on a busy
// machine is caught up instead of slowing the whole transfer down.
class TokenBucket {
 public:
  explicit TokenBucket(double bytes_per_second)
      : rate_(bytes_per_second),
        burst_(rate_ > 0 ? seconds(kBucketDepthBytes) : Clock::duration{}) {}

  // Takes n bytes that became eligible at `eligible`; returns when they may go.
  Clock::time_point take(std::size_t n, Clock::time_point eligible) {
    if (rate_ <= 0) return eligible;
    std::lock_guard lock(mutex_);
    busy_until_ = std::max(busy_until_, eligible) + seconds(n);
    return std::max(eligible, busy_until_ - burst_);
  }

 private:
  Clock::duration seconds(std::size_t bytes) const {
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(static_cast<double>(bytes) / rate_));
  }

  std::mutex mutex_;
  double rate_;
  Clock::duration burst_;
  Clock::time_point busy_until_{};
};

// What every connection through one proxy shares.
struct Link {
  Link(int upstream_port, const NetworkProfile& profile)
      : upstream(asio::ip::address_v4::loopback(), static_cast<unsigned short>(upstream_port)),
        round_trip(profile.round_trip),
        one_way(profile.round_trip / 2),
        download(profile.bits_per_second / 8),
        upload(profile.bits_per_second / 8) {
    // Room for what is in flight on the modelled link, so the queue never
    // throttles below the profile's bandwidth, plus the read-ahead.
    double in_flight =
        profile.bits_per_second / 8 * std::chrono::duration<double>(profile.round_trip).count();
    queue_cap = static_cast<std::size_t>(in_flight) + kBucketDepthBytes + kReadAheadBytes;
  }
  tcp::endpoint upstream;
  Clock::duration round_trip;
  Clock::duration one_way;
  std::size_t queue_cap = kReadAheadBytes;
  TokenBucket download;
  TokenBucket upload;
};

struct Chunk {
  std::vector<char> bytes;
  Clock::time_point arrival;
};

// One direction of a relayed connection: reads from `from`, queues stamped
// chunks, and writes each on to `to` once its delay and its tokens allow.
struct Direction {
  Direction(tcp::socket& from_socket, tcp::socket& to_socket, TokenBucket& shared_bucket)
      : from(from_socket),
        to(to_socket),
        bucket(shared_bucket),
        timer(from_socket.get_executor()) {}
  tcp::socket& from;
  tcp::socket& to;
  TokenBucket& bucket;
  asio::steady_timer timer;
  std::array<char, kChunkBytes> buffer{};
  std::deque<Chunk> queue;
  std::size_t queued = 0;
  bool reading = false;
  bool writing = false;
  bool eof = false;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket client, Link& link)
      : link_(link),
        client_(std::move(client)),
        upstream_(client_.get_executor()),
        setup_(client_.get_executor()),
        down_(upstream_, client_, link.download),
        up_(client_, upstream_, link.upload) {}

  // The handshake costs one round trip before anything is relayed.
  void start() {
    setup_.expires_after(link_.round_trip);
    setup_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->connect();
    });
  }

 private:
  void connect() {
    upstream_.async_connect(link_.upstream, [self = shared_from_this()](error_code ec) {
      if (ec) return self->fail();
      error_code ignored;
      self->client_.set_option(tcp::no_delay(true), ignored);
      self->upstream_.set_option(tcp::no_delay(true), ignored);
      self->read(self->down_);
      self->read(self->up_);
    });
  }

  void read(Direction& d) {
    d.reading = true;
    d.from.async_read_some(
        asio::buffer(d.buffer),
        [self = shared_from_this(), &d](error_code ec, std::size_t n) { self->on_read(d, ec, n); });
  }

  void on_read(Direction& d, error_code ec, std::size_t n) {
    d.reading = false;
    if (failed_) return;
    if (n > 0) {
      d.queue.push_back({std::vector<char>(d.buffer.begin(), d.buffer.begin() + n), Clock::now()});
      d.queued += n;
    }
    // EOF or a reset: what arrived is still delivered, then the close is relayed.
    if (ec) {
      d.eof = true;
    } else if (d.queued < link_.queue_cap) {
      read(d);
    }
    pump(d);
  }

  // Sends the oldest chunk once it has crossed the link (arrival + RTT/2) and
  // the shared bucket has room for it.
  void pump(Direction& d) {
    if (d.writing || failed_) return;
    if (d.queue.empty()) {
      if (d.eof) finish(d);
      return;
    }
    d.writing = true;
    auto eligible = d.queue.front().arrival + link_.one_way;
    wait_until(d, eligible, [this, &d, eligible] {
      wait_until(d, d.bucket.take(d.queue.front().bytes.size(), eligible), [this, &d] { send(d); });
    });
  }

  template <class Next>
  void wait_until(Direction& d, Clock::time_point when, Next next) {
    if (when <= Clock::now()) return next();
    d.timer.expires_at(when);
    d.timer.async_wait([self = shared_from_this(), next](error_code ec) {
      if (!ec && !self->failed_) next();
    });
  }

  void send(Direction& d) {
    asio::async_write(
        d.to, asio::buffer(d.queue.front().bytes),
        [self = shared_from_this(), &d](error_code ec, std::size_t) { self->on_written(d, ec); });
  }

  void on_written(Direction& d, error_code ec) {
    d.writing = false;
    if (failed_) return;
    if (ec) return fail();
    d.queued -= d.queue.front().bytes.size();
    d.queue.pop_front();
    if (!d.eof && !d.reading && d.queued < link_.queue_cap) read(d);
    pump(d);
  }

  // Half-close: the peer sees EOF while the other direction keeps flowing.
  void finish(Direction& d) {
    error_code ignored;
    d.to.shutdown(tcp::socket::shutdown_send, ignored);
  }

  // A peer is gone: drop the whole connection.
  void fail() {
    failed_ = true;
    error_code ignored;
    client_.close(ignored);
    upstream_.close(ignored);
    setup_.cancel();
    down_.timer.cancel();
    up_.timer.cancel();
  }

  Link& link_;
  tcp::socket client_;
  tcp::socket upstream_;
  asio::steady_timer setup_;
  Direction down_;
  Direction up_;
  bool failed_ = false;
};

}  // namespace

struct ShapingProxy::Impl {
  Impl(int upstream_port, const NetworkProfile& profile) : link(upstream_port, profile) {}

  void listen(int port) {
    tcp::endpoint endpoint(asio::ip::address_v4::loopback(), static_cast<unsigned short>(port));
    error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw EnvironmentError("cannot listen on 127.0.0.1:" + std::to_string(port) +
                             " for the network shaper: " + ec.message());
    }
  }

  void accept() {
    acceptor.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        std::make_shared<Session>(std::move(socket), link)->start();
        return accept();
      }
      // Out of descriptors or similar: try again shortly rather than spin.
      retry.expires_after(50ms);
      retry.async_wait([this](error_code e) {
        if (!e) accept();
      });
    });
  }

  void run() {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception&) {
        // A handler failed (allocation); its connection is dropped, the rest go on.
      }
    }
  }

  Link link;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::steady_timer retry{io};
  std::thread thread;
};

namespace {

void check_arguments(int upstream_port, const NetworkProfile& profile, int port) {
  if (upstream_port <= 0 || upstream_port > 65535 || port < 0 || port > 65535) {
    throw UsageError("network shaper: port out of range (upstream " +
                     std::to_string(upstream_port) + ", listen " + std::to_string(port) + ")");
  }
  if (!std::isfinite(profile.bits_per_second) || profile.bits_per_second < 0 ||
      profile.round_trip.count() < 0) {
    throw UsageError("network profile '" + profile.name +
                     "' needs a bandwidth >= 0 (0 is unlimited) and a round trip >= 0");
  }
}

}  // namespace

ShapingProxy::ShapingProxy(int upstream_port, NetworkProfile profile, int port)
    : profile_(std::move(profile)) {
  check_arguments(upstream_port, profile_, port);
  impl_ = std::make_unique<Impl>(upstream_port, profile_);
  impl_->listen(port);
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

// Stopping the loop and then destroying the io_context destroys every pending
// handler, and with them the sessions and their sockets.
ShapingProxy::~ShapingProxy() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string ShapingProxy::url_host() const {
  return "127.0.0.1:" + std::to_string(port_);
}

}  // namespace bb::net
