// Serves files below one directory: content type from the extension, never a path outside
// the directory (".." segments, symlinks out of it and NUL bytes are refused), index.html for
// directories. Returns nullopt when there is no such file, so the caller answers 404.
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
  static std::string contentType(const std::filesystem::path& file);

 private:
  std::filesystem::path root_;
};

}  // namespace onceonly::http
