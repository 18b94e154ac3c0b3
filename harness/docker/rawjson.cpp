#include "docker/rawjson.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <regex>

#include <nlohmann/json.hpp>

#include "model/metrics.hpp"
#include "util/text.hpp"

namespace bb {

namespace {

// BuildKit names the main context's vertex so; `.dockerignore` is read from the same local
// source, so its vertex reports a "transferring context:" status too, which is not counted.
constexpr std::string_view kContextVertex = "[internal] load build context";

// Keeps, per vertex, the bytes its "transferring context:" statuses report. BuildKit counts
// the file metadata it sends and the content of the files the builder asks for (all of them
// after a prune, the changed ones when its copy is warm).
void read_context_transfers(const nlohmann::json& object, std::map<std::string, double>& bytes) {
  auto statuses = object.find("statuses");
  if (statuses == object.end() || !statuses->is_array()) return;
  for (const auto& status : *statuses) {
    if (!status.is_object()) continue;
    auto id = status.find("id");
    if (id == status.end() || *id != "transferring context:") continue;
    auto vertex = status.find("vertex");
    auto current = status.find("current");
    if (vertex == status.end() || !vertex->is_string() || current == status.end() ||
        !current->is_number()) {
      continue;
    }
    double& seen = bytes[vertex->get<std::string>()];
    seen = std::max(seen, current->get<double>());
  }
}

// Keeps, per vertex and layer, the bytes a pull's "sha256:<layer>" statuses report (BuildKit
// names a layer download by its digest; "extracting sha256:..." is the unpacking after it).
void read_layer_downloads(const nlohmann::json& object,
                          std::map<std::pair<std::string, std::string>, double>& bytes) {
  auto statuses = object.find("statuses");
  if (statuses == object.end() || !statuses->is_array()) return;
  for (const auto& status : *statuses) {
    if (!status.is_object()) continue;
    auto id = status.find("id");
    auto vertex = status.find("vertex");
    auto current = status.find("current");
    if (id == status.end() || !id->is_string() || id->get<std::string>().rfind("sha256:", 0) ||
        vertex == status.end() || !vertex->is_string() || current == status.end() ||
        !current->is_number()) {
      continue;
    }
    double& seen = bytes[{vertex->get<std::string>(), id->get<std::string>()}];
    seen = std::max(seen, current->get<double>());
  }
}

}  // namespace

void RawJsonParser::feed(std::string_view bytes) {
  pending_.append(bytes);
  std::size_t i = scanned_;
  std::size_t consumed = 0;
  for (; i < pending_.size(); ++i) {
    char c = pending_[i];
    if (depth_ == 0) {
      if (c == '{') {
        // Plain text before an object on the same line is kept as text.
        auto before = trim(std::string_view(pending_).substr(consumed, i - consumed));
        if (!before.empty()) handle_text(before);
        consumed = i;
        depth_ = 1;
        in_string_ = false;
        escaped_ = false;
      } else if (c == '\n') {
        auto line = trim(std::string_view(pending_).substr(consumed, i - consumed));
        if (!line.empty()) handle_text(line);
        consumed = i + 1;
      }
      continue;
    }
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{') {
      ++depth_;
    } else if (c == '}') {
      if (--depth_ == 0) {
        handle_object(std::string_view(pending_).substr(consumed, i + 1 - consumed));
        consumed = i + 1;
      }
    }
  }
  pending_.erase(0, consumed);
  scanned_ = pending_.size();
}

void RawJsonParser::finish() {
  if (depth_ == 0) {
    auto rest = trim(pending_);
    if (!rest.empty()) handle_text(rest);
  } else {
    ++malformed_;
  }
  pending_.clear();
  scanned_ = 0;
  depth_ = 0;
}

void RawJsonParser::handle_text(std::string_view line) {
  text_lines_.emplace_back(line);
  if (text_lines_.size() > 200) text_lines_.erase(text_lines_.begin());
}

void RawJsonParser::handle_object(std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    ++malformed_;
    return;
  }
  ++objects_;
  auto string_field = [](const nlohmann::json& object, const char* key) -> std::string {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto vertexes = json.find("vertexes"); vertexes != json.end() && vertexes->is_array()) {
    for (const auto& vertex : *vertexes) {
      if (!vertex.is_object()) continue;
      std::string digest = string_field(vertex, "digest");
      if (digest.empty()) continue;
      auto [it, inserted] = steps_.try_emplace(digest);
      BuildStep& step = it->second;
      if (inserted) {
        step.digest = digest;
        order_.push_back(digest);
      }
      if (auto name = string_field(vertex, "name"); !name.empty()) step.name = name;
      if (auto started = parse_rfc3339(string_field(vertex, "started"))) step.started = started;
      if (auto done = parse_rfc3339(string_field(vertex, "completed"))) step.completed = done;
      if (auto cached = vertex.find("cached"); cached != vertex.end() && cached->is_boolean()) {
        step.cached = step.cached || cached->get<bool>();
      }
      if (auto error = string_field(vertex, "error"); !error.empty()) step.error = error;
    }
  }
  if (auto logs = json.find("logs"); logs != json.end() && logs->is_array()) {
    for (const auto& log : *logs) {
      if (!log.is_object()) continue;
      auto it = steps_.find(string_field(log, "vertex"));
      if (it == steps_.end()) continue;
      std::string& tail = it->second.log_tail;
      tail += base64_decode(string_field(log, "data"));
      if (tail.size() > 4000) tail.erase(0, tail.size() - 4000);
    }
  }
  read_context_transfers(json, context_transfers_);
  read_layer_downloads(json, layer_downloads_);
}

std::vector<BuildStep> RawJsonParser::steps() const {
  std::vector<BuildStep> steps;
  steps.reserve(order_.size());
  for (const auto& digest : order_) steps.push_back(steps_.at(digest));
  for (auto& step : steps) {
    auto layer = layer_downloads_.lower_bound({step.digest, ""});
    for (; layer != layer_downloads_.end() && layer->first.first == step.digest; ++layer)
      step.pulled_bytes += layer->second;
  }
  return steps;
}

std::string RawJsonParser::current_step() const {
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    const auto& step = steps_.at(*it);
    if (step.started && !step.completed) return step.name;
  }
  return {};
}

std::map<std::string, double> RawJsonParser::metrics() const {
  std::map<std::string, double> metrics;
  // Resolved here, not as statuses come: a status may precede its vertex's name.
  for (const auto& [digest, bytes] : context_transfers_) {
    auto step = steps_.find(digest);
    if (step == steps_.end() || step->second.name != kContextVertex) continue;
    metrics[std::string(kContextBytes)] += bytes;
  }
  // Only when a FROM pulled: an absent figure is "no pull", never a measured 0.
  double pulled = 0;
  for (const auto& [key, bytes] : layer_downloads_) pulled += bytes;
  if (pulled > 0) metrics[std::string(kBasePullBytes)] = pulled;
  return metrics;
}

std::string base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int buffer = 0, bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) continue;
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace bb
