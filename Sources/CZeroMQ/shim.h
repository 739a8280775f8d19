// libzmq is reached through this one module. The module map links "zmq" directly instead of
// naming pkg-config's libzmq.pc: that file's Cflags make SwiftPM warn about unsafe -isystem
// flags, and the header lives in the default include path on Debian anyway.
#include <zmq.h>
