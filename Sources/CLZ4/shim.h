// liblz4 is reached through this one module (block format API; see docs/wire-format.md later).
#include <lz4.h>
