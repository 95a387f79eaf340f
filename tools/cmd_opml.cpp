// khobor opml — feed lists in and out: `khobor opml import FILE` turns an OPML
// file's outlines into [[feed]] tables (printed, or appended to a config with
// --write and checked there), `khobor opml export` prints the config's feeds as
// OPML 2.0. OPML is read and written with pugixml.
#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "tools/command.h"

namespace {

struct Outline {
  std::string title;
  std::string url;
};

// A TOML basic string: quotes, backslashes and control characters escaped.
std::string toml_quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// A feed id from ASCII letters and digits of `text`, words joined by '-'.
std::string slug(const std::string& text) {
  std::string out;
  bool dash = false;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 && c < 0x80) {
      if (dash && !out.empty()) {
        out += '-';
      }
      out += static_cast<char>(std::tolower(c));
      dash = false;
    } else {
      dash = true;
    }
  }
  return out.substr(0, 40);
}

// The id for an outline: its title's slug, else its URL's host and path.
std::string make_id(const Outline& o, std::set<std::string>& taken) {
  std::string base = slug(o.title);
  if (base.empty()) {
    std::string u = o.url;
    if (auto p = u.find("://"); p != std::string::npos) {
      u = u.substr(p + 3);
    }
    if (u.rfind("www.", 0) == 0) {
      u = u.substr(4);
    }
    base = slug(u);
  }
  if (base.empty()) {
    base = "feed";
  }
  std::string id = base;
  for (int n = 2; taken.count(id) != 0; ++n) {
    id = base + "-" + std::to_string(n);
  }
  taken.insert(id);
  return id;
}

// Every outline with an xmlUrl, at any depth (categories are folders).
void collect(const pugi::xml_node& node, std::vector<Outline>& out) {
  for (pugi::xml_node o : node.children("outline")) {
    std::string url = o.attribute("xmlUrl").as_string();
    if (!url.empty()) {
      std::string title = o.attribute("title").as_string();
      if (title.empty()) {
        title = o.attribute("text").as_string();
      }
      out.push_back({title, url});
    }
    collect(o, out);
  }
}

// The [[feed]] tables of the outlines whose URL is not in `known_urls` (which
// gains them), each with a fresh id; counts them in `added` and the others in
// `skipped`.
std::string feed_tables(const std::vector<Outline>& outlines, std::set<std::string>& taken,
                        std::set<std::string>& known_urls, size_t& added, size_t& skipped) {
  std::string tables;
  for (const auto& o : outlines) {
    if (!known_urls.insert(o.url).second) {
      ++skipped;
      continue;
    }
    std::string id = make_id(o, taken);
    tables += "\n";
    if (!o.title.empty()) {
      std::string title = o.title.substr(0, 200);
      for (char& c : title) {
        c = (c == '\n' || c == '\r') ? ' ' : c;
      }
      tables += "# " + title + "\n";
    }
    tables += "[[feed]]\nid = " + toml_quote(id) + "\nurl = " + toml_quote(o.url) + "\n";
    ++added;
  }
  return tables;
}

// Appends `tables` to the config at `path` (whose text is `existing`): checked as
// khobord will read it, then written whole and renamed over it. 0, or 1 after
// saying why the file was left unchanged.
int append_to_config(const std::string& path, const std::string& existing,
                     const std::string& tables) {
  std::string text = existing;
  if (!text.empty() && text.back() != '\n') {
    text += '\n';
  }
  text += tables;
  std::string dir = std::filesystem::path(path).parent_path().string();
  auto check = khobor::daemon::parse_config(text, path, dir.empty() ? "." : dir);
  if (!check) {
    std::fprintf(stderr, "khobor opml import: the file would not be valid, left unchanged: %s\n",
                 check.error().message.c_str());
    return 1;
  }
  std::string tmp = path + ".khobor-opml.tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
      std::fprintf(stderr, "khobor opml import: cannot write %s\n", tmp.c_str());
      return 1;
    }
  }
  std::filesystem::rename(tmp, path);
  return 0;
}

