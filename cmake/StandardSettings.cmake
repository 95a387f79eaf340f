# One INTERFACE target carries the project's compile settings: warnings, optional
# -Werror (on in CI), optional sanitizers. Every khobor target links it.
option(KHOBOR_WERROR "Treat warnings as errors" OFF)
option(KHOBOR_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

add_library(khobor_settings INTERFACE)
target_compile_options(khobor_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough)
# Not -Wnull-dereference: with GCC 12 it fires inside libstdc++ and CLI11 inlined code.
if(KHOBOR_WERROR)
  target_compile_options(khobor_settings INTERFACE -Werror)
endif()
if(KHOBOR_SANITIZE)
  target_compile_options(khobor_settings INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(khobor_settings INTERFACE -fsanitize=address,undefined)
endif()
# Only what project() fixes goes into every compile line: a cache variable defined
# after this file was empty at the first configure and set at the second, which
# changed every command line (tests/integration/configure checks that none does).
target_compile_definitions(khobor_settings INTERFACE KHOBOR_VERSION="${PROJECT_VERSION}")
target_include_directories(khobor_settings INTERFACE ${PROJECT_SOURCE_DIR})
