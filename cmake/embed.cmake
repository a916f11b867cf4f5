# onceonly_embed(TARGET name NAMESPACE ns FILES a b ...) turns files into a C++ source that
# exposes them as std::string_view constants: the binary carries its own migrations and API
# document, so nothing has to be installed beside it.
function(onceonly_embed out_var)
  cmake_parse_arguments(E "" "NAME;NAMESPACE" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${E_NAME}.cpp)
  # A ';' would split the command line; the script splits on '|' instead.
  string(REPLACE ";" "|" files_arg "${E_FILES}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${E_NAMESPACE} "-DFILES=${files_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake
    DEPENDS ${E_FILES} ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake
    COMMENT "Embedding ${E_NAME}"
    VERBATIM)
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