int import_opml(const std::string& file, const std::string& write_path) {
  pugi::xml_document doc;
  pugi::xml_parse_result res = doc.load_file(file.c_str());
  if (!res) {
    std::fprintf(stderr, "khobor opml import: %s: byte %lld: not OPML (XML error: %s)\n",
                 file.c_str(), static_cast<long long>(res.offset), res.description());
    return 1;
  }
  pugi::xml_node body = doc.child("opml").child("body");
  if (!body) {
    std::fprintf(stderr, "khobor opml import: %s: no <opml><body> element\n", file.c_str());
    return 1;
  }
  std::vector<Outline> outlines;
  collect(body, outlines);

  std::set<std::string> taken;
  std::set<std::string> known_urls;
  std::string existing;
  if (!write_path.empty()) {
    auto cfg = khobor::daemon::load_config(write_path);
    if (!cfg) {
      std::fprintf(stderr, "khobor opml import: %s\n", cfg.error().message.c_str());
      return khobor::daemon::k_exit_config;
    }
    for (const auto& f : cfg->feeds) {
      taken.insert(f.id);
      known_urls.insert(f.url);
    }
    std::ifstream in(write_path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    existing = ss.str();
  }

  size_t added = 0;
  size_t skipped = 0;
  const std::string tables = feed_tables(outlines, taken, known_urls, added, skipped);
  if (write_path.empty()) {
    std::fputs(tables.c_str(), stdout);
    std::fprintf(stderr, "khobor opml import: %zu feed(s) from %s\n", added, file.c_str());
    return outlines.empty() ? 1 : 0;
  }
  if (append_to_config(write_path, existing, tables) != 0) {
    return 1;
  }
  std::printf("khobor opml import: %zu feed(s) added to %s, %zu already there%s\n", added,
              write_path.c_str(), skipped,
              added > 0 ? "; apply with systemctl reload khobord" : "");
  return 0;
}

int export_opml(const std::string& config_path) {
  auto cfg = khobor::daemon::load_config(config_path);
  if (!cfg) {
    std::fprintf(stderr, "khobor opml export: %s\n", cfg.error().message.c_str());
    return khobor::daemon::k_exit_config;
  }
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node opml = doc.append_child("opml");
  opml.append_attribute("version") = "2.0";
  opml.append_child("head").append_child("title").text() = "khobor feeds";
  pugi::xml_node body = opml.append_child("body");
  for (const auto& f : cfg->feeds) {
    pugi::xml_node o = body.append_child("outline");
    o.append_attribute("type") = "rss";
    o.append_attribute("text") = f.id.c_str();
    o.append_attribute("title") = f.id.c_str();
    o.append_attribute("xmlUrl") = f.url.c_str();
  }
  doc.save(std::cout, "  ", pugi::format_default, pugi::encoding_utf8);
  return 0;
}

int run_opml(int argc, char** argv) {
  CLI::App app{"Feed lists in and out of the config as OPML", "khobor opml"};
  app.require_subcommand(1);
  std::string file;
  std::string write_path;
  std::string config_path = khobor::daemon::k_default_config_path;
  CLI::App* imp =
      app.add_subcommand("import", "print an OPML file's feeds as [[feed]] tables (or --write)");
  imp->add_option("FILE", file, "the OPML file")->required();
  imp->add_option("--write", write_path,
                  "append the new feeds to this config (checked first; known URLs skipped)");
  CLI::App* exp = app.add_subcommand("export", "print the config's feeds as OPML 2.0");
  exp->add_option("--config", config_path, "khobord's configuration");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (imp->parsed()) {
    return import_opml(file, write_path);
  }
  return export_opml(config_path);
}

const khobor::tools::Registration k_reg{
    "opml", "feed lists: opml import FILE [--write CONFIG], opml export [--config F]", &run_opml};

}  // namespace
