# Targets.cmake - the two kinds of target every product folder makes.

# balboard_library(<name> <source>...): a folder's modules as a static
# library, the folder's headers on the include path of whatever links it.
function(balboard_library name)
    add_library(${name} STATIC ${ARGN})
    target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
endfunction()

# balboard_program(<name> SOURCES <source>... LIBRARIES <library>...): a
# binary of the product, installed in bin.
function(balboard_program name)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;LIBRARIES")
    add_executable(${name} ${arg_SOURCES})
    target_link_libraries(${name} PRIVATE ${arg_LIBRARIES})
    install(TARGETS ${name})
endfunction()
