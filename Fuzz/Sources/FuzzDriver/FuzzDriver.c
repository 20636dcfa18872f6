// The declaration in include/FuzzDriver.h is the whole module; libFuzzer provides the definition.
#include "FuzzDriver.h"
