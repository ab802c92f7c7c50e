# Warnings for our own targets only: third-party headers come in as -isystem
# through their imported targets, so they do not trip -Werror.
add_library(ovs_warnings INTERFACE)
target_compile_options(ovs_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wimplicit-fallthrough)
if(OVS_WERROR)
    target_compile_options(ovs_warnings INTERFACE -Werror)
endif()
