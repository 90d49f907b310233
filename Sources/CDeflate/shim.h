// libdeflate (https://github.com/ebiggers/libdeflate), used by PNGCodec for CRC-32 and
// Adler-32 when Package.swift finds it with pkg-config.
#include <libdeflate.h>
