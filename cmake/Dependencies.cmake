# Dependencies.cmake - find every library balboard builds against.
# A missing one stops the configure with the Debian package that provides it;
# scripts/install-deps.sh installs them all.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
    message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config "
                        "(or run scripts/install-deps.sh)")
endif()

# balboard_require(<VAR> <pkg-config module> <Debian package>)
function(balboard_require var module package)
    pkg_check_modules(${var} IMPORTED_TARGET ${module})
    if(NOT ${var}_FOUND)
        message(FATAL_ERROR "missing ${module}: apt-get install ${package} "
                            "(or run scripts/install-deps.sh)")
    endif()
endfunction()

balboard_require(ZMQ       libzmq               libzmq3-dev)
balboard_require(CZMQ      libczmq              libczmq-dev)
balboard_require(CURL      libcurl              libcurl4-openssl-dev)
balboard_require(LMDB      lmdb                 liblmdb-dev)
balboard_require(PROTOBUFC libprotobuf-c        libprotobuf-c-dev)
balboard_require(JANSSON   jansson              libjansson-dev)
balboard_require(MHD       libmicrohttpd        libmicrohttpd-dev)
balboard_require(CMOCKA    cmocka               libcmocka-dev)
balboard_require(CRYPTO    libcrypto            libssl-dev)
balboard_require(ZLIB      zlib                 zlib1g-dev)

find_program(PROTOC_C protoc-c)
if(NOT PROTOC_C)
    message(FATAL_ERROR "missing protoc-c: apt-get install protobuf-c-compiler "
                        "(or run scripts/install-deps.sh)")
endif()
