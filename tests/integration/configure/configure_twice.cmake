# cmake -DSOURCE_DIR=… -DWORK_DIR=… -DGENERATOR=… -DCXX_COMPILER=… -DBUILD_TYPE=…
#       -DWERROR=… -DSANITIZE=… -P configure_twice.cmake
#
# Configures SOURCE_DIR into an empty WORK_DIR twice, as tools/dev does, and fails
# when the second configure changed compile_commands.json (a compile line that
# changes rebuilds its object: after `tools/dev demo`, `tools/dev test` would
# rebuild everything).
foreach(v SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT ${v})
    message(FATAL_ERROR "configure_twice.cmake: -D${v}=… is required")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(commands ${WORK_DIR}/build/compile_commands.json)
foreach(round 1 2)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
      -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
      -DKHOBOR_WERROR=${WERROR}
      -DKHOBOR_SANITIZE=${SANITIZE}
    RESULT_VARIABLE rc
    OUTPUT_FILE ${WORK_DIR}/configure-${round}.log
    ERROR_FILE ${WORK_DIR}/configure-${round}.log)
  if(NOT rc EQUAL 0)
    file(READ ${WORK_DIR}/configure-${round}.log log)
    message(FATAL_ERROR "configure ${round} failed (${rc}):\n${log}")
  endif()
  if(NOT EXISTS ${commands})
    message(FATAL_ERROR "configure ${round} wrote no ${commands}")
  endif()
  file(COPY_FILE ${commands} ${WORK_DIR}/compile_commands-${round}.json)
endforeach()

execute_process(
  COMMAND ${CMAKE_COMMAND} -E compare_files
    ${WORK_DIR}/compile_commands-1.json ${WORK_DIR}/compile_commands-2.json
  RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  execute_process(
    COMMAND diff ${WORK_DIR}/compile_commands-1.json ${WORK_DIR}/compile_commands-2.json
    OUTPUT_VARIABLE diff)
  string(SUBSTRING "${diff}" 0 4000 diff)
  message(FATAL_ERROR
    "the second configure changed compile lines (every changed object is rebuilt): a value "
    "used in a compile option before it is defined? The difference:\n${diff}")
endif()
file(STRINGS ${WORK_DIR}/compile_commands-2.json lines REGEX "\"command\"")
list(LENGTH lines n)
message(STATUS "ok: ${n} compile lines, the same after the second configure")
file(REMOVE_RECURSE ${WORK_DIR})
