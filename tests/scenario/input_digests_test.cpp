// The digests a run records of its inputs: a file's equals sha256sum's; the context's moves
// with what the build sends and not with what .dockerignore leaves out; the index's with any
// file under it.
#include "scenario/input_digests.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

using namespace bb;
namespace fs = std::filesystem;

namespace {

struct Folder {
  fs::path root = fs::temp_directory_path() / ("bb-digests-" + std::to_string(::getpid()));
  Folder() {
    fs::remove_all(root);
    fs::create_directories(root);
  }
  ~Folder() { fs::remove_all(root); }
  void write(const std::string& path, const std::string& text) {
    fs::create_directories((root / path).parent_path());
    std::ofstream(root / path, std::ios::binary) << text;
  }
};

}  // namespace

TEST_CASE("input digests: a file's digest is sha256 of its bytes", "[digests]") {
  Folder folder;
  folder.write("Dockerfile", "abc");
  CHECK(file_digest(folder.root / "Dockerfile") ==
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK_FALSE(file_digest(folder.root / "missing").has_value());
}

TEST_CASE("input digests: the context moves with sent files, not with ignored ones", "[digests]") {
  Folder folder;
  folder.write("Dockerfile", "FROM python:3.11\nCOPY . .\n");
  folder.write(".dockerignore", "notes/\n*.log\n");
  folder.write("app/main.py", "print('hi')\n");
  folder.write("notes/todo.md", "later\n");
  folder.write("build.log", "noise\n");
  auto dockerfile = folder.root / "Dockerfile";
  auto first = context_digest(folder.root, dockerfile);
  CHECK(first.rfind("sha256:", 0) == 0);
  CHECK(first.size() == 7 + 64);
  CHECK(context_digest(folder.root, dockerfile) == first);

  folder.write("notes/todo.md", "much later\n");
  folder.write("build.log", "more noise\n");
  folder.write("notes/new.md", "an ignored new file\n");
  CHECK(context_digest(folder.root, dockerfile) == first);

  folder.write("app/main.py", "print('hello')\n");
  auto edited = context_digest(folder.root, dockerfile);
  CHECK(edited != first);

  folder.write("app/extra.py", "");
  CHECK(context_digest(folder.root, dockerfile) != edited);
}

TEST_CASE("input digests: <Dockerfile>.dockerignore wins over the context's", "[digests]") {
  Folder folder;
  folder.write("build.Dockerfile", "FROM scratch\n");
  folder.write("build.Dockerfile.dockerignore", "secret.txt\n");
  folder.write(".dockerignore", "other.txt\n");
  folder.write("secret.txt", "a");
  folder.write("other.txt", "a");
  auto dockerfile = folder.root / "build.Dockerfile";
  auto first = context_digest(folder.root, dockerfile);
  folder.write("secret.txt", "b");
  CHECK(context_digest(folder.root, dockerfile) == first);
  folder.write("other.txt", "b");  // the context's .dockerignore does not apply
  CHECK(context_digest(folder.root, dockerfile) != first);
}

TEST_CASE("input digests: a file brought back by ! is sent from an ignored folder", "[digests]") {
  Folder folder;
  folder.write("Dockerfile", "FROM scratch\n");
  folder.write(".dockerignore", "vendor/\n!vendor/keep.txt\n");
  folder.write("vendor/keep.txt", "a");
  folder.write("vendor/drop.txt", "a");
  auto dockerfile = folder.root / "Dockerfile";
  auto first = context_digest(folder.root, dockerfile);
  folder.write("vendor/drop.txt", "b");
  CHECK(context_digest(folder.root, dockerfile) == first);
  folder.write("vendor/keep.txt", "b");
  CHECK(context_digest(folder.root, dockerfile) != first);
}

TEST_CASE("input digests: a file moved keeps its bytes but changes the digest", "[digests]") {
  Folder folder;
  folder.write("a/x.txt", "same");
  auto first = folder_digest(folder.root);
  fs::create_directories(folder.root / "b");
  fs::rename(folder.root / "a/x.txt", folder.root / "b/x.txt");
  CHECK(folder_digest(folder.root) != first);
}

TEST_CASE("input digests: the index folder's digest follows every file", "[digests]") {
  Folder folder;
  folder.write("simple/requests/index.html", "<a href='r-1.whl'>");
  folder.write("files/r-1.whl", "wheel");
  auto first = folder_digest(folder.root);
  CHECK(folder_digest(folder.root) == first);
  folder.write("files/r-1.whl", "rebuilt wheel");
  CHECK(folder_digest(folder.root) != first);
}
