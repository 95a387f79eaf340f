# CPack: a Debian package (`cpack -G DEB` in the build directory). Dependencies
# are found by dpkg-shlibdeps from the binaries; the configuration files are
# conffiles; the maintainer scripts create the user and directories.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# A native package (no Debian revision): its changelog is changelog.gz.
set(changelog_gz ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz)
add_custom_command(OUTPUT ${changelog_gz}
  COMMAND ${GZIP_EXECUTABLE} -9nc ${PROJECT_SOURCE_DIR}/packaging/debian/changelog > ${changelog_gz}
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/debian/changelog VERBATIM)
add_custom_target(khobor_changelog ALL DEPENDS ${changelog_gz})
install(FILES ${changelog_gz} DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME khobor)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "khobor developers <khobor@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "real-time monitor for Bengali news feeds")
# CPack puts the summary above this as the synopsis line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "khobord polls RSS, Atom and JSON feeds of Bengali news outlets,
normalises the Bengali text, groups the same story across outlets, matches
entries against watch lists and publishes one alert per story on ZeroMQ.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
if(KHOBOR_PROJECT_URL)
  set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${KHOBOR_PROJECT_URL})
endif()
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, systemd")
set(CPACK_STRIP_FILES ON)
# conffiles: every file installed under /etc.
file(GLOB shipped_watchlists RELATIVE ${PROJECT_SOURCE_DIR}/config/watchlists
  ${PROJECT_SOURCE_DIR}/config/watchlists/*.toml)
set(conffiles "/etc/khobor/khobor.toml\n")
foreach(w ${shipped_watchlists})
  string(APPEND conffiles "/etc/khobor/watchlists/${w}\n")
endforeach()
file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles CONTENT "${conffiles}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles
  ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
  ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
  ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
