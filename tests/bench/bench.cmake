# tests/bench: the load generator used by tests/bench/bench.sh.  A plain
# executable (libc + epoll only), deliberately not registered with CTest:
# the benchmark measures, it does not pass or fail.
add_executable(swbench ${CMAKE_CURRENT_LIST_DIR}/swbench.c)
sw_target_options(swbench)
set_target_properties(swbench PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bench)
