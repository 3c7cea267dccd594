# Third-party C/C++ libraries for the Emscripten build, compiled from the Debian
# source tarballs that scripts/install_deps.sh fetches (`apt-get source`):
#   utf8proc::utf8proc  utf8proc 2.8.0 (Unicode normalization)
#   spm::static         sentencepiece 0.1.97 static library (+ builtin protobuf-lite)
#   pcre2::pcre2-8      PCRE2 10.42, 8-bit, Unicode, no JIT (tokenizer regexes)
#   LIBMD_TARBALL       libmd 1.0.4 sources (its SHA-256, for wasm/sha256.c)
# Each is an ExternalProject: built once on the first build, then left alone
# (stamp files), so changes to our own sources never rebuild them.
include(ExternalProject)

set(HUBWASM_THIRD_PARTY_SRC "${CMAKE_SOURCE_DIR}/third_party/src" CACHE PATH
    "Folder holding the Debian .orig tarballs of sentencepiece and utf8proc")

set(_tp_spm_tarball "${HUBWASM_THIRD_PARTY_SRC}/sentencepiece_0.1.97.orig.tar.gz")
set(_tp_utf8proc_tarball "${HUBWASM_THIRD_PARTY_SRC}/utf8proc_2.8.0.orig.tar.gz")
set(_tp_pcre2_tarball "${HUBWASM_THIRD_PARTY_SRC}/pcre2_10.42.orig.tar.gz")
set(_tp_libmd_tarball "${HUBWASM_THIRD_PARTY_SRC}/libmd_1.0.4.orig.tar.xz")
foreach(_tarball IN ITEMS "${_tp_spm_tarball}" "${_tp_utf8proc_tarball}" "${_tp_pcre2_tarball}" "${_tp_libmd_tarball}")
  if(NOT EXISTS "${_tarball}")
    message(FATAL_ERROR "${_tarball} is missing: run scripts/install_deps.sh")
  endif()
endforeach()

# Same code generation as hubwasm_core: -O3 -msimd128 (+ -pthread in the
# threads variant), and -fwasm-exceptions for C++ (sentencepiece).
set(_tp_flags -O3 -msimd128 -DNDEBUG ${HUBWASM_WASM_THREAD_FLAGS})
set(_tp_root "${CMAKE_BINARY_DIR}/third_party")
# Imported targets need their include dirs to exist at configure time; the
# headers are copied in right after extraction, before anything compiles.
file(MAKE_DIRECTORY "${_tp_root}/utf8proc/include" "${_tp_root}/spm/include" "${_tp_root}/pcre2/include")

# utf8proc is one translation unit (utf8proc.c includes utf8proc_data.c) and
# its CMakeLists forces -O2, so it is compiled directly with our flags.
ExternalProject_Add(utf8proc_ep
  URL "${_tp_utf8proc_tarball}"
  URL_HASH SHA256=a0a60a79fe6f6d54e7d411facbfcc867a6e198608f2cd992490e46f04b1bcecc
  DOWNLOAD_EXTRACT_TIMESTAMP ON
  PREFIX "${_tp_root}/utf8proc"
  CONFIGURE_COMMAND ""
  BUILD_COMMAND "${CMAKE_C_COMPILER}" ${_tp_flags} -c <SOURCE_DIR>/utf8proc.c -o utf8proc.o
        COMMAND "${CMAKE_AR}" rcs libutf8proc.a utf8proc.o
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS "${_tp_root}/utf8proc/src/utf8proc_ep-build/libutf8proc.a")
ExternalProject_Add_Step(utf8proc_ep copy_header DEPENDEES patch DEPENDERS configure
  COMMAND "${CMAKE_COMMAND}" -E copy <SOURCE_DIR>/utf8proc.h "${_tp_root}/utf8proc/include/")
add_library(utf8proc::utf8proc STATIC IMPORTED GLOBAL)
set_target_properties(utf8proc::utf8proc PROPERTIES
  IMPORTED_LOCATION "${_tp_root}/utf8proc/src/utf8proc_ep-build/libutf8proc.a"
  INTERFACE_INCLUDE_DIRECTORIES "${_tp_root}/utf8proc/include")
add_dependencies(utf8proc::utf8proc utf8proc_ep)

# sentencepiece adds -pthread unconditionally for its builtin protobuf-lite;
# in a non-threaded module that leaves atomic instructions in the .wasm
# (toolchain.md P6), hence the patch, which also unquotes the flags so that
# HAVE_PTHREAD is defined as 1 (not as "1 -Wno-sign-compare"). The threads
# variant passes -pthread for the whole library through _tp_flags. Debian's own
# patch series drops the static library: the upstream (.orig) sources are built.
list(JOIN _tp_flags " " _tp_flags_release)
# Under make, $(MAKE) shares the parent's jobserver (-jN); `cmake --build` would
# build sentencepiece serially there.
if(CMAKE_GENERATOR MATCHES "Makefiles")
  set(_tp_spm_build $(MAKE) sentencepiece-static)
