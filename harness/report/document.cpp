#include "report/document.hpp"

#include "report/format.hpp"

namespace bb::doc {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string md_spans(const std::vector<Span>& spans) {
  std::string out;
  for (const auto& span : spans) {
    if (span.code) {
      // Backticks inside code are replaced, so the span cannot be closed early.
      std::string text = span.text;
      for (auto& c : text) {
        if (c == '`') c = '\'';
        if (c == '\n') c = ' ';
      }
      out += "`" + text + "`";
    } else if (span.strong) {
      out += "**" + markdown_escape(span.text) + "**";
    } else {
      out += markdown_escape(span.text);
    }
  }
  return out;
}

std::string html_spans(const std::vector<Span>& spans) {
  std::string out;
  for (const auto& span : spans) {
    if (span.code) {
      out += "<code>" + html_escape(span.text) + "</code>";
    } else if (span.strong) {
      out += "<strong>" + html_escape(span.text) + "</strong>";
    } else {
      out += html_escape(span.text);
    }
  }
  return out;
}

}  // namespace

void render_markdown(std::ostream& out, const Document& document) {
  out << "# " << markdown_escape(document.title) << "\n";
  for (const auto& block : document.blocks) {
    std::visit(Overloaded{
                   [&](const Heading& h) {
                     out << "\n"
                         << std::string(h.level, '#') << " " << markdown_escape(h.text) << "\n";
                   },
                   [&](const Paragraph& p) { out << "\n"
                                                 << md_spans(p.spans) << "\n"; },
                   [&](const Table& t) {
                     out << "\n|";
                     for (const auto& h : t.header) out << " " << markdown_escape(h) << " |";
                     out << "\n|";
                     for (std::size_t i = 0; i < t.header.size(); ++i) {
                       bool right = i < t.align.size() && t.align[i] == Align::kRight;
                       out << (right ? "---:|" : "---|");
                     }
                     out << "\n";
                     for (const auto& row : t.rows) {
                       out << "|";
                       for (const auto& cell : row) out << " " << markdown_escape(cell) << " |";
                       out << "\n";
                     }
                   },
                   [&](const Image& i) {
                     out << "\n![" << markdown_escape(i.alt) << "](" << i.path << ")\n";
                   },
                   [&](const List& l) {
                     out << "\n";
                     for (const auto& item : l.items) out << "- " << md_spans(item) << "\n";
                   },
                   [&](const Code& c) { out << "\n```\n"
                                            << c.text << "\n```\n"; },
                   [&](const DetailsBegin& d) {
                     out << "\n<details><summary>" << html_escape(d.summary) << "</summary>\n";
                   },
                   [&](const DetailsEnd&) { out << "\n</details>\n"; },
               },
               block);
  }
}

void render_html(std::ostream& out, const Document& document) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>"
      << html_escape(document.title) << "</title>\n<style>\n"
      << "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:1100px;"
         "margin:2em auto;padding:0 1em;color:#1f2328;line-height:1.5}\n"
      << "table{border-collapse:collapse;margin:1em 0;font-size:14px}\n"
      << "th,td{border:1px solid #d0d7de;padding:4px 10px}th{background:#f6f8fa}\n"
      << "td.r,th.r{text-align:right}code,pre{background:#f6f8fa;font-size:13px}\n"
      << "pre{padding:1em;overflow:auto}img{max-width:100%}\n</style></head><body>\n";
  out << "<h1>" << html_escape(document.title) << "</h1>\n";
  for (const auto& block : document.blocks) {
    std::visit(Overloaded{
                   [&](const Heading& h) {
                     out << "<h" << h.level << ">" << html_escape(h.text) << "</h" << h.level
                         << ">\n";
                   },
                   [&](const Paragraph& p) { out << "<p>" << html_spans(p.spans) << "</p>\n"; },
                   [&](const Table& t) {
                     out << "<table><thead><tr>";
                     for (std::size_t i = 0; i < t.header.size(); ++i) {
                       bool right = i < t.align.size() && t.align[i] == Align::kRight;
                       out << "<th" << (right ? " class=\"r\"" : "") << ">"
                           << html_escape(t.header[i]) << "</th>";
                     }
                     out << "</tr></thead><tbody>\n";
                     for (const auto& row : t.rows) {
                       out << "<tr>";
                       for (std::size_t i = 0; i < row.size(); ++i) {
                         bool right = i < t.align.size() && t.align[i] == Align::kRight;
                         out << "<td" << (right ? " class=\"r\"" : "") << ">" << html_escape(row[i])
                             << "</td>";
                       }
                       out << "</tr>\n";
                     }
                     out << "</tbody></table>\n";
                   },
                   [&](const Image& i) {
                     out << "<p><img src=\"" << html_escape(i.path) << "\" alt=\""
                         << html_escape(i.alt) << "\"></p>\n";
                   },
                   [&](const List& l) {
                     out << "<ul>\n";
                     for (const auto& item : l.items)
                       out << "<li>" << html_spans(item) << "</li>\n";
                     out << "</ul>\n";
                   },
                   [&](const Code& c) { out << "<pre>" << html_escape(c.text) << "</pre>\n"; },
                   [&](const DetailsBegin& d) {
                     out << "<details open><summary>" << html_escape(d.summary) << "</summary>\n";
                   },
                   [&](const DetailsEnd&) { out << "</details>\n"; },
               },
               block);
  }
  out << "</body></html>\n";
}

}  // namespace bb::doc
