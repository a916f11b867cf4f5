# onceonly_module(NAME DOMAIN <sources> DOMAIN_LIBS <libraries> API <sources>) builds one module
# from its folder (src/NAME):
#   onceonly_NAME         its domain: plain C++ types and calls, no HTTP
#   onceonly_NAME_module  its routes and descriptor (api::Module), with migrations/*.sql and
#                         openapi.json embedded
# Application finds the module through the list ONCEONLY_MODULES in src/CMakeLists.txt.
function(onceonly_module name)
  cmake_parse_arguments(M "" "" "DOMAIN;DOMAIN_LIBS;API" ${ARGN})
  add_library(onceonly_${name} STATIC ${M_DOMAIN})
  target_link_libraries(onceonly_${name} PUBLIC ${M_DOMAIN_LIBS})
  file(GLOB files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/migrations/*.sql)
  list(SORT files)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/openapi.json)
    list(APPEND files ${CMAKE_CURRENT_SOURCE_DIR}/openapi.json)
  endif()
  onceonly_embed(embedded_cpp NAME ${name}_files NAMESPACE onceonly::${name}::embedded
                 FILES ${files})
  add_library(onceonly_${name}_module STATIC ${M_API} ${embedded_cpp})
  target_link_libraries(onceonly_${name}_module PUBLIC onceonly_api onceonly_${name})
endfunction()

# Writes the module list (api::modules()) for the names given, in that order.
function(onceonly_module_list out_var)
  set(decls "")
  set(items "")
  foreach(m ${ARGN})
    string(APPEND decls "namespace onceonly::${m} {\nonceonly::api::Module module();\n"
           "namespace embedded {\nextern const onceonly::EmbeddedFile kFiles[];\n"
           "extern const std::size_t kFileCount;\n}  // namespace embedded\n}\n")
    string(APPEND items "    out.push_back(withFiles(${m}::module(), ${m}::embedded::kFiles,\n"
           "                            ${m}::embedded::kFileCount));\n")
  endforeach()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/module_list.cpp)
  file(CONFIGURE OUTPUT ${out} CONTENT "// Generated from ONCEONLY_MODULES; do not edit.
#include \"api/module.h\"
${decls}
namespace onceonly::api {
namespace {
// A module's migrations and OpenAPI fragment, embedded from its folder by onceonly_module().
Module withFiles(Module m, const EmbeddedFile* files, std::size_t count) {
  m.files.assign(files, files + count);
  return m;
}
}  // namespace

const std::vector<Module>& modules() {
  static const std::vector<Module> kModules = [] {
    std::vector<Module> out;
${items}    return out;
  }();
  return kModules;
}
}  // namespace onceonly::api
")
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
