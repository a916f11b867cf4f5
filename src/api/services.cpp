#include "api/module.h"

namespace onceonly::api {

Services::~Services() {
  // Later services may use earlier ones until they are gone.
  while (!owned_.empty()) owned_.pop_back();
}

}  // namespace onceonly::api
