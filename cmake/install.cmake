# Installation: the `deal` command line, the embedding library with its header, the
# standard library of .deal files, and a CMake package so that hosts can write
#   find_package(deal CONFIG REQUIRED)   →   target deal::deal
# (docs/embedding.md; examples/embed builds against it in CI).
include(CMakePackageConfigHelpers)

set(DEAL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/deal)
# libdeal.so looks for the standard library here, relative to itself (engine.cpp).
set(DEAL_INSTALL_STDLIBDIR ${CMAKE_INSTALL_DATADIR}/deal/stdlib)

install(TARGETS deal RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS deal_engine EXPORT dealTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# deal/mpi.hpp only where libdeal was built with MPI (it declares what only that build defines).
if(DEAL_MPI)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/deal DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
else()
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/deal DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} PATTERN mpi.hpp EXCLUDE)
endif()
install(DIRECTORY ${CMAKE_SOURCE_DIR}/stdlib/ DESTINATION ${DEAL_INSTALL_STDLIBDIR} FILES_MATCHING PATTERN "*.deal")
install(EXPORT dealTargets NAMESPACE deal:: DESTINATION ${DEAL_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/dealConfig.cmake.in
  ${CMAKE_BINARY_DIR}/cmake/dealConfig.cmake
  INSTALL_DESTINATION ${DEAL_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR DEAL_INSTALL_STDLIBDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/dealConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/dealConfig.cmake ${CMAKE_BINARY_DIR}/cmake/dealConfigVersion.cmake
        DESTINATION ${DEAL_INSTALL_CMAKEDIR})
