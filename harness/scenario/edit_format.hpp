#pragma once
// Which dependency-file formats can carry an edit's unique token in a comment.
#include <optional>
#include <string>
#include <string_view>

namespace bb {

// The comment that carries an edit token in a file of this name, or nothing when the
// format takes no comment (package-lock.json, go.sum, Pipfile.lock, ...).
std::optional<std::string> nonce_comment(std::string_view filename, std::string_view token);

}  // namespace bb
