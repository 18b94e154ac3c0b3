// The warm states' content edits: new to the builder every time, on a scratch copy only.
#include "measure/edit.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include <catch2/catch.hpp>

using namespace bb;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A user's context and the scratch copy a repetition edits.
struct Contexts {
  fs::path root = fs::temp_directory_path() / ("bb-edit-" + std::to_string(::getpid()));
  fs::path user = root / "user", scratch = root / "scratch";
  Contexts() {
    fs::create_directories(user);
    write(user / "app.py", "print('hi')\n");
    write(user / "requirements.txt", "a==1\n");
    write(user / "requirements-alt.txt", "a==1\nb==2\n");
    write(user / "package-lock.json", "{\"v\": 1}\n");
    write(user / "package-lock-alt.json", "{\"v\": 2}\n");
    fs::copy(user, scratch, fs::copy_options::recursive);
  }
  ~Contexts() { fs::remove_all(root); }
};

FileEdit append_edit() {
  FileEdit edit;
  edit.file = "app.py";
  edit.append = "# edit {n} ({n})\n";
  return edit;
}

FileEdit swap_edit(const std::string& file, const std::string& alternative) {
  FileEdit edit;
  edit.swap = {{file, alternative}};
  return edit;
}

}  // namespace

TEST_CASE("edit nonce: 12 hex digits, a new one each time") {
  std::set<std::string> nonces;
  for (int i = 0; i < 20; ++i) {
    auto nonce = make_edit_nonce();
    CHECK(nonce.size() == 12);
    CHECK(nonce.find_first_not_of("0123456789abcdef") == std::string::npos);
    nonces.insert(nonce);
  }
  CHECK(nonces.size() == 20);
}

TEST_CASE("edit: an append writes the token for every {n}, numbered edit after edit") {
  Contexts dirs;
  EditMaker maker("0123456789ab");
  CHECK(maker.nonce() == "0123456789ab");
  CHECK(maker.apply(append_edit(), dirs.scratch) == "1-0123456789ab");
  CHECK(maker.apply(append_edit(), dirs.scratch) == "2-0123456789ab");
  CHECK(read(dirs.scratch / "app.py") ==
        "print('hi')\n# edit 1-0123456789ab (1-0123456789ab)\n"
        "# edit 2-0123456789ab (2-0123456789ab)\n");
}

TEST_CASE("edit: every token is new across repetitions and across makers (runs)") {
  Contexts dirs;
  std::set<std::string> tokens;
  int made = 0;
  for (int run = 0; run < 3; ++run) {
    EditMaker maker(make_edit_nonce());
    for (int repetition = 0; repetition < 5; ++repetition) {
      tokens.insert(maker.apply(append_edit(), dirs.scratch));
      tokens.insert(
          maker.apply(swap_edit("requirements.txt", "requirements-alt.txt"), dirs.scratch));
      made += 2;
    }
  }
  CHECK(tokens.size() == static_cast<std::size_t>(made));
  // Two makers of one nonce (a resumed run's) would repeat: the nonce is what keeps runs apart.
  EditMaker a("feedfeedfeed"), b("feedfeedfeed");
  CHECK(a.apply(append_edit(), dirs.scratch) == b.apply(append_edit(), dirs.scratch));
}

TEST_CASE("edit: a swap alternates the two files and marks the swapped-in one with the token") {
  Contexts dirs;
  EditMaker maker("0123456789ab");
  auto edit = swap_edit("requirements.txt", "requirements-alt.txt");
  maker.apply(edit, dirs.scratch);
  CHECK(read(dirs.scratch / "requirements.txt") ==
        "a==1\nb==2\n\n# buildbench dependency edit 1-0123456789ab\n");
  CHECK(read(dirs.scratch / "requirements-alt.txt") == "a==1\n");
  maker.apply(edit, dirs.scratch);
  // Back to the first set, but with content the builder has not seen.
  auto back = read(dirs.scratch / "requirements.txt");
  CHECK(back.rfind("a==1\n", 0) == 0);
  CHECK(back.find("b==2") == std::string::npos);
  CHECK(back.find("edit 2-0123456789ab") != std::string::npos);
  CHECK(back != read(dirs.user / "requirements.txt"));
  CHECK_FALSE(fs::exists(dirs.scratch / "requirements.txt.bbswap"));
}

TEST_CASE("edit: a swapped file whose format takes no comment is swapped without a token") {
  Contexts dirs;
  EditMaker maker("0123456789ab");
  maker.apply(swap_edit("package-lock.json", "package-lock-alt.json"), dirs.scratch);
  CHECK(read(dirs.scratch / "package-lock.json") == "{\"v\": 2}\n");  // still valid JSON
  CHECK(read(dirs.scratch / "package-lock-alt.json") == "{\"v\": 1}\n");
}

TEST_CASE("edit: only the scratch copy changes, the user's files stay as they were") {
  Contexts dirs;
  EditMaker maker("0123456789ab");
  maker.apply(append_edit(), dirs.scratch);
  maker.apply(swap_edit("requirements.txt", "requirements-alt.txt"), dirs.scratch);
  CHECK(read(dirs.user / "app.py") == "print('hi')\n");
  CHECK(read(dirs.user / "requirements.txt") == "a==1\n");
  CHECK(read(dirs.user / "requirements-alt.txt") == "a==1\nb==2\n");
  CHECK(read(dirs.scratch / "app.py") != read(dirs.user / "app.py"));
}
