// Files compiled into the binary (migrations, the OpenAPI document, the start page), so a
// single onceonly executable carries everything it needs.
#pragma once

#include <string_view>

namespace onceonly {

struct EmbeddedFile {
  std::string_view name;
  std::string_view content;
};

}  // namespace onceonly
