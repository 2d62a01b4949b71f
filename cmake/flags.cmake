# flags.cmake - the compile and link options every sockwarden target gets,
# applied per target by sw_target_options(<target>), never directory-wide
# (so a vendored or generated target does not inherit our -Werror).
#   - warnings, and -Werror unless SW_WERROR=OFF (or cmake
#     --compile-no-warning-as-error, for packagers on newer compilers);
#   - hardening: stack protector, _FORTIFY_SOURCE=3 in optimised builds
#     without sanitizers, PIE, full RELRO (-z relro -z now);
#   - SW_SANITIZE (ASan+UBSan) and SW_FUZZ (libFuzzer instrumentation).
# sw_check_targets() fails the configure step if a target missed the call.
# It does not pick build types or add optimisation flags.
include_guard(GLOBAL)
include(CheckPIESupported)

option(SW_WERROR "Treat compiler warnings as errors" ON)
option(SW_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
option(SW_FUZZ "Build libFuzzer targets (needs clang)" OFF)

# Without this call CMake (policy CMP0083) does not pass -pie at link time.
check_pie_supported(OUTPUT_VARIABLE sw_pie_why LANGUAGES C)
if(NOT CMAKE_C_LINK_PIE_SUPPORTED)
  message(FATAL_ERROR "the C toolchain cannot link position-independent executables: ${sw_pie_why}")
endif()

# FORTIFY needs the optimiser (glibc warns, i.e. fails under -Werror, at
# -O0) and fights the sanitizers' own interceptors, so only optimised
# configurations of a plain build get it.  "1" where it is on: also read by
# the hardening test (tests/cli/t-hardening.sh) to know what to expect.
if(SW_SANITIZE OR SW_FUZZ)
  set(SW_FORTIFY_ON "0")
else()
  set(SW_FORTIFY_ON "$<CONFIG:Release,RelWithDebInfo,MinSizeRel>")
endif()

function(sw_target_options target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
    -Wno-unused-parameter -fstack-protector-strong
    # -U first: a packager's CFLAGS or the compiler may already define it.
    "$<${SW_FORTIFY_ON}:-U_FORTIFY_SOURCE;-D_FORTIFY_SOURCE=3>")
  if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
    # libseccomp's SCMP_A0_* macros build partial compound literals.
    target_compile_options(${target} PRIVATE -Wno-missing-field-initializers)
  endif()
  target_compile_definitions(${target} PRIVATE _GNU_SOURCE)
  set_target_properties(${target} PROPERTIES
    COMPILE_WARNING_AS_ERROR ${SW_WERROR}
    POSITION_INDEPENDENT_CODE ON
    SW_OPTIONS_APPLIED ON)
  # Full RELRO: the GOT is read-only after start-up, with every symbol
  # bound then (no lazy binding left to overwrite).
  target_link_options(${target} PRIVATE LINKER:-z,relro LINKER:-z,now)
  if(SW_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
      -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(SW_FUZZ)
    target_compile_options(${target} PRIVATE
      -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# Every compiled target under DIR (recursively) must have had
# sw_target_options(); a new target without it would build without
# warnings or hardening and nobody would notice.
function(sw_check_targets dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t ${targets})
    get_target_property(type ${t} TYPE)
    if(type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$")
      get_target_property(applied ${t} SW_OPTIONS_APPLIED)
      if(NOT applied)
        message(FATAL_ERROR "target ${t} (${dir}) lacks sw_target_options(${t}), see cmake/flags.cmake")
      endif()
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(d ${subdirs})
    sw_check_targets(${d})
  endforeach()
endfunction()
