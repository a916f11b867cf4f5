// Serves files below one directory: content type from the extension, never a path outside
// the directory (".." segments, symlinks out of it and NUL bytes are refused), index.html for
// directories. Returns nullopt when there is no such file, so the caller answers 404.
//
// The directory holds a single-page application (web/dist): a path that names no file and does
// not look like one (no dot in its last segment, not under /assets/) gets the application's
// index.html, so that the browser's router shows the page it names (history-mode routing).
// Files under /assets/ have content hashes in their names and are cached for a year; index.html
// is revalidated every time, so a new build is seen at once.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "http/http.h"

namespace onceonly::http {

class StaticFiles {
 public:
  explicit StaticFiles(const std::filesystem::path& root);
  std::optional<Response> serve(const std::string& decodedPath) const;
  // The policy for HTML pages of the application: scripts from this origin only; inline style
  // attributes allowed (the component library sets them).
  static const char* kAppContentSecurityPolicy;
  static std::string contentType(const std::filesystem::path& file);

 private:
  std::optional<Response> file(const std::string& decodedPath) const;

  std::filesystem::path root_;
};

}  // namespace onceonly::http
