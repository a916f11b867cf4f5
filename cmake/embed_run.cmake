# Writes OUT: namespace NS { const EmbeddedFile kFiles[]; const size_t kFileCount; }
# Raw string literals with a delimiter that does not occur in the embedded files.
set(body "// Generated from source files; do not edit.\n#include <cstddef>\n#include <string_view>\n#include \"core/embedded.h\"\nnamespace ${NS} {\nextern const onceonly::EmbeddedFile kFiles[];\nextern const std::size_t kFileCount;\nconst onceonly::EmbeddedFile kFiles[] = {\n")
set(count 0)
string(REPLACE "|" ";" FILES "${FILES}")
foreach(f ${FILES})
  file(READ ${f} content)
  get_filename_component(name ${f} NAME)
  string(APPEND body "  {\"${name}\", R\"oo_embed(${content})oo_embed\"},\n")
  math(EXPR count "${count}+1")
endforeach()
string(APPEND body "};\nconst std::size_t kFileCount = ${count};\n}\n")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
