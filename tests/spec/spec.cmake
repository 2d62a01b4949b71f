# The body-member model against the engine's API specs (issue 8).
#  - spec_schema_drift: policy/schema.c's tables (dumped by schema_dump)
#    against tests/spec/fields.txt, the members every spec v1.25..v1.56
#    lists; differences must be explained in tests/spec/drift-known.txt.
#  - spec_table: fields.txt against the newest spec, which lives outside
#    the repository (SW_ENGINE_API_SPEC, default
#    ../shared/reference/engine-api/swagger.yaml next to the checkout).
#    Registered only where that file exists when CMake runs: the table is
#    regenerated from the specs there, and spec_schema_drift holds the
#    model to the committed table everywhere.
add_executable(schema_dump ${CMAKE_CURRENT_LIST_DIR}/schema_dump.c)
target_include_directories(schema_dump PRIVATE ${CMAKE_SOURCE_DIR}/policy)
target_link_libraries(schema_dump PRIVATE swpolicy)
sw_target_options(schema_dump)

add_test(NAME spec_schema_drift
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/drift.py
                 ${CMAKE_CURRENT_LIST_DIR}/fields.txt
                 ${CMAKE_CURRENT_LIST_DIR}/drift-known.txt
                 $<TARGET_FILE:schema_dump>)
set_tests_properties(spec_schema_drift PROPERTIES TIMEOUT 60)
if(DEFINED ENV{SW_ENGINE_API_SPEC})
  set(SW_SPEC_FILE $ENV{SW_ENGINE_API_SPEC})
else()
  set(SW_SPEC_FILE ${CMAKE_SOURCE_DIR}/../shared/reference/engine-api/swagger.yaml)
endif()
if(EXISTS ${SW_SPEC_FILE})
  add_test(NAME spec_table
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/check-table.sh
                   ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(spec_table PROPERTIES
    ENVIRONMENT "SW_ENGINE_API_SPEC=${SW_SPEC_FILE}" TIMEOUT 120)
endif()
