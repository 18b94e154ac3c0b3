#pragma once
// Digests of what a build reads from disk, so a run records the inputs that can move its
// numbers and two runs can say which of them changed: the Dockerfile, the build context as
// BuildKit sends it (honouring .dockerignore), and a folder's whole content (the package index).
// Each is "sha256:<64 hex>".
#include <filesystem>
#include <optional>
#include <string>

namespace bb {

// The file's bytes; nullopt when it cannot be read.
std::optional<std::string> file_digest(const std::filesystem::path& file);

// Over the sorted relative paths and contents of the files the context sends: what
// `<Dockerfile>.dockerignore` (else the context's .dockerignore) leaves out is not read, so
// editing an ignored file leaves the digest alone. Symbolic links count by their target text.
std::string context_digest(const std::filesystem::path& context,
                           const std::filesystem::path& dockerfile);

// Over the sorted relative paths and contents of every file under the folder.
std::string folder_digest(const std::filesystem::path& folder);

}  // namespace bb
