#include "http/static_files.h"

#include <fstream>
#include <map>
#include <sstream>

#include "http/router.h"

namespace onceonly::http {

StaticFiles::StaticFiles(const std::filesystem::path& root)
    : root_(std::filesystem::weakly_canonical(root)) {}

std::string StaticFiles::contentType(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

const char* StaticFiles::kAppContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors "
    "'none'; base-uri 'none'; form-action 'self'";

std::optional<Response> StaticFiles::serve(const std::string& decodedPath) const {
  if (auto r = file(decodedPath)) return r;
  const bool asset = decodedPath.rfind("/assets/", 0) == 0;
  const auto slash = decodedPath.rfind('/');
  const bool fileLike =
      decodedPath.find('.', slash == std::string::npos ? 0 : slash) != std::string::npos;
  if (asset || fileLike) return std::nullopt;
  return file("/index.html");
}

std::optional<Response> StaticFiles::file(const std::string& decodedPath) const {
  if (decodedPath.find('\0') != std::string::npos) return std::nullopt;
  std::filesystem::path rel;
  for (const auto& seg : splitPath(decodedPath)) {
    if (seg == ".." || seg == "." || seg.find('\\') != std::string::npos) return std::nullopt;
    rel /= seg;
  }
  std::error_code ec;
  auto full = std::filesystem::weakly_canonical(root_ / rel, ec);
  if (ec) return std::nullopt;
  if (std::filesystem::is_directory(full, ec)) {
    full = std::filesystem::weakly_canonical(full / "index.html", ec);
    if (ec) return std::nullopt;
  }
  // After resolving symlinks the file must still be inside the root.
  auto [rootEnd, fullIt] = std::mismatch(root_.begin(), root_.end(), full.begin(), full.end());
  if (rootEnd != root_.end()) return std::nullopt;
  if (!std::filesystem::is_regular_file(full, ec)) return std::nullopt;
  std::ifstream in(full, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream body;
  body << in.rdbuf();
  Response r = Response::text(200, body.str(), contentType(full));
  const auto relative = std::filesystem::relative(full, root_, ec).generic_string();
  if (relative.rfind("assets/", 0) == 0)
    r.setHeader("Cache-Control", "public, max-age=31536000, immutable");
  else if (full.extension() == ".html")
    r.setHeader("Cache-Control", "no-cache");
  else
    r.setHeader("Cache-Control", "public, max-age=300");
  if (full.extension() == ".html")
    r.setHeader("Content-Security-Policy", kAppContentSecurityPolicy);
  return r;
}

}  // namespace onceonly::http
