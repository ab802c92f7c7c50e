# ASan + UBSan for the whole build (our code and the Asio/Beast objects we
# compile), so one sanitizer build serves every test.
if(OVS_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()
