# Writes OUT: one "static const char sw_preset_<name>[]" per preset in
# PRESETS (comma-separated), read from CONF/<name>.json.  Run with cmake -P at build time.
set(body "/* generated from the conf/ presets by embed_presets.cmake; do not edit */\n")
string(REPLACE "," ";" PRESETS "${PRESETS}")
foreach(p ${PRESETS})
  file(READ ${CONF}/${p}.json text HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${text}")
  string(MAKE_C_IDENTIFIER ${p} id)
  string(APPEND body "static const char sw_preset_${id}[] = {${bytes}0x00};\n")
endforeach()
file(WRITE ${OUT}.tmp "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
