// The module's function is inline in include/CPrefetch.h; a C target needs one source file.
#include "CPrefetch.h"
