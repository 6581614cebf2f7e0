# Project warning set, applied per target so third-party headers (included as SYSTEM) stay quiet.
function(graft_warnings target)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor
                                             -Wno-missing-field-initializers)
  else()  # clang (the fuzzers) spells GCC's -Wshadow=local differently
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor
                                             -Wno-missing-field-initializers)
  endif()
  if(GRAFT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Every .cpp in a folder belongs to its target: adding a file needs no CMake edit.
function(graft_sources out dir)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS ${dir}/*.cpp)
  set(${out} ${files} PARENT_SCOPE)
endfunction()

# Executables share graft_runtime's precompiled torch header (compiling it costs ~20 s).
# The header was built with -fPIC (libraries); executables default to -fPIE, which GCC treats
# as a different setting, so compile them with -fPIC too (it comes last and wins).
function(graft_use_torch_pch target)
  target_precompile_headers(${target} REUSE_FROM graft_runtime)
  target_compile_options(${target} PRIVATE -fPIC)
endfunction()