else()
  set(_tp_spm_build "${CMAKE_COMMAND}" --build <BINARY_DIR> --target sentencepiece-static)
endif()
ExternalProject_Add(spm_ep
  URL "${_tp_spm_tarball}"
  URL_HASH SHA256=56430381f45dc6debfd2e0cbde4f039f9499c49ca825af184b0cbf318c17a18f
  DOWNLOAD_EXTRACT_TIMESTAMP ON
  PREFIX "${_tp_root}/spm"
  PATCH_COMMAND sed -i -e "s/\"-pthread -DHAVE_PTHREAD=1 -Wno-sign-compare\"/-DHAVE_PTHREAD=1 -Wno-sign-compare/"
                src/CMakeLists.txt
  CMAKE_ARGS "-DCMAKE_TOOLCHAIN_FILE=${CMAKE_TOOLCHAIN_FILE}" -DCMAKE_BUILD_TYPE=Release
             "-DCMAKE_CXX_FLAGS=-fwasm-exceptions"
             "-DCMAKE_CXX_FLAGS_RELEASE=${_tp_flags_release}"
             -DSPM_ENABLE_SHARED=OFF -DSPM_ENABLE_TCMALLOC=OFF
  BUILD_COMMAND ${_tp_spm_build}
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS "${_tp_root}/spm/src/spm_ep-build/src/libsentencepiece.a")
ExternalProject_Add_Step(spm_ep copy_header DEPENDEES patch DEPENDERS configure
  COMMAND "${CMAKE_COMMAND}" -E copy <SOURCE_DIR>/src/sentencepiece_processor.h "${_tp_root}/spm/include/")
add_library(spm::static STATIC IMPORTED GLOBAL)
set_target_properties(spm::static PROPERTIES
  IMPORTED_LOCATION "${_tp_root}/spm/src/spm_ep-build/src/libsentencepiece.a"
  INTERFACE_INCLUDE_DIRECTORIES "${_tp_root}/spm/include"
  # Compiled with wasm exceptions, so whatever links it must enable them too
  # (else wasm-ld: undefined symbol __wasm_lpad_context).
  INTERFACE_LINK_OPTIONS -fwasm-exceptions)
add_dependencies(spm::static spm_ep)

# PCRE2 through its own CMake build: the 8-bit library only, Unicode support
# (UTF + UCP for \p{L}, \p{N}), no JIT (no executable memory in wasm), no
# tools or tests. pcre2.h is generated in the build dir and copied out.
ExternalProject_Add(pcre2_ep
  URL "${_tp_pcre2_tarball}"
  URL_HASH SHA256=c33b418e3b936ee3153de2c61cc638e7e4fe3156022a5c77d0711bcbb9d64f1f
  DOWNLOAD_EXTRACT_TIMESTAMP ON
  PREFIX "${_tp_root}/pcre2"
  CMAKE_ARGS "-DCMAKE_TOOLCHAIN_FILE=${CMAKE_TOOLCHAIN_FILE}" -DCMAKE_BUILD_TYPE=Release
             "-DCMAKE_C_FLAGS_RELEASE=${_tp_flags_release}"
             -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON
             -DPCRE2_BUILD_PCRE2_8=ON -DPCRE2_BUILD_PCRE2_16=OFF -DPCRE2_BUILD_PCRE2_32=OFF
             -DPCRE2_SUPPORT_UNICODE=ON -DPCRE2_SUPPORT_JIT=OFF
             -DPCRE2_BUILD_PCRE2GREP=OFF -DPCRE2_BUILD_TESTS=OFF
             -DPCRE2_SUPPORT_LIBBZ2=OFF -DPCRE2_SUPPORT_LIBZ=OFF
             -DPCRE2_SUPPORT_LIBEDIT=OFF -DPCRE2_SUPPORT_LIBREADLINE=OFF
  BUILD_COMMAND "${CMAKE_COMMAND}" --build <BINARY_DIR> --target pcre2-8-static
  INSTALL_COMMAND "${CMAKE_COMMAND}" -E copy <BINARY_DIR>/pcre2.h "${_tp_root}/pcre2/include/"
  BUILD_BYPRODUCTS "${_tp_root}/pcre2/src/pcre2_ep-build/libpcre2-8.a")
add_library(pcre2::pcre2-8 STATIC IMPORTED GLOBAL)
set_target_properties(pcre2::pcre2-8 PROPERTIES
  IMPORTED_LOCATION "${_tp_root}/pcre2/src/pcre2_ep-build/libpcre2-8.a"
  INTERFACE_INCLUDE_DIRECTORIES "${_tp_root}/pcre2/include"
  INTERFACE_COMPILE_DEFINITIONS PCRE2_STATIC)
add_dependencies(pcre2::pcre2-8 pcre2_ep)

# libmd: one source file (sha2.c) of a small standalone module that only the
# single-threaded tree builds (wasm/CMakeLists.txt), which unpacks it.
set(LIBMD_TARBALL "${_tp_libmd_tarball}")
