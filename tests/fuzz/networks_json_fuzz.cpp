// The networks data file (an operator may override it without a rebuild).
#include "publisher/network_catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)herald::publisher::NetworkCatalog::Parse(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
