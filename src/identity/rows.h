// Row mapping shared by the identity implementation files (private to the module).
#pragma once

#include "identity/identity.h"
#include "store/store.h"

namespace onceonly::identity {

Org orgFromRow(const store::Row& r);

}  // namespace onceonly::identity
