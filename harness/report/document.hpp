#pragma once
// A small document model rendered to markdown (for docs and GitHub) and to HTML (for
// checking the page in a browser). Text in it is plain: renderers escape it.
#include <ostream>
#include <string>
#include <variant>
#include <vector>

namespace bb::doc {

struct Heading {
  int level;
  std::string text;
};
// Inline text; **bold** spans are the only markup, marked with `strong`.
struct Span {
  std::string text;
  bool strong = false;
  bool code = false;
};
struct Paragraph {
  std::vector<Span> spans;
};
enum class Align { kLeft, kRight };
struct Table {
  std::vector<std::string> header;
  std::vector<Align> align;
  std::vector<std::vector<std::string>> rows;
};
struct Image {
  std::string path;  // relative to the page
  std::string alt;
};
struct List {
  std::vector<std::vector<Span>> items;
};
struct Code {
  std::string text;
};
struct DetailsBegin {
  std::string summary;
};
struct DetailsEnd {};

using Block = std::variant<Heading, Paragraph, Table, Image, List, Code, DetailsBegin, DetailsEnd>;

struct Document {
  std::string title;
  std::vector<Block> blocks;

  void heading(int level, std::string text) { blocks.push_back(Heading{level, std::move(text)}); }
  void paragraph(std::string text) { blocks.push_back(Paragraph{{Span{std::move(text)}}}); }
  void paragraph(std::vector<Span> spans) { blocks.push_back(Paragraph{std::move(spans)}); }
  void table(Table t) { blocks.push_back(std::move(t)); }
  void image(std::string path, std::string alt) {
    blocks.push_back(Image{std::move(path), std::move(alt)});
  }
  void list(List l) { blocks.push_back(std::move(l)); }
  void code(std::string text) { blocks.push_back(Code{std::move(text)}); }
  void details_begin(std::string summary) { blocks.push_back(DetailsBegin{std::move(summary)}); }
  void details_end() { blocks.push_back(DetailsEnd{}); }
};

void render_markdown(std::ostream& out, const Document& document);
void render_html(std::ostream& out, const Document& document);

}  // namespace bb::doc
