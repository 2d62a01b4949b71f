# Fuzz targets (tests/fuzz/fuzz_<name>.c) on one shared driver.
#  - Normal builds: each target is a replay program and a CTest replays
#    tests/regress/<target>/ (crashers, kept forever) and the seed corpus
#    tests/fuzz/corpus/<target>/ through it, sanitizers on if SW_SANITIZE.
#  - -DSW_FUZZ=ON with clang: libFuzzer binaries; `cmake --build . --target
#    fuzz` builds them all (tests/fuzz/smoke.sh runs each for ~20 s).
# Other parts of the tree add targets with sw_fuzz_target(name src libs...).
add_custom_target(fuzz)

function(sw_fuzz_target name src)
  set(libs ${ARGN})
  if(SW_FUZZ)
    add_executable(${name} ${src} ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_main.c)
    target_compile_definitions(${name} PRIVATE SW_FUZZ_LIBFUZZER)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    add_dependencies(fuzz ${name})
  else()
    add_executable(${name} ${src} ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_main.c)
    add_test(NAME ${name}_replay COMMAND ${name}
             ${CMAKE_SOURCE_DIR}/tests/regress/${name}
             ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${name})
    # replays a few dozen small inputs: well under a second, even under ASan
    set_tests_properties(${name}_replay PROPERTIES TIMEOUT 120)
  endif()
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz
                             ${CMAKE_SOURCE_DIR}/policy ${CMAKE_SOURCE_DIR}/daemon
                             ${CMAKE_BINARY_DIR}/policy)
  target_link_libraries(${name} PRIVATE ${libs})
  sw_target_options(${name})
endfunction()

foreach(t normalize json_body policy_eval policy_compile pb grpc)
  sw_fuzz_target(fuzz_${t} ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_${t}.c swpolicy)
endforeach()

# The job control protocol and state file (daemon/jobs/).
sw_fuzz_target(fuzz_job_proto ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_job_proto.c
               swcore swpolicy)

# A target the daemon side provides (fuzz_http_parse.c), when it exists.
if(EXISTS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_http_parse.c)
  sw_fuzz_target(fuzz_http_parse ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_http_parse.c
                 swcore swpolicy)
endif()
