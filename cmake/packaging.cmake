# packaging.cmake - lay sockwarden out like a Debian daemon and build the
# .deb.  `cmake --install` puts the binary in <prefix>/sbin, the settings,
# the policy presets and a commented sample policy in /etc/sockwarden, a
# logrotate snippet for the audit log in /etc/logrotate.d, the systemd
# units in /lib/systemd/system, the man pages (gzip -9n) in
# <prefix>/share/man and the copyright, README and policy reference in
# <prefix>/share/doc/sockwarden.  `cpack -G DEB` (prefix /usr) builds a
# package whose maintainer scripts create the "sockwarden" user and the
# socket's client group and enable sockwarden.socket.  Beyond compressing
# documentation it builds nothing itself.
include(GNUInstallDirs)

set(SW_SYSCONFDIR "/etc/sockwarden" CACHE PATH "sockwarden settings and policy presets")
set(SW_UNITDIR "/lib/systemd/system" CACHE PATH "systemd system unit directory")

install(FILES ${CMAKE_SOURCE_DIR}/conf/sockwarden.conf
              ${CMAKE_SOURCE_DIR}/conf/ci.json
              ${CMAKE_SOURCE_DIR}/conf/readonly.json
              ${CMAKE_SOURCE_DIR}/conf/deny-all.json
              ${CMAKE_SOURCE_DIR}/conf/policy.json
        DESTINATION ${SW_SYSCONFDIR} PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${CMAKE_SOURCE_DIR}/cmake/deb/sockwarden.logrotate
        DESTINATION /etc/logrotate.d RENAME sockwarden
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# The service names the installed binary: rewrite ExecStart for the prefix
# in effect at install time (/usr for the .deb, /usr/local by default).
install(CODE "
  file(READ \"${CMAKE_SOURCE_DIR}/systemd/sockwarden.service\" sw_unit)
  string(REPLACE \"/usr/sbin/sockwarden\" \"\${CMAKE_INSTALL_PREFIX}/sbin/sockwarden\" sw_unit \"\${sw_unit}\")
  file(WRITE \"${CMAKE_BINARY_DIR}/systemd/sockwarden.service\" \"\${sw_unit}\")
")
install(FILES ${CMAKE_BINARY_DIR}/systemd/sockwarden.service
              ${CMAKE_SOURCE_DIR}/systemd/sockwarden.socket
        DESTINATION ${SW_UNITDIR})

# Man pages and the longer documents go out compressed, as Debian ships
# them (gzip -9n: no name or time stamp, the same bytes on every build).
find_program(SW_GZIP gzip REQUIRED)
set(sw_gz_files)
foreach(src docs/man/sockwarden.8 docs/man/sockwarden.conf.5
            docs/man/sockwarden-policy.5 README.md docs/policy.md
            docs/tenancy.md docs/jobs.md docs/ci-runners.md)
  get_filename_component(name ${src} NAME)
  set(out ${CMAKE_BINARY_DIR}/gz/${name}.gz)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/gz
    COMMAND ${SW_GZIP} -9n -c ${CMAKE_SOURCE_DIR}/${src} > ${out}
    DEPENDS ${CMAKE_SOURCE_DIR}/${src} VERBATIM)
  list(APPEND sw_gz_files ${out})
endforeach()
add_custom_target(compressed_docs ALL DEPENDS ${sw_gz_files})
install(FILES ${CMAKE_BINARY_DIR}/gz/sockwarden.8.gz
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${CMAKE_BINARY_DIR}/gz/sockwarden.conf.5.gz
              ${CMAKE_BINARY_DIR}/gz/sockwarden-policy.5.gz
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${CMAKE_BINARY_DIR}/gz/README.md.gz
              ${CMAKE_BINARY_DIR}/gz/policy.md.gz
              ${CMAKE_BINARY_DIR}/gz/tenancy.md.gz
              ${CMAKE_BINARY_DIR}/gz/jobs.md.gz
              ${CMAKE_BINARY_DIR}/gz/ci-runners.md.gz
              ${CMAKE_SOURCE_DIR}/cmake/deb/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# the GitLab Runner custom executor of docs/jobs.md
install(PROGRAMS ${CMAKE_SOURCE_DIR}/contrib/gitlab-runner/config.sh
                 ${CMAKE_SOURCE_DIR}/contrib/gitlab-runner/prepare.sh
                 ${CMAKE_SOURCE_DIR}/contrib/gitlab-runner/run.sh
                 ${CMAKE_SOURCE_DIR}/contrib/gitlab-runner/cleanup.sh
        DESTINATION ${CMAKE_INSTALL_DATADIR}/sockwarden/gitlab-runner)
install(FILES ${CMAKE_SOURCE_DIR}/contrib/gitlab-runner/lib.sh
        DESTINATION ${CMAKE_INSTALL_DATADIR}/sockwarden/gitlab-runner)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "sockwarden")
set(CPACK_PACKAGE_VENDOR "sockwarden")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "policy-enforcing proxy for the Docker Engine API socket")
set(CPACK_PACKAGE_DESCRIPTION "sockwarden listens on a substitute docker.sock, checks every Docker
Engine API request against a policy (no privileged containers, host mounts,
host namespaces, devices, ...) and relays what is allowed to the real engine.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "sockwarden maintainers <root@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
find_program(SW_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(SW_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
else()	# no dpkg-dev: name Debian 12's libraries ourselves
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "adduser, libc6 (>= 2.34), libevent-2.1-7, libhttp-parser2.9, libcjson1, libseccomp2, libnghttp2-14")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "docker.io | docker-ce")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "logrotate, socat")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/cmake/deb/postinst
    ${CMAKE_SOURCE_DIR}/cmake/deb/prerm
    ${CMAKE_SOURCE_DIR}/cmake/deb/postrm
    ${CMAKE_SOURCE_DIR}/cmake/deb/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
include(CPack)
